package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Keyring seals data at rest with AES-256-GCM under numbered keys: the
// current key seals, every key opens what it sealed, so a key can be
// replaced (see [Store.Reseal]) while rows sealed under the old one are
// still read. Each seal draws a random 96-bit nonce, so one key seals
// about 2^32 values before a new key is due (NIST SP 800-38D's bound);
// rotating yearly at this gateway's rates stays far below it.
//
// Sealed bytes (message and MO bodies, held receipts, webhook payloads,
// the privacy salt) are sealMagic, the key id (2 bytes, big endian), the nonce, then the
// ciphertext and its tag: 34 bytes more than the plaintext. Sealed text
// (webhook secrets, carrier passwords) is sealTextPrefix and the same bytes after the magic
// in unpadded base64url. Values without the magic are plaintext, as rows
// written before a key was configured are: they are read as they are.
//
// A Keyring is safe for concurrent use.
type Keyring struct {
	current uint16
	aeads   map[uint16]cipher.AEAD
}

// sealMagic starts a sealed value. It begins with a NUL and ends with a
// version byte: message text never starts so, and a binary body that
// does and is not a sealed value fails authentication and is read as it
// is.
var sealMagic = []byte{0x00, 'g', 'S', 0x01}

// sealTextPrefix starts a sealed text value.
const sealTextPrefix = "gs1:"

// sealOverhead is what sealing adds to a value's length.
const sealOverhead = 4 + 2 + 12 + 16

// ErrUnknownKey means a value was sealed under a key id the keyring does
// not have.
var ErrUnknownKey = errors.New("store: sealed under a key that is not configured")

// ParseKeyring reads a key list: comma-separated ID:KEY pairs, ID a
// number from 1 to 65535 and KEY 32 bytes in standard or URL base64 (or 64
// hex digits). The first pair is the current key; the others open what
// they sealed before. An empty spec is no keyring (nil): values are
// stored in clear.
func ParseKeyring(spec string) (*Keyring, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	k := &Keyring{aeads: map[uint16]cipher.AEAD{}}
	for i, pair := range strings.Split(spec, ",") {
		idText, keyText, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok {
			return nil, fmt.Errorf("store: secrets key %d: want ID:KEY (for example 1:<32 bytes in base64>)", i+1)
		}
		id, err := strconv.ParseUint(idText, 10, 16)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("store: secrets key %d: id %q: want a number from 1 to 65535", i+1, idText)
		}
		key, err := decodeKey(keyText)
		if err != nil {
			return nil, fmt.Errorf("store: secrets key %d: %w", id, err)
		}
		if _, dup := k.aeads[uint16(id)]; dup {
			return nil, fmt.Errorf("store: secrets key id %d given twice", id)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("store: secrets key %d: %w", id, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("store: secrets key %d: %w", id, err)
		}
		k.aeads[uint16(id)] = aead
		if i == 0 {
			k.current = uint16(id)
		}
	}
	return k, nil
}

// decodeKey reads a 32-byte key in hex or base64.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		hexKey, base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("want 32 bytes (AES-256) in base64 or 64 hex digits, for example from `openssl rand -base64 32`")
}

// hexKey decodes 64 hex digits.
func hexKey(s string) ([]byte, error) {
	if len(s) != 64 {
		return nil, errors.New("not 64 hex digits")
	}
	b := make([]byte, 32)
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		b[i] = byte(v)
	}
	return b, nil
}

// Current is the id of the key that seals.
func (k *Keyring) Current() uint16 { return k.current }

// AppendSeal appends plain sealed under the current key to dst.
func (k *Keyring) AppendSeal(dst, plain []byte) []byte {
	dst = append(dst, sealMagic...)
	dst = binary.BigEndian.AppendUint16(dst, k.current)
	return k.aeads[k.current].Seal(dst, nil, plain, sealMagic)
}

// Seal returns plain sealed under the current key, in a new slice.
func (k *Keyring) Seal(plain []byte) []byte {
	return k.AppendSeal(make([]byte, 0, len(plain)+sealOverhead), plain)
}

// KeyOf says which key sealed b, and false when b is not sealed.
func KeyOf(b []byte) (uint16, bool) {
	if len(b) < sealOverhead || !bytes.HasPrefix(b, sealMagic) {
		return 0, false
	}
	return binary.BigEndian.Uint16(b[len(sealMagic):]), true
}

// Open returns the plaintext of b: b itself when it is not sealed (a row
// written in clear), else its decryption in a new slice. A value sealed
// under a key the ring lacks is [ErrUnknownKey]; one whose tag does not
// check is an error too, unless it merely looks sealed (a binary body
// that starts like one), which is then read as it is. k may be nil: then
// only unsealed values open.
func (k *Keyring) Open(b []byte) ([]byte, error) {
	id, ok := KeyOf(b)
	if !ok {
		return b, nil
	}
	if k == nil {
		return nil, fmt.Errorf("%w (key %d): set secrets.key", ErrUnknownKey, id)
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w (key %d)", ErrUnknownKey, id)
	}
	plain, err := aead.Open(nil, nil, b[len(sealMagic)+2:], sealMagic)
	if err != nil {
		return b, nil // not ours: a binary body that begins like a sealed value
	}
	return plain, nil
}

// SealText seals a text value (a secret kept in a text column); "" stays
// "".
func (k *Keyring) SealText(s string) string {
	if s == "" {
		return ""
	}
	b := k.Seal([]byte(s))
	return sealTextPrefix + base64.RawURLEncoding.EncodeToString(b[len(sealMagic):])
}

// OpenText returns the plaintext of s: s itself when it is not sealed.
func (k *Keyring) OpenText(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, sealTextPrefix)
	if !ok {
		return s, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < sealOverhead-len(sealMagic) {
		return s, nil // plain text that happens to start with the prefix
	}
	id := binary.BigEndian.Uint16(raw)
	if k == nil {
		return "", fmt.Errorf("%w (key %d): set secrets.key", ErrUnknownKey, id)
	}
	aead, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("%w (key %d)", ErrUnknownKey, id)
	}
	plain, err := aead.Open(nil, nil, raw[2:], sealMagic)
	if err != nil {
		return s, nil
	}
	return string(plain), nil
}

// TextKeyOf says which key sealed text s, and false when s is not sealed.
func TextKeyOf(s string) (uint16, bool) {
	rest, ok := strings.CutPrefix(s, sealTextPrefix)
	if !ok {
		return 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < sealOverhead-len(sealMagic) {
		return 0, false
	}
	return binary.BigEndian.Uint16(raw), true
}

// seal returns b sealed under the store's current key, or b itself when
// the store has no key or b is empty.
func (s *Store) seal(b []byte) []byte {
	if s.keys == nil || len(b) == 0 {
		return b
	}
	return s.keys.Seal(b)
}

// sealText returns text s sealed under the store's current key, or s
// itself when the store has no key or s is empty.
func (s *Store) sealText(v string) string {
	if s.keys == nil || v == "" {
		return v
	}
	return s.keys.SealText(v)
}

// openAccount opens a's sealed webhook secret in place.
func (s *Store) openAccount(a *Account) error {
	secret, err := s.keys.OpenText(a.WebhookSecret)
	if err != nil {
		return fmt.Errorf("store: account %d webhook secret: %w", a.ID, err)
	}
	a.WebhookSecret = secret
	return nil
}
