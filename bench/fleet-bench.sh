#!/usr/bin/env bash
# Times `pageext export` and `pageext query` on generated modern page_owner dumps: ten dumps of
# 100 MiB (one export each, into device=devN folders) and one of 1 GiB, then three queries over
# each set and one straight over a dump. Wall time, CPU time and peak RSS come from /usr/bin/time;
# the Parquet sizes are printed against the text's.
#
# usage: bench/fleet-bench.sh [--dir DIR] [--keep]
#   --dir   work directory (default: a new temporary directory, removed at the end unless --keep)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2;;
    --keep) keep=1; shift;;
    -h|--help) sed -n '2,9p' "$0"; exit 0;;
    *) echo "fleet-bench: unknown argument '$1'" >&2; exit 1;;
  esac
done
[ -x /usr/bin/time ] || { echo "fleet-bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
generator="$here/bench/tools/gen_page_owner_dump.py"
if [ -z "$dir" ]; then dir="$(mktemp -d)"; [ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT; fi
mkdir -p "$dir" && cd "$dir"
[ -f dump-1g.txt ] || python3 "$generator" -o dump-1g.txt --size 1G --seed 7 >&2
for i in 0 1 2 3 4 5 6 7 8 9; do [ -f "dev$i.txt" ] || python3 "$generator" -o "dev$i.txt" --size 100M --seed $((100 + i)) >&2; done
dotnet build "$here/src/PageExt.Cli/PageExt.Cli.csproj" -c Release -nologo -v quiet >&2
pageext=(dotnet "$here/src/PageExt.Cli/bin/Release/net10.0/PageExt.Cli.dll")
cat dev?.txt dump-1g.txt > /dev/null
T() { /usr/bin/time -f "$1: %e s wall, %U s user, %S s sys, peak RSS %M KiB" "${@:2}"; }
echo "load: $(uptime)"
rm -rf fleet10 one1g
for i in 0 1 2 3 4 5 6 7 8 9; do
  T "export dev$i (100 MiB)" "${pageext[@]}" export -o "fleet10/device=dev$i" --source "dev$i" "dev$i.txt" 2>&1 | grep -v '^pageext export:'
done
T "export 1 GiB" "${pageext[@]}" export -o one1g dump-1g.txt 2>&1 | grep -v '^pageext export:'
echo "fleet10: $(du -cb fleet10/*/*.parquet | tail -1 | cut -f1) bytes of Parquet for $(du -cb dev?.txt | tail -1 | cut -f1) bytes of text"
echo "one1g: $(du -cb one1g/*.parquet | tail -1 | cut -f1) bytes of Parquet for $(stat -c %s dump-1g.txt) bytes of text"
top_stacks="SELECT s.frame, r.stack_id, sum(r.pages) AS pages, count(*) AS records FROM records r JOIN stacks s ON s.stack_id = r.stack_id AND s.frame_index = 3 GROUP BY ALL ORDER BY pages DESC LIMIT 10"
per_source="SELECT source, count(*) AS records, sum(pages) AS pages FROM records GROUP BY source ORDER BY source"
per_comm="SELECT comm, sum(pages) AS pages FROM records GROUP BY comm ORDER BY pages DESC LIMIT 5"
for q in top_stacks per_source per_comm; do
  T "query $q over 10 x 100 MiB" "${pageext[@]}" query "${!q}" fleet10 > /dev/null
  T "query $q over 1 GiB" "${pageext[@]}" query "${!q}" one1g > /dev/null
done
T "query per_source straight over a 100 MiB dump" "${pageext[@]}" query "$per_source" dev0.txt > /dev/null
echo "load: $(uptime)"
