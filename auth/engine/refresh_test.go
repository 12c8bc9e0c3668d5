package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/internal/testutil"
)

func TestRefreshHoldsTheCredentialLock(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "main", t0.Add(time.Hour))
	f.p.Gate = make(chan struct{})
	f.p.Entered = make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := f.eng.Refresh(testutil.Context(t, 20*time.Second), "main", true)
		done <- err
	}()
	<-f.p.Entered
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if unlock, err := f.st.Lock(ctx, c.ID); err == nil {
		unlock()
		t.Fatal("another process could take the credential's lock during a refresh")
	}
	close(f.p.Gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	unlock, err := f.st.Lock(testutil.Context(t, 20*time.Second), c.ID)
	if err != nil {
		t.Fatalf("lock not released after the refresh: %v", err)
	}
	unlock()
}

func TestRefreshAndRemoveDuringALoginAnswerBusyInsteadOfWaiting(t *testing.T) {
	f, eng, finish := loginInProgress(t)

	h, err := eng.Refresh(testutil.Context(t, 20*time.Second), "main", false)
	if !errors.Is(err, engine.ErrBusy) || h.State != auth.Pending {
		t.Errorf("refresh during a login = %v, %v; want busy with the pending health", h, err)
	}
	if _, err := eng.Remove(testutil.Context(t, 20*time.Second), "main"); !errors.Is(err, engine.ErrBusy) || actionOf(err) != auth.Next(auth.ActionRetry, "main") {
		t.Errorf("remove during a login = %v (next %v), want busy, to be tried again", err, actionOf(err))
	}
	if _, err := f.st.Get("main"); err != nil {
		t.Errorf("the credential went although the removal was refused: %v", err)
	}
	finish()
	if _, err := eng.Refresh(testutil.Context(t, 20*time.Second), "main", false); err != nil {
		t.Errorf("refresh after the login: %v", err)
	}
}
