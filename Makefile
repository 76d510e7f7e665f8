# lego-persist: dns-persist-01 for lego v4.
GO       ?= go
PKGS     := ./...
FUZZTIME ?= 10s

.PHONY: all build deps test unit fuzz vet lint demo bench clean

all: build

build:
	$(GO) build -o bin/lego-persist ./cmd/lego-persist

## test: everything CI runs: formatting, vet, golangci-lint, unit + end-to-end tests (Pebble + BIND 9), short fuzzing.
test: deps vet lint unit fuzz

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

## deps: BIND 9 (named, nsupdate) from Debian's packages when missing; Pebble is a Go tool of this module.
deps:
	@if ! command -v named >/dev/null 2>&1 && [ ! -x /usr/sbin/named ] || ! command -v nsupdate >/dev/null 2>&1; then \
	  echo "installing bind9 (named, nsupdate)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq bind9 bind9-utils bind9-dnsutils >/dev/null; \
	fi

## demo: a full local issuance: BIND 9 + Pebble on loopback, then lego-persist run and renew.
demo: deps
	$(GO) run ./e2e/demo

## bench: lego-persist vs lego v5 dns-persist-01 vs lego v4 dns-01 on Pebble + BIND 9 (~15 min);
## writes docs/benchmarks.md. Not part of `make test`. Flags: make bench BENCHFLAGS='-workloads a -clients lego-persist'.
bench:
	$(GO) run ./e2e/bench -out docs/benchmarks.md $(BENCHFLAGS)

clean:
	rm -rf bin dist
