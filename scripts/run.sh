#!/usr/bin/env bash
# `make run`: starts tokentray against its built-in sandbox brokers. With
# no desktop (no DISPLAY or no session bus) it runs headless in a private
# D-Bus session with its own keychain, kept in a folder of its own from
# one run to the next, and says how to reach it from another terminal.
set -euo pipefail
bin=${1:-bin/tokentray}
if [ -z "${DISPLAY:-}" ] || [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
	state=${TOKENTRAY_RUN_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/tokentray/make-run}
	abs=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
	cat >&2 <<MSG
No desktop session here: tokentray runs headless against the sandbox
brokers (no tray icon, no window; a line here for each event), in a
private D-Bus session with its own keychain. Its profile and the
sandbox's state are kept in $state
between runs (TOKENTRAY_SANDBOX_FRESH=1 make run starts over).

From another terminal:
  . $state/session.env
  $abs --sandbox status     (also login, token, refresh ...)
Webull's SMS codes are on the sandbox phone page printed below.
Ctrl-C stops it.

MSG
	TOKENTRAY_SESSION_KEEP=$state TOKENTRAY_NO_XVFB=1 exec env -u DISPLAY bash "$(dirname "$0")/with-desktop.sh" "$bin" --sandbox
fi
exec "$bin" --sandbox
