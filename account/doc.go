// Package account manages who may use the gateway: accounts, API keys and
// SMPP credentials, with every secret stored hashed. API keys are random
// 192-bit secrets stored as SHA-256 (a fast hash is right for secrets with
// that much entropy); SMPP passwords, which are short and chosen by
// people, are stored with bcrypt, and a successful check is cached so
// that a thousand binds do not cost a thousand bcrypt runs.
//
// Beyond keys and credentials it holds the people and rules around an
// account, served over HTTP by package api: users with argon2id
// passwords, dashboard sessions (15-minute HS256 access tokens carrying
// the user's token version, checked against the stored user at most half
// a second old, so that disabling a user, a password change or "log out
// everywhere" ends its sessions on every instance within a second;
// rotated refresh tokens with an absolute session age), password reset
// and email verification by mailed single-use tokens (no mailer, no
// token), sign-up that does not tell which emails are registered and
// restricts its users until they verify their email, roles (admin,
// reseller, owner, member) with the access policy in [Allowed], reseller
// sub-accounts and suspension, rate limits on login, sign-up and reset,
// refusals counted in gallant_auth_refusals_total, and an append-only
// audit log.
package account
