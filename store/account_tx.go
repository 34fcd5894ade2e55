package store

import (
	"context"
	"fmt"
)

// NewAccount is an account with everything it starts with, stored
// together by [Store.CreateAccountWith].
type NewAccount struct {
	Account *Account
	// ParentID puts the account below a reseller; 0 for none.
	ParentID int64
	// APIKeys and SMPPCredentials are the account's first credentials;
	// their AccountID is set by the store.
	APIKeys         []*APIKey
	SMPPCredentials []*SMPPCredential
	// Billing opens the account's prepaid balance (at zero); nil opens
	// none. Its AccountID is set by the store.
	Billing *BillingAccount
	// Audit, when set, returns the audit entries of the creation given
	// the new account's id; they are written in the same transaction.
	Audit func(id int64) []*AuditEntry
}

// CreateAccountWith stores n in one transaction: the account, its place
// below its parent, its keys and credentials, its balance and its audit
// entries all exist afterwards, or, when any of them fails, none does.
// It sets the ids (and every AccountID) of what it stored; on failure
// n.Account.ID is 0 again. Errors are those of [Store.CreateAccount],
// [Store.SetAccountParent], [Store.CreateAPIKey],
// [Store.CreateSMPPCredential] (a system_id in use is [ErrDuplicate]),
// [Store.CreateBillingAccount] and [Store.AppendAudit].
func (s *Store) CreateAccountWith(ctx context.Context, n *NewAccount) error {
	if n.Account == nil {
		return fmt.Errorf("%w: new account without an account", ErrInvalid)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create account: %w", mapErr(err))
	}
	if err := s.createAccountTx(ctx, tx, n); err != nil {
		_ = tx.Rollback()
		n.Account.ID = 0
		return err
	}
	if err := tx.Commit(); err != nil {
		n.Account.ID = 0
		return fmt.Errorf("store: create account: commit: %w", mapErr(err))
	}
	return nil
}

func (s *Store) createAccountTx(ctx context.Context, ex execer, n *NewAccount) error {
	if err := s.createAccount(ctx, ex, n.Account); err != nil {
		return err
	}
	id := n.Account.ID
	if n.ParentID != 0 {
		if err := s.setAccountParent(ctx, ex, id, n.ParentID); err != nil {
			return err
		}
	}
	for _, k := range n.APIKeys {
		k.AccountID = id
		if err := s.createAPIKey(ctx, ex, k); err != nil {
			return err
		}
	}
	for _, c := range n.SMPPCredentials {
		c.AccountID = id
		if err := s.createSMPPCredential(ctx, ex, c); err != nil {
			return err
		}
	}
	if n.Billing != nil {
		n.Billing.AccountID = id
		if err := s.createBillingAccount(ctx, ex, n.Billing); err != nil {
			return err
		}
	}
	if n.Audit != nil {
		for _, e := range n.Audit(id) {
			if err := s.appendAudit(ctx, ex, e); err != nil {
				return err
			}
		}
	}
	return nil
}
