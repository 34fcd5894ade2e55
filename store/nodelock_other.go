//go:build !unix

package store

import (
	"errors"
	"os"
)

// tryLockFile fails: without flock the previous process cannot be proved
// dead, so a restart waits for its lease as before.
func tryLockFile(*os.File) (bool, error) {
	return false, errors.New("file locks are not supported on this platform")
}

// ownedByUs is never reached without tryLockFile.
func ownedByUs(*os.File) bool { return false }
