package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/gallant-sms/gallant/store"
)

// CreateSubAccount creates an active account below parent on behalf of
// by (a reseller for its own account, or an admin for any), with an API
// key and SMPP credentials as [Service.CreateAccount] makes them, in one
// transaction with its link to parent and its audit entries.
func (s *Service) CreateSubAccount(ctx context.Context, by Actor, parent int64, name, ip string) (Created, error) {
	return s.CreateSubAccountWith(ctx, by, AccountSpec{Name: name, Parent: parent}, ip)
}

// CreateSubAccountWith creates the account spec describes below
// spec.Parent on behalf of by, as [Service.CreateSubAccount] does, with
// spec's kind, key and balance. spec.Audit entries are written after the
// two of the creation (account.create_sub on the parent, account.create
// on the new account).
func (s *Service) CreateSubAccountWith(ctx context.Context, by Actor, spec AccountSpec, ip string) (Created, error) {
	parent := spec.Parent
	if err := s.Can(ctx, by, ActionCreateSubAccount, parent); err != nil {
		return Created{}, err
	}
	more := spec.Audit
	name := strings.TrimSpace(spec.Name)
	spec.Audit = func(id int64) []*store.AuditEntry {
		es := []*store.AuditEntry{
			{AccountID: parent, ActorUserID: by.UserID, Action: "account.create_sub",
				Target: fmt.Sprintf("account:%d", id), Details: "name=" + name, IP: ip},
			{AccountID: id, ActorUserID: by.UserID, Action: "account.create",
				Target: fmt.Sprintf("account:%d", id), Details: fmt.Sprintf("parent=%d", parent), IP: ip},
		}
		if more != nil {
			es = append(es, more(id)...)
		}
		return es
	}
	return s.CreateAccountWith(ctx, spec)
}

// SubAccounts returns the direct sub-accounts of parent, which by must be
// allowed to read.
func (s *Service) SubAccounts(ctx context.Context, by Actor, parent int64) ([]int64, error) {
	if err := s.Can(ctx, by, ActionRead, parent); err != nil {
		return nil, err
	}
	ids, err := s.st.ChildAccounts(ctx, parent)
	if err != nil {
		return nil, fmt.Errorf("account: sub-accounts: %w", err)
	}
	return ids, nil
}

// SetAccountStatus suspends or reactivates account target on behalf of
// by (an admin, or the reseller above target). A suspended account can
// neither bind nor send: this instance forgets its cached keys and binds
// at once; other instances stop accepting them within their cache life
// (30 seconds).
func (s *Service) SetAccountStatus(ctx context.Context, by Actor, target int64, status store.AccountStatus, ip string) error {
	if err := s.Can(ctx, by, ActionSuspend, target); err != nil {
		return err
	}
	if err := s.st.SetAccountStatus(ctx, target, status); err != nil {
		return fmt.Errorf("account: set status: %w", err)
	}
	s.forgetAccount(target)
	action := "account.reactivate"
	if status == store.AccountSuspended {
		action = "account.suspend"
	}
	s.audit(ctx, store.AuditEntry{AccountID: target, ActorUserID: by.UserID, Action: action,
		Target: fmt.Sprintf("account:%d", target), IP: ip})
	return nil
}

// forgetAccount drops the cached row, API keys and binds of account id.
func (s *Service) forgetAccount(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.accounts, id)
	for k, e := range s.keys {
		if e.p.AccountID == id {
			delete(s.keys, k)
		}
	}
	for k, e := range s.binds {
		if e.b.AccountID == id {
			delete(s.binds, k)
		}
	}
}
