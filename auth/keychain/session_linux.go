//go:build linux

package keychain

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"math/big"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// ietf1024 is the Second Oakley Group's prime (RFC 2409, section 6.2);
// its generator is 2.
var ietf1024, _ = new(big.Int).SetString(
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"+
		"29024E088A67CC74020BBEA63B139B22514A08798E3404DD"+
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"+
		"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"+
		"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"+
		"FFFFFFFFFFFFFFFF", 16)

// session is an open Secret Service session: its path, and the AES key
// of an encrypted one (nil for plain).
type session struct {
	path dbus.ObjectPath
	key  []byte
}

func (s session) algorithm() string {
	if s.key != nil {
		return AlgorithmEncrypted
	}
	return AlgorithmPlain
}

// openEncrypted asks for the encrypted session; ok is false when the
// service does not offer it (org.freedesktop.DBus.Error.NotSupported).
func openEncrypted(obj dbus.BusObject) (sess session, ok bool, err error) {
	priv, err := privateExponent()
	if err != nil {
		return session{}, false, err
	}
	pub := new(big.Int).Exp(big.NewInt(2), priv, ietf1024)
	var out dbus.Variant
	var path dbus.ObjectPath
	err = obj.Call(ssService+".OpenSession", 0, AlgorithmEncrypted, dbus.MakeVariant(pub.Bytes())).Store(&out, &path)
	if dbusName(err) == "org.freedesktop.DBus.Error.NotSupported" {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, err
	}
	theirs, _ := out.Value().([]byte)
	key, err := sessionKey(priv, theirs)
	if err != nil {
		return session{}, false, err
	}
	return session{path: path, key: key}, true, nil
}

// privateBits is the length of the private exponent. The 1024-bit
// group offers about 80 bits of security; an exponent of twice a
// group's strength keeps the discrete logarithm as hard as the group
// allows (RFC 7919, section 5.2, and NIST SP 800-56A use the same
// rule), and 256 bits is well beyond that. A full-length exponent made
// each of the two exponentiations of a session about six times slower:
// most of the time a command took to read one secret.
const privateBits = 256

// privateExponent is this side's secret for one session: a random
// number from 1 to 2^privateBits - 1 (far below p-2).
func privateExponent() (*big.Int, error) {
	for {
		priv, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), privateBits))
		if err != nil {
			return nil, err
		}
		if priv.Sign() > 0 {
			return priv, nil
		}
	}
}

// sessionKey is the AES-128 key both sides derive: HKDF-SHA256 (no salt,
// no info) of the shared secret written big-endian at the prime's length.
func sessionKey(priv *big.Int, theirPub []byte) ([]byte, error) {
	y := new(big.Int).SetBytes(theirPub)
	if y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(new(big.Int).Sub(ietf1024, big.NewInt(1))) >= 0 {
		return nil, &ownError{kind: KindFailed, text: "the keychain's session key is not usable"}
	}
	shared := new(big.Int).Exp(y, priv, ietf1024).FillBytes(make([]byte, (ietf1024.BitLen()+7)/8))
	return hkdf.Key(sha256.New, shared, nil, "", 16)
}

// seal is value as the session sends it.
func (s session) seal(value string) (ss.Secret, error) {
	if s.key == nil {
		return ss.NewSecret(s.path, value), nil
	}
	block, err := aes.NewCipher(s.key)
	if err != nil {
		return ss.Secret{}, err
	}
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(iv); err != nil {
		return ss.Secret{}, err
	}
	pad := aes.BlockSize - len(value)%aes.BlockSize
	buf := append([]byte(value), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return ss.Secret{Session: s.path, Parameters: iv, Value: buf, ContentType: "text/plain; charset=utf8"}, nil
}

// open is the value a secret from the session holds.
func (s session) open(sec ss.Secret) (string, error) {
	if s.key == nil {
		return string(sec.Value), nil
	}
	bad := &ownError{kind: KindFailed, text: "the keychain sent a secret that does not decrypt with this session's key"}
	if len(sec.Parameters) != aes.BlockSize || len(sec.Value) == 0 || len(sec.Value)%aes.BlockSize != 0 {
		return "", bad
	}
	block, err := aes.NewCipher(s.key)
	if err != nil {
		return "", err
	}
	buf := bytes.Clone(sec.Value)
	cipher.NewCBCDecrypter(block, sec.Parameters).CryptBlocks(buf, buf)
	pad := int(buf[len(buf)-1])
	if pad == 0 || pad > aes.BlockSize || !bytes.Equal(buf[len(buf)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return "", bad
	}
	return string(buf[:len(buf)-pad]), nil
}
