# Shared by bench/run.sh, bench/httpcost.sh and bench/instances.sh
# (sourced): waiting for a port, the carrier simulator, the gateway's
# benchmark configuration, starting it with an account, reading
# smppbench's JSON. The caller sets BIN, WORK, PIDS, SIM_PORT, SMPP_PORT,
# HTTP_PORT and METRICS_PORT.

log() { printf '[bench] %s\n' "$*" >&2; }

wait_port() { # wait_port PORT: up to 30 s
  for _ in $(seq 1 300); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on $1"; return 1
}

# gateway_config NAME DRIVER DSN DURABILITY: writes $WORK/NAME.yaml.
# STORE_EXTRA is YAML added under store: (indented two spaces), and
# BENCH_GATEWAY_EXTRA YAML added at the end.
gateway_config() {
  cat >"$WORK/$1.yaml" <<EOC
http:
  listen: 127.0.0.1:$HTTP_PORT
  rate_limit_per_key: 0   # a load test is one key from one address
  rate_limit_per_ip: 0
  max_conns_per_ip: 0     # ... over as many connections as BENCH_HTTP_CONCURRENCY asks
metrics:
  listen: 127.0.0.1:$METRICS_PORT   # scrape: curl -s 127.0.0.1:$METRICS_PORT/metrics
smpp:
  listen: 127.0.0.1:$SMPP_PORT
  max_connections_per_ip: 0   # the idle scenario binds 1,000 times from one address
store:
  driver: $2
  dsn: "$3"
${STORE_EXTRA:-}
durability: $4
log:
  level: warn
carriers:
  - name: sim
    address: 127.0.0.1:$SIM_PORT
    system_id: gallant
    password: secret
    binds: 4
    window: 200
routes:
  - prefix: ""
    carriers: [sim]
${BENCH_GATEWAY_EXTRA:-}
EOC
}

# start_gateway NAME: creates an account, starts serve; sets GW_PID, PW,
# SYSID, KEY
start_gateway() {
  "$BIN/gallant" admin account create --name bench --config "$WORK/$1.yaml" >"$WORK/$1.acct.json"
  PW=$(sed -n 's/.*"smpp_password": "\(.*\)".*/\1/p' "$WORK/$1.acct.json")
  SYSID=$(sed -n 's/.*"smpp_system_id": "\(.*\)".*/\1/p' "$WORK/$1.acct.json")
  KEY=$(sed -n 's/.*"api_key": "\(.*\)".*/\1/p' "$WORK/$1.acct.json")
  "$BIN/gallant" serve --config "$WORK/$1.yaml" >"$WORK/$1.gw.log" 2>&1 &
  GW_PID=$!; PIDS+=("$GW_PID")
  wait_port "$SMPP_PORT"
  wait_port "$HTTP_PORT"
  sleep 1 # carrier binds
}

# The carrier behaves as real SMSCs do: at most 100 receipts unanswered
# per bind, each a second after its submit_sm_resp, and a receipt answered
# with an error is dropped, never sent again (BENCH_SIM_ARGS overrides).
SIM_ARGS=${BENCH_SIM_ARGS:-"--receipt-window 100 --receipt-delay 1s --no-resend"}

# start_sim: starts smscsim on SIM_PORT with SIM_ARGS; sets SIM_PID.
start_sim() {
  # shellcheck disable=SC2086 # SIM_ARGS is a list of flags
  "$BIN/smscsim" --listen 127.0.0.1:$SIM_PORT $SIM_ARGS --log-level warn \
    --max-pending-receipts 5000000 >"$WORK/sim.json" 2>"$WORK/sim.log" &
  SIM_PID=$!; PIDS+=("$SIM_PID")
  wait_port $SIM_PORT
}

stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# field FILE KEY: a number from smppbench's JSON (first occurrence).
field() { { grep -o "\"$2\":[0-9.e+-]*" "$1" 2>/dev/null || true; } | head -1 | cut -d: -f2; }

# msgs_of FILE: accepted messages per second of an SMPP run (accepted
# submit_sm scaled by the mix's messages per submit_sm).
msgs_of() {
  awk "BEGIN{s=$(field "$1" submit_sm); print (s>0 ? $(field "$1" accepted_per_second)*$(field "$1" messages)/s : 0)}"
}
