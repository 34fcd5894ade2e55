package app

import "time"

// RegisterRequest is the body of POST /v1/auth/register.
type RegisterRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	AccountName string `json:"account_name"`
}

// UserView is a dashboard user.
type UserView struct {
	ID            int64     `json:"id,string"`
	AccountID     int64     `json:"account_id,string"`
	Email         string    `json:"email"`
	Role          string    `json:"role"`
	CanSend       bool      `json:"can_send"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
	// Disabled users can neither log in nor use their sessions.
	Disabled bool `json:"disabled"`
}

// SessionView is a dashboard session: a short-lived access token for
// Authorization: Bearer and a refresh token to get the next one.
type SessionView struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"` // always "Bearer"
	// ExpiresIn is the access token's remaining life in seconds.
	ExpiresIn        int64     `json:"expires_in"`
	RefreshToken     string    `json:"refresh_token"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	User             UserView  `json:"user"`
}

// MeView is the answer to GET /v1/me: who the caller is.
type MeView struct {
	AccountID int64    `json:"account_id,string"`
	Role      string   `json:"role"`
	CanSend   bool     `json:"can_send"`
	Scopes    []string `json:"scopes"`
	// KeyID is set for an API key, User for a dashboard session.
	KeyID int64     `json:"key_id,string,omitempty"`
	User  *UserView `json:"user,omitempty"`
}

// KeyRequest is the body of POST /v1/accounts/{id}/keys.
type KeyRequest struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// KeyView is an API key as listed: its visible prefix, never the key.
type KeyView struct {
	ID         int64      `json:"id,string"`
	AccountID  int64      `json:"account_id,string"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// KeyCreated is a new API key with the key itself, shown this once.
type KeyCreated struct {
	KeyView
	Key string `json:"key"`
}

// SMPPCredentialRequest is the body of POST
// /v1/accounts/{id}/smpp-credentials. An empty Password is generated.
type SMPPCredentialRequest struct {
	SystemID     string   `json:"system_id"`
	Password     string   `json:"password"`
	AllowedCIDRs []string `json:"allowed_cidrs"`
	BindLimit    int      `json:"bind_limit"`
	TPSLimit     int      `json:"tps_limit"`
}

// SMPPCredentialPatch is the body of PATCH
// /v1/accounts/{id}/smpp-credentials/{cred_id}: absent members stay as
// they are.
type SMPPCredentialPatch struct {
	Password         *string   `json:"password"`
	GeneratePassword bool      `json:"generate_password"`
	AllowedCIDRs     *[]string `json:"allowed_cidrs"`
	BindLimit        *int      `json:"bind_limit"`
	TPSLimit         *int      `json:"tps_limit"`
}

// SMPPCredentialView is an SMPP credential; Password is set only in the
// answer that generated it.
type SMPPCredentialView struct {
	ID           int64     `json:"id,string"`
	AccountID    int64     `json:"account_id,string"`
	SystemID     string    `json:"system_id"`
	Password     string    `json:"password,omitempty"`
	AllowedCIDRs []string  `json:"allowed_cidrs"`
	BindLimit    int       `json:"bind_limit"`
	TPSLimit     int       `json:"tps_limit"`
	CreatedAt    time.Time `json:"created_at"`
}

// UserRequest is the body of POST /v1/accounts/{id}/users.
type UserRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
	CanSend  bool   `json:"can_send"`
}

// UserPatch is the body of PATCH /v1/accounts/{id}/users/{user_id}:
// absent members stay as they are.
type UserPatch struct {
	Role     *string `json:"role"`
	CanSend  *bool   `json:"can_send"`
	Disabled *bool   `json:"disabled"`
}
