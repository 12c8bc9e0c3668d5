package futu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// sdkRefresh renews a login as the Futu SDK does, with the refresh token
// from its token file, and returns the new pair and its expiry on the
// broker's clock.
func (f *oauthFixture) sdkRefresh(t *testing.T, refresh string) SDKToken {
	t.Helper()
	resp, err := http.PostForm(f.base+PathToken, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {f.c.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.RefreshToken == "" {
		t.Fatalf("the SDK's refresh: HTTP %d, %v", resp.StatusCode, err)
	}
	return SDKToken{ClientID: f.c.ClientID, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		ExpiresAt: f.clock.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Truncate(time.Second)}
}

// The Futu SDK and tokentray share one login through the SDK's token
// file, and Futu rotates refresh tokens: when the SDK renews the login
// there, tokentray takes the newer pair over (and says so) instead of
// losing the login to the refresh token the SDK rotated away.
func TestALoginTheSDKRefreshedThroughTheSharedFileIsTakenOver(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{RotateRefresh: true})
	f.c.ShareWithSDK = true
	if h, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil || h.State != auth.OK {
		t.Fatalf("login: %v %v", h, err)
	}
	for i, force := range []bool{true, false} {
		file, err := ReadSDKToken(f.sdkDir, f.c.ClientID)
		if err != nil || file.RefreshToken != f.get(auth.FieldRefreshToken) {
			t.Fatalf("round %d: the shared file does not hold tokentray's refresh token (%v)", i, err)
		}
		old := file.RefreshToken
		f.clock.Advance(time.Minute)
		renewed := f.sdkRefresh(t, old) // Futu retires old at once
		if err := WriteSDKToken(f.sdkDir, renewed); err != nil {
			t.Fatal(err)
		}
		h, err := f.refresh(t, force)
		if err != nil || h.State != auth.OK || !note(h).Is("futu.sdk_adopted") {
			t.Fatalf("round %d (force %v): after the SDK renewed the login, tokentray's check gave %v / %v", i, force, h, err)
		}
		if got := f.get(auth.FieldRefreshToken); got == old || got == "" {
			t.Fatalf("round %d: the refresh token the SDK rotated away is still the stored one", i)
		}
		if !force && f.get(auth.FieldAccessToken) != renewed.AccessToken {
			t.Fatalf("round %d: the SDK's access token was not taken over", i)
		}
		// Said once: the next check has nothing to take over.
		if h, err := f.refresh(t, false); err != nil || strings.Contains(h.Reason, "took over") {
			t.Fatalf("round %d: the next check: %v / %v", i, h, err)
		}
	}

	// Another program refreshes with the file's refresh token and keeps
	// what it got to itself: nothing can be reconciled, and the sentence
	// says what happened and how to keep it from happening.
	file, _ := ReadSDKToken(f.sdkDir, f.c.ClientID)
	f.sdkRefresh(t, file.RefreshToken)
	h, err := f.refresh(t, true)
	if err == nil || h.Next.Kind != auth.ActionLogin || !strings.Contains(h.Reason, "another program") || !strings.Contains(h.Reason, "share only the access token") || !strings.Contains(err.Error(), "another program") {
		t.Fatalf("a login another program rotated away: %v / %v", h, err)
	}

	// Shared access-only, the file holds no refresh token to rotate.
	f.c.ShareAccessOnly = true
	if h, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil || h.State != auth.OK {
		t.Fatalf("login: %v %v", h, err)
	}
	file, err = ReadSDKToken(f.sdkDir, f.c.ClientID)
	if err != nil || file.AccessToken != f.get(auth.FieldAccessToken) || file.RefreshToken != "" {
		t.Fatalf("an access-only share wrote the refresh token, or not the access token (%v)", err)
	}
}
