#!/usr/bin/env bash
# Runs pageext's one-pass commands over generated 1 GiB dumps (and, with --trace, a kmem trace)
# with tiered PGO as the CLI ships it (off, PageExt.Cli.csproj) and switched back on
# (DOTNET_TieredPGO=1), alternating the two, and prints each command's median wall and CPU
# (user + sys) seconds and the ratio off/on. Below 1.00 the shipped setting is faster.
#
# usage: bench/pgo-bench.sh [--runs 3] [--size 1G] [--seed 7] [--trace FILE] [--dir DIR] [--keep]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3 size=1G seed=7 trace="" dir="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2;;
    --size) size="$2"; shift 2;;
    --seed) seed="$2"; shift 2;;
    --trace) trace="$2"; shift 2;;
    --dir) dir="$2"; shift 2;;
    --keep) keep=1; shift;;
    -h|--help) sed -n '2,7p' "$0"; exit 0;;
    *) echo "pgo-bench: unknown argument '$1'" >&2; exit 1;;
  esac
done
[ -x /usr/bin/time ] || { echo "pgo-bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
if [ -z "$dir" ]; then dir="$(mktemp -d)"; [ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT; fi
mkdir -p "$dir"
dump="$dir/page_owner-$size-seed$seed.txt"
other="$dir/page_owner-$size-seed$((seed + 1)).txt"
for file in "$dump" "$other"; do
  [ -f "$file" ] || python3 "$here/bench/tools/gen_page_owner_dump.py" -o "$file" --size "$size" --seed "$(basename "$file" .txt | sed "s/.*seed//")" >&2
done
dotnet build "$here/src/PageExt.Cli/PageExt.Cli.csproj" -c Release -nologo -v quiet >&2
cli="$here/src/PageExt.Cli/bin/Release/net10.0/PageExt.Cli.dll"
cat "$dump" "$other" > /dev/null

commands=("sort:sort $dump $dir/out.txt" "sort -a:sort -a $dump $dir/out.txt" "top:top $dump" "diff:diff $dump $other")
[ -n "$trace" ] && commands+=("trace:trace $trace -o $dir/out.txt")

# shellcheck source=tools/stats.sh
. "$here/bench/tools/stats.sh"

printf '%-10s %12s %12s %12s %12s %9s %9s\n' command "off wall s" "on wall s" "off cpu s" "on cpu s" "wall" "cpu"
for entry in "${commands[@]}"; do
  name="${entry%%:*}" args="${entry#*:}"
  : > "$dir/off.txt"; : > "$dir/on.txt"
  for _ in $(seq "$runs"); do
    for mode in off on; do
      rm -f "$dir/out.txt"
      if [ "$mode" = on ]; then export DOTNET_TieredPGO=1; else unset DOTNET_TieredPGO; fi
      # shellcheck disable=SC2086
      DOTNET_gcServer=0 /usr/bin/time -o "$dir/time.txt" -f '%e %U %S' dotnet "$cli" $args > /dev/null 2> /dev/null || true # diff exits 1 when the dumps differ
      awk '{ print $1, $2 + $3 }' "$dir/time.txt" >> "$dir/$mode.txt"
    done
  done
  unset DOTNET_TieredPGO
  offw=$(cut -d' ' -f1 "$dir/off.txt" | median) onw=$(cut -d' ' -f1 "$dir/on.txt" | median)
  offc=$(cut -d' ' -f2 "$dir/off.txt" | median) onc=$(cut -d' ' -f2 "$dir/on.txt" | median)
  awk -v n="$name" -v a="$offw" -v b="$onw" -v c="$offc" -v d="$onc" \
    'BEGIN { printf "%-10s %12.2f %12.2f %12.2f %12.2f %9.2f %9.2f\n", n, a, b, c, d, a / b, c / d }'
done
