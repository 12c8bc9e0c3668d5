#!/usr/bin/env bash
# Measures what a user feels: the agent's memory and CPU while idle in the
# tray, the command line's start-to-answer time, and the per-call cost of
# signing. Figures go in the README's "Performance" table.
set -euo pipefail
cd "$(dirname "$0")/.."

outer() {
	go build -o bin/tokentray .
	echo "== signing and tray redraw (go test -bench)"
	go test -run '^$' -bench . -benchmem ./auth/webull ./auth/futu ./tray | grep -E '^Benchmark'
	echo "== refresh all: 1 and 50 credentials, the sandbox answering in ${TOKENTRAY_BENCH_LATENCY:-200ms}"
	go test -run '^$' -bench 'RefreshAll' -benchtime 5x ./auth/engine | grep -E '^Benchmark' | tee /tmp/tokentray-refresh-bench.$$
	awk '/RefreshAll1-/{one=$3} /RefreshAll50-/{all=$3} END{if (one) printf "refresh all of 50 / of 1: %.2fx (target 1.5x)\n", all/one}' /tmp/tokentray-refresh-bench.$$
	rm -f /tmp/tokentray-refresh-bench.$$
	TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh bash "$0" --inner
}

inner() {
	export TOKENTRAY_CONFIG_DIR
	TOKENTRAY_CONFIG_DIR=$(mktemp -d)
	./bin/tokentray --sandbox >/dev/null 2>&1 &
	pid=$!
	sleep 10
	t0=$(awk '{print $14+$15}' /proc/$pid/stat)
	sleep 30
	t1=$(awk '{print $14+$15}' /proc/$pid/stat)
	rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
	hz=$(getconf CLK_TCK)
	echo "== agent, idle with the sandbox demo (4 credentials, brokers in the same process)"
	echo "RSS: $((rss / 1024)) MiB"
	awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{printf "CPU while idle: %.2f %% of one core over 30 s\n", (b-a)/hz/30*100}'
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
