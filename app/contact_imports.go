package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store"
)

// ContactImports runs CSV imports of contacts as background jobs: the
// upload is spooled to a file in its directory, a goroutine of this
// instance reads it in batches (contact.Import) and records its progress
// in the store, where every instance reads it. A job whose instance
// stopped (no heartbeat for StaleImportAfter) shows failed; what it stored
// stays, and importing the file again finishes it (phones dedupe). Close
// stops the running jobs (they end failed) and waits for them.
type ContactImports struct {
	st     *store.Store
	dir    string
	holder string
	log    *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	running int  // guarded by mu
	closed  bool // guarded by mu
}

// Limits of imports.
const (
	// MaxImportRows bounds the data rows of one file.
	MaxImportRows = 1_000_000
	// MaxRunningImports bounds the jobs one instance runs at once.
	MaxRunningImports = 4
	// StaleImportAfter is how long a running job may go without a
	// heartbeat before readers show it failed.
	StaleImportAfter = 2 * time.Minute
	// ImportPreviewRows is how many rows a dry run reads.
	ImportPreviewRows = 20
	// MaxImportTags bounds the tags given to an import.
	MaxImportTags = 20
	// RejectedRowsRetention is how long a finished job's rejected rows
	// are kept (they may hold personal data of rows never imported);
	// they are purged when the account starts its next import.
	RejectedRowsRetention = 30 * 24 * time.Hour
	// importProgressEvery throttles progress writes.
	importProgressEvery = 250 * time.Millisecond
	// rejectionsPerWrite is how many rejected rows are stored at once.
	rejectionsPerWrite = 500
)

// NewContactImports returns the service; dir holds the spooled uploads
// ("" is the system's temporary directory), holder names this instance
// in the jobs it runs.
func NewContactImports(st *store.Store, dir, holder string, log *slog.Logger) *ContactImports {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dir == "" {
		dir = os.TempDir()
	}
	if holder == "" {
		host, _ := os.Hostname()
		holder = host + ":" + strconv.Itoa(os.Getpid())
	}
	if len(holder) > 64 {
		holder = holder[:64]
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &ContactImports{st: st, dir: dir, holder: holder, log: log.With("component", "contact-imports"), ctx: ctx, cancel: cancel}
}

// Close stops the running jobs and waits for them to record their end.
func (s *ContactImports) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// ImportInput is an upload and its options.
type ImportInput struct {
	Body io.Reader
	// Mapping is a JSON array or a comma-separated list of fields, one a
	// column; "" guesses them from the header.
	Mapping        string
	DefaultCountry string
	// ListID, when not 0, is a list of the account the contacts join.
	ListID int64
	// Tags are comma-separated tags every imported contact gets.
	Tags string
	// NoHeader says the file's first row is data; only with Mapping
	// (without one the header names the columns).
	NoHeader bool
}

// ImportOptionsView are a job's options as the API shows them.
type ImportOptionsView struct {
	DefaultCountry string   `json:"default_country,omitempty"`
	ListID         int64    `json:"list_id,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	// MappingGiven says the mapping was given (else it was guessed from
	// the header).
	MappingGiven bool `json:"mapping_given"`
}

// ContactImport is the JSON form of an import job.
type ContactImport struct {
	ID         int64             `json:"id"`
	State      string            `json:"state"`
	Mapping    []string          `json:"mapping"`
	Options    ImportOptionsView `json:"options"`
	Rows       int64             `json:"rows"`
	Imported   int64             `json:"imported"`
	Updated    int64             `json:"updated"`
	Rejected   int64             `json:"rejected"`
	BytesRead  int64             `json:"bytes_read"`
	BytesTotal int64             `json:"bytes_total"`
	Percent    int               `json:"percent"`
	Error      string            `json:"error,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	StartedAt  *time.Time        `json:"started_at,omitempty"`
	FinishedAt *time.Time        `json:"finished_at,omitempty"`
}

// ContactImportPage is the account's jobs, newest first.
type ContactImportPage struct {
	Data []ContactImport `json:"data"`
	// NextBefore, when not 0, is the before of the next page.
	NextBefore int64 `json:"next_before,omitempty"`
}

// ImportPreview is the answer to a dry run: nothing is stored.
type ImportPreview struct {
	DryRun   bool                `json:"dry_run"`
	Mapping  []string            `json:"mapping"`
	Guessed  bool                `json:"mapping_guessed"`
	Rows     int                 `json:"rows"`
	Contacts []PreviewContact    `json:"contacts"`
	Rejected []contact.Rejection `json:"rejected"`
}

// PreviewContact is a row of a dry run as the contact it would store.
type PreviewContact struct {
	Line int `json:"line"`
	ContactSample
}

// importPlan is an upload's checked options.
type importPlan struct {
	opt  contact.ImportOptions
	view ImportOptionsView
}

// plan checks in's options for the caller's account.
func (s *ContactImports) plan(ctx context.Context, p Principal, in ImportInput) (importPlan, error) {
	var pl importPlan
	if in.NoHeader && in.Mapping == "" {
		return pl, Invalid("header", "a file without a header needs a mapping")
	}
	if in.Mapping != "" {
		m, err := contact.ParseMapping(in.Mapping)
		if err != nil {
			return pl, Invalid("mapping", err.Error())
		}
		pl.opt.Mapping, pl.opt.Header, pl.view.MappingGiven = m, !in.NoHeader, true
	}
	if c := strings.ToUpper(strings.TrimSpace(in.DefaultCountry)); c != "" {
		if _, ok := consent.CallingCode(c); !ok {
			return pl, Invalid("default_country", "an ISO 3166 country code the gateway knows, such as GB or US")
		}
		pl.opt.DefaultCountry, pl.view.DefaultCountry = c, c
	}
	if in.Tags != "" {
		for _, t := range strings.Split(in.Tags, ",") {
			if t = strings.TrimSpace(t); t != "" {
				if len(t) > 64 {
					return pl, Invalid("tags", "a tag is at most 64 bytes")
				}
				pl.opt.Tags = append(pl.opt.Tags, t)
			}
		}
		if len(pl.opt.Tags) > MaxImportTags {
			return pl, Invalid("tags", fmt.Sprintf("at most %d tags", MaxImportTags))
		}
		pl.view.Tags = pl.opt.Tags
	}
	if in.ListID != 0 {
		if _, _, err := s.st.ContactListCondition(ctx, p.AccountID, in.ListID); errors.Is(err, store.ErrNotFound) {
			return pl, Invalid("list_id", "no such list")
		} else if err != nil {
			return pl, fmt.Errorf("import: %w", err)
		}
		pl.view.ListID = in.ListID
	}
	return pl, nil
}

// DryRun reads the first rows of the upload as an import would and
// stores nothing.
func (s *ContactImports) DryRun(ctx context.Context, p Principal, in ImportInput) (ImportPreview, error) {
	if err := mayChangeSegmentsImports(p, "contacts"); err != nil {
		return ImportPreview{}, err
	}
	pl, err := s.plan(ctx, p, in)
	if err != nil {
		return ImportPreview{}, err
	}
	if pl.opt.Fields, err = s.st.ContactFields(ctx, p.AccountID); err != nil {
		return ImportPreview{}, fmt.Errorf("import: %w", err)
	}
	pv, err := contact.PreviewImport(in.Body, pl.opt, ImportPreviewRows)
	if err != nil {
		return ImportPreview{}, importReadErr(err)
	}
	out := ImportPreview{DryRun: true, Mapping: pv.Mapping, Guessed: !pl.view.MappingGiven, Rows: pv.Report.Rows,
		Contacts: make([]PreviewContact, len(pv.Rows)), Rejected: pv.Rejected}
	if out.Mapping == nil {
		out.Mapping = []string{}
	}
	if out.Rejected == nil {
		out.Rejected = []contact.Rejection{}
	}
	for i := range pv.Rows {
		c := pv.Rows[i].Contact
		out.Contacts[i] = PreviewContact{Line: pv.Rows[i].Line, ContactSample: segmentSampleOf(&c)}
	}
	return out, nil
}

// declareColumns returns account's declared custom fields after
// declaring, as text, each custom field the mapping names that the
// account has not declared yet (so that what the file holds shows on its
// contacts). A name that cannot be a field, or more fields than
// contact.MaxFields, is refused before anything is stored.
func (s *ContactImports) declareColumns(ctx context.Context, account int64, mapping []string) ([]store.ContactField, error) {
	decl, err := s.st.ContactFields(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	known := make(map[string]bool, len(decl))
	for _, f := range decl {
		known[f.Name] = true
	}
	var added []store.ContactField
	for _, m := range mapping {
		name, ok := strings.CutPrefix(m, "field.")
		if !ok || known[name] {
			continue
		}
		if err := contact.CheckFieldName(name); err != nil {
			return nil, Invalid("mapping", fmt.Sprintf("column %q cannot be a custom field (%s): map it to a field name or to \"\" to skip it",
				name, strings.TrimPrefix(err.Error(), "contact: ")))
		}
		known[name] = true
		added = append(added, store.ContactField{Name: name, Type: contact.TypeText})
	}
	if len(decl)+len(added) > contact.MaxFields {
		return nil, refuse(KindUnprocessable, "mapping", fmt.Sprintf("the file adds %d custom fields to the account's %d: at most %d",
			len(added), len(decl), contact.MaxFields))
	}
	for _, f := range added {
		if err := s.st.CreateContactField(ctx, account, f); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return nil, fmt.Errorf("import: declare field %s: %w", f.Name, err)
		}
	}
	return append(decl, added...), nil
}

// importReadErr turns a reading error before any row into the caller's.
func importReadErr(err error) error {
	if errors.Is(err, contact.ErrNoPhoneColumn) {
		return Invalid("mapping", "no column maps to the phone number: name a header phone (or mobile, msisdn...) or give mapping")
	}
	return Invalid("file", "the file is not CSV: "+err.Error())
}

// Start spools the upload to a file and starts a job importing it; the
// answer is the queued job.
func (s *ContactImports) Start(ctx context.Context, p Principal, in ImportInput) (ContactImport, error) {
	if err := mayChangeSegmentsImports(p, "contacts"); err != nil {
		return ContactImport{}, err
	}
	pl, err := s.plan(ctx, p, in)
	if err != nil {
		return ContactImport{}, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ContactImport{}, errors.New("import: the service is closed")
	}
	if s.running >= MaxRunningImports {
		s.mu.Unlock()
		return ContactImport{}, refuse(KindRateLimited, "", fmt.Sprintf("this instance runs %d imports already; try again when one ends", MaxRunningImports))
	}
	s.running++
	s.wg.Add(1) // under mu: Close cannot be waiting yet
	s.mu.Unlock()
	started := false
	defer func() {
		if !started {
			s.mu.Lock()
			s.running--
			s.mu.Unlock()
			s.wg.Done()
		}
	}()
	f, err := os.CreateTemp(s.dir, "gallant-import-*.csv")
	if err != nil {
		return ContactImport{}, fmt.Errorf("import: spool the upload: %w", err)
	}
	n, err := io.Copy(f, in.Body)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err == nil && n == 0 {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return ContactImport{}, Invalid("file", "the file is empty")
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return ContactImport{}, fmt.Errorf("import: spool the upload: %w", err)
	}
	// The header decides the mapping now, so the job shows it at once.
	if pl.opt.Mapping == nil {
		pv, err := contact.PreviewImport(io.LimitReader(f, 1<<20), contact.ImportOptions{DefaultCountry: pl.opt.DefaultCountry}, 0)
		if _, serr := f.Seek(0, io.SeekStart); err == nil && serr != nil {
			err = serr
		}
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			return ContactImport{}, importReadErr(err)
		}
		pl.opt.Mapping, pl.opt.Header = pv.Mapping, true
	}
	if pl.opt.Fields, err = s.declareColumns(ctx, p.AccountID, pl.opt.Mapping); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return ContactImport{}, err
	}
	if _, err := s.st.PurgeContactImportRejections(ctx, p.AccountID, time.Now().Add(-RejectedRowsRetention)); err != nil {
		s.log.Warn("purge old rejected rows", "account", p.AccountID, "err", err)
	}
	opts, _ := json.Marshal(pl.view)
	mapping, _ := json.Marshal(pl.opt.Mapping)
	j := &store.ContactImport{AccountID: p.AccountID, Options: string(opts), Mapping: string(mapping),
		BytesTotal: n, Holder: s.holder}
	if err := s.st.CreateContactImport(ctx, j); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return ContactImport{}, fmt.Errorf("import: %w", err)
	}
	started = true
	go s.run(j.ID, p.AccountID, pl, f, n)
	return importView(j), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// run is a job's goroutine.
func (s *ContactImports) run(id, account int64, pl importPlan, f *os.File, total int64) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.running--
		s.mu.Unlock()
	}()
	defer func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}()
	ctx := s.ctx
	// The job's end is written even when the service is closing.
	endCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	}
	log := s.log.With("import", id, "account", account)
	if ok, err := s.st.StartContactImport(ctx, id); err != nil || !ok {
		if err != nil {
			log.Error("start import", "err", err)
			ectx, cancel := endCtx()
			defer cancel()
			_ = s.st.FinishContactImport(ectx, id, store.ImportFailed, "the import could not start: "+err.Error(), store.ImportProgress{})
		}
		return
	}
	cr := &countingReader{r: f}
	var (
		pending  []store.ContactImportRejection
		recBuf   bytes.Buffer
		lastSave time.Time
	)
	progress := func(r contact.Report) store.ImportProgress {
		return store.ImportProgress{BytesRead: cr.n, Rows: int64(r.Rows), Imported: int64(r.Imported),
			Updated: int64(r.Updated), Rejected: int64(r.Rejected)}
	}
	flushRejections := func(ctx context.Context) error {
		if len(pending) == 0 {
			return nil
		}
		err := s.st.AddContactImportRejections(ctx, id, pending)
		pending = pending[:0]
		return err
	}
	// save writes progress at most every importProgressEvery and says to
	// stop when asked.
	save := func(ctx context.Context, r contact.Report) error {
		if time.Since(lastSave) < importProgressEvery {
			return nil
		}
		lastSave = time.Now()
		if err := flushRejections(ctx); err != nil {
			return err
		}
		stop, err := s.st.ContactImportProgress(ctx, id, progress(r))
		if err != nil {
			return err
		}
		if stop {
			return contact.ErrStopped
		}
		return nil
	}
	opt := pl.opt
	opt.MaxRows = MaxImportRows
	opt.ListID = pl.view.ListID
	opt.Stored = func(ctx context.Context, _ []store.Contact, r contact.Report) error {
		return save(ctx, r)
	}
	opt.Reject = func(rj contact.Rejection, rec []string, r contact.Report) error {
		recBuf.Reset()
		if rec != nil {
			w := csv.NewWriter(&recBuf)
			_ = w.Write(rec)
			w.Flush()
		}
		pending = append(pending, store.ContactImportRejection{Line: int64(rj.Line), Reason: rj.Reason,
			Record: strings.TrimRight(recBuf.String(), "\r\n")})
		if len(pending) >= rejectionsPerWrite {
			if err := flushRejections(ctx); err != nil {
				return err
			}
			return save(ctx, r)
		}
		return nil
	}
	final, err := contact.Import(ctx, s.st, account, cr, opt)
	state, msg := store.ImportCompleted, ""
	switch {
	case err == nil:
	case errors.Is(err, contact.ErrStopped):
		state = store.ImportStopped
	case ctx.Err() != nil:
		state, msg = store.ImportFailed, "the gateway shut down during the import; what it stored is kept, import the file again to finish (phones dedupe)"
	case errors.Is(err, contact.ErrTooManyRows):
		state, msg = store.ImportFailed, fmt.Sprintf("the file has more than %d rows; the first %d were imported", MaxImportRows, MaxImportRows)
	default:
		state, msg = store.ImportFailed, "the import failed: "+err.Error()
		log.Error("import", "err", err)
	}
	ectx, cancel := endCtx()
	defer cancel()
	if err := flushRejections(ectx); err != nil {
		log.Error("import rejections", "err", err)
	}
	p := progress(final)
	if state == store.ImportCompleted {
		p.BytesRead = total
	}
	if err := s.st.FinishContactImport(ectx, id, state, msg, p); err != nil {
		log.Error("finish import", "err", err)
	}
}

func importView(j *store.ContactImport) ContactImport {
	v := ContactImport{ID: j.ID, State: j.State, Rows: j.Rows, Imported: j.Imported, Updated: j.Updated, Rejected: j.Rejected,
		BytesRead: j.BytesRead, BytesTotal: j.BytesTotal, Error: j.Error, CreatedAt: j.CreatedAt.Time}
	v.Mapping = []string{}
	_ = json.Unmarshal([]byte(j.Mapping), &v.Mapping)
	for i, f := range v.Mapping {
		if f == contact.FieldSkip {
			v.Mapping[i] = "-"
		}
	}
	_ = json.Unmarshal([]byte(j.Options), &v.Options)
	switch {
	case j.State == store.ImportCompleted:
		v.Percent = 100
	case j.BytesTotal > 0:
		v.Percent = int(min(j.BytesRead*100/j.BytesTotal, 100))
	}
	if !j.StartedAt.IsZero() {
		t := j.StartedAt.Time
		v.StartedAt = &t
	}
	if !j.FinishedAt.IsZero() {
		t := j.FinishedAt.Time
		v.FinishedAt = &t
	}
	return v
}

// failStale marks failed the account's jobs whose instance died.
func (s *ContactImports) failStale(ctx context.Context, account int64) error {
	_, err := s.st.FailStaleContactImports(ctx, account, time.Now().Add(-StaleImportAfter))
	return err
}

// Get returns job id of the caller's account.
func (s *ContactImports) Get(ctx context.Context, p Principal, id int64) (ContactImport, error) {
	if err := s.failStale(ctx, p.AccountID); err != nil {
		return ContactImport{}, fmt.Errorf("get import: %w", err)
	}
	j, err := s.st.GetContactImport(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return ContactImport{}, NotFound("no such import")
	}
	if err != nil {
		return ContactImport{}, fmt.Errorf("get import: %w", err)
	}
	return importView(&j), nil
}

// MaxImportsListed bounds a page of jobs.
const MaxImportsListed = 100

// List returns the caller's account's jobs, newest first, below id
// before (0: from the newest).
func (s *ContactImports) List(ctx context.Context, p Principal, before int64, limit int) (ContactImportPage, error) {
	if limit <= 0 || limit > MaxImportsListed {
		limit = MaxImportsListed
	}
	if err := s.failStale(ctx, p.AccountID); err != nil {
		return ContactImportPage{}, fmt.Errorf("list imports: %w", err)
	}
	js, err := s.st.ContactImports(ctx, p.AccountID, before, limit+1)
	if err != nil {
		return ContactImportPage{}, fmt.Errorf("list imports: %w", err)
	}
	page := ContactImportPage{Data: make([]ContactImport, 0, min(len(js), limit))}
	for i := range js {
		if i == limit {
			page.NextBefore = js[i-1].ID
			break
		}
		page.Data = append(page.Data, importView(&js[i]))
	}
	return page, nil
}

// Stop asks job id to stop at its next batch; it keeps what it stored.
// A job that has ended is left as it is.
func (s *ContactImports) Stop(ctx context.Context, p Principal, id int64) (ContactImport, error) {
	if err := mayChangeSegmentsImports(p, "contacts"); err != nil {
		return ContactImport{}, err
	}
	err := s.st.StopContactImport(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return ContactImport{}, NotFound("no such import")
	}
	if err != nil {
		return ContactImport{}, fmt.Errorf("stop import: %w", err)
	}
	return s.Get(ctx, p, id)
}

// CheckRejected says whether the caller may download job id's rejected
// rows (the job is its account's).
func (s *ContactImports) CheckRejected(ctx context.Context, p Principal, id int64) error {
	_, err := s.st.GetContactImport(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such import")
	}
	if err != nil {
		return fmt.Errorf("rejected rows: %w", err)
	}
	return nil
}

// streamRejected writes the rows of a job checked to be the caller's.
func (s *ContactImports) streamRejected(ctx context.Context, id int64, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"line", "reason", "fields"}); err != nil {
		return err
	}
	var after int64
	for {
		rows, err := s.st.ContactImportRejections(ctx, id, after, 1000)
		if err != nil {
			return fmt.Errorf("rejected rows: %w", err)
		}
		for _, r := range rows {
			rec := []string{strconv.FormatInt(r.Line, 10), r.Reason}
			if r.Record != "" {
				cr := csv.NewReader(strings.NewReader(r.Record))
				cr.FieldsPerRecord, cr.LazyQuotes = -1, true
				if fs, err := cr.Read(); err == nil {
					rec = append(rec, fs...)
				} else {
					rec = append(rec, r.Record)
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(rows) < 1000 {
			return nil
		}
		after = rows[len(rows)-1].Line
	}
}

// StreamRejected writes job id's rejected rows after [ContactImports.CheckRejected].
func (s *ContactImports) StreamRejected(ctx context.Context, id int64, w io.Writer) error {
	return s.streamRejected(ctx, id, w)
}
