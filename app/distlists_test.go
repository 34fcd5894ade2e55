package app

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/store/storetest"
)

// TestDistListsPolicy: a member who may not send, or an unverified
// user, reads the account's lists but does not change them; names and
// numbers are checked with the gateway's rules; every call stays in the
// caller's account.
func TestDistListsPolicy(t *testing.T) {
	ctx := context.Background()
	s := &DistLists{st: storetest.Open(t, storetest.SQLite)}
	owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
	member := Principal{AccountID: 1, Role: RoleMember}
	unverified := Principal{AccountID: 1, Role: RoleOwner, CanSend: true, Unverified: true}
	stranger := Principal{AccountID: 2, Role: RoleOwner, CanSend: true}

	if _, err := s.Create(ctx, owner, DistListInput{Name: "ops", Numbers: []string{"+447700900001"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, member, DistListInput{Name: "m", Numbers: []string{}}); KindOf(err) != KindForbidden {
		t.Errorf("member create: %v, want forbidden", err)
	}
	if _, err := s.Create(ctx, unverified, DistListInput{Name: "u", Numbers: []string{}}); KindOf(err) != KindEmailUnverified {
		t.Errorf("unverified create: %v, want email-unverified", err)
	}
	if err := s.Delete(ctx, member, "ops"); KindOf(err) != KindForbidden {
		t.Errorf("member delete: %v, want forbidden", err)
	}
	if l, err := s.Get(ctx, member, "ops"); err != nil || len(l.Numbers) != 1 || l.Numbers[0] != "447700900001" {
		t.Errorf("member get: %+v, %v", l, err)
	}
	if _, err := s.Get(ctx, stranger, "ops"); KindOf(err) != KindNotFound {
		t.Errorf("another account's get: %v, want not found", err)
	}
	if _, err := s.Replace(ctx, stranger, "ops", []string{"447700900002"}); KindOf(err) != KindNotFound {
		t.Errorf("another account's replace: %v, want not found", err)
	}
	if err := s.Delete(ctx, stranger, "ops"); KindOf(err) != KindNotFound {
		t.Errorf("another account's delete: %v, want not found", err)
	}
	if _, err := s.Create(ctx, owner, DistListInput{Name: "ops", Numbers: []string{}}); KindOf(err) != KindUnprocessable {
		t.Errorf("a name in use: %v, want unprocessable", err)
	}
	if _, err := s.Create(ctx, owner, DistListInput{Name: "a b", Numbers: []string{}}); KindOf(err) != KindInvalid {
		t.Errorf("a name with a space: %v, want invalid", err)
	}
	if _, err := s.Replace(ctx, owner, "ops", []string{"447700900001", "0447700900001"}); KindOf(err) != KindInvalidNumber {
		t.Errorf("a bad number: %v, want invalid-number", err)
	}
	if p, err := s.List(ctx, owner); err != nil || p.Total != 1 || p.Data[0].Name != "ops" {
		t.Errorf("list: %+v, %v", p, err)
	}
	if p, err := s.List(ctx, stranger); err != nil || p.Total != 0 || len(p.Data) != 0 {
		t.Errorf("another account's list: %+v, %v", p, err)
	}
}
