package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// migrationFiles holds migrations/<dialect>/NNNN_name.sql. Each file is a
// list of statements, each ending with ';' at the end of a line; lines
// starting with "--" are comments. Semicolons elsewhere (inside a line)
// are not statement ends, so keep them out of string literals at line
// ends. Both dialects must have the same versions.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one parsed migration file.
type migration struct {
	version int
	name    string
	stmts   []string
}

// schemaTable creates the table recording applied migrations.
var schemaTable = [...]string{
	dialectSQLite - 1: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
	dialectMySQL - 1: "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, applied_at DATETIME(6) NOT NULL) " +
		"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
}

// migrateLockTimeout is how long Migrate on MySQL waits for another
// instance's migration to finish.
const migrateLockTimeout = 5 * time.Minute

func (d dialect) dir() string {
	if d == dialectMySQL {
		return "migrations/mysql"
	}
	return "migrations/sqlite"
}

// loadMigrations reads and parses the migrations of d in version order.
func loadMigrations(d dialect) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, d.dir())
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(d.dir(), e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		stmts, err := splitStatements(string(text))
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), stmts: stmts})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("store: migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// splitStatements splits a migration into statements (see migrationFiles).
func splitStatements(text string) ([]string, error) {
	var stmts []string
	var cur strings.Builder
	for line := range strings.Lines(text) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(t, ";") {
			s := strings.TrimSpace(cur.String())
			stmts = append(stmts, strings.TrimSpace(strings.TrimSuffix(s, ";")))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		return nil, fmt.Errorf("last statement does not end with ';'")
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("no statements")
	}
	return stmts, nil
}

// SchemaVersion returns the newest migration applied to the database (0
// for none) and the newest this release knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, known int, err error) {
	ms, err := loadMigrations(s.d)
	if err != nil {
		return 0, 0, err
	}
	known = ms[len(ms)-1].version
	if _, err := s.w.ExecContext(ctx, schemaTable[s.d-1]); err != nil {
		return 0, known, fmt.Errorf("store: schema_migrations: %w", mapErr(err))
	}
	if err := s.w.GetContext(ctx, &current, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"); err != nil {
		return 0, known, fmt.Errorf("store: schema version: %w", mapErr(err))
	}
	return current, known, nil
}

// Migrate applies, in order, the migrations the database lacks and returns
// their versions (none when it is up to date, so running it again is
// harmless). It refuses with [ErrSchemaTooNew] a database migrated by a
// newer release. Instances starting together are serialised: on SQLite
// each migration runs in one IMMEDIATE transaction; on MySQL, where DDL
// commits by itself, under a named lock (GET_LOCK), with statements
// written to be re-run safely if a migration is interrupted.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	ms, err := loadMigrations(s.d)
	if err != nil {
		return nil, err
	}
	conn, err := s.w.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", mapErr(err))
	}
	defer conn.Close()
	if s.d == dialectMySQL {
		var got int
		if err := conn.GetContext(ctx, &got, "SELECT GET_LOCK('gallant_schema_migrate', ?)",
			int(migrateLockTimeout.Seconds())); err != nil {
			return nil, fmt.Errorf("store: migrate: lock: %w", mapErr(err))
		}
		if got != 1 {
			return nil, fmt.Errorf("store: migrate: another instance holds the migration lock: %w", ErrUnavailable)
		}
		defer func() {
			// A fresh context: the lock must be released even if ctx ended.
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('gallant_schema_migrate')")
		}()
	}
	if _, err := conn.ExecContext(ctx, schemaTable[s.d-1]); err != nil {
		return nil, fmt.Errorf("store: migrate: schema_migrations: %w", mapErr(err))
	}
	var done []int
	if err := conn.SelectContext(ctx, &done, "SELECT version FROM schema_migrations"); err != nil {
		return nil, fmt.Errorf("store: migrate: %w", mapErr(err))
	}
	known := ms[len(ms)-1].version
	if len(done) > 0 && slices.Max(done) > known {
		return nil, fmt.Errorf("%w: database at version %d, this release knows up to %d", ErrSchemaTooNew, slices.Max(done), known)
	}
	var applied []int
	for _, m := range ms {
		if slices.Contains(done, m.version) {
			continue
		}
		ran, err := s.apply(ctx, conn, m)
		if err != nil {
			return applied, fmt.Errorf("store: migrate %s: %w", m.name, err)
		}
		if ran {
			s.log.Info("applied migration", "version", m.version, "name", m.name)
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// apply runs migration m, reporting false if another process applied it
// first.
func (s *Store) apply(ctx context.Context, conn *sqlx.Conn, m migration) (bool, error) {
	record := "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"
	if s.d == dialectMySQL {
		for _, stmt := range m.stmts {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return false, mapErr(err)
			}
		}
		if _, err := conn.ExecContext(ctx, record, m.version, s.timeArg(s.now())); err != nil {
			return false, mapErr(err)
		}
		return true, nil
	}
	tx, err := conn.BeginTxx(ctx, nil) // BEGIN IMMEDIATE: see openSQLite
	if err != nil {
		return false, mapErr(err)
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version); err != nil {
		return false, mapErr(err)
	}
	if n > 0 {
		return false, nil
	}
	for _, stmt := range m.stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, mapErr(err)
		}
	}
	if _, err := tx.ExecContext(ctx, record, m.version, s.timeArg(s.now())); err != nil {
		return false, mapErr(err)
	}
	if err := tx.Commit(); err != nil {
		return false, mapErr(err)
	}
	return true, nil
}
