package account

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/store"
)

// AuditEntry is one audit log row as readers see it.
type AuditEntry = store.AuditEntry

// audit appends e to the audit log. A failure is logged, not returned:
// the action it records has already happened.
func (s *Service) audit(ctx context.Context, e store.AuditEntry) {
	e.At = s.now().UTC()
	if err := s.st.AppendAudit(ctx, &e); err != nil {
		s.log.Warn("write audit log", "action", e.Action, "account_id", e.AccountID, "err", err)
	}
}

// ReadAudit returns up to limit audit entries, newest first, with ids
// below beforeID (0: the newest). accountID names the account whose
// entries are read, which who must be allowed to audit (owners their own
// account, resellers theirs and their sub-accounts'); an admin may pass
// [store.AuditAllAccounts] to read every account's entries, including
// failed logins for unknown emails (account 0).
func (s *Service) ReadAudit(ctx context.Context, who Actor, accountID, beforeID int64, limit int) ([]AuditEntry, error) {
	if accountID == store.AuditAllAccounts || accountID == 0 {
		if who.Role != RoleAdmin {
			return nil, ErrForbidden
		}
	} else if err := s.Can(ctx, who, ActionAudit, accountID); err != nil {
		return nil, err
	}
	out, err := s.st.ListAudit(ctx, accountID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("account: read audit log: %w", err)
	}
	return out, nil
}
