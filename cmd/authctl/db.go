package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/validators"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// openStore opens the database. Only migrate creates or changes tables;
// the other commands work on a database that is already migrated (Django's
// manage.py does the same), so pointing them at a Django database changes
// nothing but the rows they are asked to change.
func openStore(ctx context.Context, e *env, db string, migrate bool) (*sqlstore.Store, bool) {
	s, err := sqlstore.Open(ctx, db, sqlstore.WithLogger(slog.New(slog.NewTextHandler(e.stderr, nil))))
	if err != nil {
		fail(e, "open %s: %v", redact(db), err)
		return nil, false
	}
	if migrate {
		if err := s.Migrate(ctx); err != nil {
			_ = s.Close()
			fail(e, "migrate: %v", err)
			return nil, false
		}
	}
	return s, true
}

// redact hides the passwords of a database URL: in its user part and in
// password or sslpassword query parameters.
func redact(db string) string {
	u, err := url.Parse(db)
	if err != nil || u.Scheme == "sqlite" || u.Opaque != "" {
		return db
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

func cmdMigrate(ctx context.Context, e *env, db string, args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	def, err := sqlstore.LockTimeoutFromEnv(e.getenv)
	if err != nil {
		return fail(e, "%v", err)
	}
	timeout := fs.Duration("lock-timeout", def, "how long to wait while another process migrates (env REINHARDT_LOCK_TIMEOUT)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *timeout <= 0 {
		fmt.Fprintln(e.stderr, "usage: authctl migrate [--lock-timeout DURATION]")
		return exitUsage
	}
	s, ok := openStore(ctx, e, db, false)
	if !ok {
		return exitFail
	}
	defer s.Close()
	s.LockTimeout = *timeout
	if err := s.Migrate(ctx); err != nil {
		return fail(e, "migrate: %v", err)
	}
	applied, err := s.AppliedMigrations(ctx)
	if err != nil {
		return fail(e, "%v", err)
	}
	fmt.Fprintf(e.stdout, "database %s is migrated (%d migrations applied)\n", redact(db), len(applied))
	return exitOK
}

// readNewPassword asks twice (Django's prompts) and runs the password
// validators when it comes from a prompt.
func readNewPassword(e *env, user validators.UserAttributes) (string, error) {
	pw, err := e.readSecret("Password: ")
	if err != nil {
		return "", err
	}
	again, err := e.readSecret("Password (again): ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("Error: Your passwords didn't match.")
	}
	return pw, checkPassword(pw, user)
}

func checkPassword(pw string, user validators.UserAttributes) error {
	if pw == "" {
		return errors.New("Error: Blank passwords aren't allowed.")
	}
	if len(pw) > core.MaxPasswordBytes {
		return fmt.Errorf("Error: the password is longer than %d bytes.", core.MaxPasswordBytes)
	}
	var ve *validators.ValidationError
	if err := validators.Validate(pw, user, validators.DefaultValidators()...); errors.As(err, &ve) {
		return errors.New(strings.Join(ve.Messages(), "\n"))
	} else if err != nil {
		return err
	}
	return nil
}

func cmdCreateSuperuser(ctx context.Context, e *env, db string, args []string) int {
	fs := flag.NewFlagSet("createsuperuser", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	username := fs.String("username", "", "username of the superuser")
	email := fs.String("email", "", "email address")
	noinput := fs.Bool("noinput", false, "take the password from REINHARDT_SUPERUSER_PASSWORD instead of a prompt")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	if msgs := core.ValidateUsername(core.NormalizeUsername(*username)); msgs != nil {
		return fail(e, "username: %s", strings.Join(msgs, " "))
	}
	var pw string
	if *noinput {
		pw = e.getenv("REINHARDT_SUPERUSER_PASSWORD")
		if pw == "" {
			return fail(e, "--noinput needs the password in REINHARDT_SUPERUSER_PASSWORD")
		}
	} else {
		var err error
		if pw, err = readNewPassword(e, validators.Attrs{"username": *username, "email": *email}); err != nil {
			return fail(e, "%v", err)
		}
	}
	s, ok := openStore(ctx, e, db, false)
	if !ok {
		return exitFail
	}
	defer s.Close()
	u, err := s.CreateSuperuser(ctx, *username, &pw, map[string]any{"email": *email})
	if err != nil {
		return fail(e, "%v", err)
	}
	fmt.Fprintf(e.stdout, "Superuser %q created successfully (id %d).\n", u.Username, u.ID)
	return exitOK
}

func cmdChangePassword(ctx context.Context, e *env, db string, args []string) int {
	fs := flag.NewFlagSet("changepassword", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	stdin := fs.Bool("stdin", false, "read the new password (one line) from standard input")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: authctl changepassword [--stdin] USERNAME")
		return exitUsage
	}
	s, ok := openStore(ctx, e, db, false)
	if !ok {
		return exitFail
	}
	defer s.Close()
	u, err := s.GetByUsername(ctx, fs.Arg(0))
	if err != nil {
		return fail(e, "%v", err)
	}
	if u == nil {
		return fail(e, "user %q does not exist", fs.Arg(0))
	}
	var pw string
	if *stdin {
		if pw, err = e.readSecret(""); err == nil {
			err = checkPassword(pw, validators.AttributesOf(u))
		}
	} else {
		fmt.Fprintf(e.stderr, "Changing password for user %q\n", u.Username)
		pw, err = readNewPassword(e, validators.AttributesOf(u))
	}
	if err != nil {
		return fail(e, "%v", err)
	}
	if err := core.SetPassword(ctx, u, pw); err != nil {
		return fail(e, "%v", err)
	}
	if err := s.SetPasswordHash(ctx, u.GetID(), u.Password); err != nil {
		return fail(e, "%v", err)
	}
	fmt.Fprintf(e.stdout, "Password changed successfully for user %q\n", u.Username)
	return exitOK
}
