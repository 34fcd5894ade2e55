package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id parameters of new user password hashes.
// Stored hashes carry their own parameters (PHC string format), so
// raising these later only affects new and changed passwords.
type Argon2Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes.
	Time uint32
	// Threads is the parallelism.
	Threads uint8
}

// DefaultArgon2 returns the parameters used when none are configured:
// the OWASP password storage recommendation for argon2id (19 MiB, 2
// passes, 1 thread). A check takes about 48 ms and 19 MiB on one core of
// the 2-core reference box (BenchmarkDefaultArgon2), so ten concurrent
// logins cost under 200 MiB. RFC 9106's 64 MiB profile is stronger if
// the box has the memory.
func DefaultArgon2() Argon2Params { return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1} }

// Password length bounds, in bytes. The upper bound keeps a hash request
// cheap to refuse.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ErrWeakPassword means a new password is shorter than MinPasswordLen or
// longer than MaxPasswordLen.
var ErrWeakPassword = fmt.Errorf("account: password must have %d to %d bytes", MinPasswordLen, MaxPasswordLen)

// Limits on stored parameters, so a corrupt row cannot make a check take
// gigabytes or minutes.
const (
	maxArgonMemory  = 1 << 20 // 1 GiB
	maxArgonTime    = 16
	maxArgonThreads = 64
	saltLen         = 16
	argonKeyLen     = 32
)

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string of password under p:
// $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("account: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("account: malformed password hash")

// checkPassword reports whether password matches the PHC string h, in
// constant time for a given h.
func checkPassword(h, password string) (bool, error) {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var p Argon2Params
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); n != 3 || err != nil {
		return false, errBadHash
	}
	if p.Memory < 8 || p.Memory > maxArgonMemory || p.Time < 1 || p.Time > maxArgonTime || p.Threads < 1 || p.Threads > maxArgonThreads {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkNewPassword applies the password policy.
func checkNewPassword(pw string) error {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		return ErrWeakPassword
	}
	return nil
}
