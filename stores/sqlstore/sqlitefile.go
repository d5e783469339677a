package sqlstore

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// FileMode is the mode Open creates an SQLite database file with: readable
// and writable by its owner only. The file keeps password hashes, and the
// showcase keeps its generated secret key in it; whoever reads it can
// forge tokens. SQLite gives the -wal and -shm files it makes beside the
// database the database file's mode, so they are private too.
const FileMode fs.FileMode = 0o600

// OpenOption configures Open.
type OpenOption func(*openConfig)

type openConfig struct {
	logger *slog.Logger
	pool   *pgxpool.Pool // WithPgxPool
}

// WithLogger sets the logger of Open's warnings (an SQLite file that
// others may read). Default: slog.Default().
func WithLogger(l *slog.Logger) OpenOption {
	return func(c *openConfig) { c.logger = l }
}

// prepareSQLiteFile makes sure the database file at path is private
// before SQLite opens it: a missing file is created empty with FileMode
// (an empty file is an empty SQLite database), and an existing one — or
// its -wal or -shm — that its group or others may access is reported to
// logger, which Open does not change (the operator decides). A path that
// is a "file:" URI is SQLite's to interpret and is left alone.
func prepareSQLiteFile(path string, logger *slog.Logger) error {
	if strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("create the database file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			continue // -wal and -shm come and go
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			logger.Warn("sqlstore: the database file is accessible to other users; it holds password hashes (and the showcase's secret key): chmod 600 it",
				"file", p, "mode", fmt.Sprintf("%04o", perm))
		}
	}
	return nil
}
