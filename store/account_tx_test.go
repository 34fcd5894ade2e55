package store

import (
	"errors"
	"fmt"
	"testing"
)

// newAccountSpec is a complete new account below parent, with one key
// and one credential named systemID.
func newAccountSpec(name string, parent int64, prefix, systemID string) *NewAccount {
	return &NewAccount{
		Account:         &Account{Name: name, Kind: KindReseller},
		ParentID:        parent,
		APIKeys:         []*APIKey{{Name: "owner", Prefix: prefix, Hash: keyHash(prefix), Scopes: []string{"admin"}}},
		SMPPCredentials: []*SMPPCredential{{SystemID: systemID, PasswordHash: "hash"}},
		Billing:         &BillingAccount{ResellerID: parent, Currency: "EUR"},
		Audit: func(id int64) []*AuditEntry {
			return []*AuditEntry{{AccountID: id, Action: "account.create", Target: fmt.Sprintf("account:%d", id)}}
		},
	}
}

// TestCreateAccountWith: an account and its parent link, key, credential,
// balance and audit entry are stored together, and a failure at any of
// them leaves none of them behind.
func TestCreateAccountWith(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		parent := newAccount(t, s, "Parent")

		ok := newAccountSpec("Whole", parent.ID, "whole001", "whole")
		if err := s.CreateAccountWith(ctx, ok); err != nil {
			t.Fatal(err)
		}
		id := ok.Account.ID
		if got, err := s.GetAccount(ctx, id); err != nil || got.Kind != KindReseller {
			t.Fatalf("account: %+v, %v", got, err)
		}
		if p, err := s.AccountParent(ctx, id); err != nil || p != parent.ID {
			t.Fatalf("parent %d, %v; want %d", p, err, parent.ID)
		}
		if k, a, err := s.APIKeyByPrefix(ctx, "whole001"); err != nil || a.ID != id || k.AccountID != id {
			t.Fatalf("key: %+v %+v %v", k, a, err)
		}
		if c, a, err := s.SMPPCredentialBySystemID(ctx, "whole"); err != nil || a.ID != id || c.AccountID != id {
			t.Fatalf("credential: %+v %+v %v", c, a, err)
		}
		if b, err := s.GetBillingAccount(ctx, id); err != nil || b.Currency != "EUR" || b.ResellerID != parent.ID {
			t.Fatalf("balance: %+v %v", b, err)
		}
		if es, err := s.ListAudit(ctx, id, 0, 10); err != nil || len(es) != 1 || es[0].Target != fmt.Sprintf("account:%d", id) {
			t.Fatalf("audit: %+v %v", es, err)
		}

		// Each case fails at a later step; the steps before it must be
		// rolled back with it.
		for _, c := range []struct {
			name  string
			spec  *NewAccount
			want  error
			check string // the prefix of its key, which must not exist
		}{
			{"unknown parent", newAccountSpec("NoParent", 999999, "nopar001", "nopar"), ErrNotFound, "nopar001"},
			{"key prefix in use", newAccountSpec("DupKey", parent.ID, "whole001", "dupkey"), ErrDuplicate, ""},
			{"system_id in use", newAccountSpec("DupSys", parent.ID, "dupsys01", "whole"), ErrDuplicate, "dupsys01"},
			{"balance refused", func() *NewAccount {
				n := newAccountSpec("BadCur", parent.ID, "badcur01", "badcur")
				n.Billing.Currency = "euro"
				return n
			}(), ErrInvalid, "badcur01"},
			{"audit refused", func() *NewAccount {
				n := newAccountSpec("BadAudit", parent.ID, "badaud01", "badaud")
				n.Audit = func(int64) []*AuditEntry { return []*AuditEntry{{}} }
				return n
			}(), ErrInvalid, "badaud01"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before, err := s.ListAccounts(ctx, 0, 0, 1000)
				if err != nil {
					t.Fatal(err)
				}
				err = s.CreateAccountWith(ctx, c.spec)
				if !errors.Is(err, c.want) {
					t.Fatalf("CreateAccountWith = %v, want %v", err, c.want)
				}
				if c.spec.Account.ID != 0 {
					t.Errorf("failed account keeps id %d", c.spec.Account.ID)
				}
				after, err := s.ListAccounts(ctx, 0, 0, 1000)
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Fatalf("%d accounts before, %d after a failed creation: %+v", len(before), len(after), after[len(after)-1])
				}
				if c.check != "" {
					if _, _, err := s.APIKeyByPrefix(ctx, c.check); !errors.Is(err, ErrNotFound) {
						t.Errorf("key %s of the failed account: %v", c.check, err)
					}
				}
				if c.spec.SMPPCredentials[0].SystemID != "whole" {
					if _, _, err := s.SMPPCredentialBySystemID(ctx, c.spec.SMPPCredentials[0].SystemID); !errors.Is(err, ErrNotFound) {
						t.Errorf("credential of the failed account: %v", err)
					}
				}
				children, err := s.ChildAccounts(ctx, parent.ID)
				if err != nil || len(children) != 1 {
					t.Errorf("children of the parent: %v, %v; want only %d", children, err, id)
				}
			})
		}
	})
}
