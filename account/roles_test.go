package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// The account tree of the policy tests:
//
//	R (reseller) ── C1 ── D1
//	             └─ C2
//	R2 (another reseller), O (unrelated), A (the admins' account)
const (
	tA, tR, tC1, tC2, tD1, tR2, tO int64 = 1, 10, 11, 12, 13, 20, 30
)

var testParents = map[int64]int64{tC1: tR, tC2: tR, tD1: tC1}

func testAncestors(id int64) []int64 {
	var out []int64
	for p := testParents[id]; p != 0; p = testParents[p] {
		out = append(out, p)
	}
	return out
}

var allActions = []Action{ActionRead, ActionSend, ActionManage, ActionAudit, ActionSuspend, ActionCreateSubAccount}

func TestAllowed(t *testing.T) {
	admin := Actor{UserID: 1, AccountID: tA, Role: RoleAdmin}
	reseller := Actor{UserID: 2, AccountID: tR, Role: RoleReseller}
	owner := Actor{UserID: 3, AccountID: tC1, Role: RoleOwner}
	sender := Actor{UserID: 4, AccountID: tC1, Role: RoleMember, CanSend: true}
	reader := Actor{UserID: 5, AccountID: tC1, Role: RoleMember}
	bogus := Actor{UserID: 6, AccountID: tC1, Role: "root"}
	every := allActions
	tests := []struct {
		name   string
		who    Actor
		target int64
		allow  []Action
	}{
		{"admin/own", admin, tA, every},
		{"admin/sub", admin, tC1, every},
		{"admin/sibling", admin, tC2, every},
		{"admin/other", admin, tO, every},

		{"reseller/own", reseller, tR, []Action{ActionRead, ActionSend, ActionManage, ActionAudit, ActionCreateSubAccount}},
		{"reseller/sub", reseller, tC1, []Action{ActionRead, ActionSend, ActionManage, ActionAudit, ActionSuspend}},
		{"reseller/sub-of-sub", reseller, tD1, []Action{ActionRead, ActionSend, ActionManage, ActionAudit, ActionSuspend}},
		{"reseller/sibling", reseller, tR2, nil},
		{"reseller/other", reseller, tO, nil},

		{"owner/own", owner, tC1, []Action{ActionRead, ActionSend, ActionManage, ActionAudit}},
		{"owner/sub", owner, tD1, nil},
		{"owner/sibling", owner, tC2, nil},
		{"owner/parent", owner, tR, nil},
		{"owner/other", owner, tO, nil},

		{"sender/own", sender, tC1, []Action{ActionRead, ActionSend}},
		{"sender/sub", sender, tD1, nil},
		{"sender/sibling", sender, tC2, nil},
		{"sender/parent", sender, tR, nil},
		{"sender/other", sender, tO, nil},

		{"reader/own", reader, tC1, []Action{ActionRead}},
		{"reader/sub", reader, tD1, nil},
		{"reader/sibling", reader, tC2, nil},
		{"reader/parent", reader, tR, nil},
		{"reader/other", reader, tO, nil},

		{"unknown-role/own", bogus, tC1, nil},
	}
	for _, tc := range tests {
		for _, a := range allActions {
			t.Run(fmt.Sprintf("%s/%s", tc.name, a), func(t *testing.T) {
				want := slices.Contains(tc.allow, a)
				if got := Allowed(tc.who, a, tc.target, testAncestors(tc.target)); got != want {
					t.Errorf("Allowed(%+v, %s, %d) = %v, want %v", tc.who, a, tc.target, got, want)
				}
			})
		}
	}
	if Allowed(owner, "launch_missiles", tC1, nil) {
		t.Error("unknown action allowed")
	}
}

func TestCanReadsTheStoredTree(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		st := storetest.Open(t, driver)
		svc := New(st, nil)
		ids := map[string]int64{}
		for _, n := range []string{"r", "c1", "c2", "o"} {
			a := &store.Account{Name: n}
			if err := st.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			ids[n] = a.ID
		}
		for _, c := range []string{"c1", "c2"} {
			if err := st.SetAccountParent(ctx, ids[c], ids["r"]); err != nil {
				t.Fatal(err)
			}
		}
		r := Actor{UserID: 1, AccountID: ids["r"], Role: RoleReseller}
		if err := svc.Can(ctx, r, ActionSuspend, ids["c2"]); err != nil {
			t.Errorf("reseller on its sub-account: %v", err)
		}
		if err := svc.Can(ctx, r, ActionRead, ids["o"]); !errors.Is(err, ErrForbidden) {
			t.Errorf("reseller on an unrelated account: %v", err)
		}
		c1 := Actor{UserID: 2, AccountID: ids["c1"], Role: RoleOwner}
		if err := svc.Can(ctx, c1, ActionRead, ids["c2"]); !errors.Is(err, ErrForbidden) {
			t.Errorf("owner on its sibling: %v", err)
		}
	})
}

func TestPrincipalActor(t *testing.T) {
	for _, c := range []struct {
		scopes  []string
		kind    store.AccountKind
		role    Role
		canSend bool
	}{
		{[]string{ScopeAdmin}, store.KindPlatform, RoleAdmin, true},
		{[]string{ScopeAdmin}, store.KindReseller, RoleReseller, true},
		{[]string{ScopeAdmin}, store.KindCustomer, RoleOwner, true},
		{[]string{ScopeSend, ScopeRead}, store.KindPlatform, RoleMember, true},
		{[]string{ScopeRead}, store.KindReseller, RoleMember, false},
	} {
		a := Principal{AccountID: 7, KeyID: 3, Scopes: c.scopes, Kind: c.kind}.Actor()
		if a.Role != c.role || a.CanSend != c.canSend || a.AccountID != 7 || a.UserID != 0 {
			t.Errorf("%v on %s: %+v, want role %s can_send %v", c.scopes, c.kind, a, c.role, c.canSend)
		}
	}
}
