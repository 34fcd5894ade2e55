package store

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

func TestHeldReceipts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		var ids []int64
		for i := range 5 {
			id, err := s.HoldReceipt(ctx, 1, "esme1", sms.ID(100+i), []byte{byte(i), 0, '\''}, now.Add(time.Duration(i)*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if _, err := s.HoldReceipt(ctx, 2, "esme2", 200, []byte("other"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Through the Writer as well.
		w, _ := newTestWriter(t, s, WriterConfig{})
		log := newDoneLog(t, 1)
		if err := w.Add(&HeldReceipt{AccountID: 1, SystemID: "esme1", MessageID: 105, Payload: []byte("w"),
			ExpiresAt: now.Add(9 * time.Hour)}, log.tag(1)); err != nil {
			t.Fatal(err)
		}
		log.wait(1)
		if err, _ := log.err(1); err != nil {
			t.Fatal(err)
		}

		got, err := s.HeldReceipts(ctx, 1, "esme1", 100)
		if err != nil {
			t.Fatal(err)
		}
		// The first expired at now: not offered.
		if len(got) != 5 || got[0].MessageID != 101 || got[4].MessageID != 105 || !bytes.Equal(got[0].Payload, []byte{1, 0, '\''}) ||
			!got[0].ExpiresAt.Equal(now.Add(time.Hour)) || got[0].SystemID != "esme1" || got[0].AccountID != 1 {
			t.Fatalf("held = %+v", got)
		}
		if other, _ := s.HeldReceipts(ctx, 2, "esme1", 100); len(other) != 0 {
			t.Fatalf("account 2 sees %d of account 1's receipts", len(other))
		}
		if page, _ := s.HeldReceipts(ctx, 1, "esme1", 2); len(page) != 2 || page[1].ID != ids[2] {
			t.Fatalf("limit 2 gave %+v", page)
		}
		n, err := s.DeleteHeldReceipts(ctx, []int64{ids[1], ids[2], 999999})
		if err != nil || n != 2 {
			t.Fatalf("delete = %d, %v", n, err)
		}
		if n, err := s.DeleteHeldReceipts(ctx, nil); err != nil || n != 0 {
			t.Fatalf("delete nothing = %d, %v", n, err)
		}
		n, err = s.ExpireHeldReceipts(ctx, now.Add(3*time.Hour))
		if err != nil || n != 3 { // ids[0] (expired at now), ids[3] and account 2's
			t.Fatalf("expire = %d, %v", n, err)
		}
		if left := countRows(t, s, "held_receipts", ""); left != 2 {
			t.Fatalf("%d receipts left, want 2", left)
		}
		if _, err := s.HoldReceipt(ctx, 1, "esme1", 1, nil, time.Time{}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("no expiry: %v", err)
		}
		if _, err := s.HeldReceipts(ctx, 1, "esme1", 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit 0: %v", err)
		}
	})
}

func TestIdempotencyKeys(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
		r := &Idempotent{AccountID: 1, Key: "order-42", RequestHash: keyHash("body"), CreatedAt: t0}
		if err := s.PutIdempotent(ctx, r); err != nil {
			t.Fatal(err)
		}
		// The same key for the same account is taken; another account may
		// use it.
		if err := s.PutIdempotent(ctx, &Idempotent{AccountID: 1, Key: "order-42", RequestHash: "x"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second put: %v, want ErrDuplicate", err)
		}
		if err := s.PutIdempotent(ctx, &Idempotent{AccountID: 2, Key: "order-42", RequestHash: "y", CreatedAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetIdempotent(ctx, 1, "order-42")
		if err != nil || got.StatusCode != 0 || got.RequestHash != r.RequestHash || len(got.Response) != 0 || !got.CreatedAt.Equal(t0) {
			t.Fatalf("pending record = %+v, %v", got, err)
		}
		resp := []byte(`{"id":"123","status":"accepted"}`)
		if err := s.CompleteIdempotent(ctx, 1, "order-42", 202, resp); err != nil {
			t.Fatal(err)
		}
		got, err = s.GetIdempotent(ctx, 1, "order-42")
		if err != nil || got.StatusCode != 202 || !bytes.Equal(got.Response, resp) {
			t.Fatalf("completed record = %+v, %v", got, err)
		}
		if other, err := s.GetIdempotent(ctx, 2, "order-42"); err != nil || other.RequestHash != "y" {
			t.Fatalf("account 2's record = %+v, %v", other, err)
		}
		if _, err := s.GetIdempotent(ctx, 3, "order-42"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 3: %v", err)
		}
		if err := s.CompleteIdempotent(ctx, 3, "order-42", 200, nil); !errors.Is(err, ErrNotFound) {
			t.Fatalf("complete for account 3: %v", err)
		}
		if gone, err := s.ExpireIdempotent(ctx, 2, "order-42", t0.Add(time.Hour)); err != nil || gone {
			t.Fatalf("expire a record not older than the cut = %v, %v", gone, err)
		}
		if gone, err := s.ExpireIdempotent(ctx, 2, "order-42", t0.Add(2*time.Hour)); err != nil || !gone {
			t.Fatalf("expire account 2's record = %v, %v", gone, err)
		}
		if _, err := s.GetIdempotent(ctx, 1, "order-42"); err != nil {
			t.Fatalf("account 1's record went with account 2's: %v", err)
		}
		n, err := s.PurgeIdempotent(ctx, t0.Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("purge = %d, %v", n, err)
		}
		if _, err := s.GetIdempotent(ctx, 1, "order-42"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after purge: %v", err)
		}
		for _, key := range []string{"", strings.Repeat("k", 256)} {
			if err := s.PutIdempotent(ctx, &Idempotent{AccountID: 1, Key: key}); !errors.Is(err, ErrInvalid) {
				t.Errorf("key of %d bytes: %v", len(key), err)
			}
		}
	})
}

func TestWebhookAttempts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		long := strings.Repeat("é", 600) // 1,200 bytes: cut to fit the column
		attempts := []*WebhookAttempt{
			{MessageID: 5, AccountID: 1, URL: "https://h.example/cb", Attempt: 1, StatusCode: 503, Error: "503 Service Unavailable", At: at},
			{MessageID: 5, AccountID: 1, URL: "https://h.example/cb", Attempt: 2, Error: long, At: at.Add(time.Second)},
			{MessageID: 5, AccountID: 1, URL: "https://h.example/cb", Attempt: 3, StatusCode: 500, At: at.Add(2 * time.Second), GaveUp: true},
		}
		for _, a := range attempts {
			if err := s.RecordWebhookAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.WebhookAttempts(ctx, 1, 5)
		if err != nil || len(got) != 3 {
			t.Fatalf("attempts = %+v, %v", got, err)
		}
		if got[0].StatusCode != 503 || got[0].Error != "503 Service Unavailable" || !got[0].At.Equal(at) || got[0].GaveUp ||
			got[1].Error != truncateUTF8(long, maxWebhookError) || !got[2].GaveUp || got[2].Attempt != 3 || got[0].ID == 0 {
			t.Fatalf("attempts = %+v", got)
		}
		if other, err := s.WebhookAttempts(ctx, 2, 5); err != nil || len(other) != 0 {
			t.Fatalf("account 2 sees %d attempts, %v", len(other), err)
		}
	})
}

func TestMOMessages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for i := 1; i <= 5; i++ {
			mo := &sms.MO{ID: sms.ID(i), AccountID: 1, Carrier: "carrierA",
				Source: sms.Address{TON: 1, NPI: 1, Addr: "447700900001"}, Dest: sms.Address{TON: 1, NPI: 1, Addr: "4470"},
				DataCoding: 8, ESMClass: 0, Body: []byte{0, 'S', 0, 'T', 0, 'O', 0, 'P'}, ReceivedAt: at.Add(time.Duration(i) * time.Second)}
			if err := s.InsertMO(ctx, mo); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.InsertMO(ctx, &sms.MO{ID: 6, AccountID: 2, Carrier: "c"}); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertMO(ctx, &sms.MO{ID: 6, AccountID: 2, Carrier: "c"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate MO: %v", err)
		}
		page, next, err := s.ListMO(ctx, 1, 0, 3)
		if err != nil || len(page) != 3 || next != 3 {
			t.Fatalf("first page: %d rows, next %v, %v", len(page), next, err)
		}
		if m := page[0]; m.ID != 5 || m.Carrier != "carrierA" || m.DataCoding != 8 || !bytes.Equal(m.Body, []byte{0, 'S', 0, 'T', 0, 'O', 0, 'P'}) ||
			!m.ReceivedAt.Equal(at.Add(5*time.Second)) || m.Source.Addr != "447700900001" || m.Dest.TON != 1 {
			t.Fatalf("MO = %+v", m)
		}
		rest, next, err := s.ListMO(ctx, 1, next, 3)
		var ids []sms.ID
		for _, m := range rest {
			ids = append(ids, m.ID)
		}
		if err != nil || next != 0 || !slices.Equal(ids, []sms.ID{2, 1}) {
			t.Fatalf("second page %v, next %v, %v", ids, next, err)
		}
		if other, _, _ := s.ListMO(ctx, 2, 0, 0); len(other) != 1 || other[0].ID != 6 || len(other[0].Body) != 0 {
			t.Fatalf("account 2's MOs = %+v", other)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg Config
		ok  bool
	}{
		{DefaultConfig(), true},
		{Config{Driver: DriverMySQL, DSN: "u@tcp(h:3306)/db"}, true},
		{Config{DSN: "x.db"}, true},
		{Config{Driver: "postgres", DSN: "x"}, false},
		{Config{Driver: DriverSQLite}, false},
		{Config{Driver: DriverSQLite, DSN: ":memory:"}, false},
		{Config{Driver: DriverMySQL}, false},
		{Config{Driver: DriverSQLite, DSN: "x.db", MaxOpenConns: -1}, false},
	} {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", c.cfg, err, c.ok)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := testCtx(t)
	for _, cfg := range []Config{
		{Driver: DriverSQLite, DSN: t.TempDir() + "/x.db?mode=ro"},
		{Driver: DriverMySQL, DSN: "not a dsn"},
		{Driver: "oracle", DSN: "x"},
	} {
		if s, err := Open(ctx, cfg, nil); err == nil {
			s.Close()
			t.Errorf("Open(%+v) succeeded", cfg)
		} else if !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%+v) = %v, want ErrInvalid", cfg, err)
		}
	}
	// A server that is not there is unavailable, not invalid.
	_, err := Open(ctx, Config{Driver: DriverMySQL, DSN: "root@tcp(127.0.0.1:1)/x?timeout=1s"}, nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("unreachable MySQL: %v, want ErrUnavailable", err)
	}
	s := newTestStore(t, DriverSQLite)
	if err := s.Ping(ctx); err != nil || s.Driver() != DriverSQLite {
		t.Fatalf("Ping = %v, Driver = %s", err, s.Driver())
	}
}
