package account

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Access tokens are JWTs (RFC 7519) signed with HS256 (HMAC-SHA-256, RFC
// 7518 §3.2). Only that algorithm is accepted: the header must say
// exactly {"alg":"HS256","typ":"JWT"}, so "none" and algorithm
// confusion are refused before any signature check.

// jwtHeader is the fixed header of every token, {"alg":"HS256","typ":"JWT"}
// in unpadded base64url (checked by TestJWTHeader).
const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// MinTokenSecret is the shortest HS256 key [NewUsers] accepts (RFC 7518
// §3.2 asks for a key at least as long as the hash output).
const MinTokenSecret = 32

// maxTokenLen bounds the input of parseAccessToken.
const maxTokenLen = 2048

// claims are the JWT claims of an access token.
type claims struct {
	Sub     string `json:"sub"` // user id, decimal
	Account int64  `json:"acc"`
	Role    Role   `json:"role"`
	Send    bool   `json:"snd,omitempty"`
	// Ver is the user's token version when the token was signed; a
	// session check refuses it once the version has moved on.
	Ver int64 `json:"ver,omitempty"`
	Iat int64 `json:"iat"`
	Exp int64 `json:"exp"`
}

// signAccessToken returns a JWT for who at token version ver, valid from
// now for ttl.
func signAccessToken(secret []byte, who Actor, ver int64, now time.Time, ttl time.Duration) (string, error) {
	c := claims{Sub: strconv.FormatInt(who.UserID, 10), Account: who.AccountID, Role: who.Role,
		Send: who.CanSend, Ver: ver, Iat: now.Unix(), Exp: now.Add(ttl).Unix()}
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("account: encode claims: %w", err)
	}
	signing := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(body)
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac(secret, signing)), nil
}

func mac(secret []byte, s string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// Errors of access token checks; both are also [ErrUnauthorized].
var (
	errTokenMalformed = fmt.Errorf("%w: malformed or tampered token", ErrUnauthorized)
	errTokenExpired   = fmt.Errorf("%w: token expired", ErrUnauthorized)
)

// parseAccessToken checks token's header, signature and expiry at now and
// returns its actor and token version.
func parseAccessToken(secret []byte, token string, now time.Time) (Actor, int64, error) {
	if len(token) > maxTokenLen {
		return Actor{}, 0, errTokenMalformed
	}
	head, rest, ok := strings.Cut(token, ".")
	if !ok || head != jwtHeader {
		return Actor{}, 0, errTokenMalformed
	}
	body, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") {
		return Actor{}, 0, errTokenMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(secret, head+"."+body)) {
		return Actor{}, 0, errTokenMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Actor{}, 0, errTokenMalformed
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return Actor{}, 0, errTokenMalformed
	}
	uid, err := strconv.ParseInt(c.Sub, 10, 64)
	if err != nil || uid <= 0 || c.Account <= 0 || !c.Role.Valid() || c.Exp == 0 || c.Ver < 0 {
		return Actor{}, 0, errTokenMalformed
	}
	if now.Unix() >= c.Exp {
		return Actor{}, 0, errTokenExpired
	}
	return Actor{UserID: uid, AccountID: c.Account, Role: c.Role, CanSend: c.Send}, c.Ver, nil
}
