package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"tokentray/internal/msg"
)

// Checker is implemented by kinds whose secrets can be checked with the
// broker before anything is stored: a signed call for a Futu API key or
// a Webull app, the client registration for Futu OAuth. Check runs on a
// scratch copy of the secrets (what it writes there is stored only when
// the check passes) and may fill c (an expiry, a client ID). It never
// creates a token that needs the user (no SMS). A refusal names the
// wrong field with WrongField; a broker that did not answer is an error
// that is neither.
type Checker interface {
	Check(ctx context.Context, c *Credential, s Secrets) (Health, error)
}

// FieldError is a refusal that concerns one secret or setting (the app
// secret, the endpoint), so a form can mark that field.
type FieldError struct {
	// Field is a secret field name (FieldAppSecret, ...) or a setting
	// ("endpoint", "region", "scope").
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// WrongField marks err as concerning field.
func WrongField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Err: err}
}

// FieldOf returns the field an error concerns, if it names one.
func FieldOf(err error) (string, bool) {
	var fe *FieldError
	if errors.As(err, &fe) && fe.Field != "" {
		return fe.Field, true
	}
	return "", false
}

// FieldTitle is a field as a sentence names it ("app secret").
func FieldTitle(field string) string {
	switch field {
	case FieldWebullToken:
		return "Webull token"
	case FieldRegistrationToken:
		return "client registration"
	}
	return strings.ReplaceAll(field, "_", " ")
}

// FieldMessage is FieldTitle as a message, said in the person's
// language.
func FieldMessage(field string) msg.Message {
	switch field {
	case FieldAppKey, FieldAppSecret, FieldAccessToken, FieldRefreshToken, FieldWebullToken, FieldRegistrationToken:
		return msg.New("auth.field_" + field)
	}
	return msg.Plain(FieldTitle(field))
}

// fingerprintVersion prefixes every fingerprint, so the scheme can change.
const fingerprintVersion = "v1"

// KeyFingerprint returns a fingerprint of an app key that the settings
// may keep: a random salt and an HMAC-SHA256 of broker and key under it.
// It tells whether two credentials hold the same key without keeping
// the key, and two profiles' fingerprints of one key differ.
func KeyFingerprint(broker, appKey string) string {
	var salt [16]byte
	_, _ = rand.Read(salt[:])
	return fingerprintWith(hex.EncodeToString(salt[:]), broker, appKey)
}

// SameKey reports whether fingerprint fp (from KeyFingerprint) is of
// this broker's appKey.
func SameKey(fp, broker, appKey string) bool {
	parts := strings.Split(fp, ":")
	if len(parts) != 3 || parts[0] != fingerprintVersion || appKey == "" {
		return false
	}
	return hmac.Equal([]byte(fingerprintWith(parts[1], broker, appKey)), []byte(fp))
}

func fingerprintWith(salt, broker, appKey string) string {
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(strings.ToLower(broker) + "\x00" + strings.TrimSpace(appKey)))
	return fingerprintVersion + ":" + salt + ":" + hex.EncodeToString(m.Sum(nil))
}
