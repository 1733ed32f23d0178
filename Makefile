# bst: a fast BuildStream in Go. See README.md.
GO ?= go
PREFIX ?= /usr/local
BIN := bin/bst
GOFLAGS_STATIC := CGO_ENABLED=0

.PHONY: all build install test check lint fuzz bench deps clean

all: build

build:
	$(GOFLAGS_STATIC) $(GO) build -trimpath -o $(BIN) ./cmd/bst

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/bst

# deps installs what the tests need on a Debian machine (BuildStream 1.6.8
# for cross-checks, bubblewrap, git, busybox-static).
deps:
	./scripts/install-deps.sh

# test runs the whole test suite, including the conformance and corpus
# ratchets (they print "N passed, M failed" per module).
test: deps
	./scripts/test.sh

# check is test plus formatting, linting, the race detector, import
# boundaries and a short fuzz run of each language.
check: test lint
	$(GO) test -race -count=1 ./...
	$(MAKE) fuzz

lint:
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	./scripts/check-imports.sh
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else $(GO) run honnef.co/go/tools/cmd/staticcheck@2025.1.1 ./... || echo "staticcheck unavailable"; fi

fuzz:
	$(GO) test -run=^$$ -fuzz=^FuzzParse$$ -fuzztime=10s ./internal/yamlnode
	$(GO) test -run=^$$ -fuzz=^FuzzSetKey$$ -fuzztime=10s ./internal/yamlnode
	$(GO) test -run=^$$ -fuzz=^FuzzEval$$ -fuzztime=10s ./internal/options
	$(GO) test -run=^$$ -fuzz=^FuzzExpand$$ -fuzztime=10s ./internal/variables
	$(GO) test -run=^$$ -fuzz=FuzzEncode -fuzztime=10s ./internal/cachekey

# bench times bst show (bench.sh) and bst build (bench-build.sh) against
# BuildStream 1.6.8 in the same run and prints medians and ratios.
bench:
	./scripts/bench.sh
	./scripts/bench-build.sh

clean:
	rm -rf bin
