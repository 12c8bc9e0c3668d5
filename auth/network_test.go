package auth

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A call that got no answer is said in words, without Go's error chain.
func TestNetworkWhyIsWords(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, refused := http.Get("http://" + addr + "/x")
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/x", nil)
	_, late := http.DefaultClient.Do(req)
	for _, c := range []struct {
		err  error
		want string
	}{
		{refused, "nothing answers at " + addr},
		{fmt.Errorf("futu check: %w", late), "out of time"},
		{&net.DNSError{Name: "openapi.example", IsNotFound: true}, "the name openapi.example is not known"},
	} {
		got := NetworkWhy(c.err)
		if got != c.want {
			t.Errorf("NetworkWhy(%v) = %q, want %q", c.err, got, c.want)
		}
		if strings.Contains(got, "dial tcp") || strings.Contains(got, "Get \"") {
			t.Errorf("Go's error chain in %q", got)
		}
	}
}
