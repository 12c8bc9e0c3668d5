#!/usr/bin/env bash
# make bench: the Go benchmarks, then tokentray measured as whole
# processes against its floors (internal/floors), built and run side by
# side in one private desktop session with a stand-in panel
# (internal/benchmark), then the scale rows at 50 and 200 credentials
# (1000: make bench-scale). Prints its tables with the machine and its
# load; the README's "Performance" section comes from one run.
#
# TOKENTRAY_BENCH_LATENCY (200ms): the sandbox brokers' answer time.
# TOKENTRAY_BENCH_RUNS (3): the runs behind each whole-process median.
# TOKENTRAY_BENCH_IDLE (60s): how long the idle agent is watched.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
latency=${TOKENTRAY_BENCH_LATENCY:-200ms}

mkdir -p bin
$GO build -o bin/tokentray .
$GO build -o bin/tokentray-benchmark ./internal/benchmark
if $GO list -deps . | grep -q '^fyne.io/fyne/'; then
	echo "tokentray links Fyne; only the window and the Fyne floor may" >&2
	exit 1
fi

echo "== signing, tray redraw and the scheduler's next deadline (go test -bench)"
$GO test -run '^$' -bench . -benchmem ./auth/webull ./auth/futu ./tray | grep -E '^Benchmark'
echo "== the Secret Service client against go-keyring, reads from a cold start (private desktop session)"
TOKENTRAY_NO_XVFB=1 bash scripts/with-desktop.sh $GO test -run '^$' -bench 'ColdRead' -benchtime 100x ./auth/keychain | grep -aE '^Benchmark'
echo "== refresh all in process: 1 and 50 credentials, the sandbox answering in $latency"
TOKENTRAY_BENCH_LATENCY=$latency $GO test -run '^$' -bench 'RefreshAll' -benchtime 3x ./auth/engine | grep -E '^Benchmark'

echo "== whole processes against their floors"
TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh bin/tokentray-benchmark -bin bin/tokentray -latency "$latency" \
	-runs "${TOKENTRAY_BENCH_RUNS:-3}" -idle "${TOKENTRAY_BENCH_IDLE:-60s}" "$@"
# The scale rows, each size beside one credential in its own session:
# the profiles of one session share the sandbox's keychain service, so a
# refresh of one profile would find the other's items too.
for n in 50 200; do
	echo "== whole processes at $n credentials and at 1, in one session"
	TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh bin/tokentray-benchmark -bin bin/tokentray -latency "$latency" \
		-runs "${TOKENTRAY_BENCH_RUNS:-3}" -scale "1,$n"
done
