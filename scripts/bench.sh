#!/usr/bin/env bash
# Measures what a user feels: the agent's memory and CPU while idle in the
# tray, the command line's start-to-answer time, and the per-call cost of
# signing. Figures go in the README's "Performance" table.
set -euo pipefail
cd "$(dirname "$0")/.."

outer() {
	go build -o bin/tokentray .
	echo "== signing, tray redraw and the scheduler's next deadline (go test -bench)"
	go test -run '^$' -bench . -benchmem ./auth/webull ./auth/futu ./tray | grep -E '^Benchmark'
	echo "== refresh all: 1 and 50 credentials, the sandbox answering in ${TOKENTRAY_BENCH_LATENCY:-200ms}"
	go test -run '^$' -bench 'RefreshAll' -benchtime 5x ./auth/engine | grep -E '^Benchmark' | tee /tmp/tokentray-refresh-bench.$$
	awk '/RefreshAll1-/{one=$3} /RefreshAll50-/{all=$3} END{if (one) printf "refresh all of 50 / of 1: %.2fx (target 1.5x)\n", all/one}' /tmp/tokentray-refresh-bench.$$
	rm -f /tmp/tokentray-refresh-bench.$$
	TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh bash "$0" --inner
}

inner() {
	echo "== the agent as a whole process against its floors (a Fyne tray app, a systray-only program), built and run side by side"
	go run ./internal/benchmark -bin bin/tokentray -latency "${TOKENTRAY_BENCH_LATENCY:-200ms}" \
		-runs "${TOKENTRAY_BENCH_RUNS:-3}" -idle "${TOKENTRAY_BENCH_IDLE:-60s}"
	export TOKENTRAY_CONFIG_DIR
	TOKENTRAY_CONFIG_DIR=$(mktemp -d)
	./bin/tokentray --sandbox >/dev/null 2>&1 &
	pid=$!
	sleep 10
	echo "== command line against the running sandbox"
	start=$(date +%s%N)
	for _ in $(seq 20); do ./bin/tokentray --sandbox status >/dev/null || true; done
	end=$(date +%s%N)
	echo "tokentray status: $(((end - start) / 20000000)) ms per call (mean of 20)"
	kill $pid
	wait $pid 2>/dev/null || true
}

if [ "${1:-}" = "--inner" ]; then
	inner
else
	outer
fi
