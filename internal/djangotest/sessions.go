package djangotest

import (
	"net/url"
	"os/exec"
	"testing"
)

// sessionsScript is Django 3.2 with django.contrib.auth and
// django.contrib.sessions (the database backend) on the database of the
// request, answering a list of calls:
//
//   - login {username, password}: Django's test client logs in
//     (Client.login: authenticate, then login(), which writes the session);
//     → {ok, key}: the sessionid cookie Django sets.
//   - get_user {key}: django.contrib.auth.get_user on a request carrying
//     that session (it flushes a session whose hash no longer matches);
//     → {user: the username, "" when anonymous, exists: the row remains}.
//   - logout {key}: django.contrib.auth.logout on that session.
//   - set_password {username, password}: set_password and save, as a
//     password change or reset in Django does (no session is kept).
//   - session {key}: SessionStore.load → {exists, data}.
const sessionsScript = `
import json, sys
import django
from django.conf import settings

req = json.load(sys.stdin)
db = req["db"]
if db.get("postgres"):
    from urllib.parse import urlparse
    u = urlparse(db["postgres"])
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": u.path.lstrip("/"),
                "USER": u.username or "", "PASSWORD": u.password or "", "HOST": u.hostname or "",
                "PORT": str(u.port or ""), "OPTIONS": {"options": "-c search_path=%s" % db["schema"]}}
elif db.get("mysql"):
    from urllib.parse import urlparse, unquote
    u = urlparse(db["mysql"])
    database = {"ENGINE": "django.db.backends.mysql", "NAME": u.path.lstrip("/"),
                "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""), "HOST": u.hostname or "",
                "PORT": str(u.port or ""), "OPTIONS": {"charset": "utf8mb4"}}
else:
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": db["sqlite"]}
settings.configure(
    SECRET_KEY=req["secret"],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
    DATABASES={"default": database},
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    USE_TZ=True, TIME_ZONE="UTC", DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    ALLOWED_HOSTS=["testserver"], LOGGING_CONFIG=None,
)
django.setup()
from django.contrib.auth import hashers

# The first of PASSWORD_HASHERS is the one Django hashes with, and to which
# it upgrades at login any hash of other parameters.
class PBKDF2(hashers.PBKDF2PasswordHasher):
    iterations = req.get("pbkdf2_iterations") or hashers.PBKDF2PasswordHasher.iterations

argon2_params = req.get("argon2") or [2, 102400, 8]
class Argon2(hashers.Argon2PasswordHasher):
    time_cost, memory_cost, parallelism = argon2_params[:3]
    def params(self):
        p = super().params()
        if len(argon2_params) > 3:
            p.hash_len = argon2_params[3]
        return p

first, second = ("__main__.Argon2", "__main__.PBKDF2") if req.get("argon2") else ("__main__.PBKDF2", "__main__.Argon2")
settings.PASSWORD_HASHERS = [first, second, "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
                             "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import Client

def request_for(key):
    r = HttpRequest()
    r.session = SessionStore(session_key=key)
    return r

def call(c):
    op = c["op"]
    if op == "login":
        client = Client()
        ok = client.login(username=c["username"], password=c["password"])
        return {"ok": ok, "key": client.cookies["sessionid"].value if ok else ""}
    if op == "get_user":
        r = request_for(c["key"])
        u = auth.get_user(r)
        return {"user": u.get_username() if u.is_authenticated else "", "exists": SessionStore().exists(c["key"])}
    if op == "logout":
        r = request_for(c["key"])
        r.user = auth.get_user(r)
        auth.logout(r)
        return {"exists": SessionStore().exists(c["key"])}
    if op == "set_password":
        u = get_user_model().objects.get(username=c["username"])
        u.set_password(c["password"])
        u.save()
        return {}
    if op == "session":
        s = SessionStore(session_key=c["key"])
        data = s.load()
        return {"exists": s.exists(c["key"]), "data": data}
    raise ValueError(op)

json.dump([call(c) for c in req["calls"]], sys.stdout)
`

// DB is the database Django opens: an SQLite file, a PostgreSQL URL and
// the schema (search_path) Django's tables are in, or a MariaDB/MySQL URL.
type DB struct {
	SQLite   string
	Postgres string
	Schema   string
	// MySQL is a mysql://user:pass@host:port/db URL (the form of
	// REINHARDT_TEST_MYSQL and of sqlstore.Open) naming the test's own
	// database, which Django opens with its MySQL backend
	// (django.db.backends.mysql, OPTIONS charset utf8mb4); its query is
	// ignored.
	MySQL string
}

// requireModule skips t when Python cannot import module, the driver
// Django needs for database, or fails it when Django is Required.
func requireModule(t testing.TB, module, pkg, database string) {
	t.Helper()
	if err := exec.Command(Python, "-c", "import "+module).Run(); err != nil {
		msg := Python + " cannot import " + module + " (apt-get install " + pkg + "), which Django needs for " + database
		if Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// arg is the "db" of the scripts' requests: the URL without its query.
func (db DB) arg(t testing.TB) map[string]string {
	t.Helper()
	switch {
	case db.Postgres != "":
		requireModule(t, "psycopg2", "python3-psycopg2", "PostgreSQL")
		return map[string]string{"postgres": withoutQuery(t, db.Postgres), "schema": db.Schema}
	case db.MySQL != "":
		requireModule(t, "MySQLdb", "python3-mysqldb", "MariaDB/MySQL")
		u := withoutQuery(t, db.MySQL)
		if p, _ := url.Parse(u); p.Scheme != "mysql" || p.Path == "" || p.Path == "/" {
			t.Fatalf("djangotest.DB.MySQL: want mysql://user:pass@host:port/db, got scheme %q, database %q", p.Scheme, p.Path)
		}
		return map[string]string{"mysql": u}
	}
	return map[string]string{"sqlite": db.SQLite}
}

func withoutQuery(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.RawQuery = ""
	return u.String()
}

// Project is the Django project of Sessions: its database, its SECRET_KEY
// and its first password hasher, the one Django hashes with and to which
// it upgrades, at login, a hash of other parameters (a new hash, and so a
// new session auth hash: the user's sessions elsewhere end).
type Project struct {
	DB     DB
	Secret string
	// PBKDF2Iterations, when not zero, sets the iterations of Django's
	// PBKDF2-SHA256 hasher (its default is 260000).
	PBKDF2Iterations int
	// Argon2, when set, makes Argon2 the first hasher with these
	// parameters: time cost, memory in KiB, parallelism (Django's
	// defaults are 2, 102400, 8) and optionally the hash length in bytes
	// (argon2-cffi's default, 16 in Debian's). Otherwise PBKDF2-SHA256 is
	// first.
	Argon2 []int
}

// SessionCall is one call of Sessions: Op is login, get_user, logout,
// set_password or session.
type SessionCall struct {
	Op       string `json:"op"`
	Key      string `json:"key,omitempty"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// SessionReply is Django's answer to one SessionCall (the fields of its
// Op).
type SessionReply struct {
	OK     bool           `json:"ok"`
	Key    string         `json:"key"`
	User   string         `json:"user"`
	Exists bool           `json:"exists"`
	Data   map[string]any `json:"data"`
}

// Sessions runs the calls in one Django 3.2 process of project p, with
// django.contrib.sessions' database backend on p's database (already
// migrated: by Django, or by this library's Migrate), and returns its
// replies in order:
//
//   - login: Django's test client logs the user in (Client.login); Key is
//     the session key of its sessionid cookie.
//   - get_user: Django's get_user on a request with the session Key; User
//     is the username, "" when anonymous; Exists whether the row is still
//     there (get_user flushes a session whose auth hash no longer matches).
//   - logout: Django's logout of the session Key.
//   - set_password: Django's set_password and save of the user.
//   - session: SessionStore.load of Key: Exists and Data.
//
// On PostgreSQL Django needs psycopg2, on MariaDB/MySQL MySQLdb: without
// it the test skips, or fails when Django is Required.
func Sessions(t testing.TB, p Project, calls ...SessionCall) []SessionReply {
	t.Helper()
	Require(t)
	dbArg := p.DB.arg(t)
	req := map[string]any{"db": dbArg, "secret": p.Secret, "calls": calls, "pbkdf2_iterations": p.PBKDF2Iterations, "argon2": p.Argon2}
	var out []SessionReply
	Run(t, sessionsScript, req, &out)
	if len(out) != len(calls) {
		t.Fatalf("Django answered %d of %d calls", len(out), len(calls))
	}
	return out
}
