package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/gallant-sms/gallant/sms"
)

// The crash test re-runs the test binary as a child that writes messages
// through a Writer and prints the id of each message it was told is
// committed; the parent kills it with SIGKILL mid-stream and checks that
// every printed id is in the database.
const (
	crashHelperEnv    = "GALLANT_STORE_CRASH_HELPER"
	crashHelperDSNEnv = "GALLANT_STORE_CRASH_DSN"
	crashAcks         = 3000 // acknowledged rows to see before the kill
)

// crashHelper is the child's body: it never returns normally (SIGKILL
// ends it); on an error it reports and exits non-zero.
func crashHelper(driver, dsn string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash helper:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{Driver: driver, DSN: dsn}, nil)
	if err != nil {
		fail(err)
	}
	w, err := NewWriter(s, WriterConfig{MaxRows: 200}, nil)
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	done := func(id sms.ID) Committer {
		return CommitterFunc(func(err error) {
			if err != nil {
				fail(err)
			}
			mu.Lock()
			out.WriteString(strconv.FormatUint(uint64(id), 10))
			out.WriteByte('\n')
			out.Flush()
			mu.Unlock()
		})
	}
	// Four producers, ids interleaved, until killed.
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := uint64(0); ; i++ {
				id := sms.ID(i*4 + uint64(p) + 1)
				for w.Add(testMessage(1, id), done(id)) != nil {
					_ = w.Flush(ctx) // backlog: wait for it to drain, then retry
				}
			}
		})
	}
	wg.Wait()
}

func TestWriterCrashSafety(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		cfg := testConfig(t, driver)
		s := openTestStore(t, cfg)
		if _, err := s.Migrate(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashHelperEnv+"="+driver, crashHelperDSNEnv+"="+cfg.DSN)
		cmd.Stderr = t.Output()
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []sms.ID
		sc := bufio.NewScanner(stdout)
		for len(acked) < crashAcks && sc.Scan() {
			id, err := sms.ParseID(sc.Text())
			if err != nil {
				t.Fatalf("child printed %q", sc.Text())
			}
			acked = append(acked, id)
		}
		// SIGKILL: no deferred code, no flush, no clean close.
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if len(acked) < crashAcks {
			t.Fatalf("child stopped after %d acknowledgements: %v", len(acked), sc.Err())
		}
		// Reopen, as the restarted gateway would, and look for every
		// acknowledged row.
		again := openTestStore(t, cfg)
		var stored []dbID
		if err := again.r.SelectContext(testCtx(t), &stored, "SELECT id FROM messages"); err != nil {
			t.Fatal(err)
		}
		have := make(map[sms.ID]bool, len(stored))
		for _, id := range stored {
			have[sms.ID(id)] = true
		}
		for _, id := range acked {
			if !have[id] {
				t.Fatalf("message %v was acknowledged but is not stored after SIGKILL (%d stored, %d acknowledged)",
					id, len(stored), len(acked))
			}
		}
		t.Logf("%d acknowledged, %d stored after SIGKILL", len(acked), len(stored))
	})
}
