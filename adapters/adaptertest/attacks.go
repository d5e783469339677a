package adaptertest

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RunAttacks runs the attack suite against the routes of h, each attack a
// named subtest over a real TCP connection: forged, tampered, mistimed,
// oversized and mistyped JWTs, key confusion (on a fixture whose tokens
// are RS256, beside an ES256 key), session fixation, replay and the
// logout race, idle and absolute session timeouts on the fixture's clock,
// the attributes of every session and CSRF cookie, cross-site requests,
// spoofed remote-user headers, repeated Authorization headers and request
// smuggling, malformed Basic credentials, huge passwords (answered without
// hashing), and Unicode look-alike usernames. Each group runs on a fixture
// of its own; an adapter's test calls RunAttacks beside Run.
func RunAttacks(t *testing.T, h Harness) {
	t.Run("jwt", func(t *testing.T) {
		f := NewFixture(t)
		run(t, h, f, jwtAttacks(f.now()))
	})
	t.Run("jwt key confusion", func(t *testing.T) {
		f := newFixture(t, fixtureConfig{loginRate: mainLoginRate, asymmetric: true})
		run(t, h, f, keyConfusionAttacks(t, f))
	})
	t.Run("sessions", func(t *testing.T) { run(t, h, NewFixture(t), sessionAttacks()) })
	t.Run("session timeouts", func(t *testing.T) { run(t, h, NewFixture(t), timeoutAttacks()) })
	t.Run("csrf", func(t *testing.T) { run(t, h, NewFixture(t), csrfAttacks()) })
	t.Run("remote user", func(t *testing.T) { run(t, h, NewFixture(t), remoteUserAttacks()) })
	t.Run("smuggling", func(t *testing.T) { run(t, h, NewFixture(t), smugglingAttacks()) })
	t.Run("basic", func(t *testing.T) { run(t, h, NewFixture(t), basicAttacks()) })
	t.Run("huge password", func(t *testing.T) { run(t, h, NewFixture(t), hugePasswordAttacks()) })
	t.Run("unicode usernames", func(t *testing.T) { run(t, h, NewFixture(t), unicodeAttacks()) })
}

// b64 is the base64url encoding of a JWS's parts.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signHS256 returns the compact JWS of header and payload (JSON text,
// taken as it is) signed with HMAC-SHA256 under key.
func signHS256(key []byte, header, payload string) string {
	in := b64(header) + "." + b64(payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// hs256 is the suite's usual JWS header.
const hs256 = `{"alg":"HS256","typ":"JWT"}`

// accessPayload is the payload of an access token for alice (user 1)
// issued at now and valid five minutes, as the fixture signs them, with
// extra members (`,"name":value` each) appended.
func accessPayload(now time.Time, extra string) string {
	return fmt.Sprintf(`{"token_type":"access","exp":%d,"iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":"1"%s}`, now.Add(5*time.Minute).Unix(), now.Unix(), extra)
}

// tokenRefused is the 401 of the Bearer authenticator for a token that
// fails with simplejwt's message msg.
func tokenRefused(msg string) string {
	return `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"` + msg + `"}]}`
}

const (
	tokenInvalid = "Token is invalid"
	tokenExpired = "Token is expired"
)

// bearerCase is a GET /private with token as the Bearer credential,
// refused with simplejwt's message msg.
func bearerCase(name, token, msg string) Case {
	return Case{Name: name, Method: "GET", Path: "/private", Header: bearer(token), Status: 401, Exact: tokenRefused(msg), Challenge: challenge}
}

// flip returns s with the bits of mask flipped in its i-th byte.
func flip(s string, i int, mask byte) string {
	b := []byte(s)
	b[i] ^= mask
	return string(b)
}

// jwtAttacks are the token attacks on the fixture's HS256 tokens; now
// is the fixture's clock, which the tokens' verification uses.
func jwtAttacks(now time.Time) []Case {
	key := []byte(secret)
	control := signHS256(key, hs256, accessPayload(now, ""))
	head, rest, _ := strings.Cut(control, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	rawSig, _ := base64.RawURLEncoding.DecodeString(sig)
	// Claims with alice's identity and the given time claims.
	timed := func(times string) string {
		return signHS256(key, hs256, `{"token_type":"access",`+times+`,"jti":"0123456789abcdef0123456789abcdef","user_id":"1"}`)
	}
	exp, iat := now.Add(5*time.Minute).Unix(), now.Unix()
	kid := func(k string) string { return `{"alg":"HS256","typ":"JWT","kid":` + strconv.Quote(k) + `}` }
	deep := strings.Repeat("[", 3000) + strings.Repeat("]", 3000)
	big := signHS256(key, hs256, accessPayload(now, `,"pad":"`+strings.Repeat("x", 7<<10)+`"`))
	return []Case{
		// The suite's own token, signed with the fixture's key: the
		// refusals below are refusals of what they change.
		{Name: "control: a token signed with the key", Method: "GET", Path: "/private", Header: bearer(control), Status: 200, JSON: Who{User: "alice", Method: "jwt"}},

		// alg none, in every spelling, with or without a signature.
		bearerCase("alg none", b64(`{"alg":"none","typ":"JWT"}`)+"."+payload+".", tokenInvalid),
		bearerCase("alg None", b64(`{"alg":"None","typ":"JWT"}`)+"."+payload+".", tokenInvalid),
		bearerCase("alg NONE", b64(`{"alg":"NONE","typ":"JWT"}`)+"."+payload+".", tokenInvalid),
		bearerCase("alg none with the signature kept", b64(`{"alg":"none","typ":"JWT"}`)+"."+payload+"."+sig, tokenInvalid),
		bearerCase("alg HS512 over an HS256 signature", b64(`{"alg":"HS512","typ":"JWT"}`)+"."+payload+"."+sig, tokenInvalid),

		// Tampering: a bit of the payload (user_id "1" becomes "0"), of
		// the signature, or a payload of another user under the
		// signature.
		bearerCase("tampered payload bit", head+"."+b64(flip(accessPayload(now, ""), strings.Index(accessPayload(now, ""), `"1"}`)+1, 1))+"."+sig, tokenInvalid),
		bearerCase("tampered signature bit", head+"."+payload+"."+base64.RawURLEncoding.EncodeToString([]byte(flip(string(rawSig), 7, 0x10))), tokenInvalid),
		bearerCase("payload of the admin under alice's signature", head+"."+b64(strings.Replace(accessPayload(now, ""), `"user_id":"1"`, `"user_id":"5"`, 1))+"."+sig, tokenInvalid),
		bearerCase("signature truncated", head+"."+payload+"."+sig[:len(sig)-2], tokenInvalid),

		// Time claims, on the fixture's clock, without leeway.
		bearerCase("exp past", timed(fmt.Sprintf(`"exp":%d,"iat":%d`, now.Unix()-1, iat-60)), tokenExpired),
		bearerCase("nbf future", timed(fmt.Sprintf(`"exp":%d,"iat":%d,"nbf":%d`, exp, iat, now.Unix()+60)), tokenInvalid),
		bearerCase("iat future", timed(fmt.Sprintf(`"exp":%d,"iat":%d`, exp, now.Unix()+60)), tokenInvalid),
		bearerCase("exp missing", timed(fmt.Sprintf(`"iat":%d`, iat)), "Token has no 'exp' claim"),
		bearerCase("exp null", timed(fmt.Sprintf(`"exp":null,"iat":%d`, iat)), "Token has no 'exp' claim"),
		bearerCase("exp a word", timed(fmt.Sprintf(`"exp":"tomorrow","iat":%d`, iat)), tokenInvalid),
		// PyJWT reads exp with int(), so a numeric string is a valid
		// exp for simplejwt; golang-jwt's NumericDate agrees.
		{Name: "exp a numeric string, read as PyJWT's int() does", Method: "GET", Path: "/private", Header: bearer(timed(fmt.Sprintf(`"exp":"%d","iat":%d`, exp, iat))), Status: 200, JSON: Who{User: "alice", Method: "jwt"}},
		bearerCase("exp a past numeric string", timed(fmt.Sprintf(`"exp":"%d","iat":%d`, now.Unix()-1, iat-60)), tokenExpired),
		bearerCase("exp an object", timed(fmt.Sprintf(`"exp":{"$gt":0},"iat":%d`, iat)), tokenInvalid),
		bearerCase("exp huge", timed(fmt.Sprintf(`"exp":1e300,"iat":%d`, iat)), tokenExpired),
		bearerCase("exp 2^63", timed(fmt.Sprintf(`"exp":9223372036854775808,"iat":%d`, iat)), tokenExpired),
		bearerCase("exp negative", timed(fmt.Sprintf(`"exp":-1,"iat":%d`, iat)), tokenExpired),
		bearerCase("exp a past float", timed(fmt.Sprintf(`"exp":%d.5,"iat":%d`, now.Unix()-2, iat-60)), tokenExpired),
		{Name: "exp a future float", Method: "GET", Path: "/private", Header: bearer(timed(fmt.Sprintf(`"exp":%d.5,"iat":%d`, exp, iat))), Status: 200, JSON: Who{User: "alice", Method: "jwt"}},

		// Header extensions and key ids: the key ring is looked up by
		// name, never read from a path or a query.
		bearerCase("crit with an unknown extension", signHS256(key, `{"alg":"HS256","typ":"JWT","crit":["x-evil"],"x-evil":true}`, accessPayload(now, "")), tokenInvalid),
		bearerCase("crit empty", signHS256(key, `{"alg":"HS256","typ":"JWT","crit":[]}`, accessPayload(now, "")), tokenInvalid),
		bearerCase("kid path traversal, signed with the key", signHS256(key, kid("../../../../../../dev/null"), accessPayload(now, "")), tokenInvalid),
		bearerCase("kid path traversal, signed with an empty key", signHS256(nil, kid("../../../../../../dev/null"), accessPayload(now, "")), tokenInvalid),
		bearerCase("kid SQL injection", signHS256([]byte("x"), kid("x' UNION SELECT 'x' --"), accessPayload(now, "")), tokenInvalid),
		bearerCase("kid very long", signHS256(key, kid(strings.Repeat("k", 4<<10)), accessPayload(now, "")), tokenInvalid),
		bearerCase("kid unknown", signHS256(key, kid("other"), accessPayload(now, "")), tokenInvalid),
		bearerCase("kid a number", signHS256(key, `{"alg":"HS256","typ":"JWT","kid":0}`, accessPayload(now, "")), tokenInvalid),

		// Size: a token over jwtauth.MaxTokenBytes is refused before it is
		// verified (this one is signed with the key), and a 64 KiB header
		// is refused by the server or the authenticator.
		bearerCase("token over 8 KiB, signed with the key", big, tokenInvalid),
		{Name: "64 KiB Authorization header", do: hugeHeader},
		bearerCase("deeply nested header", b64(`{"alg":"HS256","x":`+deep+`}`)+"."+payload+"."+sig, tokenInvalid),
		bearerCase("deeply nested claim, forged", b64(accessPayload(now, `,"x":`+deep))+"."+payload+"."+sig, tokenInvalid),
		// Signed with the key, it is still refused (PyJWT's json would
		// raise RecursionError, a 500 in Django).
		bearerCase("deeply nested claim, signed with the key", signHS256(key, hs256, accessPayload(now, `,"x":`+deep)), tokenInvalid),

		// Types: simplejwt's token_type and jti.
		bearerCase("refresh token as an access token", signHS256(key, hs256, strings.Replace(accessPayload(now, ""), `"access"`, `"refresh"`, 1)), "Token has wrong type"),
		bearerCase("token without a type", signHS256(key, hs256, strings.Replace(accessPayload(now, ""), `"token_type":"access",`, ``, 1)), "Token has no type"),
		bearerCase("token without a jti", signHS256(key, hs256, strings.Replace(accessPayload(now, ""), `"jti":"0123456789abcdef0123456789abcdef",`, ``, 1)), "Token has no id"),
		{Name: "obtained refresh token as a bearer token", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"alice","password":"pw-alice"}`, Status: 200, SaveJSON: []string{"access", "refresh"}},
		bearerCase("the obtained refresh token", "{{refresh}}", "Token has wrong type"),
	}
}

// hugeHeader sends a 64 KiB Bearer credential: the server refuses the
// header (431) or the authenticator the token (401), never a 500, and
// never a success.
func hugeHeader(t *testing.T, s *state) {
	tok := "eyJ" + strings.Repeat("A", 32<<10) + "." + strings.Repeat("A", 32<<10-6) + ".A"
	req, err := http.NewRequest("GET", s.base+"/private", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.client(t, "").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusRequestHeaderFieldsTooLarge:
	case http.StatusUnauthorized:
		if got := strings.TrimSpace(string(body)); got != tokenRefused(tokenInvalid) {
			t.Errorf("body %.300s, want %s", got, tokenRefused(tokenInvalid))
		}
	default:
		t.Errorf("status %d, want 431 or 401; body %.300s", resp.StatusCode, body)
	}
}

// keyConfusionAttacks run on the fixture whose tokens are RS256 (kid
// "rs") and which also trusts an ES256 public key (kid "es"): HS256
// tokens whose HMAC secret is one of those public keys, in the encodings
// an attacker would try, are refused.
func keyConfusionAttacks(t *testing.T, f *Fixture) []Case {
	now := f.now()
	payload := accessPayload(now, "")
	var cases []Case
	for _, k := range []struct {
		kid string
		pub any
	}{{"rs", f.rsaPublic}, {"es", f.ecPublic}} {
		der, err := x509.MarshalPKIXPublicKey(k.pub)
		if err != nil {
			t.Fatal(err)
		}
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		for _, enc := range []struct {
			name string
			key  []byte
		}{{"PEM", pemKey}, {"PEM without its last newline", pemKey[:len(pemKey)-1]}, {"DER", der}} {
			for _, hdr := range []struct{ name, header string }{
				{"kid " + k.kid, `{"alg":"HS256","typ":"JWT","kid":"` + k.kid + `"}`},
				{"no kid", hs256},
			} {
				cases = append(cases, bearerCase(fmt.Sprintf("HS256 signed with the %s public key as %s, %s", strings.ToUpper(k.kid), enc.name, hdr.name), signHS256(enc.key, hdr.header, payload), tokenInvalid))
			}
		}
	}
	return append([]Case{
		{Name: "control: an RS256 token of the token endpoint", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"alice","password":"pw-alice"}`, Status: 200, SaveJSON: []string{"access"}},
		{Name: "control: the RS256 token authenticates", Method: "GET", Path: "/private", Header: bearer("{{access}}"), Status: 200, JSON: Who{User: "alice", Method: "jwt"}},
		bearerCase("alg none with kid rs", b64(`{"alg":"none","typ":"JWT","kid":"rs"}`)+"."+b64(payload)+".", tokenInvalid),
	}, cases...)
}

// The session cookie's and the CSRF cookie's patterns whatever their
// expiry.
const (
	anySessionCookie = `sessionid=[a-z0-9]{32}; Path=/; Expires=[^;]+; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax`
	anyCSRFCookie    = `csrftoken=[a-zA-Z0-9]{32}; Path=/; Expires=[^;]+; Max-Age=31449600; Secure; SameSite=Lax`
)

// loginAs logs name in with the CSRF token saved by "csrf token" and a
// session cookie of cookieHeader, saving the session under as.
func loginAs(caseName, name, cookieHeader, as string) Case {
	h := map[string]string{"Content-Type": jsonCT, "Cookie": "csrftoken={{csrf_secret}}", "X-CSRFToken": "{{csrfToken}}"}
	if cookieHeader != "" {
		h["Cookie"] += "; " + cookieHeader
	}
	return Case{Name: caseName, Method: "POST", Path: "/login", Header: h, Body: `{"username":"` + name + `","password":"pw-` + name + `"}`, Status: 200, Cookies: map[string]string{"sessionid": anySessionCookie, "csrftoken": anyCSRFCookie}, SaveCookies: map[string]string{"sessionid": as, "csrftoken": as + "_csrf"}}
}

// csrfTokenCase gets a CSRF token and cookie.
var csrfTokenCase = Case{Name: "csrf token", Method: "GET", Path: "/csrf", Status: 200, SaveJSON: []string{"csrfToken"}, SaveCookies: map[string]string{"csrftoken": "csrf_secret"}}

// differ fails unless the saved values a and b differ.
func differ(a, b string) func(*testing.T, *state) {
	return func(t *testing.T, s *state) {
		if s.vars[a] == "" || s.vars[a] == s.vars[b] {
			t.Errorf("%s %q and %s %q: want two different keys", a, s.vars[a], b, s.vars[b])
		}
	}
}

// sessionAttacks: fixation, replay after logout, the logout race, and
// the attributes of every session and CSRF cookie.
func sessionAttacks() []Case {
	return []Case{
		csrfTokenCase,
		// Fixation: the attacker gets a real session key and plants it in
		// the victim's browser; the victim's login issues another one, and
		// the planted key does not authenticate.
		{Name: "fixation: the attacker's session", Method: "GET", Path: "/visits", Status: 200, JSON: Visits{1}, SaveCookies: map[string]string{"sessionid": "planted"}},
		loginAs("fixation: the victim logs in with the planted key", "alice", "sessionid={{planted}}", "victim"),
		{Name: "fixation: the key after login is not the planted one", do: differ("victim", "planted")},
		{Name: "fixation: the planted key does not authenticate", Method: "GET", Path: "/private", Header: cookie("sessionid={{planted}}"), Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "fixation: the victim's session", Method: "GET", Path: "/private", Header: cookie("sessionid={{victim}}"), Status: 200, JSON: Who{User: "alice", Method: "session"}},
		{Name: "fixation: a key the attacker made up", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "csrftoken={{csrf_secret}}; sessionid=attackerchosenkey0123456789abcdef", "X-CSRFToken": "{{csrfToken}}"}, Body: `{"username":"alice","password":"pw-alice"}`, Status: 200, Cookies: map[string]string{"sessionid": anySessionCookie, "csrftoken": anyCSRFCookie}, SaveCookies: map[string]string{"sessionid": "made_up_login"}},
		{Name: "fixation: the made-up key is not adopted", do: func(t *testing.T, s *state) {
			if s.vars["made_up_login"] == "attackerchosenkey0123456789abcdef" {
				t.Error("the login kept the key the client chose")
			}
		}},
		{Name: "fixation: the made-up key does not authenticate", Method: "GET", Path: "/private", Header: cookie("sessionid=attackerchosenkey0123456789abcdef"), Status: 401, Exact: notProvided, Challenge: challenge},

		// Replay: after logout the old cookie is worth nothing, for reads
		// and for writes.
		{Name: "replay: logout", Method: "POST", Path: "/logout", Header: with(cookie("sessionid={{victim}}; csrftoken={{victim_csrf}}"), "X-CSRFToken", "{{victim_csrf}}"), Status: 204, Empty: true, Cookies: map[string]string{"sessionid": sessionEnded}},
		{Name: "replay: the old cookie after logout", Method: "GET", Path: "/private", Header: cookie("sessionid={{victim}}"), Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "replay: a write with the old cookie after logout", Method: "POST", Path: "/posts", Header: with(cookie("sessionid={{victim}}; csrftoken={{victim_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "{{victim_csrf}}"), Body: `{"title":"replayed"}`, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "replay: the session's data is gone", Method: "GET", Path: "/peek", Header: cookie("sessionid={{victim}}"), Status: 200, JSON: Visits{0}},
		{Name: "replay: logout again with the old cookie", Method: "POST", Path: "/logout", Header: with(cookie("sessionid={{victim}}; csrftoken={{victim_csrf}}"), "X-CSRFToken", "{{victim_csrf}}"), Status: 204, Empty: true},
		{Name: "replay: still refused", Method: "GET", Path: "/private", Header: cookie("sessionid={{victim}}"), Status: 401, Exact: notProvided, Challenge: challenge},

		// The logout race.
		loginAs("race: login", "bob", "", "raced"),
		{Name: "race: logout during requests of the same session", do: logoutRace},

		{Name: "cookie attributes on every Set-Cookie", do: cookieAttributes},
	}
}

// logoutRace logs out while other requests of the same session run, some
// of them modifying it (GET /visits), and keeps them running after the
// logout answered: every request sent after that answer is anonymous, and
// no save of a request that started before it brings the session back.
func logoutRace(t *testing.T, s *state) {
	sess, csrfTok := s.vars["raced"], s.vars["raced_csrf"]
	cl := s.client(t, "")
	get := func(path string) (int, []byte, error) {
		req, err := http.NewRequest("GET", s.base+path, nil)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Cookie", "sessionid="+sess)
		resp, err := cl.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	var (
		mu      sync.Mutex
		after   []string // what requests sent after the logout got
		loggedO = make(chan struct{})
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for i := range 8 {
		path := "/private"
		if i%2 == 1 {
			path = "/visits"
		}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				sentAfter := false
				select {
				case <-loggedO:
					sentAfter = true
				default:
				}
				st, body, err := get(path)
				if err != nil {
					t.Error(err)
					return
				}
				if st >= 500 {
					t.Errorf("GET %s: %d %s", path, st, body)
				}
				if sentAfter && path == "/private" {
					mu.Lock()
					after = append(after, fmt.Sprintf("%d %s", st, body))
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	req, err := http.NewRequest("POST", s.base+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", "sessionid="+sess+"; csrftoken="+csrfTok)
	req.Header.Set("X-CSRFToken", csrfTok)
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	close(loggedO)
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("logout: %d, want 204", resp.StatusCode)
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(after) == 0 {
		t.Error("no request was sent after the logout")
	}
	for _, got := range after {
		if got != "401 "+notProvided {
			t.Errorf("a request sent after the logout got %s", got)
		}
	}
	// Once every request has ended, the session is still gone.
	if st, body, err := get("/private"); err != nil || st != http.StatusUnauthorized {
		t.Errorf("after the race: %d %s %v, want 401", st, body, err)
	}
	if st, body, err := get("/peek"); err != nil || st != http.StatusOK || strings.TrimSpace(string(body)) != `{"visits":0}` {
		t.Errorf("after the race /peek: %d %s %v, want the data gone", st, body, err)
	}
}

// cookieAttributes makes the requests that set the session and CSRF
// cookies (a new session, a CSRF token, a login, which replaces both, a
// logout, which ends the session, and a session ended by a password
// change) and checks every Set-Cookie of them: Path=/, Secure,
// SameSite=Lax, no Domain, and HttpOnly on the session cookie. The CSRF
// cookie is not HttpOnly, as Django's CSRF_COOKIE_HTTPONLY default: the
// page's script reads it to send the token.
func cookieAttributes(t *testing.T, s *state) {
	cl := s.client(t, "")
	var all []string
	do := func(method, path, cookieHeader, csrfTok, body string) []*http.Cookie {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, s.base+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", jsonCT)
		}
		if cookieHeader != "" {
			req.Header.Set("Cookie", cookieHeader)
		}
		if csrfTok != "" {
			req.Header.Set("X-CSRFToken", csrfTok)
		}
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		all = append(all, resp.Header.Values("Set-Cookie")...)
		return resp.Cookies()
	}
	value := func(cs []*http.Cookie, name string) string {
		for _, c := range cs {
			if c.Name == name {
				return c.Value
			}
		}
		t.Fatalf("no %s cookie", name)
		return ""
	}
	sid := value(do("GET", "/visits", "", "", ""), "sessionid")
	tok := value(do("GET", "/csrf", "sessionid="+sid, "", ""), "csrftoken")
	login := do("POST", "/login", "sessionid="+sid+"; csrftoken="+tok, tok, `{"username":"bob","password":"pw-bob"}`)
	sid, tok = value(login, "sessionid"), value(login, "csrftoken")
	do("GET", "/visits", "sessionid="+sid, "", "")
	do("POST", "/logout", "sessionid="+sid+"; csrftoken="+tok, tok, "")
	login = do("POST", "/login", "csrftoken="+tok, tok, `{"username":"bob","password":"pw-bob"}`)
	sid = value(login, "sessionid")
	if err := s.f.rehash("bob"); err != nil {
		t.Fatal(err)
	}
	do("GET", "/private", "sessionid="+sid, "", "")
	do("GET", "/visits", "sessionid=unknown-key-of-the-client", "", "")
	seen := map[string]int{}
	for _, h := range all {
		name, _, _ := strings.Cut(h, "=")
		seen[name]++
		attrs := map[string]bool{}
		parts := strings.Split(h, ";")
		for _, a := range parts[1:] {
			k, _, _ := strings.Cut(strings.TrimSpace(a), "=")
			attrs[strings.ToLower(k)] = true
		}
		want := []string{"path=/", "secure", "samesite=lax"}
		if name == "sessionid" {
			want = append(want, "httponly")
		}
		low := strings.ToLower(h)
		for _, w := range want {
			if !strings.Contains(low, "; "+w) {
				t.Errorf("Set-Cookie without %s: %s", w, h)
			}
		}
		if attrs["domain"] {
			t.Errorf("Set-Cookie with a Domain: %s", h)
		}
		if name == "csrftoken" && attrs["httponly"] {
			t.Errorf("CSRF cookie HttpOnly (the page's script cannot read it): %s", h)
		}
		if name != "sessionid" && name != "csrftoken" {
			t.Errorf("unexpected cookie: %s", h)
		}
	}
	// A new session, a login and a touch set the session cookie; the
	// logout, the password change and the unknown key end it.
	if seen["sessionid"] < 6 || seen["csrftoken"] < 3 {
		t.Errorf("Set-Cookie headers seen: %v; want at least 6 sessionid and 3 csrftoken: %q", seen, all)
	}
}

// timeoutAttacks move the fixture's clock: a session unused for the idle
// timeout (an hour) ends, one in use is kept alive by its touches only
// until its absolute lifetime (two weeks after the login) ends it.
func timeoutAttacks() []Case {
	return []Case{
		csrfTokenCase,
		loginAs("idle: login", "alice", "", "idle"),
		{Name: "idle: used 59 minutes later", advance: 59 * time.Minute, Method: "GET", Path: "/private", Header: cookie("sessionid={{idle}}"), Status: 200, JSON: Who{User: "alice", Method: "session"}},
		{Name: "idle: used again 59 minutes after that", advance: 59 * time.Minute, Method: "GET", Path: "/private", Header: cookie("sessionid={{idle}}"), Status: 200, JSON: Who{User: "alice", Method: "session"}},
		{Name: "idle: unused for an hour", advance: time.Hour, Method: "GET", Path: "/private", Header: cookie("sessionid={{idle}}"), Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "idle: the session is gone", Method: "GET", Path: "/peek", Header: cookie("sessionid={{idle}}"), Status: 200, JSON: Visits{0}},
		csrfTokenCase,
		loginAs("absolute: login", "bob", "", "absolute"),
		{Name: "absolute: kept alive until its lifetime ends", do: absoluteTimeout},
	}
}

// absoluteTimeout uses the session "absolute" every 50 minutes, which
// keeps it from the idle timeout, until the Manager's Lifetime after the
// login: every use before is bob, the first after is anonymous.
func absoluteTimeout(t *testing.T, s *state) {
	deadline := s.f.now().Add(s.f.Sessions.Lifetime)
	get := func() (int, string) {
		req, err := http.NewRequest("GET", s.base+"/private", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", "sessionid="+s.vars["absolute"])
		resp, err := s.client(t, "").Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	uses := 0
	for s.f.now().Add(50 * time.Minute).Before(deadline) {
		s.f.advance(50 * time.Minute)
		if st, body := get(); st != http.StatusOK {
			t.Fatalf("use %d, %v after login: %d %s", uses+1, s.f.now().Sub(deadline.Add(-s.f.Sessions.Lifetime)), st, body)
		}
		uses++
	}
	s.f.advance(deadline.Sub(s.f.now()))
	if st, body := get(); st != http.StatusUnauthorized || body != notProvided {
		t.Errorf("at the end of its lifetime, after %d uses: %d %s, want 401", uses, st, body)
	}
}

// csrfAttacks are unsafe requests of a logged-in session (alice) with
// what a cross-site page could send, each refused 403 with Django's
// reason; Origin is checked before the token, as Django's middleware.
func csrfAttacks() []Case {
	post := func(name string, header map[string]string, reason string) Case {
		h := map[string]string{"Content-Type": jsonCT}
		for k, v := range header {
			h[k] = v
		}
		return Case{Name: name, Method: "POST", Path: "/posts", Header: h, Body: `{"title":"forged"}`, Status: 403, Exact: `{"detail":"CSRF Failed: ` + reason + `"}`}
	}
	ok := map[string]string{"Cookie": "sessionid={{alice}}; csrftoken={{alice_csrf}}", "X-CSRFToken": "{{alice_csrf}}"}
	return []Case{
		csrfTokenCase,
		loginAs("login alice", "alice", "", "alice"),
		csrfTokenCase,
		loginAs("login bob", "bob", "", "bob"),
		post("missing token", map[string]string{"Cookie": "sessionid={{alice}}; csrftoken={{alice_csrf}}"}, "CSRF token missing."),
		post("missing cookie", map[string]string{"Cookie": "sessionid={{alice}}", "X-CSRFToken": "{{alice_csrf}}"}, "CSRF cookie not set."),
		post("foreign token (another session's)", with(ok, "X-CSRFToken", "{{bob_csrf}}"), "CSRF token from the 'X-Csrftoken' HTTP header incorrect."),
		post("foreign token in the form", map[string]string{"Cookie": "sessionid={{alice}}; csrftoken={{alice_csrf}}", "Content-Type": formCT}, "CSRF token from POST incorrect.").withBody("title=forged&csrfmiddlewaretoken={{bob_csrf}}"),
		post("cross-site Origin", with(ok, "Origin", "https://evil.example"), "Origin checking failed - https://evil.example does not match any trusted origins."),
		post("cross-site Origin without a token", map[string]string{"Cookie": "sessionid={{alice}}; csrftoken={{alice_csrf}}", "Origin": "https://evil.example"}, "Origin checking failed - https://evil.example does not match any trusted origins."),
		post("Sec-Fetch-Site cross-site", with(ok, "Sec-Fetch-Site", "cross-site"), "Origin checking failed - null does not match any trusted origins."),
		post("Sec-Fetch-Site same-site", with(ok, "Sec-Fetch-Site", "same-site", "Origin", "http://sub.{{host}}"), "Origin checking failed - http://sub.{{host}} does not match any trusted origins."),
		post("Origin null", with(ok, "Origin", "null"), "Origin checking failed - null does not match any trusted origins."),
		post("Origin of the server with another port", with(ok, "Origin", "http://127.0.0.1:1"), "Origin checking failed - http://127.0.0.1:1 does not match any trusted origins."),
		{Name: "control: the same request from the page", Method: "POST", Path: "/posts", Header: with(ok, "Content-Type", jsonCT, "Origin", "{{origin}}", "Sec-Fetch-Site", "same-origin"), Body: `{"title":"genuine"}`, Status: 201, JSON: Post{ID: 2, Title: "genuine", AuthorID: "1"}},
	}
}

// withBody returns c with another body.
func (c Case) withBody(b string) Case { c.Body = b; return c }

// remoteUserAttacks: the remote-user header is believed from the proxy
// (127.0.0.1) only, under its own name only: a client at another address,
// or a header that differs by '_' for '-' (REMOTE_USER, X_Remote_User),
// which Django's META would mistake for it behind a WSGI server that
// keeps underscores, is not a login.
func remoteUserAttacks() []Case {
	return []Case{
		{Name: "control: from the proxy", Method: "GET", Path: "/private", Header: remoteUser("alice"), Status: 200, JSON: Who{User: "alice", Method: "remote"}},
		{Name: "from an untrusted address", From: "127.0.0.2", Method: "GET", Path: "/private", Header: remoteUser("admin"), Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "from an untrusted address on an open route", From: "127.0.0.2", Method: "GET", Path: "/open", Header: remoteUser("admin"), Status: 200, JSON: Who{}},
		{Name: "underscore variant X_Remote_User", Method: "GET", Path: "/admin", HeaderLines: []string{"X_Remote_User: admin"}, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "underscore variant X_REMOTE_USER", Method: "GET", Path: "/admin", HeaderLines: []string{"X_REMOTE_USER: admin"}, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "CGI name REMOTE_USER", Method: "GET", Path: "/admin", HeaderLines: []string{"REMOTE_USER: admin"}, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "CGI name HTTP_X_REMOTE_USER", Method: "GET", Path: "/admin", HeaderLines: []string{"HTTP_X_REMOTE_USER: admin"}, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "underscore variant beside the proxy's header", Method: "GET", Path: "/admin", HeaderLines: []string{"X_Remote_User: admin", RemoteUserHeader + ": alice"}, Status: 403, Exact: denied},
		{Name: "lower-case name is the same header", Method: "GET", Path: "/private", HeaderLines: []string{"x-remote-user: alice"}, Status: 200, JSON: Who{User: "alice", Method: "remote"}},
		{Name: "two spellings of the header", Method: "GET", Path: "/admin", HeaderLines: []string{"x-remote-user: admin", "X-REMOTE-USER: alice"}, Status: 401, Exact: badRemoteUser, Challenge: challenge},
	}
}

// smugglingAttacks: Authorization sent twice, and a request with both
// Content-Length and Transfer-Encoding.
func smugglingAttacks() []Case {
	alice, admin := basic("alice", "pw-alice")["Authorization"], basic("admin", "pw-admin")["Authorization"]
	return []Case{
		{Name: "Authorization twice", Method: "GET", Path: "/private", HeaderLines: []string{"Authorization: " + alice, "Authorization: " + admin}, Status: 401, Exact: badAuthorization, Challenge: challenge},
		{Name: "Authorization twice, the same", Method: "GET", Path: "/open", HeaderLines: []string{"Authorization: " + admin, "Authorization: " + admin}, Status: 401, Exact: badAuthorization, Challenge: challenge},
		{Name: "Authorization twice, Basic and Bearer", Method: "GET", Path: "/admin", HeaderLines: []string{"Authorization: Bearer " + signHS256([]byte(secret), hs256, accessPayload(time.Now(), "")), "Authorization: " + admin}, Status: 401, Exact: badAuthorization, Challenge: challenge},
		{Name: "Authorization twice, one empty", Method: "GET", Path: "/admin", HeaderLines: []string{"Authorization: ", "Authorization: " + admin}, Status: 401, Exact: badAuthorization, Challenge: challenge},
		{Name: "Content-Length with Transfer-Encoding", do: clTE},
	}
}

// badAuthorization is the refusal of a request with more than one
// Authorization header.
const badAuthorization = `{"detail":"Invalid Authorization header. It must be sent once."}`

// clTE sends, on one connection, a POST with both Content-Length and
// Transfer-Encoding: chunked whose chunked body ends early, followed by
// a GET /admin as the admin — the request a front end that goes by
// Content-Length would take for body. One response comes back, then the
// connection is closed (RFC 9112 section 6.3): the GET is never served as
// a second request. The response is the server's 400 (fasthttp) or, where
// the server reads the body by Transfer-Encoding alone as RFC 9112 allows
// (net/http), the POST's own 401.
func clTE(t *testing.T, s *state) {
	host := strings.TrimPrefix(s.base, "http://")
	smuggled := "GET /admin HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + basic("admin", "pw-admin")["Authorization"] + "\r\n\r\n"
	body := "0\r\n\r\n" + smuggled
	raw := "POST /posts HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	_ = c.SetReadDeadline(sent.Add(2 * time.Second))
	br := bufio.NewReader(c)
	var got []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, fmt.Sprintf("%d %s", resp.StatusCode, b))
	}
	switch {
	case len(got) == 0:
		t.Error("no response")
	case len(got) > 1:
		t.Errorf("%d responses, the smuggled request was served: %q", len(got), got)
	case !strings.HasPrefix(got[0], "400 ") && !strings.HasPrefix(got[0], "401 "):
		t.Errorf("response %q, want 400 (refused) or 401 (the chunked POST, anonymous)", got[0])
	}
	// The server closed the connection after its response, rather than
	// waiting for more: a read ends at once, not at the deadline.
	if time.Since(sent) > time.Second {
		t.Error("the connection stayed open after the response")
	}
}

// basicAttacks are malformed Basic credentials: each is 401 with the
// challenge, never a 500 and never a login.
func basicAttacks() []Case {
	raw := func(name, credentials, body string) Case {
		return Case{Name: name, Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic " + credentials}, Status: 401, Exact: body, Challenge: challenge}
	}
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	notBase64 := `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`
	return []Case{
		raw("no colon", enc("alice"), notBase64),
		raw("bad base64", "YWxpY2U6cHctYWxpY2U*", notBase64),
		raw("base64 without padding", strings.TrimRight(enc("alice:pw-alic"), "="), notBase64),
		raw("base64url alphabet", strings.NewReplacer("+", "-", "/", "_").Replace(enc("alice:pw~~~~~~>>>???")), notBase64),
		raw("empty user", enc(":pw-alice"), invalidLogin),
		raw("empty user and password", enc(":"), invalidLogin),
		raw("NUL in the user", enc("alice\x00:pw-alice"), invalidLogin),
		// PBKDF2's HMAC pads the key with NULs, so "pw-alice\x00" would
		// verify as "pw-alice": a NUL is refused before hashing (the body
		// decoder refuses one in JSON and forms, as DRF's CharField).
		{Name: "NUL in the password", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic " + enc("alice:pw-alice\x00")}, Status: 401, Exact: invalidLogin, Challenge: challenge, noHash: true},
		{Name: "NUL in the password, token endpoint", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"alice","password":"pw-alice\u0000"}`, Status: 400, Exact: `{"non_field_errors":["Null characters are not allowed."]}`, noHash: true},
		csrfTokenCase,
		{Name: "NUL in the password, session login", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"alice","password":"pw-alice\u0000"}`, Status: 400, Exact: `{"non_field_errors":["Null characters are not allowed."]}`, noHash: true},
		raw("invalid UTF-8 user", enc("\xff\xfe:pw-alice"), invalidLogin),
		raw("invalid UTF-8 password", enc("alice:\xc3\x28"), invalidLogin),
		raw("control characters", enc("alice\r\nX-Injected: 1:pw-alice"), invalidLogin),
		{Name: "very long password", Method: "GET", Path: "/private", Header: basic("alice", strings.Repeat("p", 5000)), Status: 401, Exact: invalidLogin, Challenge: challenge, noHash: true},
		{Name: "very long user", Method: "GET", Path: "/private", Header: basic(strings.Repeat("u", 5000), "pw"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "control: alice", Method: "GET", Path: "/private", Header: basic("alice", "pw-alice"), Status: 200, JSON: Who{User: "alice", Method: "basic"}},
	}
}

// hugePasswordAttacks send a 1 MB password to each endpoint that checks
// one: under the 1 MiB body cap it is DRF's field error (400, the
// library's 4096-byte password limit, worded as DRF's max_length), over
// it the body's 413; neither reaches password hashing, which the
// fixture's hash counter shows. (Django has no password length limit
// (it dropped 1.5.4's 4096), nor have DRF's and simplejwt's password fields:
// they would hash it.)
func hugePasswordAttacks() []Case {
	mb := strings.Repeat("p", 1_000_000)
	tooLong := `{"password":["Ensure this field has no more than 4096 characters."]}`
	tooLarge := `{"detail":"Request body too large."}`
	token := map[string]string{"Content-Type": jsonCT}
	return []Case{
		csrfTokenCase,
		{Name: "1 MB password to the token endpoint", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"` + mb + `"}`, Status: 400, Exact: tooLong, noHash: true},
		{Name: "1 MB password for an unknown user", Method: "POST", Path: "/token", Header: token, Body: `{"username":"nobody","password":"` + mb + `"}`, Status: 400, Exact: tooLong, noHash: true},
		{Name: "1 MB password to the session login", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"alice","password":"` + mb + `"}`, Status: 400, Exact: tooLong, noHash: true},
		{Name: "1 MB password as a form", Method: "POST", Path: "/login", Header: with(sessionLogin, "Content-Type", formCT), Body: `username=alice&password=` + mb, Status: 400, Exact: tooLong, noHash: true},
		{Name: "1 MB password to registration", Method: "POST", Path: "/register", Header: token, Body: `{"username":"mallory","password":"` + mb + `"}`, Status: 400, Exact: tooLong, noHash: true},
		{Name: "2 MB password to the token endpoint", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"` + mb + mb + `"}`, Status: 413, Exact: tooLarge, noHash: true},
		{Name: "2 MB password to the session login", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"alice","password":"` + mb + mb + `"}`, Status: 413, Exact: tooLarge, noHash: true},
		{Name: "2 MB chunked password to registration", Method: "POST", Path: "/register", Header: token, Body: `{"username":"mallory","password":"` + mb + mb + `"}`, Chunked: true, Status: 413, Exact: tooLarge, noHash: true},
		{Name: "40 KiB Basic password", Method: "GET", Path: "/private", Header: basic("alice", strings.Repeat("p", 40<<10)), Status: 401, Exact: invalidLogin, Challenge: challenge, noHash: true},
		{Name: "control: a login hashes", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"pw-alice"}`, Status: 200, hashes: 1},
	}
}

// unicodeAttacks: usernames are NFKC-normalized at registration, as
// Django's UserCreationForm and AbstractBaseUser.clean do, so a
// compatibility variant of a user's name is that user's name and is
// refused as a duplicate; a look-alike that stays different after NFKC
// (Cyrillic а for Latin a) is another user; the session login finds the
// user by the NFKC form, as Django's AuthenticationForm does, while the
// token endpoint and Basic, which Django's and DRF's do not normalize,
// look the name up as sent.
func unicodeAttacks() []Case {
	j := map[string]string{"Content-Type": jsonCT}
	exists := `{"username":["A user with that username already exists."]}`
	return []Case{
		csrfTokenCase,
		{Name: "register fullwidth ａｌｉｃｅ", Method: "POST", Path: "/register", Header: j, Body: `{"username":"ａｌｉｃｅ","password":"correct horse battery"}`, Status: 400, Exact: exists},
		{Name: "register file", Method: "POST", Path: "/register", Header: j, Body: `{"username":"file","password":"correct horse battery"}`, Status: 201, Exact: `{"id":7,"username":"file","email":""}`},
		{Name: "register ligature ﬁle", Method: "POST", Path: "/register", Header: j, Body: `{"username":"ﬁle","password":"correct horse battery"}`, Status: 400, Exact: exists},
		{Name: "register mathematical bold 𝐚𝐥𝐢𝐜𝐞", Method: "POST", Path: "/register", Header: j, Body: `{"username":"𝐚𝐥𝐢𝐜𝐞","password":"correct horse battery"}`, Status: 400, Exact: exists},
		{Name: "register fullwidth case variant ＡＬＩＣＥ", Method: "POST", Path: "/register", Header: j, Body: `{"username":"ＡＬＩＣＥ","password":"correct horse battery"}`, Status: 400, Exact: exists},
		{Name: "register Cyrillic look-alike аlice", Method: "POST", Path: "/register", Header: j, Body: `{"username":"аlice","password":"another horse battery"}`, Status: 201, Exact: `{"id":8,"username":"аlice","email":""}`},
		{Name: "the look-alike is another user", Method: "GET", Path: "/private", Header: basic("аlice", "another horse battery"), Status: 200, JSON: Who{User: "аlice", Method: "basic"}},
		{Name: "the look-alike's password is not alice's", Method: "GET", Path: "/private", Header: basic("аlice", "pw-alice"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "alice is still alice", Method: "GET", Path: "/private", Header: basic("alice", "pw-alice"), Status: 200, JSON: Who{User: "alice", Method: "basic"}},
		{Name: "session login with the fullwidth form finds alice", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"ａｌｉｃｅ","password":"pw-alice"}`, Status: 200, Exact: `{"id":1,"username":"alice"}`},
		{Name: "session login with the fullwidth form of the look-alike", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"ａｌｉｃｅ","password":"another horse battery"}`, Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "token with the fullwidth form, not normalized as simplejwt", Method: "POST", Path: "/token", Header: j, Body: `{"username":"ａｌｉｃｅ","password":"pw-alice"}`, Status: 401, Exact: noAccount, Challenge: bearerRealm},
		{Name: "basic with the fullwidth form, not normalized as DRF", Method: "GET", Path: "/private", Header: basic("ａｌｉｃｅ", "pw-alice"), Status: 401, Exact: invalidLogin, Challenge: challenge},
	}
}
