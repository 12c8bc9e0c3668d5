#!/usr/bin/env bash
# The whole suite, run by `make test` inside scripts/with-desktop.sh (a
# private D-Bus session, an unlocked throwaway gnome-keyring, Xvfb). Each
# step says what it does; the tests print a line per package as it
# finishes (go test -json through internal/testfmt, which also says what
# still runs while a cold build is quiet), in go test's own format, and
# end with PASS or FAIL.
set -euo pipefail
go=${GO:-go}
fmt=$(mktemp "${TMPDIR:-/tmp}/tokentray-testfmt.XXXXXX")
trap 'rm -f "$fmt"' EXIT
$go build -o "$fmt" ./internal/testfmt

echo "==> go test -race ./... (the first run compiles every package with the race detector: minutes of building before the first line)"
$go test -race -count=1 -timeout 30m -json ./... | "$fmt"
# fyne.io/systray itself races around a panel's first GetLayout, so the
# tray's D-Bus test runs in a second pass without -race (tray/dbus_test.go).
echo "==> the tray over D-Bus, without -race"
$go test -count=1 -timeout 5m -run 'TestTrayOverDBus' ./tray/
# Every fuzz target for 300 inputs (its seeds also ran above as plain
# tests); a count, not a duration, so a busy machine only runs it slower.
echo "==> every fuzz target, 300 inputs each"
bash scripts/fuzz.sh 300x
