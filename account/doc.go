// Package account manages who may use the gateway: accounts, API keys and
// SMPP credentials, with every secret stored hashed. API keys are random
// 192-bit secrets stored as SHA-256 (a fast hash is right for secrets with
// that much entropy); SMPP passwords, which are short and chosen by
// people, are stored with bcrypt, and a successful check is cached so
// that a thousand binds do not cost a thousand bcrypt runs.
//
// Beyond keys and credentials it holds the people and rules around an
// account, served over HTTP by package api: users with argon2id
// passwords, dashboard sessions (15-minute HS256 access tokens, rotated
// refresh tokens), password reset and email verification by mailed
// single-use tokens, roles (admin, reseller, owner, member) with the
// access policy in [Allowed], reseller sub-accounts and suspension, rate
// limits on login and reset, and an append-only audit log.
package account
