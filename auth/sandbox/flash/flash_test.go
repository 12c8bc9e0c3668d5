package flash

import (
	"testing"
	"time"
)

func TestShownOnceAndNotAfterTheTTL(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var s Store[string]
	id := s.Put("test-app-secret-0001", t0)
	if v, ok := s.Take(id, t0.Add(time.Minute)); !ok || v != "test-app-secret-0001" {
		t.Fatalf("first take = %q %v", v, ok)
	}
	if _, ok := s.Take(id, t0.Add(time.Minute)); ok {
		t.Error("a value was shown twice")
	}
	late := s.Put("test-app-secret-0002", t0)
	if _, ok := s.Take(late, t0.Add(TTL+time.Second)); ok {
		t.Error("a value was shown after its TTL")
	}
	if _, ok := s.Take("nosuch", t0); ok {
		t.Error("an unknown id was taken")
	}
}
