package showcasetest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// InvalidOTP is the showcase's 401 body for a one-time password that is
// wrong, expired or already used.
const InvalidOTP = `{"detail":"The authentication code is wrong, expired or already used.","code":"invalid_otp"}`

const (
	mfaRequired = `{"detail":"This account has two-factor authentication on: send the current code as otp.","code":"mfa_required"}`
	basicMFA    = `{"detail":"This account has two-factor authentication on, which Basic authentication cannot carry: log in with a session or a token.","code":"mfa_required"}`
)

// enrollment is the body of POST /api/mfa/totp/enroll.
type enrollment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	QR     string `json:"qr_png"`
}

// mfaFlow is the MFA part of the contract: enroll, confirm with the
// app's code, the one-time password on both logins (and the refusals),
// Basic refused, recovery codes once each, disable; and a login that was
// made before MFA went on keeps working.
func mfaFlow(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite"})
	pw := DemoCredentials(out)["alice"]
	c := NewClient(t, base)
	alice := "alice:" + pw
	login := `{"username":"alice","password":"` + pw + `"`
	before := c.obtain("alice", pw)
	b := newBrowser(t, base)
	b.getCSRF()
	b.login("alice", pw)

	var me struct {
		MFA *bool `json:"mfa"`
	}
	r := c.Do("GET", "/api/me", alice, "")
	r.JSON(t, &me)
	if me.MFA == nil || *me.MFA {
		t.Fatalf("me before enrolling: %s; want \"mfa\":false", r.Body)
	}
	c.Expect(c.Do("POST", "/api/mfa/totp/enroll", "", ""), 401, notProvided)
	c.Expect(c.Do("POST", "/api/mfa/recovery-codes", alice, ""), 400, `{"detail":"Two-factor authentication is not on for this account."}`)
	c.Expect(c.Do("POST", "/api/mfa/totp/confirm", alice, `{"code":"123456"}`), 400, `{"detail":"Enroll first: no two-factor enrollment is waiting for a code."}`)

	r = c.Do("POST", "/api/mfa/totp/enroll", "", "", bearer(before.Access))
	var e enrollment
	r.JSON(t, &e)
	if r.Status != 200 {
		t.Fatalf("enroll: %d %s", r.Status, r.Body)
	}
	checkEnrollment(t, e, "alice")

	c.Expect(c.Do("POST", "/api/mfa/totp/confirm", alice, `{}`), 400, `{"code":["This field is required."]}`)
	c.Expect(c.Do("POST", "/api/mfa/totp/confirm", alice, `{"code":"12345"}`), 400, `{"code":["The code is wrong, expired or already used."]}`)
	code, err := totp.GenerateCode(e.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.Expect(c.Do("GET", "/api/mfa/totp/confirm", alice, ""), 405, "")
	c.Expect(c.Do("POST", "/api/mfa/totp/confirm", "", `{"code":"`+code+`"}`, bearer(before.Access)), 204, "")
	c.Expect(c.Do("POST", "/api/mfa/totp/enroll", "", "", bearer(before.Access)), 400, `{"detail":"Two-factor authentication is already on: disable it first."}`)

	// MFA is on: what was logged in before stays logged in.
	r = c.Do("GET", "/api/me", "", "", bearer(before.Access))
	r.JSON(t, &me)
	if r.Status != 200 || me.MFA == nil || !*me.MFA {
		t.Fatalf("me after confirming: %d %s; want \"mfa\":true", r.Status, r.Body)
	}
	b.expect(b.do("GET", "/api/me", "", false), 200, "")
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+before.Refresh+`"}`), 200, "")

	// Every login path asks for the second factor.
	r = c.Do("POST", "/api/token", "", login+`}`)
	c.Expect(r, 401, mfaRequired)
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Errorf("mfa_required challenge %q", got)
	}
	c.Expect(c.Do("POST", "/api/token", "", login+`,"otp":"`+code+`"}`), 401, InvalidOTP) // the code confirm used
	c.Expect(c.Do("GET", "/api/me", alice, ""), 401, basicMFA)
	b2 := newBrowser(t, base)
	b2.getCSRF()
	b2.expect(b2.do("POST", "/api/auth/login", login+`}`, true), 401, mfaRequired)

	r = c.Do("POST", "/api/mfa/recovery-codes", "", "", bearer(before.Access))
	var rc struct {
		Codes []string `json:"codes"`
	}
	r.JSON(t, &rc)
	if r.Status != 200 || len(rc.Codes) != 10 {
		t.Fatalf("recovery codes: %d %s", r.Status, r.Body)
	}
	p := pair{}
	r = c.Do("POST", "/api/token", "", login+`,"otp":"`+rc.Codes[0]+`"}`)
	c.Expect(r, 200, "")
	r.JSON(t, &p)
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(p.Access)), 200, "")
	c.Expect(c.Do("POST", "/api/token", "", login+`,"otp":"`+rc.Codes[0]+`"}`), 401, InvalidOTP)
	r = b2.do("POST", "/api/auth/login", login+`,"otp":"`+strings.ToUpper(rc.Codes[1])+`"}`, true)
	b2.expect(r, 200, "")
	b2.getCSRF()
	b2.expect(b2.do("GET", "/api/me", "", false), 200, "")

	// Disable needs a code; a recovery code is one.
	c.Expect(c.Do("POST", "/api/mfa/totp/disable", "", `{"code":"`+rc.Codes[0]+`"}`, bearer(p.Access)), 400, `{"code":["The code is wrong, expired or already used."]}`)
	b2.expect(b2.do("POST", "/api/mfa/totp/disable", `{"code":"`+rc.Codes[2]+`"}`, false), 403, "") // a session needs its CSRF token
	b2.expect(b2.do("POST", "/api/mfa/totp/disable", `{"code":"`+rc.Codes[2]+`"}`, true), 204, "")
	r = c.Do("GET", "/api/me", alice, "")
	r.JSON(t, &me)
	if r.Status != 200 || me.MFA == nil || *me.MFA {
		t.Fatalf("me after disabling: %d %s; want \"mfa\":false", r.Status, r.Body)
	}
	c.obtain("alice", pw)
}

// checkEnrollment checks the shape of an enrollment: a base32 secret of
// 160 bits, its otpauth URL for the showcase and account, and a PNG.
func checkEnrollment(t *testing.T, e enrollment, account string) {
	t.Helper()
	if len(e.Secret) != 32 || strings.Trim(e.Secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Errorf("secret %q: want 32 base32 characters (160 bits)", e.Secret)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != e.Secret ||
		u.Query().Get("issuer") != "reinhardt-auth showcase" || u.Path != "/reinhardt-auth showcase:"+account {
		t.Errorf("otpauth_url %q", e.URL)
	}
	png, err := base64.StdEncoding.DecodeString(e.QR)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("qr_png is not a base64 PNG (%v): %.40q", err, e.QR)
	}
}

// loginRate is -login-rate: failed logins from one address, on any
// path, are refused 429 with Retry-After once the rate is used up, with
// the right password too and whatever X-Forwarded-For says (no trusted
// proxies).
func loginRate(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite", "-login-rate", "3/min"})
	pw := DemoCredentials(out)["alice"]
	c := NewClient(t, base)
	c.Expect(c.Do("POST", "/api/token", "", `{"username":"alice","password":"guess1"}`), 401, "")
	c.Expect(c.Do("GET", "/api/me", "alice:guess2", ""), 401, "")
	b := newBrowser(t, base)
	b.getCSRF()
	b.expect(b.do("POST", "/api/auth/login", `{"username":"alice","password":"guess3"}`, true), 401, "")
	for _, r := range []Response{
		c.Do("POST", "/api/token", "", `{"username":"alice","password":"guess4"}`),
		c.Do("POST", "/api/token", "", `{"username":"alice","password":"`+pw+`"}`),
		c.Do("POST", "/api/token", "", `{"username":"admin","password":"guess5"}`, "X-Forwarded-For: 203.0.113.50"),
		c.Do("GET", "/api/me", "alice:"+pw, ""),
		b.do("POST", "/api/auth/login", `{"username":"alice","password":"`+pw+`"}`, true),
	} {
		wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
		unit := " seconds."
		if wait == 1 {
			unit = " second."
		}
		if r.Status != 429 || err != nil || wait < 1 || wait > 20 ||
			r.Body != `{"detail":"Request was throttled. Expected available in `+strconv.Itoa(wait)+unit+`"}` {
			t.Errorf("after 3 failures at 3/min: %d Retry-After %q %s; want 429 with a wait of at most 20 s", r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	// Routes that check no password are not throttled.
	c.Expect(c.Do("GET", "/api/posts", "", ""), 200, "")
}

// loginRateShared: with -redis the counters live in Redis, so two
// instances (each with a database of its own) count failures together.
// The client is a random address behind the trusted loopback proxy and
// the usernames are random, so runs sharing the test Redis do not meet.
func loginRateShared(t *testing.T, start Starter) {
	args := []string{"-secret", "test-secret-key-for-the-showcase-suite", "-login-rate", "3/min",
		"-redis", RedisURL(t), "-trusted-proxies", "127.0.0.0/8,::1/128"}
	baseA, _ := start(t, append([]string{"-db", TempDB(t)}, args...))
	baseB, _ := start(t, append([]string{"-db", TempDB(t)}, args...))
	a, b := NewClient(t, baseA), NewClient(t, baseB)
	n := rand.Uint32()
	client := fmt.Sprintf("X-Forwarded-For: 10.%d.%d.%d", byte(n>>16), byte(n>>8), byte(n))
	user := fmt.Sprintf("nobody%d", n)
	for i := range 3 {
		a.Expect(a.Do("POST", "/api/token", "", `{"username":"`+user+`","password":"guess`+strconv.Itoa(i)+`"}`, client), 401, "")
	}
	if r := b.Do("POST", "/api/token", "", `{"username":"`+user+`x","password":"guess"}`, client); r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Errorf("4th failure from the client, on the other instance: %d %s; want 429 with Retry-After", r.Status, r.Body)
	}
	other := fmt.Sprintf("X-Forwarded-For: 10.%d.%d.%d", byte(n>>16)^0xff, byte(n>>8), byte(n))
	b.Expect(b.Do("POST", "/api/token", "", `{"username":"`+user+`y","password":"guess"}`, other), 401, "")
	if r := b.Do("POST", "/api/token", "", `{"username":"`+user+`","password":"guess"}`, other); r.Status != 429 {
		t.Errorf("the username's 4th failure, from another client on the other instance: %d %s; want 429", r.Status, r.Body)
	}
}
