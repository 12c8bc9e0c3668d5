#!/usr/bin/env bash
# Runs a command inside a private desktop session: its own D-Bus session
# bus, an unlocked gnome-keyring (the Secret Service go-keyring talks to)
# and, when no display is given, an Xvfb display. The keyring and the
# config dir live in a throwaway folder, so nothing touches the user's
# real keychain or settings.
set -euo pipefail

if [ "${1:-}" != "--inner" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tokentray-session.XXXXXX")
	trap 'rm -rf "$tmp" 2>/dev/null || true' EXIT
	export TOKENTRAY_SESSION_DIR="$tmp"
	if [ -z "${DISPLAY:-}" ] || [ -n "${TOKENTRAY_FORCE_XVFB:-}" ]; then
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
# The throwaway keyring's password is not a secret: the folder is deleted on exit.
printf 'tokentray-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
