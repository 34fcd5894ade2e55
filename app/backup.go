package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gallant-sms/gallant/store"
)

// BackupUsage is the usage of "gallant backup" and "gallant restore".
const BackupUsage = `  backup --out FILE [--force] [--config FILE]
                                        copy the SQLite store, while the gateway runs,
                                        into FILE (gzipped when it ends in .gz)
  restore --from FILE [--data DIR | --config FILE] [--force]
                                        check a backup and install it as the store
                                        (DIR/gallant.db with --data), migrated to
                                        this release; the gateway must be stopped`

// errMySQLBackup explains how a MySQL store is backed up instead.
var errMySQLBackup = errors.New("the store is MySQL/MariaDB: back it up with " +
	"`mariadb-dump --single-transaction --quick --hex-blob --routines --triggers --events DB | gzip > FILE` " +
	"(mariabackup for large databases) and restore with `gunzip < FILE | mariadb DB`, then `gallant migrate`; " +
	"see docs/operations.md, \"Backups and restore\"")

// StoreRun runs a parsed command on the store the configuration names
// and returns what to print.
type StoreRun func(ctx context.Context, cfg store.Config) (any, error)

// BackupCommand parses "gallant backup ..." or "gallant restore ..."
// (args start with the command's name) and returns the --config path and
// the command to run. Flag mistakes print to stderr and are returned.
// Backups and restores are of SQLite stores: on MySQL the command
// explains which tools to use and fails.
func BackupCommand(args []string, stderr io.Writer) (string, StoreRun, error) {
	if len(args) == 0 || (args[0] != "backup" && args[0] != "restore") {
		return "", nil, fmt.Errorf("backup or restore?\n%s", BackupUsage)
	}
	name := args[0]
	fs := flag.NewFlagSet("gallant "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML); its store section names the database")
	force := fs.Bool("force", false, "replace an existing backup file or database")
	var file, data string
	if name == "backup" {
		fs.StringVar(&file, "out", "", "the backup file to write (gzipped when it ends in .gz)")
	} else {
		fs.StringVar(&file, "from", "", "the backup file to restore")
		fs.StringVar(&data, "data", "", "restore into DIR/gallant.db instead of the configuration's store")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	if fs.NArg() > 0 {
		return "", nil, fmt.Errorf("%s: unexpected arguments %v", name, fs.Args())
	}
	if file == "" {
		return "", nil, fmt.Errorf("%s: --%s FILE is required\n%s", name, map[string]string{"backup": "out", "restore": "from"}[name], BackupUsage)
	}
	if data != "" && *path != "" {
		return "", nil, fmt.Errorf("restore: give --data or --config, not both")
	}
	if name == "backup" {
		return *path, func(ctx context.Context, cfg store.Config) (any, error) {
			return Backup(ctx, cfg, file, *force)
		}, nil
	}
	return *path, func(ctx context.Context, cfg store.Config) (any, error) {
		if data != "" {
			cfg = store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(data, "gallant.db")}
		}
		return Restore(ctx, cfg, file, *force)
	}, nil
}

// Backup writes a consistent copy of the SQLite store cfg names to out
// while gateways keep running on it (see [store.Store.BackupTo]); an
// existing out is refused unless overwrite. A MySQL store is refused
// with the tools to use instead.
func Backup(ctx context.Context, cfg store.Config, out string, overwrite bool) (store.BackupInfo, error) {
	if cfg.Driver == store.DriverMySQL {
		return store.BackupInfo{}, errMySQLBackup
	}
	// Open would create a missing database: back up nothing instead.
	if fi, err := os.Stat(strings.TrimPrefix(cfg.DSN, "file:")); err != nil || fi.Size() == 0 {
		return store.BackupInfo{}, fmt.Errorf("backup: no database at %q (store.dsn)", cfg.DSN)
	}
	st, err := store.Open(ctx, cfg, nil)
	if err != nil {
		return store.BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	defer st.Close()
	info, err := st.BackupTo(ctx, out, overwrite)
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

// Restore installs the backup from as the SQLite store cfg names (see
// [store.RestoreSQLite]): checked first, refused over existing data
// unless overwrite and always while a gateway runs on it, then migrated
// to this release. A MySQL store is refused with the tools to use
// instead.
func Restore(ctx context.Context, cfg store.Config, from string, overwrite bool) (store.RestoreInfo, error) {
	if cfg.Driver == store.DriverMySQL {
		return store.RestoreInfo{}, errMySQLBackup
	}
	info, err := store.RestoreSQLite(ctx, from, cfg, overwrite)
	if err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	return info, nil
}
