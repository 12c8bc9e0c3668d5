#!/usr/bin/env bash
# Runs every fuzz target (func FuzzXxx in a *_test.go) for the given
# budget each: a count of inputs ("300x", what `make test` uses) or a
# duration ("60s", `make fuzz`). New failing inputs are written to the
# package's testdata/fuzz and then run by every plain `go test` as
# regression cases.
#
# Go 1.26's fuzz coordinator can end a duration-bound run with a bare
# "context deadline exceeded" and no failing input (golang/go#75804,
# fixed in Go 1.27): such an ending is reported and not counted as a
# failure; a count-bound run has no deadline to race.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
budget=${1:-300x}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
while read -r file; do
	pkg=./$(dirname "${file#./}")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		echo "fuzz $pkg $name ($budget)"
		corpus="$pkg/testdata/fuzz/$name"
		before=$({ ls "$corpus" 2>/dev/null || true; } | wc -l)
		if $go test -run '^$' -fuzz "^${name}\$" -fuzztime "$budget" "$pkg" >"$log" 2>&1 </dev/null; then
			continue
		fi
		after=$({ ls "$corpus" 2>/dev/null || true; } | wc -l)
		if [ "$after" = "$before" ] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q -- '--- FAIL: .*/' "$log"; then
			echo "  ended by the fuzz coordinator's deadline race, no failing input (golang/go#75804)"
			continue
		fi
		cat "$log"
		status=1
	done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | sort)
exit $status
