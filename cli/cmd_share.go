package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// shareLockWait bounds the wait for a credential a login may hold for
// minutes.
const shareLockWait = 10 * time.Second

func shareCommand(e *env) *cobra.Command {
	c := newCommand("share", "keep (or stop keeping) a broker SDK's token file current", "share NAME --dir DIR\nshare NAME [--access-only]\nshare NAME --off\nshare NAME --ssh [USER@]HOST:DIR [--off]\nshare NAME --exec CMD [--off]\nshare NAME --list\nshare NAME --push",
		fmt.Sprintf(`Turns sharing with the broker's SDK on or off for the credential NAME.
While it is on, tokentray writes the token it keeps fresh to the file the
SDK reads, so bots using the SDK need no login or verification of their
own. The file is written at once (a refresh with the broker), then at
every renewal.

  webull      --dir DIR: tokentray keeps DIR/token.txt current (mode 0600);
              start bots with WEBULL_OPENAPI_TOKEN_DIR=DIR (tokentray env
              and exec set it). Without --dir, the folder used before.
%s
              So --dir BOT/conf serves a bot started in BOT that sets
              nothing. A folder others can write to (/tmp) is refused;
              one others can list is used, with a warning. An app with
              2FA off needs no token: no file is written, and bots sign
              their requests with the app key (env and exec give it).
  futu-oauth  the Futu SDK's token file (~/.futu/openapi/tokens/<client_id>,
              in the sandbox profile futu-sdk-tokens/<client_id> in its
              folder; its format is inferred from public Futu SDKs, not
              documented by Futu). The SDK can refresh the login with
              the refresh token in that file, and when Futu rotates
              refresh tokens that retires tokentray's: tokentray takes
              over the pair the SDK wrote back (and says so), but a
              program that refreshes without writing the file back ends
              the login for both. --access-only writes the file without
              the refresh token, so only tokentray renews the login;
              share NAME without it writes both again.
  --off       stop updating the file; a Webull token file tokentray wrote
              is removed while it still holds the credential's token (a
              move to another --dir removes the old one the same way)

The same as --share-dir and --share-sdk of "tokentray add".
`+shareTargetsHelp, indentText(tokenDirRule(), 14, 62)))
	var dir string
	var off, accessOnly bool
	c.Flags().StringVar(&dir, "dir", "", "the folder of the Webull SDK's token.txt")
	boolFlag(c.Flags(), &accessOnly, "access-only", "Futu OAuth: write the SDK's token file without the refresh token")
	boolFlag(c.Flags(), &off, "off", "stop updating the file")
	_ = c.MarkFlagDirname("dir")
	var tf shareTargetFlags
	c.Flags().StringVar(&tf.ssh, "ssh", "", "a share target: [USER@]HOST:DIR or ssh://[USER@]HOST[:PORT]/DIR")
	c.Flags().StringVar(&tf.exec, "exec", "", "a share target: a command that gets the file on its standard input")
	boolFlag(c.Flags(), &tf.list, "list", "list the share targets")
	boolFlag(c.Flags(), &tf.push, "push", "push to every share target now")
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		if tf.any() {
			return runShareTargets(e, args[0], tf, dir, off)
		}
		return runShare(e, args[0], dir, off, accessOnly)
	}
	return c
}

func runShare(e *env, name, dirFlag string, off, accessOnly bool) error {
	if accessOnly && off {
		return usagef("share takes --access-only or --off, not both; run: tokentray help share")
	}
	if off && dirFlag != "" {
		return usagef("share takes --dir or --off, not both; run: tokentray help share")
	}
	svc, err := e.svc()
	if err != nil {
		return err
	}
	c, err := svc.Get(e.ctx, name)
	if err != nil {
		return err
	}
	dir, warning := "", ""
	info, _ := auth.Describe(c.Kind)
	switch c.Kind {
	case auth.KindWebull:
		if accessOnly {
			return usagef("--access-only applies to futu-oauth logins: a Webull token file holds no refresh token")
		}
		dir = c.SDKTokenDir
		if dir == "" && dirFlag == "" && !off {
			return usagef("share %s needs --dir DIR: the folder where tokentray keeps token.txt for the Webull SDK", name)
		}
		if dirFlag != "" || !off {
			// Refused before anything changes, so a refused folder is
			// never stored.
			flag, raw := "--dir", dirFlag
			if raw == "" {
				flag, raw = "the folder used before,", dir
			}
			if dir, warning, err = e.shareDir(info, flag, raw); err != nil {
				return err
			}
		}
	case auth.KindFutuOAuth:
		if dirFlag != "" {
			return usagef("--dir applies to webull credentials: the Futu SDK's token file has its own place; run: %s", e.cmdLine("share", name))
		}
	default:
		return usagef("%s is a %s, which has no SDK token file on this computer: %s and exec give scripts its variables, and %s hands its env file to another machine", name, c.Kind.Title(), e.cmdLine("env"), e.cmdLine("share", name, "--ssh", "HOST:DIR"))
	}

	ctx, stop := interruptible(e.ctx)
	defer stop()
	before, err := svc.Change(ctx, name, shareLockWait, func(c *auth.Credential) {
		c.ShareWithSDK = !off
		if c.Kind == auth.KindFutuOAuth && !off {
			c.ShareAccessOnly = accessOnly
		}
		if c.Kind == auth.KindWebull && dir != "" {
			c.SDKTokenDir = dir
		}
	})
	if err != nil {
		return err
	}

	file := "the Futu SDK's token file"
	if c.Kind == auth.KindWebull {
		file = filepath.Join(dir, info.Share.FileName)
	} else if c.ClientID != "" {
		file += " for client " + c.ClientID
	}
	if off {
		if !before.ShareWithSDK {
			fmt.Fprintf(e.Stdout, "Sharing was already off for %s.\n", name)
			return nil
		}
		if c.Kind == auth.KindWebull && before.SDKTokenFile != "" {
			// The check removes the file it wrote, without the broker.
			_, _ = svc.Refresh(ctx, name, false)
			if _, err := os.Stat(before.SDKTokenFile); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(e.Stdout, "Sharing is off for %s: %s, which held its token, was removed.\n", name, before.SDKTokenFile)
				return nil
			}
			fmt.Fprintf(e.Stdout, "Sharing is off for %s: %s is left as it is because it no longer holds this credential's token.\n", name, before.SDKTokenFile)
			return nil
		}
		fmt.Fprintf(e.Stdout, "Sharing is off for %s: tokentray no longer updates %s, which is left as it is (delete it if no bot should use it).\n", name, file)
		return nil
	}

	// Write the file now rather than at the next renewal. Futu writes it
	// only when it renews, so Futu OAuth renews now.
	h, err := svc.Refresh(ctx, name, c.Kind == auth.KindFutuOAuth)
	var ue *auth.UserError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		return &auth.UserError{Msg: fmt.Sprintf("Sharing is on for %s, but %s can be written only once this is done: %s", name, file, ue.Msg), Action: ue.Action}
	case h.State == auth.Unknown:
		fmt.Fprintf(e.Stdout, "Sharing is on for %s, but %s could not be written yet because %s; tokentray writes it at the next refresh.\n", name, file, e.shortReason(err, h))
		return nil
	default:
		return fmt.Errorf("sharing is on for %s, but %s could not be written: %w", name, file, err)
	}
	if c.Kind != auth.KindWebull {
		what := "its access and refresh tokens"
		if accessOnly {
			what = "its access token alone (no refresh token, so only tokentray renews the login)"
		}
		fmt.Fprintf(e.Stdout, "Sharing is on for %s: tokentray keeps %s current with %s.\n", name, file, what)
		return nil
	}
	if now, err := svc.Get(e.ctx, name); err == nil && now.TwoFactorOff {
		fmt.Fprintf(e.Stdout, "Sharing is on for %s, but no token file is written: 2FA is off for this app, so it needs no token and bots sign their requests with the app key alone (%s and exec give them the key)%s; if Webull turns 2FA on for it, the token verified then is written to %s.\n",
			name, e.cmdLine("env", name), oldFileNote(before, file, dir), file)
		return nil
	}
	msg := fmt.Sprintf("Sharing is on for %s: tokentray keeps %s current", name, file)
	if info.Share.UseOfDir != nil {
		msg += "; " + info.Share.UseOfDir(dir) + fmt.Sprintf(" (%s and exec set %s)", e.cmdLine("env", name), info.Share.DirEnv)
	} else {
		msg += fmt.Sprintf("; start bots with %s=%s (%s and exec set it)", info.Share.DirEnv, dir, e.cmdLine("env", name))
	}
	fmt.Fprintln(e.Stdout, msg+oldFileNote(before, file, dir)+".")
	e.shareDirWarning(warning, dir)
	return nil
}

// oldFileNote says what became of the token file written before sharing
// moved to dir ("" when it did not move).
func oldFileNote(before auth.Credential, file, dir string) string {
	if old := before.SDKTokenFile; old != "" && old != file {
		if _, err := os.Stat(old); errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("; the old file %s was removed", old)
		}
		return fmt.Sprintf("; the old file %s is left as it is because it no longer holds this credential's token", old)
	}
	if before.ShareWithSDK && before.SDKTokenDir != "" && before.SDKTokenDir != dir {
		return fmt.Sprintf("; the old file in %s is left as it is", before.SDKTokenDir)
	}
	return ""
}

// tokenDirRule is how the Webull SDK picks the folder of its token file.
func tokenDirRule() string {
	i, _ := auth.Describe(auth.KindWebull)
	return i.Share.DirRule
}

// indentText wraps s to width columns, each line indented by indent
// spaces.
func indentText(s string, indent, width int) string {
	lines := wrapWords(s, width)
	for i, l := range lines {
		lines[i] = strings.Repeat(" ", indent) + l
	}
	return strings.Join(lines, "\n")
}

// shareDir checks a folder given for the SDK token file of the kind i
// describes, by the one rule add, update and share all apply: an
// absolute folder (not a file), and the kind's own check (not a folder
// of the operating system, not one others can write to). It returns the
// folder made absolute, and a warning when others can list it.
func (e *env) shareDir(i auth.KindInfo, flag, raw string) (dir, warning string, err error) {
	if dir, err = filepath.Abs(raw); err != nil {
		return "", "", usagef("%s %q is not a usable folder: %v", flag, raw, err)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return "", "", usagef("%s %s is a file, not a folder: give the folder your bots read through %s", flag, dir, i.Share.DirEnv)
	}
	if i.Share.CheckDir != nil {
		if warning, err = i.Share.CheckDir(dir); err != nil {
			return "", "", usagef("%s", strings.TrimSuffix(err.Error(), "."))
		}
	}
	return dir, warning, nil
}

// shareDirWarning prints the warning of a folder others can list.
func (e *env) shareDirWarning(warning, dir string) {
	if warning != "" {
		fmt.Fprintf(e.Stdout, "Warning: %s; to hide its list of files: chmod go-rwx %s\n", strings.TrimSuffix(warning, "."), dir)
	}
}
