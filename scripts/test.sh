#!/usr/bin/env bash
# The whole test suite (make test). Unit tests first, then the conformance
# and corpus suites with their per-module summaries shown.
set -euo pipefail
cd "$(dirname "$0")/.."
go vet ./...
pkgs=$(go list ./... | grep -v -e /internal/testbst/conformance -e /internal/testbst/corpus)
# internal/testbst/compile compiles real projects (and, with BuildStream
# 1.6.8 installed, builds them again with it): minutes on a loaded machine,
# more than go test's default 10-minute limit allows for on a cold cache.
go test -count=1 -timeout 30m $pkgs
# The conformance and corpus suites read ../shared beside the checkout and
# skip when it is absent: say so loudly rather than pass quietly.
if [ ! -d ../shared/conformance ] || [ ! -d ../shared/corpus ]; then
	echo "WARNING: ../shared/conformance or ../shared/corpus not found beside the checkout:" \
		"the conformance and corpus suites (and their ratchets) are skipped" >&2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -v -timeout 60m ./internal/testbst/conformance ./internal/testbst/corpus >"$log" 2>&1 || status=$?
# Summaries: per-module counts, corpus matches, ratchet verdicts, failures.
grep -E '^(bst-1\.6|bst-2|total|ratchet|conformance summary)|: [0-9]+/[0-9]+ match|order: |--- FAIL|^--- SKIP|^(ok|FAIL|panic)' "$log" || true
if [ $status -ne 0 ]; then
	echo "conformance/corpus suites failed; full log follows" >&2
	grep -B2 -A20 -E -- '--- FAIL|panic' "$log" | head -200 >&2 || true
fi
exit $status
