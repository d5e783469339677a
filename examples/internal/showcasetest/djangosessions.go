package showcasetest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/internal/djangotest"
)

// DjangoSessions is the -sessions django row of the contract, against
// Debian's Django 3.2 on the same SQLite database with -secret as its
// SECRET_KEY: a session Django's test client logged in authenticates
// /api/me; with Django's Argon2 at this library's parameters a login on
// one side ends no session of the other (no re-hash); a login here is get_user in Django; logout on either side is
// anonymous on the other; a password change on either side ends the
// user's sessions on the other, and the session that changed it here
// stays logged in on both; logout everywhere here ends the user's Django
// sessions of before, and not those of a Django login after it. Without Django it skips, or fails under
// CI=true or REINHARDT_REQUIRE_DJANGO=1.
func DjangoSessions(t *testing.T, start Starter) {
	djangotest.Require(t)
	const secret = "django-and-go-share-this-secret-key-0123456789"
	path := filepath.Join(t.TempDir(), "shared.sqlite3")
	base, out := start(t, []string{"-db", "sqlite:" + path, "-secret", secret, "-sessions", "django"})
	alice := DemoCredentials(out)["alice"]
	// Django hashes with Argon2 at this library's parameters, hash length
	// included (docs/migrating-from-django.md), so that neither side
	// re-hashes the other's hashes at login, which would end the user's
	// sessions on the other side.
	project := djangotest.Project{DB: djangotest.DB{SQLite: path}, Secret: secret,
		Argon2: []int{hashers.DefaultArgon2Time, hashers.DefaultArgon2Memory, hashers.DefaultArgon2Threads, hashers.DefaultArgon2KeyLen}}
	django := func(calls ...djangotest.SessionCall) []djangotest.SessionReply {
		t.Helper()
		return djangotest.Sessions(t, project, calls...)
	}
	const bobPW = "bobs-long-pass-phrase-1"
	NewClient(t, base).Expect(NewClient(t, base).Do("POST", "/api/auth/register", "", `{"username":"bob","email":"bob@example.com","password":"`+bobPW+`"}`), 201, "")

	// Django's test client logs alice and bob in: /api/me is theirs here.
	// Alice logged in here first: Django's login did not re-hash her
	// password, so her session here lives on.
	aliceFirst := newBrowser(t, base)
	aliceFirst.getCSRF()
	aliceFirst.login("alice", alice)
	dj := django(djangotest.SessionCall{Op: "login", Username: "alice", Password: alice},
		djangotest.SessionCall{Op: "login", Username: "bob", Password: bobPW})
	if !dj[0].OK || !dj[1].OK {
		t.Fatalf("Django's test client: %+v", dj)
	}
	aliceDj, bobDj := newBrowser(t, base), newBrowser(t, base)
	aliceDj.setCookie("sessionid", dj[0].Key)
	bobDj.setCookie("sessionid", dj[1].Key)
	for _, b := range []*browser{aliceDj, bobDj, aliceFirst} {
		if r := b.do("GET", "/api/me", "", false); r.Status != 200 || !strings.Contains(r.Body, `"auth":"session"`) {
			t.Fatalf("Django's session here: %d %s", r.Status, r.Body)
		}
	}

	// A login here is a login in Django; logout here is anonymous there.
	bob := newBrowser(t, base)
	bob.getCSRF()
	bob.login("bob", bobPW)
	dj = django(djangotest.SessionCall{Op: "get_user", Key: bob.cookie("sessionid")}, djangotest.SessionCall{Op: "get_user", Key: bobDj.cookie("sessionid")})
	if dj[0].User != "bob" {
		t.Errorf("Django's get_user of the login here: %+v", dj[0])
	}
	if dj[1].User != "bob" {
		t.Errorf("bob's Django session after he logged in here (a re-hash here?): %+v", dj[1])
	}
	loggedOut := bob.cookie("sessionid")
	bob.expect(bob.do("POST", "/api/auth/logout", "", true), 204, "")
	// Logout in Django is anonymous here.
	dj = django(djangotest.SessionCall{Op: "get_user", Key: loggedOut}, djangotest.SessionCall{Op: "logout", Key: aliceDj.cookie("sessionid")})
	if dj[0].User != "" {
		t.Errorf("Django's get_user after the logout here: %+v", dj[0])
	}
	aliceDj.expect(aliceDj.do("GET", "/api/me", "", false), 401, "")

	// A password change in Django ends alice's session here.
	aliceGo := newBrowser(t, base)
	aliceGo.getCSRF()
	aliceGo.login("alice", alice)
	django(djangotest.SessionCall{Op: "set_password", Username: "alice", Password: "changed-in-django-1"})
	aliceGo.expect(aliceGo.do("GET", "/api/me", "", false), 401, "")

	// A password change here ends bob's Django session and keeps this one,
	// here and in Django.
	bob.getCSRF()
	bob.login("bob", bobPW)
	bob.expect(bob.do("POST", "/api/auth/password/change", `{"old_password":"`+bobPW+`","new_password":"An0ther-long-pass"}`, true), 204, "")
	bob.expect(bob.do("GET", "/api/me", "", false), 200, "")
	dj = django(djangotest.SessionCall{Op: "get_user", Key: bobDj.cookie("sessionid")}, djangotest.SessionCall{Op: "get_user", Key: bob.cookie("sessionid")})
	if dj[0].User != "" || dj[1].User != "bob" {
		t.Errorf("after the password change here Django's get_user gives %q for its session and %q for this one; want \"\" and bob", dj[0].User, dj[1].User)
	}
	bobDj.expect(bobDj.do("GET", "/api/me", "", false), 401, "")

	// Logout everywhere here ends bob's Django sessions of before; a
	// Django login after it is a login here.
	const bobPW2 = "An0ther-long-pass"
	before := django(djangotest.SessionCall{Op: "login", Username: "bob", Password: bobPW2})[0].Key
	time.Sleep(1100 * time.Millisecond) // Django's expire_date, and so the creation time inferred here, is to the second
	bob.expect(bob.do("POST", "/api/auth/logout-all", "", true), 204, "")
	time.Sleep(1100 * time.Millisecond)
	after := django(djangotest.SessionCall{Op: "login", Username: "bob", Password: bobPW2})[0].Key
	old, fresh := newBrowser(t, base), newBrowser(t, base)
	old.setCookie("sessionid", before)
	fresh.setCookie("sessionid", after)
	old.expect(old.do("GET", "/api/me", "", false), 401, "")
	fresh.expect(fresh.do("GET", "/api/me", "", false), 200, "")
}
