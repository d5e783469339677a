package sqlstore_test

import (
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
)

// simplejwtCtl is the Django side of the token interop tests: Django 3.2
// with rest_framework_simplejwt.token_blacklist installed (Debian's
// python3-djangorestframework-simplejwt 5.2).
//
//	simplejwtctl.py DB [--schema S] --secret K migrate | check | rows | flush
//	simplejwtctl.py DB [--schema S] --secret K verify TOKEN... | blacklist TOKEN | deleteuser USERNAME
//
// DB is an SQLite file, a postgres:// URL (then --schema is the
// search_path) or a mysql:// URL. Output is JSON.
const simplejwtCtl = `
import io, json, sys
import django
from django.conf import settings

args = sys.argv[1:]
db = args.pop(0)
schema = secret = None
while args and args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--schema":
        schema = args.pop(0)
    elif opt == "--secret":
        secret = args.pop(0)
cmd = args.pop(0)
if db.startswith("postgres"):
    from urllib.parse import urlparse
    u = urlparse(db)
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": u.path.lstrip("/"),
                "USER": u.username or "", "PASSWORD": u.password or "", "HOST": u.hostname or "",
                "PORT": str(u.port or ""), "OPTIONS": {"options": "-c search_path=%s" % schema}}
elif db.startswith("mysql"):
    from urllib.parse import urlparse, unquote
    u = urlparse(db)
    database = {"ENGINE": "django.db.backends.mysql", "NAME": u.path.lstrip("/"),
                "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""), "HOST": u.hostname or "",
                "PORT": str(u.port or ""), "OPTIONS": {"charset": "utf8mb4"}}
else:
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": db}
settings.configure(
    SECRET_KEY="reinhardt-interop-tests",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework_simplejwt.token_blacklist"],
    DATABASES={"default": database},
    USE_TZ=True, TIME_ZONE="UTC", DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    SIMPLE_JWT={"SIGNING_KEY": secret or "unused", "ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True},
)
django.setup()
from django.core.management import call_command

def iso(dt):
    return dt.isoformat() if dt else None

if cmd == "migrate":
    call_command("migrate", verbosity=0, interactive=False)
    res = {"ok": True}
elif cmd == "check":
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    code = 0
    try:
        call_command("migrate", check_unapplied=True, verbosity=0, interactive=False)
    except SystemExit as e:
        code = e.code or 0
    out = io.StringIO()
    call_command("showmigrations", "token_blacklist", stdout=out, verbosity=1)
    res = {"plan": ["%s.%s" % (m.app_label, m.name) for m, _ in plan], "check_exit": code,
           "applied": sorted("%s.%s" % k for k in executor.loader.applied_migrations), "showmigrations": out.getvalue()}
elif cmd == "rows":
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
    res = []
    for t in OutstandingToken.objects.select_related("user").order_by("id"):
        b = getattr(t, "blacklistedtoken", None)
        res.append({"jti": t.jti, "token": t.token, "user": t.user.username if t.user else None,
                    "created_at": iso(t.created_at), "expires_at": iso(t.expires_at),
                    "blacklisted": b is not None, "blacklisted_at": iso(b.blacklisted_at) if b else None,
                    "str": str(t)})
elif cmd == "verify":
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.tokens import RefreshToken
    res = []
    for tok in args:
        try:
            RefreshToken(tok)
            res.append({"ok": True})
        except TokenError as e:
            res.append({"ok": False, "message": str(e.args[0])})
elif cmd == "blacklist":
    from rest_framework_simplejwt.tokens import RefreshToken
    RefreshToken(args[0]).blacklist()
    res = {"ok": True}
elif cmd == "flush":
    call_command("flushexpiredtokens")
    res = {"ok": True}
elif cmd == "deleteuser":
    from django.contrib.auth.models import User
    User.objects.get(username=args[0]).delete()
    res = {"ok": True}
else:
    raise SystemExit("unknown command " + cmd)
print(json.dumps(res))
`

// requireSimpleJWT: Django with simplejwt's blacklist app.
func requireSimpleJWT(t *testing.T) {
	requirePython(t, "django, rest_framework_simplejwt.token_blacklist")
}

// simplejwt runs the embedded script and decodes its output into out.
func simplejwt(t *testing.T, db []string, out any, args ...string) {
	t.Helper()
	runEmbeddedPython(t, "simplejwtctl.py", simplejwtCtl, db, out, args...)
}

type djangoToken struct {
	JTI           string  `json:"jti"`
	Token         string  `json:"token"`
	User          *string `json:"user"`
	CreatedAt     *string `json:"created_at"`
	ExpiresAt     string  `json:"expires_at"`
	Blacklisted   bool    `json:"blacklisted"`
	BlacklistedAt *string `json:"blacklisted_at"`
	Str           string  `json:"str"`
}

type djangoVerify struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

var interopSecret = "interop-secret-0123456789abcdefghij"

// TestTokensDjangoInterop: Django with simplejwt's blacklist app sees a
// database migrated here as fully migrated, reads the outstanding and
// blacklisted tokens written here (the rotated token is blacklisted for
// simplejwt too), and what Django does (blacklist a token, flush expired
// tokens, delete a user) is honoured here. On SQLite, on PostgreSQL when
// psycopg2 and REINHARDT_TEST_POSTGRES are there, and on MariaDB when
// MySQLdb and REINHARDT_TEST_MYSQL are.
func TestTokensDjangoInterop(t *testing.T) {
	requireSimpleJWT(t)
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tokens.sqlite3")
		tokensInterop(t, "sqlite:"+path, []string{path})
	})
	t.Run("Postgres", func(t *testing.T) {
		if postgresURLOrEmpty() == "" && !required() {
			t.Skip("REINHARDT_TEST_POSTGRES is not set")
		}
		requirePython(t, "psycopg2")
		u, schema := postgresSchema(t)
		base, err := url.Parse(postgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		base.RawQuery = ""
		tokensInterop(t, u, []string{base.String(), "--schema", schema})
	})
	t.Run("MariaDB", func(t *testing.T) {
		requirePython(t, "MySQLdb")
		u, _ := mysqlDatabase(t)
		tokensInterop(t, u, []string{u})
	})
}

func tokensInterop(t *testing.T, dbURL string, djangoDB []string) {
	ctx := testCtx(t)
	s := openURL(t, dbURL)
	alice, err := s.CreateUser(ctx, "alice", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.CreateUser(ctx, "bob", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := s.Tokens()
	m := tokens.NewTokenRotationManager(ts, ts)
	j, err := jwtauth.New([]byte(interopSecret), jwtauth.WithRevocation(m.Revocation()))
	if err != nil {
		t.Fatal(err)
	}
	m.JWT, m.Users = j, core.NewModelBackend(s)
	spent, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	live, err := m.Refresh(ctx, spent.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	bobs, err := m.IssuePair(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	expired := jwtauth.NewJTI()
	if err := ts.Blacklist(ctx, expired, time.Now().Add(-time.Hour), tokens.ManualRevoke); err != nil {
		t.Fatal(err)
	}
	db := append(djangoDB, "--secret", interopSecret)

	// Django finds nothing to migrate.
	var chk djangoCheckResult
	simplejwt(t, db, &chk, "check")
	if len(chk.Plan) != 0 || chk.CheckExit != 0 {
		t.Errorf("Django would still migrate %v (migrate --check exit %d)\n%s", chk.Plan, chk.CheckExit, chk.ShowMigrations)
	}
	n := 0
	for _, a := range chk.Applied {
		if strings.HasPrefix(a, "token_blacklist.") {
			n++
		}
	}
	if n != 11 || strings.Contains(chk.ShowMigrations, "[ ]") {
		t.Errorf("Django sees %d token_blacklist migrations applied:\n%s", n, chk.ShowMigrations)
	}

	// Django reads the rows.
	var rows []djangoToken
	simplejwt(t, db, &rows, "rows")
	byJTI := map[string]djangoToken{}
	for _, r := range rows {
		byJTI[r.JTI] = r
	}
	if len(rows) != 4 {
		t.Errorf("Django reads %d outstanding tokens, want 4: %+v", len(rows), rows)
	}
	for _, tc := range []struct {
		pair        *jwtauth.TokenPair
		user        string
		blacklisted bool
	}{{spent, "alice", true}, {live, "alice", false}, {bobs, "bob", false}} {
		r, ok := byJTI[tc.pair.RefreshClaims.ID]
		switch {
		case !ok:
			t.Errorf("Django does not see %s's refresh token", tc.user)
			continue
		case r.User == nil || *r.User != tc.user:
			t.Errorf("Django reads user %v, want %s", r.User, tc.user)
		case r.Blacklisted != tc.blacklisted:
			t.Errorf("Django reads blacklisted %v for %s's token, want %v", r.Blacklisted, tc.user, tc.blacklisted)
		case r.Token != tc.pair.Refresh[:strings.LastIndexByte(tc.pair.Refresh, '.')+1]:
			t.Errorf("token column %q; want the token without its signature", r.Token)
		case !parseISO(t, r.ExpiresAt).Equal(tc.pair.RefreshClaims.ExpiresAt.Time):
			t.Errorf("Django reads expires_at %s, want %v", r.ExpiresAt, tc.pair.RefreshClaims.ExpiresAt.Time)
		case r.CreatedAt == nil || parseISO(t, *r.CreatedAt).Sub(tc.pair.RefreshClaims.IssuedAt.Time).Abs() > time.Second:
			t.Errorf("Django reads created_at %v, the token's iat is %v", r.CreatedAt, tc.pair.RefreshClaims.IssuedAt.Time)
		}
	}
	if r := byJTI[expired]; r.Token != "" || r.User != nil || !r.Blacklisted || r.BlacklistedAt == nil {
		t.Errorf("a blacklisted bare jti reads %+v", r)
	}

	// simplejwt verifies the tokens with the same key: the rotated one is
	// blacklisted there too.
	var verified []djangoVerify
	simplejwt(t, db, &verified, "verify", spent.Refresh, live.Refresh)
	if len(verified) != 2 || verified[0].OK || verified[0].Message != jwtauth.MsgBlacklisted || !verified[1].OK {
		t.Errorf("simplejwt's RefreshToken() = %+v; want the spent token blacklisted, the live one good", verified)
	}

	// Django blacklists bob's token: it is refused here, and presenting it
	// ends its family.
	simplejwt(t, db, nil, "blacklist", bobs.Refresh)
	_, err = m.Refresh(ctx, bobs.Refresh)
	var te *jwtauth.TokenError
	if !errors.As(err, &te) || te.Message != jwtauth.MsgBlacklisted {
		t.Errorf("refreshing a token Django blacklisted = %v", err)
	}
	if _, err := j.VerifyAccess(ctx, bobs.Access); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("bob's access token survived his family: %v", err)
	}
	if st, err := ts.Stats(ctx); err != nil || st.ByReason[tokens.ReasonUnspecified] != 1 {
		t.Errorf("Stats = %+v, %v; want one entry without a reason (Django's)", st, err)
	}
	// The spent token presented again here revokes alice's family; its
	// tokens are then blacklisted for simplejwt as well.
	if _, err := m.Refresh(ctx, spent.Refresh); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Fatalf("reusing the spent token = %v", err)
	}
	simplejwt(t, db, &verified, "verify", live.Refresh)
	if len(verified) != 1 || verified[0].OK || verified[0].Message != jwtauth.MsgBlacklisted {
		t.Errorf("simplejwt's RefreshToken() of a revoked family's token = %+v", verified)
	}

	// flushexpiredtokens removes our state with the rows.
	simplejwt(t, db, nil, "flush")
	if ok, err := ts.IsBlacklisted(ctx, expired); ok || err != nil {
		t.Errorf("IsBlacklisted(flushed) = %v, %v", ok, err)
	}
	var orphans int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM "reinhardt_token_state" WHERE "token_id" NOT IN (SELECT "id" FROM "token_blacklist_outstandingtoken")`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("%d state rows outlive their token (%v)", orphans, err)
	}

	// Django deletes alice: her tokens lose their user, and refreshing is
	// refused here.
	simplejwt(t, db, nil, "deleteuser", "alice")
	simplejwt(t, db, &rows, "rows")
	for _, r := range rows {
		if r.User != nil && *r.User == "alice" {
			t.Errorf("a token still names the deleted user: %+v", r)
		}
	}
	pair, err := m.IssuePair(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, bob.ID); err != nil {
		t.Fatalf("DeleteUser of a user with tokens: %v", err)
	}
	if _, err := m.Refresh(ctx, pair.Refresh); !errors.Is(err, tokens.ErrNoActiveAccountForToken) {
		t.Errorf("refreshing a deleted user's token = %v", err)
	}
	// Django's migrate leaves everything as it is.
	simplejwt(t, db, nil, "migrate")
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("Migrate after Django's migrate: %v", err)
	}
}
