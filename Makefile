# lego-persist: dns-persist-01 for lego v4.
GO       ?= go
PKGS     := ./...
FUZZTIME ?= 10s

.PHONY: all build test unit fuzz vet lint demo bench clean

all: build

build:
	$(GO) build -o bin/lego-persist ./cmd/lego-persist

## test: everything CI runs: formatting, vet, unit + end-to-end tests (Pebble + BIND 9), short fuzzing.
test: vet unit fuzz

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

unit:
	$(GO) test -count=1 -timeout 30m $(PKGS)

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/record
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeChallenge$$' -fuzztime=$(FUZZTIME) ./internal/draft

## lint: golangci-lint v2 (installed into ./bin on first use).
lint: bin/golangci-lint
	bin/golangci-lint run $(PKGS)

bin/golangci-lint:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

## demo: a full local issuance: BIND 9 + Pebble on loopback, then lego-persist run and renew.
demo:
	$(GO) run ./e2e/demo

## bench: benchmarks (see docs/benchmarks.md).
bench:
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./e2e/...

clean:
	rm -rf bin dist
