#!/usr/bin/env bash
# Import boundaries from docs/architecture (rule 15): only cmd/bst and
# internal/testbst import internal/cli; os/exec only in sandbox packages and
# source plugins.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
while IFS= read -r f; do
	case "$f" in cmd/bst/*|internal/testbst/*|internal/cli/*) ;; *) echo "imports internal/cli: $f"; fail=1 ;; esac
done < <(grep -rl '"example.org/bst/internal/cli"' --include=*.go cmd internal || true)
while IFS= read -r f; do
	case "$f" in internal/sandbox/*|internal/plugins/sources/*|*_test.go|internal/testbst/*) ;; *) echo "uses os/exec: $f"; fail=1 ;; esac
done < <(grep -rl '"os/exec"' --include=*.go cmd internal || true)
exit $fail
