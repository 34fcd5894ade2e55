// Package archtest holds a test that enforces the package map of
// docs/design.md: which of our packages each package may import.
package archtest
