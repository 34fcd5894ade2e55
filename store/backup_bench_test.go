package store

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// backupRows is how many messages BenchmarkBackup stores before it
// measures.
var backupRows = flag.Int("backup-rows", 1_000_000, "messages in BenchmarkBackup's database")

// fillMessages stores n messages in s through a Writer, as fast as it
// takes them.
func fillMessages(b *testing.B, s *Store, n int) {
	b.Helper()
	w, err := NewWriter(s, WriterConfig{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	sem := make(chan struct{}, benchInFlight)
	var failed error
	var mu sync.Mutex
	done := CommitterFunc(func(err error) {
		<-sem
		if err != nil {
			mu.Lock()
			failed = err
			mu.Unlock()
		}
	})
	msgs := make([]sms.Message, benchRing)
	for i := range msgs {
		msgs[i] = benchMessage()
	}
	for i := 1; i <= n; i++ {
		m := &msgs[i%benchRing]
		m.ID = sms.ID(i)
		m.AccountID = int64(i%50 + 1)
		sem <- struct{}{}
		if err := w.Add(m, done); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if failed != nil {
		b.Fatal(failed)
	}
}

// commitLatencies commits one message at a time through a Writer until
// stop is closed and returns each commit's latency.
func commitLatencies(s *Store, first sms.ID, stop <-chan struct{}) ([]time.Duration, error) {
	w, err := NewWriter(s, WriterConfig{}, nil)
	if err != nil {
		return nil, err
	}
	defer w.Close(context.Background())
	var out []time.Duration
	done := make(chan error, 1)
	for id := first; ; id++ {
		select {
		case <-stop:
			return out, nil
		default:
		}
		m := benchMessage()
		m.ID = id
		t0 := time.Now()
		if err := w.Add(&m, CommitterFunc(func(err error) { done <- err })); err != nil {
			return out, err
		}
		if err := <-done; err != nil {
			return out, err
		}
		out = append(out, time.Since(t0))
	}
}

// quantile returns the q quantile of ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// BenchmarkBackup measures, on a database of -backup-rows messages
// (1,000,000 by default; filling it takes a while): a backup while
// nothing writes (plain and gzipped), a restore of each, VACUUM INTO
// for comparison, and the commit latency of a writer one message at a
// time, alone and while a backup runs from another Store (as `gallant
// backup` does beside a serving gateway).
//
//	go test -run '^$' -bench BenchmarkBackup -benchtime 1x ./store/
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	cfg := Config{Driver: DriverSQLite, DSN: filepath.Join(b.TempDir(), "gallant.db")}
	s := openTestStore(b, cfg)
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	fillMessages(b, s, *backupRows)
	b.Logf("stored %d messages in %v", *backupRows, time.Since(t0))
	dir := b.TempDir()
	for _, name := range []string{"backup.db", "backup.db.gz"} {
		out := filepath.Join(dir, name)
		b.Run("backup/"+name, func(b *testing.B) {
			var info BackupInfo
			for b.Loop() {
				var err error
				if info, err = s.BackupTo(ctx, out, true); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(info.Duration.Seconds(), "s/backup")
			b.ReportMetric(info.Snapshot.Seconds(), "s/snapshot")
			b.ReportMetric(float64(info.DatabaseBytes)/1e6, "MB-db")
			b.ReportMetric(float64(info.Bytes)/1e6, "MB-file")
		})
		b.Run("restore/"+name, func(b *testing.B) {
			var info RestoreInfo
			for b.Loop() {
				dst := Config{Driver: DriverSQLite, DSN: filepath.Join(b.TempDir(), "gallant.db")}
				var err error
				if info, err = RestoreSQLite(ctx, out, dst, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(info.Duration.Seconds(), "s/restore")
			b.ReportMetric(info.Check.Seconds(), "s/integrity-check")
		})
	}
	b.Run("vacuum-into", func(b *testing.B) {
		db, err := sql.Open(sqliteDriverName, "file:"+cfg.DSN)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		out := filepath.Join(dir, "vacuum.db")
		for b.Loop() {
			_ = os.Remove(out)
			if _, err := db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("commit-latency", func(b *testing.B) {
		for b.Loop() {
			stop := make(chan struct{})
			time.AfterFunc(3*time.Second, func() { close(stop) })
			idle, err := commitLatencies(s, sms.ID(*backupRows+1_000_000), stop)
			if err != nil {
				b.Fatal(err)
			}

			other := openTestStore(b, cfg)
			stop = make(chan struct{})
			var during []time.Duration
			var werr error
			var wg sync.WaitGroup
			wg.Go(func() { during, werr = commitLatencies(s, sms.ID(*backupRows+2_000_000), stop) })
			info, err := other.BackupTo(ctx, filepath.Join(dir, "live.db"), true)
			close(stop)
			wg.Wait()
			if err != nil || werr != nil {
				b.Fatal(err, werr)
			}
			if len(during) == 0 {
				b.Fatal("no commit during the backup")
			}
			b.ReportMetric(float64(quantile(idle, 0.5).Microseconds())/1000, "p50-ms-idle")
			b.ReportMetric(float64(quantile(idle, 0.99).Microseconds())/1000, "p99-ms-idle")
			b.ReportMetric(float64(quantile(during, 0.5).Microseconds())/1000, "p50-ms-backup")
			b.ReportMetric(float64(quantile(during, 0.99).Microseconds())/1000, "p99-ms-backup")
			b.ReportMetric(float64(slices.Max(during).Microseconds())/1000, "max-ms-backup")
			b.ReportMetric(float64(len(during))/info.Duration.Seconds(), "commits/s-backup")
			b.ReportMetric(float64(len(idle))/3, "commits/s-idle")
		}
	})
}
