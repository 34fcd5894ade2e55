package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The states of a contact import job.
const (
	ImportQueued    = "queued"
	ImportRunning   = "running"
	ImportCompleted = "completed"
	ImportStopped   = "stopped"
	ImportFailed    = "failed"
)

// ContactImport is a CSV import job of an account and its progress, kept
// in the store so any instance can read it while the one that took the
// upload runs it.
type ContactImport struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	State     string `db:"state"`
	// Options are the job's options as JSON (the app's form).
	Options string `db:"options"`
	// Mapping is each column's field, a JSON array.
	Mapping    string `db:"mapping"`
	BytesTotal int64  `db:"bytes_total"`
	BytesRead  int64  `db:"bytes_read"`
	Rows       int64  `db:"rows_read"`
	Imported   int64  `db:"imported"`
	Updated    int64  `db:"updated"`
	Rejected   int64  `db:"rejected"`
	// Error says why a failed job failed.
	Error         string `db:"error"`
	StopRequested bool   `db:"stop_requested"`
	// Holder names the instance running the job.
	Holder      string `db:"holder"`
	CreatedAt   dbTime `db:"created_at"`
	StartedAt   dbTime `db:"started_at"`
	FinishedAt  dbTime `db:"finished_at"`
	HeartbeatAt dbTime `db:"heartbeat_at"`
}

// ImportProgress is what a running job has done so far.
type ImportProgress struct {
	BytesRead, Rows, Imported, Updated, Rejected int64
}

// ContactImportRejection is a rejected row of an import: its line in the
// file, why, and its fields as one CSV record.
type ContactImportRejection struct {
	Line   int64  `db:"line"`
	Reason string `db:"reason"`
	Record string `db:"record"`
}

// Bounds of the import tables.
const (
	maxImportError  = 1024
	maxImportReason = 512
	// MaxImportRecord bounds a rejected row's stored fields (bytes); a
	// longer record is cut.
	MaxImportRecord = 4096
)

const contactImportColumns = "id, account_id, state, options, mapping, bytes_total, bytes_read, rows_read, imported, updated, " +
	"rejected, error, stop_requested, holder, created_at, started_at, finished_at, heartbeat_at"

// CreateContactImport stores a new queued job j (AccountID, Options,
// Mapping, BytesTotal, Holder set), setting its ID and times.
func (s *Store) CreateContactImport(ctx context.Context, j *ContactImport) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, "INSERT INTO contact_imports (account_id, state, options, mapping, bytes_total, bytes_read, "+
		"rows_read, imported, updated, rejected, error, stop_requested, holder, created_at, heartbeat_at) "+
		"VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, '', 0, ?, ?, ?)",
		j.AccountID, ImportQueued, j.Options, j.Mapping, j.BytesTotal, j.Holder, s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: create contact import: %w", mapErr(err))
	}
	if j.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create contact import: %w", mapErr(err))
	}
	j.State = ImportQueued
	j.CreatedAt.Time, j.HeartbeatAt.Time = now, now
	return nil
}

// GetContactImport returns job id of account accountID, or [ErrNotFound].
func (s *Store) GetContactImport(ctx context.Context, accountID, id int64) (ContactImport, error) {
	var j ContactImport
	if err := s.r.GetContext(ctx, &j, "SELECT "+contactImportColumns+" FROM contact_imports WHERE account_id = ? AND id = ?",
		accountID, id); err != nil {
		return j, fmt.Errorf("store: contact import %d: %w", id, mapErr(err))
	}
	return j, nil
}

// ContactImports returns up to limit (1 to 1000) jobs of the account,
// newest first, with an id below before (0: from the newest).
func (s *Store) ContactImports(ctx context.Context, accountID, before int64, limit int) ([]ContactImport, error) {
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%w: contact imports limit %d", ErrInvalid, limit)
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	var out []ContactImport
	if err := s.r.SelectContext(ctx, &out, "SELECT "+contactImportColumns+" FROM contact_imports WHERE account_id = ? AND id < ? "+
		"ORDER BY id DESC LIMIT ?", accountID, before, limit); err != nil {
		return nil, fmt.Errorf("store: contact imports: %w", mapErr(err))
	}
	return out, nil
}

// StartContactImport marks job id running, unless a stop was asked
// before it started: then it is stopped and started is false.
func (s *Store) StartContactImport(ctx context.Context, id int64) (started bool, err error) {
	now := s.timeArg(s.now())
	res, err := s.w.ExecContext(ctx, "UPDATE contact_imports SET state = ?, started_at = ?, heartbeat_at = ? "+
		"WHERE id = ? AND state = ? AND stop_requested = 0", ImportRunning, now, now, id, ImportQueued)
	if err != nil {
		return false, fmt.Errorf("store: start contact import %d: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return true, nil
	}
	return false, s.FinishContactImport(ctx, id, ImportStopped, "", ImportProgress{})
}

// ContactImportProgress records running job id's progress and
// heartbeat, and says whether it should stop: a stop was asked, or the
// job is no longer running (readers marked it failed for a stale
// heartbeat).
func (s *Store) ContactImportProgress(ctx context.Context, id int64, p ImportProgress) (stop bool, err error) {
	res, err := s.w.ExecContext(ctx, "UPDATE contact_imports SET bytes_read = ?, rows_read = ?, imported = ?, updated = ?, "+
		"rejected = ?, heartbeat_at = ? WHERE id = ? AND state = ?", p.BytesRead, p.Rows, p.Imported, p.Updated, p.Rejected,
		s.timeArg(s.now()), id, ImportRunning)
	if err != nil {
		return false, fmt.Errorf("store: contact import %d progress: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return true, nil
	}
	if err := s.w.GetContext(ctx, &stop, "SELECT stop_requested FROM contact_imports WHERE id = ?", id); err != nil {
		return false, fmt.Errorf("store: contact import %d progress: %w", id, mapErr(err))
	}
	return stop, nil
}

// FinishContactImport ends job id in state (completed, stopped or
// failed) with its final progress (a zero one keeps the stored counts).
// A job that has ended already (marked failed for a stale heartbeat)
// keeps its state.
func (s *Store) FinishContactImport(ctx context.Context, id int64, state, errText string, p ImportProgress) error {
	errText = importCutUTF8(errText, maxImportError)
	now := s.timeArg(s.now())
	q := "UPDATE contact_imports SET state = ?, error = ?, finished_at = ?, heartbeat_at = ?"
	args := []any{state, errText, now, now}
	if p != (ImportProgress{}) {
		q += ", bytes_read = ?, rows_read = ?, imported = ?, updated = ?, rejected = ?"
		args = append(args, p.BytesRead, p.Rows, p.Imported, p.Updated, p.Rejected)
	}
	args = append(args, id, ImportQueued, ImportRunning)
	if _, err := s.w.ExecContext(ctx, q+" WHERE id = ? AND state IN (?, ?)", args...); err != nil {
		return fmt.Errorf("store: finish contact import %d: %w", id, mapErr(err))
	}
	return nil
}

// StopContactImport asks job id of the account to stop at its next
// batch; ErrNotFound when the account has no such job.
func (s *Store) StopContactImport(ctx context.Context, accountID, id int64) error {
	if _, err := s.GetContactImport(ctx, accountID, id); err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, "UPDATE contact_imports SET stop_requested = 1 WHERE account_id = ? AND id = ?",
		accountID, id); err != nil {
		return fmt.Errorf("store: stop contact import %d: %w", id, mapErr(err))
	}
	return nil
}

// FailStaleContactImports marks failed the account's queued or running
// jobs whose instance has not written a heartbeat since before: their
// instance died. It returns how many it marked.
func (s *Store) FailStaleContactImports(ctx context.Context, accountID int64, before time.Time) (int64, error) {
	// A read first: readers poll, and most polls find nothing to change.
	var stale int
	if err := s.r.GetContext(ctx, &stale, "SELECT COUNT(*) FROM contact_imports WHERE account_id = ? AND state IN (?, ?) "+
		"AND heartbeat_at < ?", accountID, ImportQueued, ImportRunning, s.timeArg(before)); err != nil {
		return 0, fmt.Errorf("store: fail stale contact imports: %w", mapErr(err))
	}
	if stale == 0 {
		return 0, nil
	}
	now := s.timeArg(s.now())
	res, err := s.w.ExecContext(ctx, "UPDATE contact_imports SET state = ?, error = ?, finished_at = ? "+
		"WHERE account_id = ? AND state IN (?, ?) AND heartbeat_at < ?", ImportFailed,
		"the instance running the import stopped; what it stored is kept, import the file again to finish (phones dedupe)",
		now, accountID, ImportQueued, ImportRunning, s.timeArg(before))
	if err != nil {
		return 0, fmt.Errorf("store: fail stale contact imports: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// AddContactImportRejections stores rejected rows of job importID (a row
// already stored is kept).
func (s *Store) AddContactImportRejections(ctx context.Context, importID int64, rows []ContactImportRejection) error {
	const chunk = 200
	for len(rows) > 0 {
		n := min(len(rows), chunk)
		var b strings.Builder
		if s.d == dialectMySQL {
			b.WriteString("INSERT IGNORE INTO contact_import_rejections (import_id, line, reason, record) VALUES ")
		} else {
			b.WriteString("INSERT OR IGNORE INTO contact_import_rejections (import_id, line, reason, record) VALUES ")
		}
		args := make([]any, 0, 4*n)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, ?, ?)")
			reason, rec := importCutUTF8(r.Reason, maxImportReason), importCutUTF8(r.Record, MaxImportRecord)
			args = append(args, importID, r.Line, reason, rec)
		}
		if _, err := s.w.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: contact import %d rejections: %w", importID, mapErr(err))
		}
		rows = rows[n:]
	}
	return nil
}

// ContactImportRejections returns up to limit (1 to 10,000) rejected
// rows of job importID after line after, in line order. The caller
// checks that the job is the account's.
func (s *Store) ContactImportRejections(ctx context.Context, importID, after int64, limit int) ([]ContactImportRejection, error) {
	if limit < 1 || limit > 10000 {
		return nil, fmt.Errorf("%w: rejections limit %d", ErrInvalid, limit)
	}
	var out []ContactImportRejection
	if err := s.r.SelectContext(ctx, &out, "SELECT line, reason, record FROM contact_import_rejections WHERE import_id = ? "+
		"AND line > ? ORDER BY line LIMIT ?", importID, after, limit); err != nil {
		return nil, fmt.Errorf("store: contact import %d rejections: %w", importID, mapErr(err))
	}
	return out, nil
}

// importCutUTF8 makes s valid UTF-8 (bad bytes become U+FFFD) of at most n
// bytes, cut on a character boundary.
func importCutUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// PurgeContactImportRejections deletes the rejected rows of account
// accountID's jobs that finished before before (they may hold personal
// data of rows never imported), and returns how many it deleted.
func (s *Store) PurgeContactImportRejections(ctx context.Context, accountID int64, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, "DELETE FROM contact_import_rejections WHERE import_id IN "+
		"(SELECT id FROM contact_imports WHERE account_id = ? AND finished_at IS NOT NULL AND finished_at < ?)",
		accountID, s.timeArg(before))
	if err != nil {
		return 0, fmt.Errorf("store: purge contact import rejections: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}
