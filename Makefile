# Gallant SMS. `make run` starts a local demo; `make test` runs every test.
GO        ?= go
BIN       := bin
PKGS      := ./...
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
export GALLANT_TEST_MYSQL_DSN ?= root@tcp(127.0.0.1:3306)/test?parseTime=true
export GALLANT_TEST_REDIS_ADDR ?= 127.0.0.1:6379
# Fuzz time per target for `make fuzz`.
FUZZTIME  ?= 30s

.PHONY: all build run test test-short vet lint tidy-check fuzz bench bench-micro interop clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

## run: the demo: SQLite under ./data, in-process simulated carrier, HTTP :8080, SMPP :2775
run: build
	./$(BIN)/gallant demo --data data

## test: vet, the interop test, then every Go test with the race detector in shuffled order
test: vet interop
	$(GO) test -race -shuffle=on -timeout 20m $(PKGS)

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

## fuzz: each fuzz target for $(FUZZTIME)
fuzz:
	@for t in $$($(GO) test -list 'Fuzz.*' ./smpp/pdu/ | grep ^Fuzz); do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./smpp/pdu/ || exit 1; done
	@for t in $$($(GO) test -list 'Fuzz.*' ./smpp/pdutext/ | grep ^Fuzz); do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./smpp/pdutext/ || exit 1; done

## bench-micro: Go benchmarks of the hot paths
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./smpp/...

## bench: end to end: smscsim + gateway (SQLite, MySQL, fast, HTTP) + smppbench, one table
bench: build
	bash bench/run.sh

clean:
	rm -rf $(BIN)
