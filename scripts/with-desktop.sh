#!/usr/bin/env bash
# Runs a command inside a private desktop session: its own D-Bus session
# bus, an unlocked gnome-keyring (the Secret Service go-keyring talks to)
# and, when no display is given, an Xvfb display. The keyring and the
# config dir live in a throwaway folder, so nothing touches the user's
# real keychain or settings.
#
# TOKENTRAY_SESSION_KEEP=DIR keeps them in DIR instead, from one run to the
# next (make run on a machine without a desktop), and writes
# DIR/session.env, which another terminal sources to reach the session.
# TOKENTRAY_NO_XVFB=1 starts no Xvfb display.
set -euo pipefail

if [ "${1:-}" != "--inner" ]; then
	if [ -n "${TOKENTRAY_SESSION_KEEP:-}" ]; then
		mkdir -p "$TOKENTRAY_SESSION_KEEP"
		chmod 700 "$TOKENTRAY_SESSION_KEEP"
		export TOKENTRAY_SESSION_DIR="$TOKENTRAY_SESSION_KEEP"
	else
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/tokentray-session.XXXXXX")
		trap 'rm -rf "$tmp" 2>/dev/null || true' EXIT
		export TOKENTRAY_SESSION_DIR="$tmp"
	fi
	if [ -z "${TOKENTRAY_NO_XVFB:-}" ] && { [ -z "${DISPLAY:-}" ] || [ -n "${TOKENTRAY_FORCE_XVFB:-}" ]; }; then
		xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" --inner "$@"
	else
		dbus-run-session -- "$0" --inner "$@"
	fi
	exit $?
fi
shift

export XDG_DATA_HOME="$TOKENTRAY_SESSION_DIR/data"
export XDG_CONFIG_HOME="$TOKENTRAY_SESSION_DIR/config"
mkdir -p "$XDG_DATA_HOME/keyrings" "$XDG_CONFIG_HOME"
# The keyring's password is not a secret: the keyring holds only test or
# sandbox values (and the folder is deleted on exit unless kept).
# (A kept keyring's daemon names its control socket on stderr: not news.)
printf 'tokentray-test' | gnome-keyring-daemon --unlock --components=secrets 2> >(grep -v '^GNOME_KEYRING_CONTROL=' >&2) >/dev/null
if [ -n "${TOKENTRAY_SESSION_KEEP:-}" ]; then
	{
		printf 'export DBUS_SESSION_BUS_ADDRESS=%q\n' "$DBUS_SESSION_BUS_ADDRESS"
		printf 'export XDG_DATA_HOME=%q XDG_CONFIG_HOME=%q\n' "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
	} >"$TOKENTRAY_SESSION_DIR/session.env"
fi
"$@"
