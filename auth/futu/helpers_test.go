package futu

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// sim starts futusim on real loopback with the given clock.
func sim(t *testing.T, clock clockwork.Clock, o futusim.Options) (*futusim.Server, string) {
	t.Helper()
	o.Clock = clock
	s := futusim.New(o)
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	s.SetBaseURL(hs.URL)
	return s, hs.URL
}

func redirectFor(port int) string {
	return "http://localhost:" + strconv.Itoa(port) + "/callback"
}

func noEnv(string) string { return "" }

// assertNoSecrets fails when any stored secret appears in text.
func assertNoSecrets(t *testing.T, m *testutil.MemorySecrets, texts ...string) {
	t.Helper()
	for _, v := range m.Values() {
		for _, s := range texts {
			if v != "" && strings.Contains(s, v) {
				t.Errorf("a secret value leaked into %q", s)
			}
		}
	}
}

// verifyBearer asks futusim whether an OAuth access token works.
func verifyBearer(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+PathAccounts, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// reason is a health's reason as data without the note Note added (the
// first part of a join).
func reason(h auth.Health) msg.Message {
	first, _ := h.Why.Split()
	return first
}

// note is the note Note added to a health's reason, if any.
func note(h auth.Health) msg.Message {
	_, then := h.Why.Split()
	return then
}

// sub is the parameter called name of m, itself a message.
func sub(m msg.Message, name string) msg.Message {
	s, _ := m.Args[name].(msg.Message)
	return s
}
