package webull

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
	"tokentray/internal/msg"
)

// TokenFileName is the file the official Webull SDKs read from the
// directory named by TokenDirEnv.
const TokenFileName = "token.txt"

// Environment variables the official Webull SDKs read.
const (
	EnvAppKey    = "WEBULL_APP_KEY_ID"
	EnvAppSecret = "WEBULL_APP_KEY_SECRET"
	TokenDirEnv  = "WEBULL_OPENAPI_TOKEN_DIR"
)

// The names Webull's own MCP server (webull-inc/webull-openapi-mcp) reads
// besides the app key: without them it starts its own 2FA and talks to
// the test environment by default.
const (
	EnvMCPTokenDir    = "WEBULL_TOKEN_DIR"
	EnvMCPRegion      = "WEBULL_REGION_ID"
	EnvMCPEnvironment = "WEBULL_ENVIRONMENT"
)

// MCPEnvironment is WEBULL_ENVIRONMENT for a credential: "uat" in the
// test environment, else "prod".
func MCPEnvironment(c auth.Credential) string {
	if c.TestEnv {
		return "uat"
	}
	return "prod"
}

// Older names of the app key variables, still exported for scripts that
// read them and still accepted where a key is read from the environment.
const (
	EnvAppKeyOld    = "WEBULL_APP_KEY"
	EnvAppSecretOld = "WEBULL_APP_SECRET"
)

// SDKDefaultTokenDir is the folder, under a bot's working folder, where
// the SDK looks for token.txt when neither its code nor TokenDirEnv names one.
const SDKDefaultTokenDir = "conf"

// TokenDirRule is how the official SDK picks the folder of token.txt.
const TokenDirRule = "The Webull SDK reads token.txt from the folder its code gives, else from " +
	TokenDirEnv + ", else from conf/ under the bot's working folder."

// TokenDirUse says which bots find a token.txt kept in Dir.
type TokenDirUse struct {
	Dir string
	// File is Dir/token.txt.
	File string
	// DefaultFor is the working folder of a bot that finds the file with
	// nothing set (Dir is its conf/ folder); empty when no bot does.
	DefaultFor string
}

// UseOfTokenDir tells which bots read the token.txt kept in dir.
func UseOfTokenDir(dir string) TokenDirUse {
	dir = filepath.Clean(dir)
	u := TokenDirUse{Dir: dir, File: filepath.Join(dir, TokenFileName)}
	if filepath.Base(dir) == SDKDefaultTokenDir {
		u.DefaultFor = filepath.Dir(dir)
	}
	return u
}

// Message says it to a person, without a full stop.
func (u TokenDirUse) Message() msg.Message {
	env := TokenDirEnv + "=" + u.Dir
	if u.DefaultFor != "" {
		return msg.New("webull.token_dir_use_default", "Start", u.DefaultFor, "File", u.File, "Env", env)
	}
	return msg.New("webull.token_dir_use_env", "File", u.File, "Env", env)
}

// Sentence is Message in English.
func (u TokenDirUse) Sentence() string { return u.Message().String() }

// WriteTokenFile writes dir/token.txt the way the SDKs write it: three
// lines with the token, its expiry in unix milliseconds (0 when unknown)
// and its status. The file is mode 0600 and replaced atomically, so a bot
// never reads half a token.
func WriteTokenFile(dir string, ti TokenInfo) error {
	if dir == "" {
		return msg.Errorf("webull.share_dir_unset_choose")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return msg.Wrap(err, "webull.share_dir_uncreatable", "Err", err)
	}
	content := FormatTokenFile(ti)

	if err := atomicfile.Write(filepath.Join(dir, TokenFileName), []byte(content), 0o600); err != nil {
		return msg.Wrap(err, "webull.share_file_unwritable", "Err", err)
	}
	return nil
}

// FormatTokenFile is token.txt as the SDKs write it: three lines with the
// token, its expiry in unix milliseconds (0 when unknown) and its status.
func FormatTokenFile(ti TokenInfo) string {
	var ms int64
	if !ti.Expires.IsZero() {
		ms = ti.Expires.UnixMilli()
	}
	return ti.Token + "\n" + strconv.FormatInt(ms, 10) + "\n" + ti.Status + "\n"
}

// ReadTokenFile reads dir/token.txt as the SDKs do.
func ReadTokenFile(dir string) (TokenInfo, error) {
	f, err := auth.OpenRegular(filepath.Join(dir, TokenFileName))
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
