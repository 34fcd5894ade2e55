package main

import (
	"strconv"
	"testing"

	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestAdminNumberCommands: "gallant admin number add|list|remove" assign
// numbers to accounts, list them and take them back, on both stores;
// mistakes are usage errors and a taken number is refused.
func TestAdminNumberCommands(t *testing.T) {
	for _, driver := range []string{storetest.SQLite, storetest.MySQL} {
		t.Run(driver, func(t *testing.T) {
			f := newAdminFixture(t, driver)
			var acct accountCreated
			f.ok(&acct, "account", "create", "--name", "Acme Ltd")
			id := strconv.FormatInt(acct.AccountID, 10)
			var n appsvc.Number
			f.ok(&n, "number", "add", "--account", id, "--number", "+447700900999", "--smpp")
			if n.ID <= 0 || n.AccountID != acct.AccountID || n.Number != "447700900999" || n.Kind != "long" || !n.SMPP {
				t.Fatalf("number add = %+v", n)
			}
			var kw appsvc.Number
			f.ok(&kw, "number", "add", "--account", id, "--number", "60000", "--kind", "keyword", "--keyword", "Café")
			if kw.Keyword != "CAFE" || kw.Kind != "keyword" {
				t.Errorf("keyword number = %+v", kw)
			}
			if _, err := f.run("number", "add", "--account", id, "--number", "447700900999"); err == nil {
				t.Error("a number assigned twice")
			}
			if _, err := f.run("number", "add", "--account", id, "--number", "447700900998", "--webhook-url", "http://127.0.0.1/x"); err == nil {
				t.Error("a private webhook URL accepted under the default policy")
			}
			var list []appsvc.Number
			f.ok(&list, "number", "list")
			if len(list) != 2 || list[0].ID != n.ID || list[1].ID != kw.ID {
				t.Fatalf("number list = %+v", list)
			}
			var removed map[string]int64
			f.ok(&removed, "number", "remove", strconv.FormatInt(n.ID, 10))
			if removed["removed"] != n.ID {
				t.Errorf("number remove = %v", removed)
			}
			list = nil
			f.ok(&list, "number", "list", "--account", id)
			if len(list) != 1 || list[0].ID != kw.ID {
				t.Errorf("number list after remove = %+v", list)
			}
			for _, args := range [][]string{{"number"}, {"number", "frob"}, {"number", "remove"}, {"number", "remove", "x"},
				{"number", "add", "--bogus"}, {"number", "list", "extra"}} {
				if _, err := f.run(args...); !isUsage(err) {
					t.Errorf("admin %v: %v, want a usage error", args, err)
				}
			}
		})
	}
}
