package webull

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// ShareDirError means a folder is not safe for token.txt: someone else
// could replace the file, or read the token through one they planted.
type ShareDirError struct {
	Dir string
	// Reason is why, in English; Why is the same as data.
	Reason string
	Why    msg.Message
}

func unsafeDir(dir string, why msg.Message) *ShareDirError {
	return &ShareDirError{Dir: dir, Reason: why.String(), Why: why}
}

func (e *ShareDirError) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e *ShareDirError) Message() msg.Message {
	why := e.Why
	if why.IsZero() {
		why = msg.Plain(e.Reason)
	}
	return msg.New("webull.share_dir_unsafe", "Dir", e.Dir, "Reason", why)
}

// CheckShareDir checks a folder for the SDK token file before it is used.
// It refuses one that is not a folder, that another user owns, or that
// others can write to (/tmp, mode 0777); a folder that does not exist yet
// is checked by the nearest one above it that does, unless that one
// keeps others from removing what is not theirs (the sticky bit of /tmp),
// since the folder is then created as the user's own with mode 0700.
// warning is set, as a sentence, when others can list the folder: the
// file itself is always written readable by the user alone.
func CheckShareDir(dir string) (warning string, err error) {
	if dir == "" {
		return "", msg.Errorf("webull.share_dir_unset")
	}
	dir = filepath.Clean(dir)
	if systemDir(dir) {
		return "", unsafeDir(dir, msg.New("webull.share_dir_system"))
	}
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return "", unsafeDir(dir, msg.New("webull.share_dir_file"))
	case errors.Is(err, fs.ErrNotExist):
		parent := filepath.Dir(dir)
		for parent != filepath.Dir(parent) {
			if _, err := os.Stat(parent); err == nil {
				break
			}
			parent = filepath.Dir(parent)
		}
		pi, err := os.Stat(parent)
		if err != nil {
			return "", nil // nothing above exists to judge; creating it will tell
		}
		if runtime.GOOS != "windows" && writableByOthers(pi) && pi.Mode()&fs.ModeSticky == 0 {
			return "", unsafeDir(dir, msg.New("webull.share_dir_parent_open", "Parent", parent))
		}
		return "", nil
	case err != nil:
		return "", msg.Wrap(err, "webull.share_dir_unchecked", "Dir", dir, "Err", err)
	}
	if runtime.GOOS == "windows" {
		return "", nil // folder ACLs, not mode bits, guard it there
	}
	if uid, ok := owner(fi); ok && uid != os.Getuid() {
		return "", unsafeDir(dir, msg.New("webull.share_dir_other_owner"))
	}
	if writableByOthers(fi) {
		return "", unsafeDir(dir, msg.New("webull.share_dir_others_write", "Mode", fmt.Sprintf("%04o", fi.Mode().Perm()|stickyBits(fi))))
	}
	if fi.Mode().Perm()&0o044 != 0 {
		return fmt.Sprintf("others can see which files %s holds (mode %04o); token.txt itself is readable by you alone", dir, fi.Mode().Perm()), nil
	}
	return "", nil
}

// systemDirs are folders of the operating system, where a token file
// has no place whoever owns them (tokentray may run as root);
// pseudoDirs are also refused for everything inside them.
var (
	systemDirs = []string{"/", "/bin", "/boot", "/etc", "/lib", "/lib64", "/opt", "/root", "/sbin", "/srv", "/usr", "/var", "/home", "/Users", "/System", "/Library", "/Applications", "/private", "/Volumes", "/run"}
	pseudoDirs = []string{"/proc", "/sys", "/dev"}
)

// systemDir reports whether dir (clean and absolute) is such a folder.
func systemDir(dir string) bool {
	if runtime.GOOS == "windows" || !filepath.IsAbs(dir) {
		return false
	}
	for _, d := range systemDirs {
		if dir == d {
			return true
		}
	}
	for _, d := range pseudoDirs {
		if dir == d || strings.HasPrefix(dir, d+"/") {
			return true
		}
	}
	return false
}

func writableByOthers(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o022 != 0 }

func stickyBits(fi fs.FileInfo) fs.FileMode {
	if fi.Mode()&fs.ModeSticky != 0 {
		return 0o1000
	}
	return 0
}

// RemoveTokenFile deletes file when its first line is one of tokens (a
// token this credential holds, so one tokentray wrote), and reports
// whether it did. A file a bot's SDK rewrote with a token of its own is
// left alone, and so is a missing one.
func RemoveTokenFile(file string, tokens ...string) (bool, error) {
	ti, err := ReadTokenFile(filepath.Dir(file))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if ti.Token == "" {
		return false, nil
	}
	for _, t := range tokens {
		if t != "" && ti.Token == t {
			if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return false, msg.Wrap(err, "webull.share_file_unremovable", "File", file, "Err", err)
			}
			return true, nil
		}
	}
	return false, nil
}

// sharedFile is the token file the credential should have now, or ""
// when it shares none (sharing off, or an app that needs no token).
func (p *Provider) sharedFile(c auth.Credential) string {
	if !c.ShareWithSDK || c.TwoFactorOff {
		return ""
	}
	return filepath.Join(p.SDKTokenDir(c), TokenFileName)
}

// SharedFiles is the token.txt kept current for the SDKs, if any.
func (p *Provider) SharedFiles(c auth.Credential) []string {
	if f := p.sharedFile(c); f != "" {
		return []string{f}
	}
	return nil
}

// dropStale removes the token file written before when sharing has moved
// to another folder or stopped. It works without the broker, so a move
// takes effect even when Webull cannot be reached.
func (p *Provider) dropStale(c *auth.Credential, tokens ...string) error {
	if c.SDKTokenFile == "" || c.SDKTokenFile == p.sharedFile(*c) {
		return nil
	}
	if _, err := RemoveTokenFile(c.SDKTokenFile, tokens...); err != nil {
		return err
	}
	c.SDKTokenFile = ""
	return nil
}

// UnshareTokenFiles removes every token file written for the credential
// that still holds its token: the one last written and the one in its
// current folder. It returns the files it removed. Logout and remove
// call it through Revoke; it needs no broker.
func (p *Provider) UnshareTokenFiles(c auth.Credential, s auth.Secrets) ([]string, error) {
	tok, err := s.Get(auth.FieldWebullToken)
	if errors.Is(err, auth.ErrSecretNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	seen := map[string]bool{}
	for _, f := range []string{c.SDKTokenFile, filepath.Join(p.SDKTokenDir(c), TokenFileName)} {
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		ok, err := RemoveTokenFile(f, tok)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			removed = append(removed, f)
		}
	}
	return removed, errors.Join(errs...)
}
