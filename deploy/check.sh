#!/usr/bin/env bash
# make package-check: what can be checked of the packaging without a
# container engine.
#  1. The Dockerfile builds with `make build-static`; the same command
#     here gives static binaries (file, ldd) that run `gallant version`.
#  2. `gallant demo` from an empty directory on free ports serves /healthz
#     and the dashboard at /, passes `gallant healthcheck`, delivers a
#     message, and exports every metric the dashboard and alerts use.
#  3. promtool checks and tests the alert rules and checks prometheus.yml.
#  4. compose.yaml, Grafana's provisioning and the gallant configurations
#     parse (deploy/yamlcheck, gallant check-config); gallant.json is JSON
#     whose panels all have queries.
# Needs go, node, curl, file, ldd and promtool (Debian: prometheus).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

fail() { printf 'package-check: FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf 'package-check: %s\n' "$*"; }
for tool in file ldd promtool node curl; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install file prometheus nodejs curl)"
done

tmp=$(mktemp -d)
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then kill "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# 1. The build.
grep -Eq '^RUN make build-static OUT=/out VERSION="\$VERSION"' Dockerfile ||
  fail "the Dockerfile no longer builds with make build-static: keep it and this check in step"
grep -q '^FROM gcr.io/distroless/static' Dockerfile || fail "the Dockerfile's runtime is no longer distroless static"
grep -A1 '^HEALTHCHECK ' Dockerfile | grep -q '"/usr/local/bin/gallant", "healthcheck"' || fail "the Dockerfile's HEALTHCHECK no longer runs gallant healthcheck"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
step "make build-static (the Dockerfile's command), version $version"
make --no-print-directory build-static OUT="$tmp/bin" VERSION="$version" >/dev/null
for b in gallant smscsim; do
  file "$tmp/bin/$b" | grep -q 'statically linked' || fail "$b is not statically linked: $(file "$tmp/bin/$b")"
  if ldd "$tmp/bin/$b" >/dev/null 2>&1; then fail "ldd finds shared libraries in $b: $(ldd "$tmp/bin/$b")"; fi
done
got=$("$tmp/bin/gallant" version)
[ "$got" = "gallant $version" ] || fail "gallant version says '$got', want 'gallant $version'"
"$tmp/bin/smscsim" --help >/dev/null 2>&1 || true # prints usage; its start is checked by the compose carrier

# 2. The demo, from an empty directory, on ports the kernel picks.
step "gallant demo from an empty directory"
mkdir "$tmp/run"
(cd "$tmp/run" && exec "$tmp/bin/gallant" demo --data data --http 127.0.0.1:0 --smpp 127.0.0.1:0 --metrics 127.0.0.1:0 \
  >"$tmp/demo.out" 2>"$tmp/demo.err") &
demo_pid=$!
for _ in $(seq 1 120); do
  grep -q '^Stop with' "$tmp/demo.out" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$tmp/demo.err" >&2; fail "gallant demo exited"; }
  sleep 0.5
done
grep -q '^Stop with' "$tmp/demo.out" || { cat "$tmp/demo.err" >&2; fail "gallant demo did not start within 60 s"; }
base=$(sed -nE 's/^  HTTP API   (http:[^ ]+) .*/\1/p' "$tmp/demo.out")
metrics=$(sed -nE 's/.*metrics (http:[^ )]+\/metrics).*/\1/p' "$tmp/demo.out")
key=$(sed -nE 's/^  API key    ([^ ]+)$/\1/p' "$tmp/demo.out")
[ -n "$base" ] && [ -n "$metrics" ] && [ -n "$key" ] || fail "could not read the addresses and API key from the demo's output"
ok=
for _ in $(seq 1 60); do
  if curl -fsS "$base/healthz" 2>/dev/null | grep -q '"ok"'; then ok=1; break; fi
  sleep 0.5
done
[ -n "$ok" ] || fail "GET $base/healthz did not answer ok"
curl -fsS "$base/" | grep -q '<script type="module"' ||
  fail "GET $base/ is not the dashboard (is web/dist/app built? make web-build)"
"$tmp/bin/gallant" healthcheck --url "$base/healthz" || fail "gallant healthcheck failed against the demo"
if "$tmp/bin/gallant" healthcheck --url "http://127.0.0.1:1/healthz" --timeout 2s 2>/dev/null; then
  fail "gallant healthcheck passed against a closed port"
fi

step "a message through the demo"
resp=$(curl -fsS -X POST "$base/v1/messages" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"to":"+447700900123","from":"Gallant","text":"package-check"}')
id=$(printf '%s' "$resp" | sed -nE 's/.*"id":"?([0-9]+).*/\1/p')
[ -n "$id" ] || fail "POST /v1/messages answered $resp"
status=
for _ in $(seq 1 60); do
  status=$(curl -fsS "$base/v1/messages/$id" -H "Authorization: Bearer $key" | sed -nE 's/.*"status":"([a-z_]+)".*/\1/p')
  [ "$status" = delivered ] && break
  sleep 0.5
done
[ "$status" = delivered ] || fail "message $id is '$status', not delivered, after 30 s"

step "the metrics the dashboard and alerts use"
curl -fsS "$metrics" | sed -nE 's/^# TYPE (gallant_[a-z_]+) .*/\1/p' | sort -u >"$tmp/exported"
grep -ohE 'gallant_[a-z_]+' deploy/grafana/gallant.json deploy/prometheus/alerts.yml | sed -E 's/_(bucket|sum|count)$//' |
  sort -u >"$tmp/used"
while read -r name; do
  grep -qx "$name" "$tmp/exported" && continue
  # Labelled series appear with their first value: a name not exported
  # yet must be declared by the package its prefix names.
  case $name in
    gallant_gateway_* | gallant_balance_*) dir=gateway rest=${name#gallant_gateway_} ;;
    gallant_router_*) dir=router rest=${name#gallant_router_} ;;
    gallant_store_writer_*) dir=store rest=${name#gallant_store_writer_} ;;
    gallant_webhook_*) dir=webhook rest=${name#gallant_webhook_} ;;
    gallant_http_*) dir=api rest=${name#gallant_http_} ;;
    *) dir= ;;
  esac
  rest=${rest#gallant_balance_}
  [ -n "$dir" ] && grep -rqE --include='*.go' --exclude='*_test.go' "Name: *\"$rest\"" "$dir" ||
    fail "$name is used by the dashboard or the alerts, but the gateway does not export it"
done <"$tmp/used"
kill -TERM "$demo_pid"
for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$demo_pid" 2>/dev/null; then fail "gallant demo did not stop within 30 s of SIGTERM"; fi
wait "$demo_pid" || fail "gallant demo exited with status $? on SIGTERM"
demo_pid=

# 3. Prometheus.
step "promtool"
promtool check rules deploy/prometheus/alerts.yml >/dev/null
promtool test rules deploy/prometheus/alerts_test.yml >/dev/null
promtool check config deploy/prometheus/prometheus.yml >/dev/null

# 4. Compose, Grafana and the configurations.
step "compose.yaml, Grafana, gallant configurations"
$GO run ./deploy/yamlcheck --compose deploy/compose.yaml \
  deploy/grafana/provisioning/datasources/prometheus.yml deploy/grafana/provisioning/dashboards/gallant.yml
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const ps = d.panels.filter(p => p.type !== "row");
if (!d.uid || !d.title || ps.length === 0) throw new Error("dashboard without uid, title or panels");
for (const p of ps) if (!p.targets || !p.targets.length || p.targets.some(t => !t.expr)) throw new Error("panel " + p.title + " has no query");
' deploy/grafana/gallant.json
"$tmp/bin/gallant" check-config --config deploy/docker/gallant.yaml >/dev/null
for f in deploy/gallant/*.yaml; do
  # The secrets compose.yaml gives by variable.
  env GALLANT_STORE_DSN='gallant:x@tcp(mariadb:3306)/gallant?parseTime=true' GALLANT_WEBHOOKS_SECRET=check-secret \
    GALLANT_AUTH_TOKEN_SECRET=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
    GALLANT_CARRIERS_0_PASSWORD=secret "$tmp/bin/gallant" check-config --config "$f" >/dev/null
done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify deploy/systemd/gallant.service 2>&1 | grep -v 'gallant: No such file\|/usr/local/bin/gallant' | grep . && fail "systemd-analyze verify"
fi
step OK
