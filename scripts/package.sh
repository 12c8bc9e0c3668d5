#!/usr/bin/env bash
# `make package`: the desktop package, made with Fyne's packaging tool
# from the binaries `make build` left in bin/. Fyne's tool packages one
# program, so the window's program is added beside it afterwards:
#   Linux: tokentray.tar.xz with both programs, the "tokentray" menu entry
#     (the agent, in the tray) and a "tokentray window" entry (the window),
#     and a Makefile whose install targets install all of it.
#   macOS: tokentray.app, which starts the agent; the window's program sits
#     beside it in Contents/MacOS, where the agent looks first.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
fyne=("$go" run fyne.io/tools/cmd/fyne@v1.7.4)
id=$(sed -n 's/^ID *= *"\(.*\)"/\1/p' FyneApp.toml)

case "$(uname -s)" in
Darwin)
	"${fyne[@]}" package --release --executable bin/tokentray
	cp bin/tokentray-window tokentray.app/Contents/MacOS/
	echo "Made tokentray.app"
	;;
*)
	"${fyne[@]}" package --release --executable bin/tokentray
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	tar -xJf tokentray.tar.xz -C "$work"
	root="$work/tokentray"
	usr=$(dirname "$(find "$root" -path '*/bin/tokentray' -type f)")/..
	install -m 0755 bin/tokentray-window "$usr/bin/tokentray-window"
	sed -e 's/^Name=.*/Name=tokentray window/' \
		-e 's/^Exec=.*/Exec=tokentray window/' \
		-e 's/^Comment=.*/Comment=Your broker credentials and their health: add, fix and renew them/' \
		"$usr/share/applications/$id.desktop" >"$usr/share/applications/$id.window.desktop"
	# Every install and uninstall step of the menu entry and of the program
	# is done for the window's entry and program too.
	awk '
		/\$\(AppID\)\.desktop/ { print; w = $0; gsub(/\$\(AppID\)\.desktop/, "$(AppID).window.desktop", w); print w; next }
		/bin\/\$\(Exec\)/ { print; w = $0; gsub(/\$\(Exec\)/, "tokentray-window", w); print w; next }
		{ print }
	' "$root/Makefile" >"$work/Makefile" && mv "$work/Makefile" "$root/Makefile"
	tar -cJf tokentray.tar.xz -C "$work" tokentray
	echo "Made tokentray.tar.xz (install: tar -xJf tokentray.tar.xz && cd tokentray && make user-install)"
	;;
esac
