#!/usr/bin/env bash
# Kestrel with its default memory pool against the PageExt pool, side by side in one run: the
# sample server is started once per configuration and round, in an order rotated every round so
# that the drift of a busy machine falls on every configuration alike, warmed up until the JIT has
# settled, and loaded with wrk (plaintext GETs, then 64 KiB POSTs through a Lua script).
#
# Per configuration it prints, as the median over the rounds with the lowest and highest round:
#   req/s        wrk's requests per second; swings with whatever else runs on the machine
#   CPU us/req   the server's CPU time (user + system, all threads, from /proc/PID/stat) during the
#                run divided by wrk's request count: steadier than req/s when wrk and other
#                processes take the cores, since time spent waiting for a core is not counted
#   p99          wrk's 99th percentile latency
#   B/req        managed bytes the server allocated per request (GC.GetTotalAllocatedBytes)
#   rents/req    buffers rented from the pool per request (PageExt pool only)
# and each figure's ratio to the default pool's (for CPU, lower is better).
#
# usage: bench/pool-bench.sh [--rounds 3] [--duration 5] [--connections 32] [--threads 1]
#                            [--port 5090] [--pin] [--configs default,off,page_owner,page_poison]
#                            [--against REV]
#   --pin      server on CPU 0, wrk on CPU 1 (taskset), so they never take each other's core
#   --configs  which configurations to run, comma-separated, the first is the ratios' base
#   --against  also run each PageExt configuration on the sample server of git revision REV
#              (before/after in one run: its rows are marked @REV)
# Requires wrk (Debian: apt-get install wrk; .ci/run does not need it). Unpinned, the load
# generator shares the machine's cores with the server: compare ratios, not figures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3 duration=5 connections=32 threads=1 port=5090 pin=0 only="default,off,page_owner,page_poison" against=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2;;
    --duration) duration="$2"; shift 2;;
    --connections) connections="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    --port) port="$2"; shift 2;;
    --pin) pin=1; shift;;
    --configs) only="$2"; shift 2;;
    --against) against="$2"; shift 2;;
    -h|--help) sed -n '2,28p' "$0"; exit 0;;
    *) echo "pool-bench: unknown argument '$1'" >&2; exit 1;;
  esac
done
command -v wrk > /dev/null || { echo "pool-bench: wrk is required (apt-get install wrk)" >&2; exit 1; }
[ "$pin" = 0 ] || command -v taskset > /dev/null || { echo "pool-bench: --pin needs taskset (util-linux)" >&2; exit 1; }
[ "$pin" = 0 ] || [ "$(nproc)" -ge 2 ] || { echo "pool-bench: --pin needs 2 cores, this machine has $(nproc)" >&2; exit 1; }

# key|name|pool|command line; a fifth field, the server, is added below
all=("default|Kestrel's default|default|" "off|PageExt, every feature off|pageext|"
     "page_owner|PageExt, page_owner=on|pageext|page_owner=on" "page_poison|PageExt, page_poison=1|pageext|page_poison=1")
configs=()
IFS=',' read -r -a wanted <<< "$only"
for key in "${wanted[@]}"; do
  found=""
  for c in "${all[@]}"; do [ "${c%%|*}" = "$key" ] && found="$c"; done
  [ -n "$found" ] || { echo "pool-bench: unknown configuration '$key' (default, off, page_owner, page_poison)" >&2; exit 1; }
  configs+=("$found")
done

dir="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$dir"; }
trap cleanup EXIT
sample=samples/PageExt.SampleServer
dotnet build "$here/$sample/PageExt.SampleServer.csproj" -c Release -nologo -v quiet > /dev/null
server="$here/$sample/bin/Release/net10.0/PageExt.SampleServer.dll"
for ((i = 0; i < ${#configs[@]}; i++)); do configs[i]="${configs[i]}|$server"; done
if [ -n "$against" ]; then
  # The other revision's tree, exported without touching this repository's worktrees, built apart.
  rev=$(git -C "$here" rev-parse --short "$against^{commit}") || { echo "pool-bench: '$against' is not a revision of this repository" >&2; exit 1; }
  mkdir "$dir/against"
  git -C "$here" archive "$rev" | tar -x -C "$dir/against"
  dotnet build "$dir/against/$sample/PageExt.SampleServer.csproj" -c Release -nologo -v quiet > /dev/null
  n=${#configs[@]}
  for ((i = 0; i < n; i++)); do
    IFS='|' read -r key name pool cmdline _ <<< "${configs[$i]}"
    [ "$pool" = pageext ] && configs+=("$key@$rev|$name @$rev|$pool|$cmdline|$dir/against/$sample/bin/Release/net10.0/PageExt.SampleServer.dll")
  done
fi
cat > "$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 65536)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

url="http://127.0.0.1:$port"
server_cpu=() wrk_cpu=()
[ "$pin" = 1 ] && server_cpu=(taskset -c 0) wrk_cpu=(taskset -c 1)
ticks=$(getconf CLK_TCK)

start_server() {
  PageExt__Stats=true "${server_cpu[@]}" dotnet "$3" --urls "$url" --PageExt:Pool "$1" --PageExt:CommandLine "$2" > "$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -sf "$url/plaintext" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "pool-bench: the sample server did not start:" >&2; cat "$dir/server.log" >&2; exit 1
}

# One counter of the server's /stats line, "-" when it has none.
stat() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { v = $2 } END { print (v == "") ? "-" : v }'; }

# Load for at least 5 s and until a second of it compiles fewer than 10 methods (the tiered JIT
# and dynamic PGO have settled; at most 30 s), so the measured runs time steady-state code; the
# minimum covers a server starved of CPU, whose tiering has not begun within its first second.
# Measured here, the servers compile 2,000-2,600 methods in their first 8-15 s under load: a
# fixed 1 s warm-up left most of that inside the measured run, and more of it for the PageExt
# pool's server.
warm_up() {
  local before after
  for ((s = 1; s <= 30; s++)); do
    before=$(stat "$(curl -sf "$url/stats")" jit_methods)
    "${wrk_cpu[@]}" wrk -t"$threads" -c"$connections" -d1s "$@" > /dev/null
    after=$(stat "$(curl -sf "$url/stats")" jit_methods)
    # A server without /stats (an older revision) gets 10 s.
    if { [ "$after" = "-" ] && [ "$s" -ge 10 ]; } || { [ "$after" != "-" ] && [ "$s" -ge 5 ] && [ $((after - before)) -lt 10 ]; }; then
      echo "$s"
      return 0
    fi
  done
  echo "pool-bench: warning: the JIT was still compiling after 30 s of warm-up" >&2
  echo "30+"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

# One measured run: "req/s p99-ms cpu-us/req bytes/req rents/req".
measure() {
  local out s0 s1 c0 c1
  s0=$(curl -sf "$url/stats"); c0=$(cpu_ticks)
  out="$("${wrk_cpu[@]}" wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@")"
  c1=$(cpu_ticks); s1=$(curl -sf "$url/stats")
  echo "$out" | awk -v c0="$c0" -v c1="$c1" -v hz="$ticks" -v a0="$(stat "$s0" allocated_bytes)" -v a1="$(stat "$s1" allocated_bytes)" \
    -v r0="$(stat "$s0" rents)" -v r1="$(stat "$s1" rents)" '
    / requests in / { n = $1 }
    /Requests\/sec/ { rps = $2 }
    $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
                  ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    END { rents = (r0 == "-") ? "-" : sprintf("%.2f", (r1 - r0) / n)
          bytes = (a0 == "-") ? "-" : sprintf("%.0f", (a1 - a0) / n)
          printf "%s %s %.2f %s %s\n", rps, ms, (c1 - c0) * 1e6 / hz / n, bytes, rents }'
}

loads=()
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < ${#configs[@]}; k++)); do
    i=$(( (k + r) % ${#configs[@]} ))
    IFS='|' read -r _ name pool cmdline dll <<< "${configs[$i]}"
    start_server "$pool" "$cmdline" "$dll"
    get_warm=$(warm_up "$url/plaintext")
    post_warm=$(warm_up -s "$dir/post.lua" "$url/echo")
    echo "$i get $(measure "$url/plaintext")" >> "$dir/results"
    echo "$i post $(measure -s "$dir/post.lua" "$url/echo")" >> "$dir/results"
    kill "$pid"; wait "$pid" 2> /dev/null || true; pid=""
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    echo "round $((r + 1))/$rounds: $name done (warm-up ${get_warm} s GET + ${post_warm} s POST, load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done

# shellcheck source=tools/stats.sh
. "$here/bench/tools/stats.sh"
range() { sort -g | awk -v f="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%" f "-%" f, lo, hi }'; }
column() { awk -v i="$1" -v k="$2" -v c="$3" '$1 == i && $2 == k { print $c }' "$dir/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3f", a / b }'; }

echo
echo "pool-bench: wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }') -t$threads -c$connections -d${duration}s, $rounds round(s) per configuration, median (lowest-highest round);"
echo "$(nproc) cores, $([ "$pin" = 1 ] && echo "server pinned to CPU 0 and wrk to CPU 1" || echo "server and wrk unpinned, sharing the cores");" \
  "load average after each run: $(printf '%s\n' "${loads[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }')."
echo "CPU us/req is the server's user+system CPU time per request (lower is better); ratios are to the first configuration."
for kind in get post; do
  echo
  [ "$kind" = get ] && echo "Plaintext GET (/plaintext)" || echo "64 KiB POST (/echo)"
  printf '| %-36s | %8s | %6s | %13s | %10s | %6s | %13s | %8s | %6s | %9s |\n' "pool" "req/s" "ratio" "(low-high)" "CPU us/req" "ratio" "(low-high)" "p99 ms" "B/req" "rents/req"
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------------------" "---------:" "-------:" "--------------:" "-----------:" "-------:" "--------------:" "---------:" "-------:" "----------:"
  base_rps="" base_cpu=""
  for ((i = 0; i < ${#configs[@]}; i++)); do
    IFS='|' read -r _ name _ _ _ <<< "${configs[$i]}"
    rps=$(column "$i" "$kind" 3 | median)
    p99=$(column "$i" "$kind" 4 | median)
    cpu=$(column "$i" "$kind" 5 | median)
    bytes=$(column "$i" "$kind" 6 | awk '$1 != "-"' | median)
    rents=$(column "$i" "$kind" 7 | awk '$1 != "-"' | median)
    [ -z "$base_rps" ] && base_rps=$rps base_cpu=$cpu
    printf '| %-36s | %8.0f | %6s | %13s | %10.2f | %6s | %13s | %8.2f | %6s | %9s |\n' "$name" "$rps" "$(ratio "$rps" "$base_rps")" \
      "$(column "$i" "$kind" 3 | range .0f)" "$cpu" "$(ratio "$cpu" "$base_cpu")" "$(column "$i" "$kind" 5 | range .1f)" "$p99" "$bytes" "$rents"
  done
done
