#!/usr/bin/env bash
# Kestrel with its default memory pool against the PageExt pool, side by side in one run: the
# sample server is started once per configuration and round, in an order rotated every round so
# that the drift of a busy machine falls on every configuration alike, and loaded with wrk
# (plaintext GETs, then 64 KiB POSTs through a Lua script). Prints requests per second and p99
# latency per configuration (the median over the rounds) and the ratio to the default pool.
#
# usage: bench/pool-bench.sh [--rounds 3] [--duration 5] [--connections 32] [--threads 1] [--port 5090]
# Requires wrk (Debian: apt-get install wrk; .ci/run does not need it). The load generator runs on
# the same machine as the server, so both share its cores: compare the ratios, not the figures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3 duration=5 connections=32 threads=1 port=5090
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2;;
    --duration) duration="$2"; shift 2;;
    --connections) connections="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    --port) port="$2"; shift 2;;
    -h|--help) sed -n '2,11p' "$0"; exit 0;;
    *) echo "pool-bench: unknown argument '$1'" >&2; exit 1;;
  esac
done
command -v wrk > /dev/null || { echo "pool-bench: wrk is required (apt-get install wrk)" >&2; exit 1; }

dotnet build "$here/samples/PageExt.SampleServer/PageExt.SampleServer.csproj" -c Release -nologo -v quiet > /dev/null
server="$here/samples/PageExt.SampleServer/bin/Release/net10.0/PageExt.SampleServer.dll"
dir="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cat > "$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 65536)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

# name|pool|command line
configs=("default|default|" "pageext, features off|pageext|" "pageext, page_owner=on|pageext|page_owner=on" "pageext, page_poison=1|pageext|page_poison=1")
url="http://127.0.0.1:$port"

start_server() {
  dotnet "$server" --urls "$url" --PageExt:Pool "$1" --PageExt:CommandLine "$2" > "$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -sf "$url/plaintext" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "pool-bench: the sample server did not start:" >&2; cat "$dir/server.log" >&2; exit 1
}

# wrk's "Requests/sec" and its 99% latency in ms.
measure() {
  local out
  out="$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@")"
  echo "$out" | awk '/Requests\/sec/ { rps = $2 }
    $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
                  ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    END { printf "%s %s\n", rps, ms }'
}

for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < ${#configs[@]}; k++)); do
    i=$(( (k + r) % ${#configs[@]} ))
    IFS='|' read -r name pool cmdline <<< "${configs[$i]}"
    start_server "$pool" "$cmdline"
    wrk -t"$threads" -c"$connections" -d1s "$url/plaintext" > /dev/null   # warm-up: JIT tiers, pool growth
    wrk -t"$threads" -c"$connections" -d1s -s "$dir/post.lua" "$url/echo" > /dev/null
    echo "$i get $(measure "$url/plaintext")" >> "$dir/results"
    echo "$i post $(measure -s "$dir/post.lua" "$url/echo")" >> "$dir/results"
    kill "$pid"; wait "$pid" 2> /dev/null || true; pid=""
    echo "round $((r + 1))/$rounds: $name done" >&2
  done
done

echo "wrk -t$threads -c$connections -d${duration}s, $rounds rounds, median per configuration; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-24s | %12s | %9s | %13s | %10s | %14s | %10s | %13s | %10s |\n' "pool" "GET req/s" "GET ratio" "(min-max)" "GET p99" "POST 64K req/s" "POST ratio" "(min-max)" "POST p99"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------" "-------------:" "----------:" "--------------:" "-----------:" "---------------:" "-----------:" "--------------:" "-----------:"
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }
base_get="" base_post=""
for ((i = 0; i < ${#configs[@]}; i++)); do
  IFS='|' read -r name _ _ <<< "${configs[$i]}"
  get_rps=$(awk -v i="$i" '$1 == i && $2 == "get" { print $3 }' "$dir/results" | median)
  get_p99=$(awk -v i="$i" '$1 == i && $2 == "get" { print $4 }' "$dir/results" | median)
  post_rps=$(awk -v i="$i" '$1 == i && $2 == "post" { print $3 }' "$dir/results" | median)
  post_p99=$(awk -v i="$i" '$1 == i && $2 == "post" { print $4 }' "$dir/results" | median)
  get_range=$(awk -v i="$i" '$1 == i && $2 == "get" { print $3 }' "$dir/results" | range)
  post_range=$(awk -v i="$i" '$1 == i && $2 == "post" { print $3 }' "$dir/results" | range)
  [ -z "$base_get" ] && base_get=$get_rps base_post=$post_rps
  printf '| %-24s | %12.0f | %9.3f | %13s | %7.2f ms | %14.0f | %10.3f | %13s | %7.2f ms |\n' "$name" "$get_rps" \
    "$(echo "$get_rps / $base_get" | bc -l)" "$get_range" "$get_p99" "$post_rps" "$(echo "$post_rps / $base_post" | bc -l)" "$post_range" "$post_p99"
done
