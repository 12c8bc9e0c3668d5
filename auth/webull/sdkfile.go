package webull

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TokenFileName is the file the official Webull SDKs read from the
// directory named by TokenDirEnv.
const TokenFileName = "token.txt"

// Environment variables the official Webull SDKs read.
const (
	EnvAppKey    = "WEBULL_APP_KEY"
	EnvAppSecret = "WEBULL_APP_SECRET"
	TokenDirEnv  = "WEBULL_OPENAPI_TOKEN_DIR"
)

// WriteTokenFile writes dir/token.txt the way the SDKs write it: three
// lines with the token, its expiry in unix milliseconds (0 when unknown)
// and its status. The file is mode 0600 and replaced atomically, so a bot
// never reads half a token.
func WriteTokenFile(dir string, ti TokenInfo) error {
	if dir == "" {
		return fmt.Errorf("no folder is set for the SDK token file: choose one in the credential's settings")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the SDK token folder: %w", err)
	}
	var ms int64
	if !ti.Expires.IsZero() {
		ms = ti.Expires.UnixMilli()
	}
	content := ti.Token + "\n" + strconv.FormatInt(ms, 10) + "\n" + ti.Status + "\n"

	tmp, err := os.CreateTemp(dir, ".token-*.tmp")
	if err != nil {
		return fmt.Errorf("write the SDK token file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write the SDK token file: %w", err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return fmt.Errorf("write the SDK token file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write the SDK token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write the SDK token file: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, TokenFileName)); err != nil {
		return fmt.Errorf("write the SDK token file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable where the platform allows
		d.Close()
	}
	return nil
}

// ReadTokenFile reads dir/token.txt as the SDKs do.
func ReadTokenFile(dir string) (TokenInfo, error) {
	f, err := os.Open(filepath.Join(dir, TokenFileName))
	if err != nil {
		return TokenInfo{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() && len(lines) < 3 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	for len(lines) < 3 {
		lines = append(lines, "")
	}
	ti := TokenInfo{Token: lines[0], Status: lines[2]}
	if ms, err := strconv.ParseInt(lines[1], 10, 64); err == nil && ms > 0 {
		ti.Expires = time.UnixMilli(ms).UTC()
	}
	return ti, sc.Err()
}
