package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// DNDRegistry describes a stored do-not-disturb registry: a country's
// list of numbers no account may message, replaced whole by each import.
// Version grows by one with each import.
type DNDRegistry struct {
	Country    string    `db:"country"`
	Version    int64     `db:"version"`
	Count      int64     `db:"count"`
	ImportedAt time.Time `db:"-"`
}

// maxDNDCountry bounds a registry's country code, as its column does.
const maxDNDCountry = 8

// ReplaceDND replaces country's registry with chunks (the store does not
// look inside them: consent packs and reads them) holding count numbers,
// in one transaction, and returns its new version.
func (s *Store) ReplaceDND(ctx context.Context, country string, chunks [][]byte, count int64) (int64, error) {
	if country == "" || len(country) > maxDNDCountry || count < 0 {
		return 0, fmt.Errorf("%w: registry %q of %d numbers", ErrInvalid, country, count)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: replace registry %s: %w", country, mapErr(err))
	}
	defer tx.Rollback()
	version, err := s.replaceDND(ctx, tx, country, chunks, count)
	if err != nil {
		return 0, fmt.Errorf("store: replace registry %s: %w", country, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: replace registry %s: %w", country, mapErr(err))
	}
	return version, nil
}

func (s *Store) replaceDND(ctx context.Context, tx *sqlx.Tx, country string, chunks [][]byte, count int64) (int64, error) {
	var version int64
	err := tx.GetContext(ctx, &version, "SELECT COALESCE(MAX(version), 0) FROM dnd_registries WHERE country = ?", country)
	if err != nil {
		return 0, err
	}
	version++
	if _, err := tx.ExecContext(ctx, "DELETE FROM dnd_chunks WHERE country = ?", country); err != nil {
		return 0, err
	}
	for i, c := range chunks {
		if _, err := tx.ExecContext(ctx, "INSERT INTO dnd_chunks (country, seq, numbers) VALUES (?, ?, ?)", country, i, c); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM dnd_registries WHERE country = ?", country); err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO dnd_registries (country, version, count, imported_at) VALUES (?, ?, ?, ?)",
		country, version, count, s.timeArg(s.now()))
	return version, err
}

// DNDRegistries lists the stored registries.
func (s *Store) DNDRegistries(ctx context.Context) ([]DNDRegistry, error) {
	var rows []struct {
		DNDRegistry
		At dbTime `db:"imported_at"`
	}
	if err := s.r.SelectContext(ctx, &rows, "SELECT country, version, count, imported_at FROM dnd_registries ORDER BY country"); err != nil {
		return nil, fmt.Errorf("store: registries: %w", mapErr(err))
	}
	out := make([]DNDRegistry, len(rows))
	for i, r := range rows {
		out[i] = r.DNDRegistry
		out[i].ImportedAt = r.At.Time
	}
	return out, nil
}

// DNDChunks calls f with each chunk of country's registry, in order, and
// returns the registry's version as read (0: none), all in one read
// transaction so the chunks are of that version.
func (s *Store) DNDChunks(ctx context.Context, country string, f func(chunk []byte) error) (int64, error) {
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: read registry %s: %w", country, mapErr(err))
	}
	defer tx.Rollback()
	var version int64
	if err := tx.GetContext(ctx, &version, "SELECT COALESCE(MAX(version), 0) FROM dnd_registries WHERE country = ?", country); err != nil {
		return 0, fmt.Errorf("store: read registry %s: %w", country, mapErr(err))
	}
	rows, err := tx.QueryContext(ctx, "SELECT numbers FROM dnd_chunks WHERE country = ? ORDER BY seq", country)
	if err != nil {
		return 0, fmt.Errorf("store: read registry %s: %w", country, mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var chunk []byte
		if err := rows.Scan(&chunk); err != nil {
			return 0, fmt.Errorf("store: read registry %s: %w", country, mapErr(err))
		}
		if err := f(chunk); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: read registry %s: %w", country, mapErr(err))
	}
	return version, nil
}
