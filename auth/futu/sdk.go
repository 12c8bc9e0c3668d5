package futu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
	"tokentray/internal/msg"
)

// SDKToken is the Futu SDK's token file, ~/.futu/openapi/tokens/<client_id>.
// The format is not documented; this is the closest public SDK's JSON,
// with expires_at in unix seconds.
type SDKToken struct {
	ClientID     string    `json:"client_id"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"-"`
}

type sdkTokenJSON struct {
	ClientID     string `json:"client_id"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    int64  `json:"expires_at"`
}

// sdkDir is the credential's SDK token directory, else the provider's, else the default.
func sdkDir(o Options, credDir string) (string, error) {
	if credDir != "" {
		return credDir, nil
	}
	if o.SDKTokenDir != "" {
		return o.SDKTokenDir, nil
	}
	return DefaultSDKTokenDir()
}

// clientFile refuses client IDs that would leave the token directory.
func clientFile(dir, clientID string) (string, error) {
	if clientID == "" || clientID == "." || clientID == ".." || strings.ContainsAny(clientID, `/\`) {
		return "", msg.Errorf("futu.client_id_bad", "Client", fmt.Sprintf("%q", clientID))
	}
	return filepath.Join(dir, clientID), nil
}

// ReadSDKToken reads the SDK's token file for clientID in dir. It accepts
// expires_at as unix seconds, unix milliseconds or an RFC 3339 string.
func ReadSDKToken(dir, clientID string) (SDKToken, error) {
	path, err := clientFile(dir, clientID)
	if err != nil {
		return SDKToken{}, err
	}
	b, err := readCapped(path, maxSDKFile)
	if errors.Is(err, fs.ErrNotExist) {
		return SDKToken{}, msg.Errorf("futu.sdk_no_token", "Client", clientID, "Dir", dir)
	}
	if err != nil {
		return SDKToken{}, msg.Wrap(err, "futu.sdk_read_failed", "Err", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return SDKToken{}, msg.Errorf("futu.sdk_not_json", "Path", path)
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(raw[k], &s)
		return s
	}
	t := SDKToken{ClientID: str("client_id"), AccessToken: str("access_token"), RefreshToken: str("refresh_token")}
	if t.ClientID == "" {
		t.ClientID = clientID
	}
	if t.ClientID != clientID {
		return SDKToken{}, msg.Errorf("futu.sdk_other_client", "Path", path, "Other", auth.ShownInputMsg(t.ClientID), "Client", clientID)
	}
	if t.AccessToken == "" && t.RefreshToken == "" {
		return SDKToken{}, msg.Errorf("futu.sdk_empty", "Path", path)
	}
	for _, k := range []string{"expires_at", "expiry", "expires"} {
		if v, ok := raw[k]; ok {
			t.ExpiresAt = parseSDKTime(v)
			break
		}
	}
	return t, nil
}

func parseSDKTime(v json.RawMessage) time.Time {
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		if f, err := strconv.ParseFloat(string(n), 64); err == nil && f > 0 {
			return unixTime(f)
		}
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		if t, err := time.Parse(time.RFC3339, s); err == nil && t.Year() >= 1970 && t.Year() <= 9999 {
			return t.UTC()
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f > 0 {
			return unixTime(f)
		}
	}
	return time.Time{}
}

// unixTime reads unix seconds or, when too large for seconds in this
// era, milliseconds; a time past the year 9999 (which the settings file
// could not hold) reads as unknown.
func unixTime(f float64) time.Time {
	if f > 1e12 { // milliseconds
		f /= 1000
	}
	if f > 253402300799 { // 9999-12-31T23:59:59Z
		return time.Time{}
	}
	return time.Unix(int64(f), 0).UTC()
}

// maxSDKFile bounds the SDK token file read; a real one is under 4 KB.
const maxSDKFile = 64 << 10

func readCapped(path string, limit int64) ([]byte, error) {
	f, err := auth.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, msg.Errorf("futu.sdk_too_large", "KB", limit>>10)
	}
	return b, nil
}

// FormatSDKToken is the SDK's token file holding t.
func FormatSDKToken(t SDKToken) ([]byte, error) {
	j := sdkTokenJSON{ClientID: t.ClientID, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	if !t.ExpiresAt.IsZero() {
		j.ExpiresAt = t.ExpiresAt.Unix()
	}
	return json.Marshal(j)
}

// WriteSDKToken writes t where the Futu SDK reads it: mode 0600 in a
// 0700 directory, atomically, so the SDK never reads half a file.
func WriteSDKToken(dir string, t SDKToken) error {
	path, err := clientFile(dir, t.ClientID)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return msg.Wrap(err, "futu.sdk_mkdir_failed", "Err", err)
	}
	b, err := FormatSDKToken(t)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return msg.Wrap(err, "futu.sdk_write_failed", "Err", err)
	}
	return nil
}
