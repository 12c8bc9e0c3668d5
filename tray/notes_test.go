package tray

import (
	"strings"
	"sync"
)

// notes records the notifications the agent sends.
type notes struct {
	mu  sync.Mutex
	all []string
}

func (n *notes) Notify(title, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, title+" | "+body)
	return nil
}

func (n *notes) with(s string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, x := range n.all {
		if strings.Contains(x, s) {
			out = append(out, x)
		}
	}
	return out
}
