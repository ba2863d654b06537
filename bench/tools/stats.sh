# Sourced by the bench scripts: summaries of one number a line on standard input.

# The median ("-" for no input).
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR == 0) ? "-" : (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
