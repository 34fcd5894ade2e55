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
