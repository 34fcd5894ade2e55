# Gallant SMS. `make run` starts a local demo; `make test` runs every test.
GO        ?= go
BIN       := bin
PKGS      := ./...
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
export GALLANT_TEST_MYSQL_DSN ?= root@tcp(127.0.0.1:3306)/test?parseTime=true
export GALLANT_TEST_REDIS_ADDR ?= 127.0.0.1:6379
# The version gallant version prints, and the flags of the static release
# build (build-static): the Dockerfile runs the same target, and
# package-check builds with it too.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
STATIC_FLAGS = -trimpath -ldflags "-s -w -X main.version=$(VERSION)"
# Where build-static writes gallant and smscsim.
OUT       ?= $(BIN)
# Fuzz time per target for `make fuzz`.
FUZZTIME  ?= 30s
# Directories of the test files built only without the race detector
# (`//go:build !race`: zero-allocation tests, which -race would fail), and
# of the test files that declare fuzz targets. Recursive (=), so the grep
# runs only when a recipe needs the list.
NORACE_PKGS = $(sort $(dir $(shell grep -rl --include='*_test.go' --exclude-dir=node_modules '^//go:build !race' .)))
FUZZ_PKGS   = $(sort $(dir $(shell grep -rl --include='*_test.go' --exclude-dir=node_modules '^func Fuzz' .)))

.PHONY: all build build-go run test test-short vet lint tidy-check fuzz bench bench-instances bench-micro interop clean \
	web-deps web-build web-client web-client-check web-test sdk-test build-static package-check integrations-test

all: build

## build: the dashboard (web/, embedded into the binary), then every binary into ./bin
build: web-build build-go

build-go:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

## build-static: gallant and smscsim as static binaries (CGO_ENABLED=0, -trimpath, the version
## stamped) into $(OUT), with whatever dashboard web/dist holds: the Dockerfile's build command
build-static:
	@mkdir -p $(OUT)
	CGO_ENABLED=0 $(GO) build $(STATIC_FLAGS) -o $(OUT)/ ./cmd/gallant ./cmd/smscsim

## package-check: what can be checked of the packaging without a container engine (deploy/check.sh):
## the static build runs version, demo and healthcheck; promtool checks and tests the alert rules and
## the Prometheus configuration; compose.yaml, the Grafana JSON and the Dockerfile are checked
package-check: web-build
	bash deploy/check.sh

## web-deps: the dashboard's npm packages, exactly as package-lock.json has them
web-deps:
	cd web && npm ci --no-audit --no-fund --silent

## web-build: the dashboard into web/dist/app, which `go build` embeds
web-build: web-deps
	cd web && npm run --silent build

## web-client: regenerate the dashboard's and the TypeScript SDK's API types from the gateway's OpenAPI
web-client: web-deps
	$(GO) run ./cmd/openapi > web/openapi.json
	cd web && npx openapi-typescript ./openapi.json -o src/api/schema.d.ts
	cp web/src/api/schema.d.ts sdk/typescript/src/schema.d.ts

## web-client-check: fail when the committed API types differ from the OpenAPI (a route change the dashboard has not taken)
web-client-check: web-deps
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	$(GO) run ./cmd/openapi > $$tmp/openapi.json && \
	(cd web && npx openapi-typescript $$tmp/openapi.json -o $$tmp/schema.d.ts >/dev/null) && \
	for f in web/src/api/schema.d.ts sdk/typescript/src/schema.d.ts; do \
		cmp -s $$tmp/schema.d.ts $$f || { echo "$$f is stale: run make web-client and commit it"; diff $$tmp/schema.d.ts $$f | head -40; exit 1; }; \
	done

## sdk-test: the Go, Python and TypeScript SDKs against a real `gallant demo`
sdk-test:
	bash sdk/test.sh

## web-test: API types in sync, type check, unit tests (Vitest), build with the bundle budget,
## then the browser suite (playwright-core + Debian's Chromium) against a real `gallant demo`
web-test: web-client-check
	cd web && npm run --silent typecheck && npx vitest run
	cd web && BUNDLE_BUDGET=1 npm run --silent build && node scripts/budget.mjs
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/gallant
	cd web && node e2e/run.mjs

## run: the demo: SQLite under ./data, in-process simulated carrier, HTTP :8080, SMPP :2775
run: build
	./$(BIN)/gallant demo --data data

## test: vet, the interop test, every Go test with the race detector in shuffled order,
## then once without it the tests that -race leaves out: allocation tests (names containing Alloc) and
## resource-budget tests that measure RSS, heap or CPU time (names containing Budget), both `//go:build !race`,
## one package at a time (-p 1) so that no two budgets share the two cores
test: vet package-check interop web-test sdk-test integrations-test
	$(GO) test -race -shuffle=on -timeout 20m $(PKGS)
	$(GO) test -count=1 -p 1 -timeout 20m -run 'Alloc|Budget' $(NORACE_PKGS)

## integrations-test: the Zapier app definition's unit tests (node --test, no dependencies installed)
integrations-test:
	cd integrations/zapier && node --test test/

test-short:
	$(GO) test -short $(PKGS)

vet:
	$(GO) vet $(PKGS)

lint: vet
	$(GO) run $(STATICCHECK) $(PKGS)

tidy-check:
	$(GO) mod tidy
	git diff --exit-code go.mod go.sum

## interop: an independent SMPP implementation (node-smpp from npm) against smscsim and the gateway
interop: build
	cd interop && npm ci --no-audit --no-fund --silent && node interop.test.mjs ../$(BIN)/smscsim && node gateway.test.mjs ../$(BIN)/gallant

## fuzz: every fuzz target in the repository, each for $(FUZZTIME)
fuzz:
	@for p in $(FUZZ_PKGS); do \
		ts=$$($(GO) test -list 'Fuzz.*' $$p | grep ^Fuzz) || exit 1; \
		for t in $$ts; do \
			echo "fuzz $$p $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
		done; \
	done

## bench-micro: Go benchmarks of the hot paths
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./smpp/...

## bench-import: contact CSV import in rows/s on both stores (BenchmarkImport, one import per case);
## fails when a plain import of new contacts runs under issue 13's 50,000 rows/s
bench-import:
	@out=$$(mktemp); $(GO) test -count=1 -run '^$$' -bench 'BenchmarkImport$$' -benchtime 1x ./contact/ > $$out; rc=$$?; cat $$out; \
	awk -v rc=$$rc '/^BenchmarkImport\/.*\/new/ { for (i = 1; i < NF; i++) if ($$(i+1) == "rows/s") { seen++; if ($$i < 50000) { print "below 50,000 rows/s: " $$1; bad = 1 } } } \
		END { if (rc != 0 || seen != 2) { print "bench-import: the benchmark failed or did not run on both stores"; bad = 1 }; exit bad }' $$out; rc=$$?; rm -f $$out; exit $$rc

## bench: end to end: smscsim + gateway (SQLite, MySQL, fast, HTTP) + smppbench, one table
bench: build
	bash bench/run.sh

## bench-instances: aggregate msg/s of 1, 2 and 3 gateways on one MariaDB and one Redis (bench/instances.sh)
bench-instances: build
	bash bench/instances.sh

clean:
	rm -rf $(BIN)
