#!/usr/bin/env bash
# Runs every fuzz target (func FuzzXxx in a *_test.go) for the given time
# each: `make test` runs them briefly, `make fuzz` for longer. New
# failing inputs are written to the package's testdata/fuzz and then run
# by every plain `go test` as regression cases.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
fuzztime=${1:-3s}
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
	pkg=./$(dirname "${file#./}")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		echo "fuzz $pkg $name ($fuzztime)"
		$go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/tokentray-fuzz.$$ 2>&1 || {
			cat /tmp/tokentray-fuzz.$$
			rm -f /tmp/tokentray-fuzz.$$
			exit 1
		}
	done
done
rm -f /tmp/tokentray-fuzz.$$
