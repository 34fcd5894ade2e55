package store

import (
	"errors"
	"regexp"
	"slices"
	"testing"
)

func TestMigrateAppliesOnceAndRefusesNewer(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		cfg := testConfig(t, driver)
		s := openTestStore(t, cfg)
		ms, err := loadMigrations(s.d)
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, m := range ms {
			want = append(want, m.version)
		}
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("first migrate: %v", err)
		}
		if !slices.Equal(applied, want) {
			t.Fatalf("applied %v, want %v", applied, want)
		}
		again, err := s.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, %v; want nothing", again, err)
		}
		// Another instance on the same database finds nothing to do.
		other := openTestStore(t, cfg)
		if again, err := other.Migrate(ctx); err != nil || len(again) != 0 {
			t.Fatalf("other instance applied %v, %v", again, err)
		}
		cur, known, err := s.SchemaVersion(ctx)
		if err != nil || cur != want[len(want)-1] || known != cur {
			t.Fatalf("SchemaVersion = %d, %d, %v; want %d twice", cur, known, err, want[len(want)-1])
		}
		// Every table of the schema answers.
		for _, table := range []string{"instances", "accounts", "api_keys", "smpp_credentials", "messages",
			"message_events", "mo_messages", "held_receipts", "idempotency_keys", "webhook_attempts"} {
			var n int
			if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+table); err != nil || n != 0 {
				t.Errorf("table %s: count %d, %v", table, n, err)
			}
		}
		// A database migrated by a newer release is refused.
		if _, err := s.w.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			known+1, s.timeArg(s.now())); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("migrate on a newer schema: %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	my, err := loadMigrations(dialectMySQL)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := loadMigrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(my) != len(lite) {
		t.Fatalf("%d MySQL migrations, %d SQLite", len(my), len(lite))
	}
	create := regexp.MustCompile(`(?i)CREATE TABLE IF NOT EXISTS (\w+)`)
	for i := range my {
		if my[i].version != lite[i].version {
			t.Fatalf("migration %d: versions %d and %d", i, my[i].version, lite[i].version)
		}
		tables := func(m migration) []string {
			var out []string
			for _, s := range m.stmts {
				if g := create.FindStringSubmatch(s); g != nil {
					out = append(out, g[1])
				}
			}
			slices.Sort(out)
			return out
		}
		if a, b := tables(my[i]), tables(lite[i]); !slices.Equal(a, b) {
			t.Errorf("migration %d creates %v on MySQL but %v on SQLite", my[i].version, a, b)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []string
		bad  bool
	}{
		{"two", "-- c\nCREATE TABLE a (\n x INT\n);\n\nCREATE INDEX i ON a (x);\n",
			[]string{"CREATE TABLE a (\n x INT\n)", "CREATE INDEX i ON a (x)"}, false},
		{"semicolon inside a line", "INSERT INTO t VALUES ('a;b');\n", []string{"INSERT INTO t VALUES ('a;b')"}, false},
		{"no final semicolon", "CREATE TABLE a (x INT)\n", nil, true},
		{"only comments", "-- nothing\n\n", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := splitStatements(c.text)
			if c.bad {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
