package account

import (
	"errors"
	"strings"
	"testing"
)

// testArgon2 keeps tests fast; production uses DefaultArgon2.
var testArgon2 = Argon2Params{Memory: 64, Time: 1, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("correct horse battery", testArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "horse") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := checkPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v, %v", ok, err)
	}
	if ok, err := checkPassword(h, "correct horse batterY"); ok || err != nil {
		t.Fatalf("wrong password: %v, %v", ok, err)
	}
	h2, _ := hashPassword("correct horse battery", testArgon2)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	parts := strings.Split(h, "$")
	for _, bad := range []string{
		"", "plain", "$2a$10$abc",
		"$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4294967295,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=99,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
		h + "$extra",
	} {
		if ok, err := checkPassword(bad, "x"); ok || !errors.Is(err, errBadHash) {
			t.Errorf("checkPassword(%q) = %v, %v; want errBadHash", bad, ok, err)
		}
	}
	if checkNewPassword("short") == nil || checkNewPassword(strings.Repeat("x", MaxPasswordLen+1)) == nil || checkNewPassword("long enough!") != nil {
		t.Fatal("password policy")
	}
}

func BenchmarkDefaultArgon2(b *testing.B) {
	h, err := hashPassword("correct horse battery", DefaultArgon2())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := checkPassword(h, "correct horse battery"); !ok {
			b.Fatal("no match")
		}
	}
}
