package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// A node lock proves that the process which held a node lease before this
// one, on this host, is dead, so that a restart after a crash (kill -9,
// OOM) resumes its node at once instead of waiting for the lease ttl.
//
// The proof is a lock file held with flock(2) for the whole life of the
// process: the kernel releases it when the process ends, however it ends,
// and never while it runs (the descriptor is close-on-exec, so no child
// inherits it). While it holds the lock a process records in the file
// its host name and its Store's lease holder token. The next process that
// takes the lock on the same host therefore knows that the recorded holder
// has ended, and may take over the leases that carry its token. A pid and
// a start time in the lease row would prove less: pids are reused and
// namespaced (every container's first process is pid 1), and hosts of the
// same name may share a store.
//
// Safety does not rest on the file's content alone: the takeover is one
// conditional write on the recorded token, so a lease a survivor claimed
// meanwhile is left alone; a token recorded on another host (a lock
// directory on shared storage, where flock may not reach across hosts) is
// ignored; and a file that cannot be locked or written leaves the process
// on the ordinary path (wait for the ttl). Several instances of one store
// on one host each take the first free of nodeLockSlots lock files.

// nodeLockSlots is how many instances of one store on one host can each
// hold a lock file (and so resume their own node after a crash); more
// instances still run, without the fast restart.
const nodeLockSlots = 8

// maxNodeLockFile bounds what is read from a lock file.
const maxNodeLockFile = 4096

// errNodeLockBusy: every lock slot is held by a live process.
var errNodeLockBusy = errors.New("store: every node lock slot is held")

// nodeLock is a held lock file: see the comment above.
type nodeLock struct {
	f    *os.File
	path string
	// prev is the holder token that the lock's previous owner recorded on
	// this host: a process that has ended. Empty when unknown.
	prev string
}

// NodeLockPath returns where the node lock files of the store cfg
// describes live (slot i adds "."+i): beside an SQLite database, or for
// MySQL in the user's cache directory (the temporary directory when there
// is none), named after the server address and database, never the
// password. It must be on this host's local disk.
func NodeLockPath(cfg Config) string {
	if cfg.Driver != DriverMySQL {
		return strings.TrimPrefix(cfg.DSN, "file:") + ".node-lock"
	}
	key := cfg.DSN
	if mc, err := mysql.ParseDSN(cfg.DSN); err == nil {
		key = mc.Net + "(" + mc.Addr + ")/" + mc.DBName
	}
	sum := sha256.Sum256([]byte(key))
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "gallant", "node-"+hex.EncodeToString(sum[:8])+".lock")
}

// openNodeLock takes the first free lock file of base (base.0,
// base.1...) and reads what its previous owner recorded, if that was on
// host.
func openNodeLock(base, host string) (*nodeLock, error) {
	if err := os.MkdirAll(filepath.Dir(base), 0o700); err != nil {
		return nil, fmt.Errorf("store: node lock: %w", err)
	}
	for i := range nodeLockSlots {
		path := fmt.Sprintf("%s.%d", base, i)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: node lock: %w", err)
		}
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("store: node lock %s: %w", path, err)
		}
		if !ok {
			f.Close()
			continue
		}
		l := &nodeLock{f: f, path: path}
		if ownedByUs(f) {
			b, _ := io.ReadAll(io.LimitReader(f, maxNodeLockFile))
			if h, tok, ok := strings.Cut(strings.TrimSpace(string(b)), "\n"); ok && h == host && validHolder(tok) {
				l.prev = tok
			}
		}
		return l, nil
	}
	return nil, errNodeLockBusy
}

// validHolder reports whether tok looks like a Store's holder token (32
// hex digits).
func validHolder(tok string) bool {
	if len(tok) != 32 {
		return false
	}
	_, err := hex.DecodeString(tok)
	return err == nil
}

// record writes host and holder into the lock file, durably, for the
// lock's next owner.
func (l *nodeLock) record(host, holder string) error {
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("store: node lock %s: %w", l.path, err)
	}
	if _, err := l.f.WriteAt([]byte(host+"\n"+holder+"\n"), 0); err != nil {
		return fmt.Errorf("store: node lock %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("store: node lock %s: %w", l.path, err)
	}
	return nil
}

// close releases the lock.
func (l *nodeLock) close() error { return l.f.Close() }
