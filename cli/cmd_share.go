package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/service"
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
		return usage(msg.New("cli.share_access_only_off"))
	}
	if off && dirFlag != "" {
		return usage(msg.New("cli.share_dir_off"))
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
	switch {
	case !info.Share.On():
		return usage(msg.New("cli.share_no_sdk_file", "Name", name, "Kind", e.kindTitle(c.Kind), "Env", e.cmdLine("env"), "SSH", e.cmdLine("share", name, "--ssh", "HOST:DIR")))
	case accessOnly && !info.Share.AccessOnly:
		return usage(msg.New("cli.share_access_only_webull"))
	case dirFlag != "" && !info.Share.Dir:
		return usage(msg.New("cli.share_dir_futu", "Command", e.cmdLine("share", name)))
	case info.Share.Dir:
		dir = c.SDKTokenDir
		if dir == "" && dirFlag == "" && !off {
			return usage(msg.New("cli.share_needs_dir", "Name", name))
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
	}

	ctx, stop := interruptible(e.ctx)
	defer stop()
	shared, err := svc.ShareSDK(ctx, name, shareLockWait, service.SDKShare{Off: off, Dir: dir, AccessOnly: accessOnly})
	if shared.Before.Name == "" {
		return err // nothing changed
	}
	before, h := shared.Before, shared.Health

	file := e.tr(msg.New("cli.futu_sdk_file"))
	if info.Share.Dir {
		file = filepath.Join(dir, info.Share.FileName)
	} else if c.ClientID != "" {
		file = e.tr(msg.New("cli.futu_sdk_file_for", "Client", c.ClientID))
	}
	if off {
		switch {
		case !before.ShareWithSDK:
			e.say(e.Stdout, e.tr(msg.New("cli.share_already_off", "Name", name)))
		case info.Share.Dir && before.SDKTokenFile != "" && shared.OldFileGone:
			e.say(e.Stdout, e.tr(msg.New("cli.share_off_removed", "Name", name, "File", before.SDKTokenFile)))
		case info.Share.Dir && before.SDKTokenFile != "":
			e.say(e.Stdout, e.tr(msg.New("cli.share_off_left", "Name", name, "File", before.SDKTokenFile)))
		default:
			e.say(e.Stdout, e.tr(msg.New("cli.share_off_futu", "Name", name, "File", file)))
		}
		return nil
	}

	var ue *auth.UserError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		m := msg.New("cli.share_on_needs_user", "Name", name, "File", file, "Why", msg.Of(ue))
		return &auth.UserError{Msg: m.String(), Why: m, Action: ue.Action}
	case h.State == auth.Unknown:
		e.say(e.Stdout, e.tr(msg.New("cli.share_on_unwritten", "Name", name, "File", file, "Why", e.shortReason(err, h))))
		return nil
	default:
		return msg.Wrap(err, "cli.share_on_failed", "Name", name, "File", file, "Err", err)
	}
	if !info.Share.Dir {
		if accessOnly {
			e.say(e.Stdout, e.tr(msg.New("cli.share_on_futu_access_only", "Name", name, "File", file)))
		} else {
			e.say(e.Stdout, e.tr(msg.New("cli.share_on_futu", "Name", name, "File", file)))
		}
		return nil
	}
	if shared.After.TwoFactorOff {
		e.say(e.Stdout, e.tr(msg.New("cli.share_on_no2fa", "Name", name, "Env", e.cmdLine("env", name), "Old", e.oldFileNote(shared, file, dir), "File", file)))
		return nil
	}
	var use msg.Message
	if info.Share.UseOfDir != nil {
		use = msg.New("cli.share_use_of_dir", "Use", info.Share.UseOfDir(dir), "Env", e.cmdLine("env", name), "Var", info.Share.DirEnv)
	} else {
		use = msg.New("cli.share_start_bots", "Var", info.Share.DirEnv, "Dir", dir, "Env", e.cmdLine("env", name))
	}
	e.say(e.Stdout, e.tr(msg.New("cli.share_on_webull", "Name", name, "File", file, "Use", use, "Old", e.oldFileNote(shared, file, dir))))
	e.shareDirWarning(warning, dir)
	return nil
}

// oldFileNote says what became of the token file written before sharing
// moved to dir ("" when it did not move).
func (e *env) oldFileNote(s service.SDKShared, file, dir string) string {
	before := s.Before
	if old := before.SDKTokenFile; old != "" && old != file {
		if s.OldFileGone {
			return e.tr(msg.New("cli.old_file_removed", "File", old))
		}
		return e.tr(msg.New("cli.old_file_left", "File", old))
	}
	if before.ShareWithSDK && before.SDKTokenDir != "" && before.SDKTokenDir != dir {
		return e.tr(msg.New("cli.old_dir_left", "Dir", before.SDKTokenDir))
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
		return "", "", usage(msg.New("cli.dir_unusable", "Flag", flag, "Dir", strconv.Quote(raw), "Err", err))
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return "", "", usage(msg.New("cli.dir_is_file", "Flag", flag, "Dir", dir, "Var", i.Share.DirEnv))
	}
	if i.Share.CheckDir != nil {
		if warning, err = i.Share.CheckDir(dir); err != nil {
			return "", "", usage(auth.Clause(err))
		}
	}
	return dir, warning, nil
}

// shareDirWarning prints the warning of a folder others can list.
func (e *env) shareDirWarning(warning, dir string) {
	if warning != "" {
		e.say(e.Stdout, e.tr(msg.New("cli.dir_warning", "Warning", trimEnd(warning), "Dir", dir)))
	}
}
