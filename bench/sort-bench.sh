#!/usr/bin/env bash
# Times `pageext sort` on a generated modern page_owner dump for the default, -m, -s,
# --cull=stacktrace and -a, and, given the path of a page_owner_sort binary built from the kernel tree,
# times it on the same dump and prints both side by side with the speed ratio and whether the two
# reports are byte-identical. Wall time and peak RSS come from /usr/bin/time.
#
# usage: bench/sort-bench.sh [--size 1G] [--seed 7] [--kernel /path/to/page_owner_sort] [--dir DIR] [--keep]
#   --size    dump size for gen_page_owner_dump.py (default 1G)
#   --kernel  a page_owner_sort binary (tools/mm in a kernel tree, built by hand outside this repo)
#   --dir     work directory (default: a new temporary directory, removed at the end unless --keep)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size=1G seed=7 kernel="" dir="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2;;
    --seed) seed="$2"; shift 2;;
    --kernel) kernel="$2"; shift 2;;
    --dir) dir="$2"; shift 2;;
    --keep) keep=1; shift;;
    -h|--help) sed -n '2,10p' "$0"; exit 0;;
    *) echo "sort-bench: unknown argument '$1'" >&2; exit 1;;
  esac
done
[ -x /usr/bin/time ] || { echo "sort-bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
generator="$here/bench/tools/gen_page_owner_dump.py"
if [ -z "$dir" ]; then dir="$(mktemp -d)"; [ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT; fi
mkdir -p "$dir"
dump="$dir/page_owner-$size-seed$seed.txt"
if [ ! -f "$dump" ]; then
  echo "generating $size modern dump (seed $seed) in $dump ..." >&2
  python3 "$generator" -o "$dump" --size "$size" --seed "$seed" >&2
fi
dotnet build "$here/src/PageExt.Cli/PageExt.Cli.csproj" -c Release -nologo -v quiet >&2
dll="$here/src/PageExt.Cli/bin/Release/net10.0/PageExt.Cli.dll"
bytes=$(stat -L -c %s "$dump")
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
cat "$dump" > /dev/null  # warm the page cache so both tools read from memory

measure() { # label output command... -> prints "seconds rss_kib"
  local out="$1"; shift
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" > /dev/null 2> "$dir/stderr.txt" || true
  cat "$dir/time.txt" | tail -1
}

printf '%s: %s MiB, %s cores\n' "$(basename "$dump")" "$mib" "$(nproc)"
printf '%-20s %9s %10s %10s' option "pageext s" "MiB/s" "RSS MiB"
[ -n "$kernel" ] && printf ' %10s %10s %10s %7s %9s' "kernel s" "MiB/s" "RSS MiB" ratio identical
printf '\n'
for opt in "" "-m" "-s" "--cull=stacktrace" "-a"; do
  read -r secs rss < <(measure "$dir/pageext.out" dotnet "$dll" sort $opt "$dump" "$dir/pageext.out")
  printf '%-20s %9.2f %10.0f %10.0f' "${opt:-(default)}" "$secs" "$(awk -v m="$mib" -v s="$secs" 'BEGIN { print m / s }')" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
  if [ -n "$kernel" ]; then
    read -r ksecs krss < <(measure "$dir/kernel.out" "$kernel" $opt "$dump" "$dir/kernel.out")
    same=no; cmp -s "$dir/pageext.out" "$dir/kernel.out" && same=yes
    printf ' %10.2f %10.0f %10.0f %6.1fx %9s' "$ksecs" "$(awk -v m="$mib" -v s="$ksecs" 'BEGIN { print m / s }')" "$(awk -v r="$krss" 'BEGIN { print r / 1024 }')" "$(awk -v a="$ksecs" -v b="$secs" 'BEGIN { print a / b }')" "$same"
  fi
  printf '\n'
done
