#!/usr/bin/env bash
# The CPU cost of one HTTP request, counted rather than timed: runs one of
# make bench's HTTP scenarios (bench/run.sh: smscsim as a strict carrier,
# the gateway on SQLite, durable, smppbench posting) for a short time and
# divides each process's CPU time (user+system, from /proc) by the
# requests and the messages answered. On a shared, noisy machine msg/s
# moves with the neighbours; CPU per request moves much less, and it is
# what the throughput on two cores is made of.
#
#   bench/httpcost.sh                       # http, 10 s, ./bin
#   bench/httpcost.sh http-batch
#   BIN=/tmp/old/bin DURATION=5s bench/httpcost.sh http
#   PROFILE=/tmp/gw.prof bench/httpcost.sh   # also a CPU profile of the gateway
#   SMPPBENCH_ARGS="--cpuprofile /tmp/b.prof" bench/httpcost.sh   # of the load tool
#   STORE_EXTRA="  writer: {workers: 2}" bench/httpcost.sh         # YAML under store:
#
# Prints one line: scenario, requests, messages, req/s, and CPU-µs per
# request (and per message) of the gateway, smppbench and smscsim. The
# gateway's and smscsim's CPU is counted until the gateway idles after the
# run, so that each message's carrier send and receipt are in it.
# Never run it next to make bench: both use the same ports.
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIO=${1:-http}
DURATION=${DURATION:-10s}
BIN=${BIN:-./bin}
CONC=${BENCH_HTTP_CONCURRENCY:-256} # as bench/run.sh
WORK=$(mktemp -d /tmp/gallant-httpcost.XXXXXX)
SIM_PORT=22776 HTTP_PORT=18080 SMPP_PORT=12775 METRICS_PORT=19464 PPROF_PORT=16060
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# shellcheck source=bench/lib.sh
. bench/lib.sh
# ticks PID: the process's user+system CPU in clock ticks.
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# syscalls PID: the process's read- and write-like system calls.
syscalls() { awk '/^syscr/ {r=$2} /^syscw/ {w=$2} END {print r, w}' "/proc/$1/io"; }
# metric NAME: the sum of a gateway metric's series.
metric() {
  curl -s "127.0.0.1:$METRICS_PORT/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 {s += $2} END {printf "%d\n", s}'
}

"$BIN/smscsim" --listen 127.0.0.1:$SIM_PORT --receipt-window 100 --receipt-delay 1s --no-resend \
  --log-level warn --max-pending-receipts 5000000 >"$WORK/sim.json" 2>"$WORK/sim.log" &
SIM=$!; PIDS+=("$SIM")
wait_port $SIM_PORT

# The configuration of bench/run.sh's HTTP scenarios, with pprof.
BENCH_GATEWAY_EXTRA="debug: {pprof_listen: 127.0.0.1:$PPROF_PORT}
${BENCH_GATEWAY_EXTRA:-}"
gateway_config gw sqlite "$WORK/gallant.db" durable
start_gateway gw
GW=$GW_PID

args=(--concurrency "$CONC")
[ "$SCENARIO" = http-batch ] && args=(--concurrency 8 --endpoint batch --batch-size 1000)
# shellcheck disable=SC2206 # a list of flags, e.g. "--cpuprofile /tmp/bench.prof"
args+=(${SMPPBENCH_ARGS:-})
gw0=$(ticks $GW); sim0=$(ticks $SIM); read -r r0 w0 < <(syscalls $GW)
rows0=$(metric gallant_store_writer_rows_total); batches0=$(metric gallant_store_writer_batches_total)
if [ -n "${PROFILE:-}" ]; then
  secs=${DURATION%s}
  curl -s -o "$PROFILE" "http://127.0.0.1:$PPROF_PORT/debug/pprof/profile?seconds=$((secs > 2 ? secs - 1 : 1))" &
  PROF_PID=$!; PIDS+=("$PROF_PID")
fi
TIMEFORMAT='%U %S'
{ time "$BIN/smppbench" --http "http://127.0.0.1:$HTTP_PORT" --api-key "$KEY" "${args[@]}" \
    --duration "$DURATION" --json --no-check >"$WORK/run.json" 2>"$WORK/run.txt"; } 2>"$WORK/time"
[ -n "${PROF_PID:-}" ] && wait "$PROF_PID"
# The messages' carrier sends and receipts (a second late) finish after
# the run: count them too, until the gateway idles (under 4% of a core
# over half a second), at most a minute.
prev=$(ticks $GW)
for _ in $(seq 1 120); do
  sleep 0.5; cur=$(ticks $GW)
  [ $((cur - prev)) -lt 2 ] && break
  prev=$cur
done
gw1=$(ticks $GW); sim1=$(ticks $SIM); read -r r1 w1 < <(syscalls $GW)
rows1=$(metric gallant_store_writer_rows_total); batches1=$(metric gallant_store_writer_batches_total)

field() { grep -o "\"$1\":[0-9.e+-]*" "$WORK/run.json" | head -1 | cut -d: -f2; }
req=$(field requests); acc=$(field accepted); rps=$(field requests_per_second)
hz=$(getconf CLK_TCK)
read -r bu bs <"$WORK/time"
awk -v s="$SCENARIO" -v req="$req" -v acc="$acc" -v rps="$rps" -v hz="$hz" \
  -v gw=$((gw1 - gw0)) -v sim=$((sim1 - sim0)) -v bu="$bu" -v bs="$bs" \
  -v sr=$((r1 - r0)) -v sw=$((w1 - w0)) -v rows=$((rows1 - rows0)) -v batches=$((batches1 - batches0)) 'BEGIN {
  g = gw / hz * 1e6; b = (bu + bs) * 1e6; c = sim / hz * 1e6
  printf "%s: %d requests, %d messages accepted, %.0f req/s\n", s, req, acc, rps
  printf "  CPU-us per request: gateway %.1f, smppbench %.1f, smscsim %.1f; per message: gateway %.2f, smppbench %.2f, smscsim %.2f\n",
    g / req, b / req, c / req, g / acc, b / acc, c / acc
  printf "  gateway per request: %.2f read and %.2f write system calls; store writer %.2f rows/msg, %.0f rows/batch\n",
    sr / req, sw / req, rows / acc, (batches > 0 ? rows / batches : 0)
}'
sed -n 's/^\(messages\|latency\|status codes\) */  \1: /p' "$WORK/run.txt"
