#!/usr/bin/env bash
# sdk/test.sh: tests the Go and Python SDKs against a real `gallant demo`.
#
# Builds the gateway, starts a demo in a temporary data directory on free
# loopback ports (port 0: the demo prints the address it got), waits for
# /readyz, then runs
#   cd sdk/go     && go test -race ./...
#   cd sdk/python && python3 -m unittest -v
#   cd sdk/typescript && npm ci && npm test
# with GALLANT_SDK_TEST_URL, GALLANT_SDK_TEST_KEY and
# GALLANT_SDK_TEST_WEBHOOK_SECRET set (the key and secret are read from the
# demo's demo-account.json, not from its printout), and
# GALLANT_SDK_TEST_FIXTURES naming webhook signature vectors just made by the
# gateway's own signer (go run ./sdk/testdata/signfixture), which must equal
# the committed sdk/testdata/webhook-fixtures.json. The demo is stopped and
# the directory removed on exit, whatever happens.
#
# Needs go, python3 (3.9 or newer), Node.js with npm, and coreutils.
# Usage: sdk/test.sh   (from anywhere; about 15 s with a warm build cache)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gallant-sdk-test.XXXXXX")
demo_pid=""

cleanup() {
	local rc=$?
	if [[ -n "$demo_pid" ]] && kill -0 "$demo_pid" 2>/dev/null; then
		kill -TERM "$demo_pid" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$demo_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$demo_pid" 2>/dev/null || true
		wait "$demo_pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 && -f "$tmp/demo.log" ]]; then
		echo "sdk/test.sh: failed (exit $rc); the demo's last log lines:" >&2
		tail -n 20 "$tmp/demo.log" >&2 || true
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build the gateway"
go build -o "$tmp/gallant" ./cmd/gallant

echo "== webhook signature vectors from the gateway's signer"
go run ./sdk/testdata/signfixture >"$tmp/webhook-fixtures.json"
if ! cmp -s "$tmp/webhook-fixtures.json" sdk/testdata/webhook-fixtures.json; then
	echo "sdk/testdata/webhook-fixtures.json differs from what the gateway's signer makes now;" >&2
	echo "regenerate it: go run ./sdk/testdata/signfixture > sdk/testdata/webhook-fixtures.json" >&2
	exit 1
fi

echo "== start the demo"
mkdir "$tmp/data"
# The gateway reads GALLANT_* variables as configuration and refuses unknown
# ones: keep ours out of its environment.
env -u GALLANT_SDK_TEST_URL -u GALLANT_SDK_TEST_KEY -u GALLANT_SDK_TEST_WEBHOOK_SECRET \
	-u GALLANT_SDK_TEST_FIXTURES -u GALLANT_SDK_TEST_BIN \
	"$tmp/gallant" demo --data "$tmp/data" --http 127.0.0.1:0 --smpp 127.0.0.1:0 --metrics '' \
	>"$tmp/demo.out" 2>"$tmp/demo.log" &
demo_pid=$!

url=""
for _ in $(seq 300); do # 30 s
	url=$(sed -n 's/^ *HTTP API *\(http:\/\/[^ ]*\).*/\1/p' "$tmp/demo.out" | head -n 1)
	[[ -n "$url" ]] && break
	kill -0 "$demo_pid" 2>/dev/null || { echo "the demo exited" >&2; exit 1; }
	sleep 0.1
done
[[ -n "$url" ]] || { echo "the demo printed no HTTP API address within 30 s" >&2; exit 1; }
for i in $(seq 300); do
	python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url/readyz" 2>/dev/null && break
	[[ $i -eq 300 ]] && { echo "$url/readyz not 200 within 30 s" >&2; exit 1; }
	sleep 0.1
done

read_cred() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$tmp/data/demo-account.json" "$1"
}
export GALLANT_SDK_TEST_URL="$url"
GALLANT_SDK_TEST_KEY=$(read_cred api_key)
GALLANT_SDK_TEST_WEBHOOK_SECRET=$(read_cred webhook_secret)
export GALLANT_SDK_TEST_KEY GALLANT_SDK_TEST_WEBHOOK_SECRET
export GALLANT_SDK_TEST_FIXTURES="$tmp/webhook-fixtures.json"
echo "demo at $url"

echo "== Go SDK"
(
	cd sdk/go
	unformatted=$(gofmt -l .)
	[[ -z "$unformatted" ]] || { echo "gofmt: $unformatted" >&2; exit 1; }
	go vet ./...
	go test -race -count=1 ./...
)

echo "== Python SDK"
(cd sdk/python && python3 -m unittest -v 2>&1)

echo "== TypeScript SDK"
(cd sdk/typescript && npm ci --no-audit --no-fund --silent && npm test --silent 2>&1)

echo "== SDK tests passed in $(($(date +%s) - start)) s"
