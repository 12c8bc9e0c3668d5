#!/usr/bin/env bash
# make bench-scale: the scale rows, N = 1, 50, 200 and 1000 credentials,
# in process (it takes minutes: a thousand credentials are added first).
#  - refresh all against the sandbox Futu answering after
#    TOKENTRAY_BENCH_LATENCY (200ms), secrets in memory; the floor is the
#    calls the per-host bound (64 at once) lets through: 1000 are 16
#    rounds of the latency;
#  - one countdown second's redraw of the tray at 4 and at 1000;
#  - the window's first frame at 4 and at 1000 credentials, started
#    alternately in a private desktop session (Xvfb), 9 runs of each;
#  - tokentray as whole processes at 1000 credentials and at 1 in one
#    session: status and token (and their floors), a cold refresh with
#    the Secret Service calls it makes, the agent's start to its tray
#    item (internal/benchmark -scale).
# Compare each row with N=1 (N=4 for the tray) of the same run, on an
# idle machine: on a loaded one the figures say more about the load.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
latency=${TOKENTRAY_BENCH_LATENCY:-200ms}
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
echo "== refresh all, the sandbox answering in $latency"
TOKENTRAY_BENCH_LATENCY=$latency $GO test -run '^$' -bench 'RefreshAllScale' -benchtime 3x -timeout 30m ./auth/engine | grep -E '^Benchmark'
echo "== the tray's redraw of one countdown second"
$GO test -run '^$' -bench 'RenderScale' -benchmem ./tray | grep -E '^Benchmark'
echo "== the window's first frame at 4 and 1000 credentials"
mkdir -p bin
$GO build -o bin/tokentray .
$GO build -o bin/tokentray-benchmark ./internal/benchmark
TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh bin/tokentray-benchmark -window-scale 1000 -runs 9
echo "== whole processes at 1000 credentials and at 1, in one session"
TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh bin/tokentray-benchmark -bin bin/tokentray -latency "$latency" \
	-runs "${TOKENTRAY_BENCH_RUNS:-3}" -scale 1,1000
