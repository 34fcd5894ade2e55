package store

import (
	"context"
	"fmt"
)

// ContactField declares one of an account's custom contact fields: its
// name (the key in [Contact].Fields) and type ("text", "number", "date"
// or "boolean").
type ContactField struct {
	Name string `db:"name"`
	Type string `db:"type"`
}

// ContactFields returns account accountID's declared custom fields in
// name order.
func (s *Store) ContactFields(ctx context.Context, accountID int64) ([]ContactField, error) {
	var out []ContactField
	if err := s.r.SelectContext(ctx, &out, "SELECT name, type FROM contact_fields WHERE account_id = ? ORDER BY name", accountID); err != nil {
		return nil, fmt.Errorf("store: contact fields: %w", mapErr(err))
	}
	return out, nil
}

// MaxContactFieldName bounds a custom field's name (its column).
const MaxContactFieldName = 64

// CreateContactField declares custom field f for account accountID. A
// name the account has declared already is [ErrDuplicate].
func (s *Store) CreateContactField(ctx context.Context, accountID int64, f ContactField) error {
	if accountID <= 0 || f.Name == "" || len(f.Name) > MaxContactFieldName || f.Type == "" || len(f.Type) > 16 {
		return fmt.Errorf("%w: contact field %q of type %q", ErrInvalid, f.Name, f.Type)
	}
	if _, err := s.w.ExecContext(ctx, "INSERT INTO contact_fields (account_id, name, type, created_at) VALUES (?, ?, ?, ?)",
		accountID, f.Name, f.Type, s.timeArg(s.now())); err != nil {
		return fmt.Errorf("store: create contact field %q of account %d: %w", f.Name, accountID, mapErr(err))
	}
	return nil
}

// DeleteContactField removes account accountID's declaration of field
// name (the values stay in contacts.fields until each contact is next
// written; readers show declared fields only). A name not declared is
// [ErrNotFound].
func (s *Store) DeleteContactField(ctx context.Context, accountID int64, name string) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM contact_fields WHERE account_id = ? AND name = ?", accountID, name)
	if err != nil {
		return fmt.Errorf("store: delete contact field %q of account %d: %w", name, accountID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		} else {
			err = mapErr(err)
		}
		return fmt.Errorf("store: delete contact field %q of account %d: %w", name, accountID, err)
	}
	return nil
}
