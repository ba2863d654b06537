#!/usr/bin/env bash
# Times `pageext trace` end to end on generated kmem traces (ftrace text, with and without a
# <stack trace> after every event) and prints MiB/s by wall time and by CPU time (user+sys), and
# peak RSS, from /usr/bin/time. The generator is bench/PageExt.Benchmarks' gen-trace (seeded:
# the same size and seed give the same bytes).
#
# usage: bench/trace-bench.sh [--size-mib 1024] [--seed 7] [--dir DIR] [--keep]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size=1024 seed=7 dir="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) size="$2"; shift 2;;
    --seed) seed="$2"; shift 2;;
    --dir) dir="$2"; shift 2;;
    --keep) keep=1; shift;;
    -h|--help) sed -n '2,7p' "$0"; exit 0;;
    *) echo "trace-bench: unknown argument '$1'" >&2; exit 1;;
  esac
done
[ -x /usr/bin/time ] || { echo "trace-bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
if [ -z "$dir" ]; then dir="$(mktemp -d)"; [ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT; fi
mkdir -p "$dir"
dotnet build "$here/bench/PageExt.Benchmarks/PageExt.Benchmarks.csproj" -c Release -nologo -v quiet >&2
dotnet build "$here/src/PageExt.Cli/PageExt.Cli.csproj" -c Release -nologo -v quiet >&2
gen="$here/bench/PageExt.Benchmarks/bin/Release/net10.0/PageExt.Benchmarks.dll"
cli="$here/src/PageExt.Cli/bin/Release/net10.0/PageExt.Cli.dll"
printf '%-28s %10s %10s %12s %12s %10s\n' trace MiB wall_s "MiB/s(wall)" "MiB/s(cpu)" peak_RSS_MiB
for variant in plain stacks; do
  trace="$dir/kmem-$size-seed$seed-$variant.txt"
  if [ ! -f "$trace" ]; then
    dotnet "$gen" gen-trace "$trace" "$size" --seed "$seed" $([ "$variant" = stacks ] && echo --stacks)
  fi
  cat "$trace" > /dev/null  # from the page cache, so the reader is measured, not the disk
  bytes=$(stat -c %s "$trace")
  /usr/bin/time -o "$dir/time.txt" -f '%e %U %S %M' dotnet "$cli" trace "$trace" -o /dev/null 2> "$dir/$variant.stderr"
  read -r wall user sys rss < "$dir/time.txt"
  awk -v name="$(basename "$trace")" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { m = b / 1048576; printf "%-28s %10.0f %10.2f %12.0f %12.0f %10.0f\n", name, m, w, m / w, m / (u + s), r / 1024 }'
done
