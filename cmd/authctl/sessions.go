package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/migrate"
	"github.com/reinhardt-go/auth/stores/filestore"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// cmdClearSessions is Django's clearsessions plus simplejwt's
// flushexpiredtokens and django-oauth-toolkit's cleartokens: expired
// sessions, JWT records, OAuth2 codes and tokens, run-out throttle
// counters and audit events older than --audit-retention (default
// sqlstore.DefaultAuditRetention, 90 days; negative keeps them) leave the
// database.
func cmdClearSessions(ctx context.Context, e *env, db string, args []string) int {
	fs := flag.NewFlagSet("clearsessions", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	retention := fs.Duration("audit-retention", sqlstore.DefaultAuditRetention, "how long audit events are kept (negative: for ever)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "usage: authctl clearsessions [--audit-retention DURATION]")
		return exitUsage
	}
	if *retention == 0 {
		return fail(e, "--audit-retention 0 would delete every audit event: give a duration, or a negative one to keep them")
	}
	s, ok := openStore(ctx, e, db, false)
	if !ok {
		return exitFail
	}
	defer s.Close()
	n, err := s.Sessions().CleanupExpired(ctx)
	if err != nil {
		return fail(e, "sessions: %v", err)
	}
	m, err := s.Tokens().Cleanup(ctx, time.Now())
	if err != nil {
		return fail(e, "tokens: %v", err)
	}
	o, err := s.OAuth2().CleanupExpired(ctx, time.Now())
	if err != nil {
		return fail(e, "OAuth2 codes and tokens: %v", err)
	}
	c, err := s.Throttle().CleanupExpired(ctx, time.Now())
	if err != nil {
		return fail(e, "throttle counters: %v", err)
	}
	audit := s.AuditLog()
	audit.Retention = *retention
	a, err := audit.Prune(ctx, time.Now())
	if err != nil {
		return fail(e, "audit events: %v", err)
	}
	fmt.Fprintf(e.stdout, "removed %d expired sessions, %d expired token records, %d expired OAuth2 codes and tokens and %d run-out throttle counters, and %d audit events past their retention\n", n, m, o, c, a)
	return exitOK
}

// listerImporter is a backend sessions can be copied from and to.
type listerImporter interface {
	sessions.Lister
	sessions.Importer
}

// openSessionBackend opens a migratesessions source or target: db (the
// -db database's django_session), file:DIR or redis://….
func openSessionBackend(ctx context.Context, e *env, db, spec string) (listerImporter, func(), error) {
	switch {
	case spec == "db":
		s, ok := openStore(ctx, e, db, false)
		if !ok {
			return nil, nil, errors.New("cannot open the database")
		}
		return s.Sessions(), func() { s.Close() }, nil
	case strings.HasPrefix(spec, "file:"):
		b, err := filestore.NewFileSessionBackend(strings.TrimPrefix(spec, "file:"))
		if err != nil {
			return nil, nil, err
		}
		return b, func() { b.Close() }, nil
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		c, err := redisstore.Open(spec)
		if err != nil {
			return nil, nil, err
		}
		return redisstore.NewSessionBackend(c), func() { c.Close() }, nil
	case strings.HasPrefix(spec, "sqlite:"), strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"), strings.HasPrefix(spec, "mysql://"):
		s, err := sqlstore.Open(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		return s.Sessions(), func() { s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("%q: want db, sqlite:PATH, postgres://…, mysql://…, file:DIR or redis://…", redact(spec))
}

// cmdMigrateSessions copies every live session from one backend to
// another, with a progress bar on standard error.
func cmdMigrateSessions(ctx context.Context, e *env, db string, args []string) int {
	fs := flag.NewFlagSet("migratesessions", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "source: db, sqlite:PATH, postgres://…, file:DIR or redis://…")
	to := fs.String("to", "", "target, in the same forms")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *from == "" || *to == "" {
		fmt.Fprintln(e.stderr, "usage: authctl migratesessions --from SPEC --to SPEC")
		return exitUsage
	}
	src, closeSrc, err := openSessionBackend(ctx, e, db, *from)
	if err != nil {
		return fail(e, "--from: %v", err)
	}
	defer closeSrc()
	dst, closeDst, err := openSessionBackend(ctx, e, db, *to)
	if err != nil {
		return fail(e, "--to: %v", err)
	}
	defer closeDst()
	res, err := migrate.CopyWith(ctx, src, dst, migrate.Options{Progress: progressBar(e.stderr)})
	fmt.Fprintln(e.stderr)
	if err != nil {
		return fail(e, "%v", err)
	}
	fmt.Fprintf(e.stdout, "copied %d sessions (%d already there, %d expired meanwhile) of %d\n", res.Copied, res.Existing, res.Expired, res.Total)
	return exitOK
}

// progressBar draws "[#####     ] 50/100" in place.
func progressBar(w io.Writer) func(done, total int) {
	const width = 30
	return func(done, total int) {
		filled := width
		if total > 0 {
			filled = done * width / total
		}
		fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), done, total)
	}
}
