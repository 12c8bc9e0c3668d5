#!/usr/bin/env bash
# Installs what building, running and testing tokentray needs and is not
# on the machine yet: on Debian/Ubuntu the X11/GL headers for Fyne, Xvfb,
# a D-Bus session bus and gnome-keyring (the Secret Service). Idempotent:
# it asks apt only for packages that are missing. On macOS the Xcode
# command line tools are all that is needed.
set -euo pipefail

case "$(uname -s)" in
Darwin)
	if ! xcode-select -p >/dev/null 2>&1; then
		echo "tokentray needs the Xcode command line tools: run 'xcode-select --install', then try again." >&2
		exit 1
	fi
	exit 0
	;;
Linux) ;;
*)
	echo "deps.sh knows Linux (Debian/Ubuntu) and macOS; install a C compiler and Fyne's prerequisites by hand on $(uname -s)." >&2
	exit 0
	;;
esac

if ! command -v go >/dev/null 2>&1; then
	echo "Go is not installed or not on PATH: install Go 1.26 or newer (https://go.dev/dl/), then try again." >&2
	exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "This is not a Debian/Ubuntu system: install gcc, the X11/GL development headers, Xvfb, dbus and gnome-keyring with your package manager." >&2
	exit 0
fi

pkgs=(gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev xvfb xauth dbus dbus-x11 gnome-keyring openssh-client)
# The tests of share targets start their own OpenSSH server on 127.0.0.1.
# Installing openssh-server also starts the system's SSH service, so on a
# person's machine it is left to them; CI (CI set) installs it.
# The window's font test draws every Chinese character the window says
# with a system font: CI installs WenQuanYi Micro Hei (1.6 MB, a few
# seconds) rather than Noto Sans CJK (57 MB), which people are told to
# install for the look.
if [ -n "${CI:-}" ]; then
	pkgs+=(openssh-server fonts-wqy-microhei)
elif ! dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q "install ok installed"; then
	echo "Note: the SSH share tests skip without openssh-server; installing it (apt-get install openssh-server) also starts an SSH service on this machine." >&2
fi
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "Missing packages (${missing[*]}) and no sudo: install them as root with apt-get, then try again." >&2
		exit 1
	fi
	sudo="sudo"
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
