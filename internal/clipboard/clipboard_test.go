package clipboard

import (
	"os"
	"testing"
	"time"
)

func needDisplay(t *testing.T) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: run through `make test`")
	}
}

func TestASecretIsPastedMarkedAndClearedOnlyIfStillThere(t *testing.T) {
	needDisplay(t)
	c := System()
	defer c.Close()
	const tok = "test-token-not-a-secret-0001"
	if err := c.WriteSecret(tok); err != nil {
		t.Fatal(err)
	}
	if got, err := Read("", 5*time.Second); err != nil || got != tok {
		t.Fatalf("pasted %q (%v), want the token", got, err)
	}
	if got, err := Read("x-kde-passwordManagerHint", 5*time.Second); err != nil || got != "secret" {
		t.Errorf("password manager hint = %q (%v), want secret", got, err)
	}
	if c.ClearIf("some other text") {
		t.Error("cleared for text it does not hold")
	}
	if !c.ClearIf(tok) {
		t.Fatal("did not clear its own token")
	}
	if got, err := Read("", 5*time.Second); err != nil || got != "" {
		t.Errorf("after the clear the clipboard holds %q (%v)", got, err)
	}

	// Another program copies something: a later clear leaves it alone.
	if err := c.WriteSecret(tok); err != nil {
		t.Fatal(err)
	}
	other := System()
	defer other.Close()
	if err := other.WriteSecret("the person's own text"); err != nil {
		t.Fatal(err)
	}
	if c.ClearIf(tok) {
		t.Error("cleared after another program copied something")
	}
	if got, _ := Read("", 5*time.Second); got != "the person's own text" {
		t.Errorf("clipboard = %q, want what the other program copied", got)
	}
}

func TestWithoutADisplayItSaysSo(t *testing.T) {
	t.Setenv("DISPLAY", "")
	if err := System().WriteSecret("x"); err != ErrUnavailable {
		t.Errorf("WriteSecret without a display = %v", err)
	}
}
