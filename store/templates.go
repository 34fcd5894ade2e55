package store

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Template is an account's named message template: a body with
// placeholders such as {{first_name|there}} (package campaign parses and
// renders it).
type Template struct {
	ID        int64
	AccountID int64
	Name      string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Column bounds of the templates table (characters, as MySQL's VARCHAR
// counts them).
const (
	maxTemplateName = 100
	maxTemplateBody = 1600
	maxOptOutText   = 160
)

const (
	templateColumns   = "id, account_id, name, body, created_at, updated_at"
	qInsertTemplate   = "INSERT INTO templates (account_id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
	qGetTemplate      = "SELECT " + templateColumns + " FROM templates WHERE account_id = ? AND id = ?"
	qListTemplates    = "SELECT " + templateColumns + " FROM templates WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?"
	qUpdateTemplate   = "UPDATE templates SET name = ?, body = ?, updated_at = ? WHERE account_id = ? AND id = ?"
	qDeleteTemplate   = "DELETE FROM templates WHERE account_id = ? AND id = ?"
	qCountTemplates   = "SELECT COUNT(*) FROM templates WHERE account_id = ?"
	qGetTplSettings   = "SELECT optout_text, updated_at FROM template_settings WHERE account_id = ?"
	qPutTplSettingsMy = "INSERT INTO template_settings (account_id, optout_text, updated_at) VALUES (?, ?, ?) " +
		"ON DUPLICATE KEY UPDATE optout_text = VALUES(optout_text), updated_at = VALUES(updated_at)"
	qPutTplSettingsLite = "INSERT INTO template_settings (account_id, optout_text, updated_at) VALUES (?, ?, ?) " +
		"ON CONFLICT (account_id) DO UPDATE SET optout_text = excluded.optout_text, updated_at = excluded.updated_at"
)

type templateRow struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	Name      string `db:"name"`
	Body      string `db:"body"`
	CreatedAt dbTime `db:"created_at"`
	UpdatedAt dbTime `db:"updated_at"`
}

func (r *templateRow) template() Template {
	return Template{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Body: r.Body, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}
}

// checkTemplate refuses what the table cannot hold.
func checkTemplate(t *Template) error {
	switch {
	case t.AccountID <= 0:
		return fmt.Errorf("%w: a template needs an account", ErrInvalid)
	case t.Name == "" || utf8.RuneCountInString(t.Name) > maxTemplateName:
		return fmt.Errorf("%w: template name of 1 to %d characters", ErrInvalid, maxTemplateName)
	case utf8.RuneCountInString(t.Body) > maxTemplateBody:
		return fmt.Errorf("%w: template body over %d characters", ErrInvalid, maxTemplateBody)
	}
	return nil
}

// CreateTemplate stores the new template t, setting its ID and times. A
// name the account already uses is [ErrDuplicate].
func (s *Store) CreateTemplate(ctx context.Context, t *Template) error {
	if err := checkTemplate(t); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, qInsertTemplate, t.AccountID, t.Name, t.Body, s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: create template %q of account %d: %w", t.Name, t.AccountID, mapErr(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: create template %q: %w", t.Name, err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, now, now
	return nil
}

// TemplateByID returns account accountID's template id, or [ErrNotFound].
func (s *Store) TemplateByID(ctx context.Context, accountID, id int64) (Template, error) {
	var r templateRow
	if err := s.r.GetContext(ctx, &r, qGetTemplate, accountID, id); err != nil {
		return Template{}, fmt.Errorf("store: template %d of account %d: %w", id, accountID, mapErr(err))
	}
	return r.template(), nil
}

// Templates returns up to limit (1 to 1000) of the account's templates
// with an id above afterID, in id order.
func (s *Store) Templates(ctx context.Context, accountID, afterID int64, limit int) ([]Template, error) {
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%w: templates limit %d", ErrInvalid, limit)
	}
	var rows []templateRow
	if err := s.r.SelectContext(ctx, &rows, qListTemplates, accountID, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: templates of account %d: %w", accountID, mapErr(err))
	}
	out := make([]Template, len(rows))
	for i := range rows {
		out[i] = rows[i].template()
	}
	return out, nil
}

// CountTemplates returns how many templates the account has.
func (s *Store) CountTemplates(ctx context.Context, accountID int64) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, qCountTemplates, accountID); err != nil {
		return 0, fmt.Errorf("store: count templates of account %d: %w", accountID, mapErr(err))
	}
	return n, nil
}

// UpdateTemplate replaces the name and body of the account's template
// t.ID and reads it back into t. A template the account does not have
// is [ErrNotFound], a name another of its templates has [ErrDuplicate].
func (s *Store) UpdateTemplate(ctx context.Context, t *Template) error {
	if err := checkTemplate(t); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if _, err := s.w.ExecContext(ctx, qUpdateTemplate, t.Name, t.Body, s.timeArg(now), t.AccountID, t.ID); err != nil {
		return fmt.Errorf("store: update template %d of account %d: %w", t.ID, t.AccountID, mapErr(err))
	}
	// MySQL counts changed rows, not matched ones: read back to know.
	got, err := s.TemplateByID(ctx, t.AccountID, t.ID)
	if err != nil {
		return err
	}
	*t = got
	return nil
}

// DeleteTemplate deletes the account's template id; one it does not have
// is [ErrNotFound].
func (s *Store) DeleteTemplate(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, qDeleteTemplate, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete template %d of account %d: %w", id, accountID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		}
		return fmt.Errorf("store: delete template %d of account %d: %w", id, accountID, err)
	}
	return nil
}

// TemplateSettings are an account's template settings: the text
// {{optout}} renders ("" takes the default, campaign.DefaultOptOutText).
type TemplateSettings struct {
	AccountID  int64
	OptOutText string
	UpdatedAt  time.Time // zero when the account never set any
}

// TemplateSettingsOf returns the account's settings; an account that set
// none gets the zero value with its AccountID.
func (s *Store) TemplateSettingsOf(ctx context.Context, accountID int64) (TemplateSettings, error) {
	var r struct {
		OptOutText string `db:"optout_text"`
		UpdatedAt  dbTime `db:"updated_at"`
	}
	err := s.r.GetContext(ctx, &r, qGetTplSettings, accountID)
	if errors.Is(mapErr(err), ErrNotFound) {
		return TemplateSettings{AccountID: accountID}, nil
	}
	if err != nil {
		return TemplateSettings{}, fmt.Errorf("store: template settings of account %d: %w", accountID, mapErr(err))
	}
	return TemplateSettings{AccountID: accountID, OptOutText: r.OptOutText, UpdatedAt: r.UpdatedAt.Time}, nil
}

// PutTemplateSettings stores ts for its account, replacing what it had,
// and sets its UpdatedAt.
func (s *Store) PutTemplateSettings(ctx context.Context, ts *TemplateSettings) error {
	if ts.AccountID <= 0 || utf8.RuneCountInString(ts.OptOutText) > maxOptOutText {
		return fmt.Errorf("%w: template settings need an account and an opt-out text of at most %d characters", ErrInvalid, maxOptOutText)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	q := qPutTplSettingsLite
	if s.d == dialectMySQL {
		q = qPutTplSettingsMy
	}
	if _, err := s.w.ExecContext(ctx, q, ts.AccountID, ts.OptOutText, s.timeArg(now)); err != nil {
		return fmt.Errorf("store: put template settings of account %d: %w", ts.AccountID, mapErr(err))
	}
	ts.UpdatedAt = now
	return nil
}

// TemplateContact returns account accountID's contact id with the
// fields a template renders (phone, names, email, custom fields), or
// [ErrNotFound]: a template preview's recipient.
func (s *Store) TemplateContact(ctx context.Context, accountID, id int64) (Contact, error) {
	var r struct {
		ID        int64  `db:"id"`
		Phone     string `db:"phone"`
		FirstName string `db:"first_name"`
		LastName  string `db:"last_name"`
		Email     string `db:"email"`
		Fields    string `db:"fields"`
	}
	err := s.r.GetContext(ctx, &r, "SELECT id, phone, first_name, last_name, email, fields FROM contacts WHERE account_id = ? AND id = ?",
		accountID, id)
	if err != nil {
		return Contact{}, fmt.Errorf("store: contact %d of account %d: %w", id, accountID, mapErr(err))
	}
	return Contact{ID: r.ID, AccountID: accountID, Phone: r.Phone, FirstName: r.FirstName, LastName: r.LastName,
		Email: r.Email, Fields: r.Fields}, nil
}
