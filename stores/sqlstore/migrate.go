package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The migrations of each dialect: files "NNNN_name.sql", applied in order
// of NNNN. A line "-- reinhardt:applied-if-exists T1 T2 ..." marks a
// migration that creates tables another program (Django) may already have
// made: if any of the tables exists, the migration is recorded as applied
// (adopted) without running.
var (
	//go:embed migrations/sqlite/*.sql
	sqliteMigrations embed.FS
	//go:embed migrations/postgres/*.sql
	postgresMigrations embed.FS
	//go:embed migrations/mysql/*.sql
	mysqlMigrations embed.FS
)

const adoptDirective = "-- reinhardt:applied-if-exists "

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	// AdoptIfExists lists tables whose presence means the migration's
	// effect is already there.
	AdoptIfExists []string
	statements    []string
}

// Migrations returns the migrations of the dialect, in order.
func Migrations(d Dialect) ([]Migration, error) {
	fsys, dir := fs.FS(sqliteMigrations), "migrations/sqlite"
	switch d {
	case Postgres:
		fsys, dir = postgresMigrations, "migrations/postgres"
	case MySQL:
		fsys, dir = mysqlMigrations, "migrations/mysql"
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: bad migration file name %q", e.Name())
		}
		text, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		m := Migration{Version: v, Name: name}
		var stmt strings.Builder
		for line := range strings.Lines(string(text)) {
			line = strings.TrimSpace(line)
			if rest, ok := strings.CutPrefix(line, adoptDirective); ok {
				m.AdoptIfExists = append(m.AdoptIfExists, strings.Fields(rest)...)
				continue
			}
			if line == "" || strings.HasPrefix(line, "--") {
				continue
			}
			if stmt.Len() > 0 {
				stmt.WriteByte('\n')
			}
			stmt.WriteString(line)
			if strings.HasSuffix(line, ";") {
				m.statements = append(m.statements, stmt.String())
				stmt.Reset()
			}
		}
		if stmt.Len() > 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: statement without a final ';'", e.Name())
		}
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("sqlstore: two migrations numbered %d", ms[i].Version)
		}
	}
	return ms, nil
}

// Migrate brings the schema up to date, in one transaction under the
// database-wide migration lock (WithMigrationLock): it creates the
// reinhardt_migrations table if needed and applies, in order, every
// migration whose version is not recorded there. The first creates
// Django's contenttypes and auth tables with Django's own DDL, seeds the
// default content types and permissions, and records Django's migrations
// (contenttypes 0001-0002, auth 0001-0012) in django_migrations, so that
// Django's migrate finds nothing to do. If those tables exist already (a
// database Django made) it is recorded as adopted and nothing is touched.
//
// On MariaDB/MySQL every DDL statement commits implicitly, so a migration
// that fails half-way leaves the statements before the failure done (as
// Django's migrations there do); the lock, which belongs to the
// connection, still covers the whole run.
//
// Migrate is idempotent and safe to run from several processes at once:
// one migrates, the others wait for the lock (at most Store.LockTimeout)
// and then find nothing to do. On an up-to-date database it only reads.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return err
	}
	return s.WithMigrationLock(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.migrate(ctx, tx, ms); err != nil {
			return s.fail(ctx, "migrate", err)
		}
		return nil
	})
}

func (s *Store) migrate(ctx context.Context, tx *sql.Tx, ms []Migration) error {
	exists, err := s.TableExists(ctx, tx, "reinhardt_migrations")
	if err != nil {
		return err
	}
	if !exists {
		if _, err := tx.ExecContext(ctx, s.q.migrationsTable); err != nil {
			return err
		}
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, s.q.appliedVersions)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if s.dialect == MySQL && m.Version == ms[0].Version {
			if err := mysqlCheckCharset(ctx, tx); err != nil {
				return err
			}
		}
		adopted := false
		for _, table := range m.AdoptIfExists {
			if adopted, err = s.TableExists(ctx, tx, table); err != nil {
				return err
			}
			if adopted {
				break
			}
		}
		if !adopted {
			for i, stmt := range m.statements {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %04d_%s, statement %d: %w", m.Version, m.Name, i+1, err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, s.q.recordMigration, m.Version, m.Name, s.dbTime(s.now()), adopted); err != nil {
			return err
		}
	}
	return nil
}

// AppliedMigration is a row of reinhardt_migrations.
type AppliedMigration struct {
	Version int
	Name    string
	// Adopted is true when the migration's tables were found made (by
	// Django) and the migration did not run.
	Adopted bool
}

// AppliedMigrations lists the migrations recorded as applied, in order.
func (s *Store) AppliedMigrations(ctx context.Context) ([]AppliedMigration, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT "version", "name", "adopted" FROM "reinhardt_migrations" ORDER BY "version"`)
	if err != nil {
		return nil, s.fail(ctx, "applied migrations", err)
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var m AppliedMigration
		if err := rows.Scan(&m.Version, &m.Name, &m.Adopted); err != nil {
			return nil, s.fail(ctx, "applied migrations", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "applied migrations", err)
	}
	return out, nil
}
