#!/usr/bin/env bash
# End-to-end benchmark: smscsim as the carrier, the gateway in several
# modes, smppbench as the customer, everything on loopback. Each scenario
# runs for BENCH_DURATION, checks that every receipt came back (smppbench
# exits non-zero otherwise, and a receipt smscsim dropped after a refusal
# fails the row too), and adds a row to one table. smppbench pauses and
# resends what is refused with ESME_RTHROTTLED or ESME_RMSGQFUL. Bounded in time;
# every process it starts is stopped on exit.
#
#   make bench                          # all scenarios, 20 s each
#   BENCH_DURATION=60s make bench       # the design's sustained runs
#   BENCH_SCENARIOS="raw sqlite" make bench
#
# Scenarios: raw (smppbench straight to smscsim: the protocol ceiling),
# sqlite and mysql (durable), fast (SQLite, fast mode), http (single POSTs,
# 256 connections), http-batch (1,000-recipient batches, 8 connections),
# idle (1,000 idle customer binds: the gateway's RSS with them). When raw
# runs in the same invocation, "of raw" gives each scenario's messages per
# second as a share of that ceiling.
#
# BENCH_RAW_DURATION sets the raw scenario's run (default 10 s; its
# receipts lag far behind its submits, see below).
# BENCH_RATE paces smppbench in the gateway's SMPP scenarios (sqlite,
# mysql, fast) at that many messages per second in total, to read the
# latency at a sustained rate below saturation; default flat out.
# BENCH_HTTP_CONCURRENCY sets the connections of the single-POST HTTP
# scenario (default 256: in durable mode each POST waits for its commit,
# so the requests in flight set the rows per commit, and 30,000 POST/s
# at a mean answer time of 4 ms already needs 120 of them; bench/RESULTS.md,
# "issue 11 §5: HTTP path").
# BENCH_GATEWAY_EXTRA is YAML appended to every gateway config (for
# example "debug: {pprof_listen: 127.0.0.1:16060}" to profile a run).
#
# Needs: the binaries in ./bin (make build); MariaDB at
# GALLANT_BENCH_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/) for "mysql".
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-20s}
SCENARIOS=${BENCH_SCENARIOS:-"raw sqlite mysql fast http http-batch idle"}
BINDS=${BENCH_BINDS:-4}
WINDOW=${BENCH_WINDOW:-100}
MYSQL_DSN=${GALLANT_BENCH_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/}
BIN=./bin
WORK=$(mktemp -d /tmp/gallant-bench.XXXXXX)
SIM_PORT=${BENCH_SIM_PORT:-22776}
SMPP_PORT=${BENCH_SMPP_PORT:-12775}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
METRICS_PORT=${BENCH_METRICS_PORT:-19464}
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  [ -n "${BENCH_KEEP:-}" ] && cp -r "$WORK" "$BENCH_KEEP"; rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# shellcheck source=bench/lib.sh
. bench/lib.sh

# stop_sim: stops smscsim and fails the last row when it dropped receipts
# (refused ones, with --no-resend): each is one a customer never gets.
stop_sim() {
  stop_pid "$SIM_PID"
  local dropped
  dropped=$({ grep -o '"receipts_dropped":[0-9]*' "$WORK/sim.json" 2>/dev/null || true; } | cut -d: -f2)
  if [ "${dropped:-0}" -gt 0 ] && [ "${#ROWS[@]}" -gt 0 ]; then
    log "smscsim dropped $dropped refused receipts: $(grep -o '"receipts_refused":{[^}]*}' "$WORK/sim.json")"
    IFS='|' read -r name _ file rss <<<"${ROWS[-1]}"
    ROWS[-1]="$name|$dropped receipts refused|$file|$rss"
  fi
}

rss_of() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo "?"; }

ROWS=()
# run_smpp NAME ADDR [smppbench args...]
run_smpp() {
  local name=$1 addr=$2; shift 2
  [ "$name" != raw ] && [ -n "${BENCH_RATE:-}" ] && set -- "$@" --rate "$BENCH_RATE"
  log "$name: smppbench --binds $BINDS --window $WINDOW --duration $DURATION $*"
  local rc=0
  "$BIN/smppbench" --addr "$addr" --binds "$BINDS" --window "$WINDOW" --duration "$DURATION" \
    --receipt-wait 60s --json "$@" >"$WORK/$name.json" 2>"$WORK/$name.txt" || rc=$?
  ROWS+=("$name|$rc|$WORK/$name.json|${GW_PID:-}")
}

for s in $SCENARIOS; do
  GW_PID=""
  case $s in
  raw)
    start_sim
    # The ceiling submits faster than smscsim sends receipts: it runs for
    # BENCH_RAW_DURATION (10 s) whatever BENCH_DURATION is, and gets 180 s
    # to drain them (at 30 s it submits ~17 M, more than drain in 180 s).
    run_smpp raw 127.0.0.1:$SIM_PORT --duration "${BENCH_RAW_DURATION:-10s}" --receipt-wait 180s
    stop_sim ;;
  sqlite|fast)
    start_sim
    dur=durable; [ "$s" = fast ] && dur=fast
    gateway_config "$s" sqlite "$WORK/$s/gallant.db" "$dur"
    start_gateway "$s"
    run_smpp "$s" 127.0.0.1:$SMPP_PORT --system-id "$SYSID" --password "$PW"
    ROWS[-1]="${ROWS[-1]%|*}|$(rss_of "$GW_PID")"
    stop_pid "$GW_PID"; stop_sim ;;
  mysql)
    db=gallant_bench_$$
    mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db" 2>/dev/null || {
      log "mysql: cannot create database (MariaDB down?)"; ROWS+=("mysql|1||"); continue; }
    start_sim
    gateway_config mysql mysql "${MYSQL_DSN}${db}" durable
    start_gateway mysql
    run_smpp mysql 127.0.0.1:$SMPP_PORT --system-id "$SYSID" --password "$PW"
    ROWS[-1]="${ROWS[-1]%|*}|$(rss_of "$GW_PID")"
    stop_pid "$GW_PID"; stop_sim
    mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db" 2>/dev/null || true ;;
  http|http-batch)
    start_sim
    gateway_config "$s" sqlite "$WORK/$s/gallant.db" durable
    start_gateway "$s"
    args=(--concurrency ${BENCH_HTTP_CONCURRENCY:-256}); [ "$s" = http-batch ] && args=(--concurrency 8 --endpoint batch --batch-size 1000)
    log "$s: smppbench --http ${args[*]} --duration $DURATION"
    rc=0
    "$BIN/smppbench" --http "http://127.0.0.1:$HTTP_PORT" --api-key "$KEY" "${args[@]}" \
      --duration "$DURATION" --json >"$WORK/$s.json" 2>"$WORK/$s.txt" || rc=$?
    ROWS+=("$s|$rc|$WORK/$s.json|$(rss_of "$GW_PID")")
    stop_pid "$GW_PID"; stop_pid "$SIM_PID" ;;
  idle)
    start_sim
    gateway_config idle sqlite "$WORK/idle/gallant.db" durable
    start_gateway idle
    base=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$GW_PID/status")
    log "idle: 1000 customer binds with light traffic, 10 s"
    rc=0
    "$BIN/smppbench" --addr 127.0.0.1:$SMPP_PORT --system-id "$SYSID" --password "$PW" --binds 1000 --window 1 \
      --rate 1 --duration 10s --receipt-wait 30s --json >"$WORK/idle.json" 2>"$WORK/idle.txt" || rc=$?
    ROWS+=("idle|$rc|$WORK/idle.json|$(rss_of "$GW_PID") (${base} before binding)")
    stop_pid "$GW_PID"; stop_pid "$SIM_PID" ;;
  *) log "unknown scenario $s" ;;
  esac
done

# The raw ceiling of this run, when it ran: every other row is also given
# as a share of it (messages per second).
raw_msgs=0
for r in "${ROWS[@]}"; do
  IFS='|' read -r name rc file rss <<<"$r"
  if [ "$name" = raw ] && [ -s "$file" ]; then raw_msgs=$(msgs_of "$file"); fi
done

printf '\n%-10s %12s %10s %7s %10s %10s %10s %16s %9s %s\n' scenario "submits/s" "msg/s" "of raw" "p50 ms" "p99 ms" "max ms" "receipts" "RSS MiB" result
status=0
for r in "${ROWS[@]}"; do
  IFS='|' read -r name rc file rss <<<"$r"
  if [ -z "$file" ] || [ ! -s "$file" ]; then
    printf '%-10s %s\n' "$name" "no result"; status=1; continue
  fi
  case $name in
  http*) rate=$(field "$file" requests_per_second); msgs=$(field "$file" messages_per_second) ;;
  *) rate=$(field "$file" accepted_per_second); msgs=$(msgs_of "$file") ;;
  esac
  share=-
  if [ "$name" != raw ] && [ "$name" != idle ]; then
    share=$(awk "BEGIN{r=${raw_msgs:-0}; print (r>0 ? sprintf(\"%.1f%%\", 100*${msgs:-0}/r) : \"-\")}")
  fi
  p50=$(field "$file" p50_us); p99=$(field "$file" p99_us); mx=$(field "$file" max_us)
  exp=$(field "$file" expected); got=$(field "$file" matched)
  res=ok
  case $rc in 0) ;; *[!0-9]*) res="FAILED ($rc)"; status=1 ;; *) res="FAILED (exit $rc)"; status=1 ;; esac
  printf '%-10s %12.0f %10.0f %7s %10.1f %10.1f %10.1f %16s %9s %s\n' "$name" "${rate:-0}" "${msgs:-0}" "$share" \
    "$(awk "BEGIN{print ${p50:-0}/1000}")" "$(awk "BEGIN{print ${p99:-0}/1000}")" "$(awk "BEGIN{print ${mx:-0}/1000}")" \
    "${got:--}/${exp:--}" "${rss:--}" "$res"
done
exit $status
