package showcasetest

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
)

// SharedSecret is the -secret both instances of SharedState run with.
const SharedSecret = "shared-state-secret-key-0123456789abcdefghijklmnop"

// SharedState is the contract of many instances behind a load balancer:
// a and b start two showcases (on different frameworks) over one database
// (db) and one Redis (redisURL, with -sessions redis) with the same
// secret, and whatever a user does on one takes effect on the other at
// once: a session from a login on a is logged in on b, and a logout there
// ends it on a; "log out everywhere" on a ends b's session and refresh
// token; a refresh token blacklisted on b cannot be refreshed on a; a TOTP
// code used on a is refused on b; an OAuth2 code redeemed on a is refused
// on b; and once a's login throttle refuses a username, b refuses it too.
// a must be started first (it prints the demo credentials of the new
// database).
func SharedState(t *testing.T, a, b Starter, db, redisURL string) {
	args := []string{"-db", db, "-redis", redisURL, "-sessions", "redis", "-secret", SharedSecret, "-login-rate", "5/min"}
	baseA, out := a(t, args)
	creds := DemoCredentials(out)
	m := demoClientLine.FindStringSubmatch(out)
	if creds["alice"] == "" || m == nil {
		t.Fatalf("no demo credentials printed:\n%s", out)
	}
	baseB, _ := b(t, args)
	ca, cb := NewClient(t, baseA), NewClient(t, baseB)
	suffix := strings.ToLower(rand.Text()[:8])
	const password = "Shared-state-pass-phrase-1"
	register := func(c *Client, name string) string {
		t.Helper()
		user := name + "-" + suffix
		c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"`+user+`","email":"`+user+`@example.com","password":"`+password+`"}`), 201, "")
		return user
	}

	t.Run("Session", func(t *testing.T) {
		user := register(ca, "session") // registered on a, used on both
		onA := newBrowser(t, baseA)
		onA.getCSRF()
		onA.login(user, password)
		// One browser: the cookies are the host's, whichever port.
		onB := &browser{t: t, base: baseB, jar: onA.jar, hc: onA.hc, csrf: onA.csrf}
		r := onB.do("GET", "/api/me", "", false)
		if r.Status != 200 || !strings.Contains(r.Body, `"auth":"session"`) || !strings.Contains(r.Body, `"username":"`+user+`"`) {
			t.Fatalf("the session of a login on %s, on %s: %d %s", baseA, baseB, r.Status, r.Body)
		}
		onB.expect(onB.do("POST", "/api/auth/logout", "", true), 204, "")
		onA.expect(onA.do("GET", "/api/me", "", false), 401, "")
	})

	t.Run("LogoutAll", func(t *testing.T) {
		user := register(cb, "logoutall")
		onB := newBrowser(t, baseB)
		onB.getCSRF()
		onB.login(user, password)
		p := cb.obtain(user, password)
		onB.expect(onB.do("GET", "/api/me", "", false), 200, "")
		ca.Expect(ca.Do("POST", "/api/auth/logout-all", "", "", bearer(p.Access)), 204, "")
		onB.expect(onB.do("GET", "/api/me", "", false), 401, "")
		cb.Expect(cb.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p.Refresh+`"}`), 401, "")
		cb.Expect(cb.Do("GET", "/api/me", "", "", bearer(p.Access)), 401, "")
	})

	t.Run("Blacklist", func(t *testing.T) {
		p := ca.obtain("alice", creds["alice"])
		cb.Expect(cb.Do("POST", "/api/token/blacklist", "", `{"refresh":"`+p.Refresh+`"}`), 200, "{}")
		// A blacklisted refresh token revokes its family (simplejwt's
		// blacklist, with rotation's reuse detection).
		if r := ca.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p.Refresh+`"}`); r.Status != 401 || !strings.Contains(r.Body, "blacklisted") {
			t.Errorf("refresh on %s of a token blacklisted on %s: %d %s", baseA, baseB, r.Status, r.Body)
		}
	})

	t.Run("TOTP", func(t *testing.T) {
		user := register(ca, "totp")
		p := ca.obtain(user, password)
		r := ca.Do("POST", "/api/mfa/totp/enroll", "", "", bearer(p.Access))
		var e enrollment
		r.JSON(t, &e)
		if r.Status != 200 {
			t.Fatalf("enroll: %d %s", r.Status, r.Body)
		}
		// Confirm on b with the previous step's code (still in the
		// window), so that the current step's is left for the login.
		prev, _ := totp.GenerateCode(e.Secret, time.Now().Add(-30*time.Second))
		cb.Expect(cb.Do("POST", "/api/mfa/totp/confirm", "", `{"code":"`+prev+`"}`, bearer(p.Access)), 204, "")
		code, _ := totp.GenerateCode(e.Secret, time.Now())
		login := `{"username":"` + user + `","password":"` + password + `","otp":"` + code + `"}`
		ca.Expect(ca.Do("POST", "/api/token", "", login), 200, "")
		cb.Expect(cb.Do("POST", "/api/token", "", login), 401, InvalidOTP)
	})

	t.Run("OAuth2Code", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
		conf := func(base string) *oauth2.Config {
			return &oauth2.Config{ClientID: demoConfidential, ClientSecret: m[1], RedirectURL: demoRedirect, Scopes: []string{"read"},
				Endpoint: oauth2.Endpoint{AuthURL: base + "/o/authorize", TokenURL: base + "/o/token", AuthStyle: oauth2.AuthStyleInHeader}}
		}
		verifier := oauth2.GenerateVerifier()
		q := NewFormBrowser(t, baseB).Authorize(conf(baseB).AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "alice", creds["alice"])
		if _, err := conf(baseA).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("the code from %s, redeemed on %s: %v", baseB, baseA, err)
		}
		if _, err := conf(baseB).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("the code redeemed on %s, again on %s: %v; want invalid_grant", baseA, baseB, err)
		}
	})

	// Last: once the limit is reached, every login from this address is
	// refused for the rest of the minute.
	t.Run("LoginThrottle", func(t *testing.T) {
		user := register(cb, "throttle")
		cb.obtain(user, password) // b lets the user in
		wrong := `{"username":"` + user + `","password":"wrong"}`
		throttled := false
		for range 10 {
			if r := ca.Do("POST", "/api/token", "", wrong); r.Status == 429 {
				throttled = true
				break
			} else if r.Status != 401 {
				t.Fatalf("a wrong password on %s: %d %s", baseA, r.Status, r.Body)
			}
		}
		if !throttled {
			t.Fatalf("%s never throttled 10 wrong passwords with -login-rate 5/min", baseA)
		}
		r := cb.Do("POST", "/api/token", "", `{"username":"`+user+`","password":"`+password+`"}`)
		if r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Errorf("the right password on %s after %s throttled the user: %d %s; want 429 with Retry-After", baseB, baseA, r.Status, r.Body)
		}
	})
}
