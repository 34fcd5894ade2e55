package store

import (
	"context"
	"fmt"
	"time"
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

// TemplateByID returns account accountID's template id, or [ErrNotFound].
//
// Contract for issue 13: the templates work replaces this body.
func (s *Store) TemplateByID(ctx context.Context, accountID, id int64) (Template, error) {
	return Template{}, fmt.Errorf("store: template %d: %w", id, ErrNotFound)
}
