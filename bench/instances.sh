#!/usr/bin/env bash
# Aggregate throughput of several gateway instances on one platform
# (issue 15): for each N in BENCH_INSTANCES (default "1 2 3"), N
# `gallant serve` processes on one fresh MariaDB database and one Redis,
# durable, in front of one smscsim behaving as a real carrier (at most 100
# unanswered receipts per bind, each a second late, a refused receipt
# never sent again: bench/lib.sh), and one smppbench per instance, all at
# once, each bound to its own instance as its own customer. Every
# instance opens its carrier binds (4, window 200) to the same smscsim.
#
# A customer is bound on one instance, and the carrier sends each receipt
# on any instance's bind: with N instances, (N-1)/N of the receipts arrive
# where their customer is not bound and are handed over through the store
# and Redis (docs/operations.md, "Receipts and MOs for a customer bound on
# another instance"). Each smppbench checks that every receipt it asked
# for came back (exit status 1 otherwise), and a receipt smscsim dropped
# after a refusal fails the row.
#
# The client load grows with N: each instance gets what make bench's
# mysql scenario gives one (BENCH_BINDS binds of window BENCH_WINDOW,
# flat out, or BENCH_RATE msg/s per instance).
#
#   make bench-instances                       # N = 1, 2, 3; 20 s each
#   BENCH_INSTANCES="3" BENCH_DURATION=60s bench/instances.sh
#
# Prints one row per N: the aggregate accepted msg/s (the messages every
# smppbench had accepted, over the longest send phase), each instance's
# msg/s, the worst p99 submit latency, the worst median receipt latency
# (submit_sm sent to receipt received), receipts matched of expected.
# Each smppbench waits BENCH_RECEIPT_WAIT (default 120s) after its last
# response for missing receipts: flat out on one 2-core machine the
# receipts trail the submits (bench/RESULTS.md, "1, 2 and 3 instances").
#
# Needs: the binaries in ./bin (make build); MariaDB at
# GALLANT_BENCH_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/) and Redis at
# GALLANT_BENCH_REDIS_ADDR (default 127.0.0.1:6379). Its ports (smscsim
# 22786, gateways 12785+, 18090+, 19474+) differ from make bench's.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-20s}
COUNTS=${BENCH_INSTANCES:-"1 2 3"}
BINDS=${BENCH_BINDS:-4}
WINDOW=${BENCH_WINDOW:-100}
RECEIPT_WAIT=${BENCH_RECEIPT_WAIT:-120s}
MYSQL_DSN=${GALLANT_BENCH_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/}
REDIS_ADDR=${GALLANT_BENCH_REDIS_ADDR:-127.0.0.1:6379}
BIN=./bin
WORK=$(mktemp -d /tmp/gallant-bench-instances.XXXXXX)
SIM_PORT=${BENCH_SIM_PORT:-22786}
SMPP_BASE=${BENCH_SMPP_PORT:-12785}
HTTP_BASE=${BENCH_HTTP_PORT:-18090}
METRICS_BASE=${BENCH_METRICS_PORT:-19474}
PIDS=()
DB=""

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  [ -n "$DB" ] && mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
  [ -n "${BENCH_KEEP:-}" ] && cp -r "$WORK" "$BENCH_KEEP"; rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# shellcheck source=bench/lib.sh
. bench/lib.sh

# Every instance shares one Redis (under a prefix of this run's own).
BENCH_GATEWAY_EXTRA="redis:
  addr: $REDIS_ADDR
  prefix: \"gallant-bench-$$:\"
${BENCH_GATEWAY_EXTRA:-}"

ROWS=()
status=0
for n in $COUNTS; do
  DB=gallant_bench_inst_$$
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB" 2>/dev/null || {
    log "cannot create database $DB (MariaDB down?)"; exit 1; }
  start_sim
  gws=() ports=() sysids=() pws=()
  for k in $(seq 0 $((n - 1))); do
    SMPP_PORT=$((SMPP_BASE + k)) HTTP_PORT=$((HTTP_BASE + k)) METRICS_PORT=$((METRICS_BASE + k))
    gateway_config "n$n-gw$k" mysql "${MYSQL_DSN}${DB}" durable
    start_gateway "n$n-gw$k" # with a customer of its own: SYSID, PW
    gws+=("$GW_PID") ports+=("$SMPP_PORT") sysids+=("$SYSID") pws+=("$PW")
  done
  rate=(); [ -n "${BENCH_RATE:-}" ] && rate=(--rate "$BENCH_RATE")
  log "$n instance(s), one smppbench each: --binds $BINDS --window $WINDOW --duration $DURATION ${rate[*]}"
  bench=()
  for k in $(seq 0 $((n - 1))); do
    "$BIN/smppbench" --addr "127.0.0.1:${ports[$k]}" --system-id "${sysids[$k]}" --password "${pws[$k]}" \
      --binds "$BINDS" --window "$WINDOW" --duration "$DURATION" --receipt-wait "$RECEIPT_WAIT" --json "${rate[@]}" \
      >"$WORK/n$n-$k.json" 2>"$WORK/n$n-$k.txt" &
    bench+=("$!"); PIDS+=("$!")
  done
  rcs=()
  for p in "${bench[@]}"; do
    rc=0; wait "$p" || rc=$?; rcs+=("$rc")
  done
  for p in "${gws[@]}"; do stop_pid "$p"; done
  stop_pid "$SIM_PID"
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
  DB=""

  # Aggregate: the messages every smppbench had accepted (accepted
  # submit_sm scaled by the mix's messages per submit_sm) over the longest
  # send phase; per instance, each one's own rate.
  total=0 longest=0 worst=0 late=0 matched=0 expected=0 each="" res=ok
  for k in $(seq 0 $((n - 1))); do
    f="$WORK/n$n-$k.json"
    if [ ! -s "$f" ]; then res="FAILED (no result from instance $k)"; continue; fi
    sub=$(field "$f" submit_sm); ok=$(field "$f" submit_ok); msgs=$(field "$f" messages)
    secs=$(field "$f" send_seconds); p99=$(field "$f" p99_us)
    total=$(awk "BEGIN{s=${sub:-0}; print $total + (s>0 ? ${ok:-0}*${msgs:-0}/s : 0)}")
    longest=$(awk "BEGIN{print (${secs:-0} > $longest ? ${secs:-0} : $longest)}")
    worst=$(awk "BEGIN{print (${p99:-0} > $worst ? ${p99:-0} : $worst)}")
    rp50=$({ grep -o '"receipts":{.*' "$f" || true; } | { grep -o '"p50_us":[0-9.e+-]*' || true; } | head -1 | cut -d: -f2)
    late=$(awk "BEGIN{print (${rp50:-0} > $late ? ${rp50:-0} : $late)}")
    got=$(field "$f" matched); want=$(field "$f" expected)
    matched=$((matched + ${got:-0})); expected=$((expected + ${want:-0}))
    each="$each${each:+ }$(printf '%.0f' "$(msgs_of "$f")")"
    [ "${rcs[$k]}" != 0 ] && res="FAILED (instance $k's smppbench exit ${rcs[$k]})"
  done
  dropped=$({ grep -o '"receipts_dropped":[0-9]*' "$WORK/sim.json" 2>/dev/null || true; } | cut -d: -f2)
  if [ "${dropped:-0}" -gt 0 ]; then
    res="FAILED (smscsim dropped $dropped refused receipts: $(grep -o '"receipts_refused":{[^}]*}' "$WORK/sim.json"))"
  fi
  [ "$res" = ok ] || status=1
  agg=$(awk "BEGIN{print ($longest > 0 ? $total/$longest : 0)}")
  ROWS+=("$n|$agg|$each|$worst|$late|$matched/$expected|$res")
done

printf '\n%-9s %12s %-26s %12s %16s %20s %s\n' instances "msg/s" "per instance msg/s" "worst p99 ms" "receipt p50 s" receipts result
for r in "${ROWS[@]}"; do
  IFS='|' read -r n agg each worst late rec res <<<"$r"
  printf '%-9s %12.0f %-26s %12.1f %16.2f %20s %s\n' "$n" "$agg" "$each" "$(awk "BEGIN{print $worst/1000}")" \
    "$(awk "BEGIN{print $late/1000000}")" "$rec" "$res"
done
exit $status
