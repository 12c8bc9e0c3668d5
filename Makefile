# tokentray. `make run` and `make test` install what is missing first.
GO      ?= go
BIN     := bin/tokentray
WINDOW  := bin/tokentray-window
PKGS    := ./...

.PHONY: all deps build run test vet vet-cross fmt-check install package bench bench-scale stress fuzz clean

all: build

deps:
	@bash scripts/deps.sh

# The agent and command line (no GUI toolkit), and the window beside it.
build: deps
	$(GO) build -o $(BIN) .
	$(GO) build -o $(WINDOW) ./app/cmd/tokentray-window

# The app against the built-in sandbox brokers, in a fresh demo profile.
run: build
	@bash scripts/run.sh $(BIN)

vet:
	@echo "==> go vet ./..."
	@$(GO) vet $(PKGS)

# go vet for Windows and macOS without cgo (scripts/vet-cross.sh).
vet-cross:
	@echo "==> go vet for Windows and macOS"
	@GO=$(GO) bash scripts/vet-cross.sh

fmt-check:
	@echo "==> gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# The whole suite, with a real Secret Service, D-Bus session and X display.
test: deps fmt-check vet vet-cross
	@echo "==> the tests, in a private desktop session (D-Bus, gnome-keyring, Xvfb)"
	@TOKENTRAY_FORCE_XVFB=1 GO=$(GO) bash scripts/with-desktop.sh bash scripts/test.sh

# The crash loop: tokentray killed at random moments against the sandbox,
# TOKENTRAY_STRESS rounds (300) within TOKENTRAY_STRESS_TIME (10m); then
# TOKENTRAY_STRESS_WAVES (40) waves of TOKENTRAY_STRESS_WIDTH (12)
# concurrent commands over the same credentials with the agent running.
stress: deps
	@TOKENTRAY_STRESS=$${TOKENTRAY_STRESS:-300} TOKENTRAY_STRESS_TIME=$${TOKENTRAY_STRESS_TIME:-10m} \
		TOKENTRAY_STRESS_WAVES=$${TOKENTRAY_STRESS_WAVES:-40} TOKENTRAY_STRESS_WIDTH=$${TOKENTRAY_STRESS_WIDTH:-12} TOKENTRAY_FORCE_XVFB=1 \
		bash scripts/with-desktop.sh $(GO) test -count=1 -v -timeout 25m -run 'TestCrashLoop|TestConcurrentCommands' ./internal/reliability

# Every fuzz target for a minute each (make test runs them for seconds).
fuzz: deps
	@bash scripts/fuzz.sh $${FUZZTIME:-60s}

# Both programs first: an agent with no panel opens the window.
bench: build
	@bash scripts/bench.sh

bench-scale:
	@bash scripts/bench-scale.sh

install: deps
	$(GO) install . ./app/cmd/tokentray-window

# A desktop package (.tar.xz on Linux, .app on macOS) with fyne's tool:
# the agent, and the window beside it (scripts/package.sh).
package: build
	@GO=$(GO) bash scripts/package.sh

clean:
	rm -rf bin
