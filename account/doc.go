// Package account manages who may use the gateway: accounts, API keys and
// SMPP credentials, with every secret stored hashed. API keys are random
// 192-bit secrets stored as SHA-256 (a fast hash is right for secrets with
// that much entropy); SMPP passwords, which are short and chosen by
// people, are stored with bcrypt, and a successful check is cached so
// that a thousand binds do not cost a thousand bcrypt runs.
//
// This is the minimal account layer of the gateway spine; users, roles,
// resellers and billing build on it.
package account
