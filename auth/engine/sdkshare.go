package engine

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"tokentray/auth"
)

// SDKShare turns sharing a credential with its broker's SDK on or off:
// the token file the SDK reads, kept current on this computer.
type SDKShare struct {
	// Off stops keeping the file current.
	Off bool
	// Dir is the file's folder, for a kind whose folder is chosen
	// (auth.Share.Dir), already checked by the caller; "" keeps the one
	// used before.
	Dir string
	// AccessOnly writes the file without the refresh token (a kind with
	// auth.Share.AccessOnly).
	AccessOnly bool
}

// SDKShared is what a share did.
type SDKShared struct {
	// Before and After are the credential as it was and as it is now.
	Before, After auth.Credential
	// Dir is the file's folder (kinds whose folder is chosen).
	Dir string
	// OldFileGone: the file written before (Before.SDKTokenFile, when
	// set) is gone now: removed because it still held this credential's
	// token, or moved.
	OldFileGone bool
	// Health is the check that wrote the file (sharing on); Written is
	// set when it did.
	Health  auth.Health
	Written bool
}

// ShareSDK turns sharing with the broker's SDK on or off for the
// credential called name, waiting up to wait for a login that holds it.
// On, the file is written at once (a check; a renewal for a kind whose
// SDK file is written only when the token is renewed); off, a file
// tokentray wrote is removed while it still holds the credential's
// token. A kind with no SDK file is refused. The error of the write is
// returned with what was done: sharing stays on, and the file is written
// at the next check.
func (e *Engine) ShareSDK(ctx context.Context, name string, wait time.Duration, o SDKShare) (SDKShared, error) {
	c, err := e.Get(name)
	if err != nil {
		return SDKShared{}, err
	}
	info, _ := auth.Describe(c.Kind)
	if !info.Share.On() {
		return SDKShared{}, auth.NeedsUser(c.Kind.Title() + " has no SDK token file on this computer")
	}
	before, err := e.Change(ctx, name, wait, func(c *auth.Credential) {
		c.ShareWithSDK = !o.Off
		if info.Share.AccessOnly && !o.Off {
			c.ShareAccessOnly = o.AccessOnly
		}
		if info.Share.Dir && o.Dir != "" {
			c.SDKTokenDir = o.Dir
		}
	})
	if err != nil {
		return SDKShared{}, err
	}
	out := SDKShared{Before: before, Dir: o.Dir}
	if out.Dir == "" {
		out.Dir = before.SDKTokenDir
	}
	gone := func() {
		if f := before.SDKTokenFile; f != "" {
			_, err := os.Stat(f)
			out.OldFileGone = errors.Is(err, fs.ErrNotExist)
		}
	}
	switch {
	case o.Off && before.ShareWithSDK && info.Share.Dir && before.SDKTokenFile != "":
		// The check removes the file it wrote, without the broker.
		_, _ = e.Refresh(ctx, name, false)
		gone()
	case o.Off:
	default:
		out.Health, err = e.Refresh(ctx, name, info.Share.WrittenOnRenewal)
		out.Written = err == nil
		gone()
	}
	out.After, _ = e.Get(name)
	return out, err
}
