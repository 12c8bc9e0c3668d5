#!/usr/bin/env bash
# go vet of every package for Windows and macOS, without cgo, so code
# that only builds on Linux is caught here. Fyne's own "ci" tag swaps its
# OpenGL driver for a pure-Go one. On macOS Fyne's widgets need cgo:
# packages that import them are listed, not vetted (the tray has a small
# no-cgo file there, so the agent is vetted).
set -euo pipefail
go=${GO:-go}
status=0
for goos in windows darwin; do
	export GOOS=$goos CGO_ENABLED=0
	pkgs=()
	skipped=()
	# Each package with its tests' dependencies too.
	declare -A cgo_only=()
	while read -r pkg deps; do
		pkg=${pkg%.test}
		if [ "$goos" = darwin ] && [[ " $deps " == *" fyne.io/systray "* || " $deps " == *" fyne.io/fyne/v2/internal/widget "* ]]; then
			cgo_only[$pkg]=1
		fi
	done < <($go list -tags ci -test -f '{{with .ForTest}}{{.}}{{else}}{{$.ImportPath}}{{end}} {{join .Deps " "}}' ./...)
	for pkg in $($go list -tags ci ./...); do
		if [ -n "${cgo_only[$pkg]:-}" ]; then
			skipped+=("$pkg")
		else
			pkgs+=("$pkg")
		fi
	done
	unset cgo_only
	echo "go vet for $goos without cgo: ${#pkgs[@]} packages"
	[ ${#skipped[@]} -eq 0 ] || echo "  needs cgo on $goos, not vetted: ${skipped[*]}"
	$go vet -tags ci "${pkgs[@]}" || status=1
done
exit $status
