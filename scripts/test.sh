#!/usr/bin/env bash
# The whole suite, run by `make test` inside scripts/with-desktop.sh (a
# private D-Bus session, an unlocked throwaway gnome-keyring, Xvfb).
set -euo pipefail
go=${GO:-go}
$go test -race -count=1 -timeout 30m ./...
# fyne.io/systray itself races around a panel's first GetLayout, so the
# tray's D-Bus test runs in a second pass without -race (tray/dbus_test.go).
$go test -count=1 -timeout 5m -run 'TestTrayOverDBus' ./tray/
# Every fuzz target for 300 inputs (its seeds also ran above as plain
# tests); a count, not a duration, so a busy machine only runs it slower.
bash scripts/fuzz.sh 300x
