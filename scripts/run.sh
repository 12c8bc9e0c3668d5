#!/usr/bin/env bash
# `make run`: starts tokentray against its built-in sandbox brokers. With
# no desktop (no DISPLAY) it runs inside a private Xvfb + D-Bus session so
# the tray and the keychain still work.
set -euo pipefail
bin=${1:-bin/tokentray}
if [ -z "${DISPLAY:-}" ] || [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
	echo "No desktop session found: running inside a private Xvfb display and D-Bus session." >&2
	exec bash "$(dirname "$0")/with-desktop.sh" "$bin" --sandbox
fi
exec "$bin" --sandbox
