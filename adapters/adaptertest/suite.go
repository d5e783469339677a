package adaptertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/csrf"
)

// Case is one request of the suite and what must come back.
//
// "{{name}}" in a header value, in the body, and in the expected cookies
// stands for a value an earlier case saved (SaveCookies, SaveJSON), or
// for one the suite knows from the start: "origin", the server's origin
// ("http://127.0.0.1:PORT") and "host", its host ("127.0.0.1:PORT");
// "session_expires" and "csrf_expires", the
// Expires dates of a session cookie saved now and of a CSRF cookie set
// now (the fixture's clock stands still).
type Case struct {
	Name   string
	Method string
	Path   string
	Header map[string]string
	// HeaderLines are more request headers, "Name: value" each, added one
	// line each, so that a name may repeat, and sent with the name as
	// written (not canonicalized).
	HeaderLines []string
	Body        string
	Chunked     bool // send the body without a Content-Length
	Status      int
	// Exact, when set, is the whole expected body.
	Exact string
	// JSON, when set, is compared with the decoded body.
	JSON any
	// Match, when set, is a regular expression the whole body must match
	// (bodies carrying tokens).
	Match string
	// Empty requires an empty body (HEAD, 204).
	Empty bool
	// Challenge is the expected WWW-Authenticate ("" means absent).
	Challenge string
	// Headers are more response headers, each expected exactly (all its
	// values joined by ", "); "" means absent.
	Headers map[string]string
	// Cookies, when not nil, are the Set-Cookie headers the response must
	// carry, by cookie name: each a regular expression the whole header
	// must match. A cookie not listed must not be set, so noCookies
	// requires none at all.
	Cookies map[string]string
	// SaveCookies saves the values of cookies the response sets, by
	// cookie name, under the names given; each must be set.
	SaveCookies map[string]string
	// SaveJSON saves the named string members of the JSON body under
	// their own names.
	SaveJSON []string
	// Unsaved requires that the request wrote nothing to the session
	// store (no save, no deletion).
	Unsaved bool
	// SessionStoreDown makes every call to the session store fail while
	// the request is served.
	SessionStoreDown bool
	// Rehash, when set, is a user whose password is stored again under a
	// new salt before the request (a password change behind the server's
	// back): the user's sessions no longer match.
	Rehash string
	// From, when set, is the loopback address the request is sent from
	// ("127.0.0.2"): another client address, as the server sees it.
	From string
	// Concurrent, when set, sends the request that many times at once;
	// StatusCounts is then how many responses of each status must come
	// back (bodies, headers and cookies are not checked).
	Concurrent   int
	StatusCounts map[int]int

	// Of the attack suite:
	// do, when set, is the case: a check that is not one request.
	do func(t *testing.T, s *state)
	// advance moves the fixture's clock forward before the request.
	advance time.Duration
	// noHash requires that the request hashed or verified no password;
	// hashes, when not zero, is how many it must have.
	noHash bool
	hashes int64
}

const (
	challenge    = `Basic realm="api"`
	notProvided  = `{"detail":"Authentication credentials were not provided."}`
	denied       = `{"detail":"You do not have permission to perform this action."}`
	throttled30  = `{"detail":"Request was throttled. Expected available in 30 seconds."}`
	invalidLogin = `{"detail":"Invalid username/password."}`
	jsonCT       = "application/json"
	formCT       = "application/x-www-form-urlencoded"
	notAllowed   = `{"detail":"Method \"DELETE\" not allowed."}`
	csrfMissing  = `{"detail":"CSRF Failed: CSRF token missing."}`
	// The Set-Cookie headers of the library's defaults, formatted as
	// net/http formats them: the session cookie (HttpOnly, Secure,
	// SameSite=Lax, for the hour of the idle timeout), the CSRF cookie
	// (readable by scripts, for Django's CSRF_COOKIE_AGE of 52 weeks), and
	// the session cookie's deletion.
	sessionCookie = `sessionid=[a-z0-9]{32}; Path=/; Expires={{session_expires}}; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`
	csrfCookie    = `csrftoken=[a-zA-Z0-9]{32}; Path=/; Expires={{csrf_expires}}; Max-Age=31449600; Secure; SameSite=Lax`
	sessionEnded  = `sessionid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax`
	// jws is the shape of a compact JWS.
	jws = `eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`
)

// noCookies requires a response that sets no cookie.
var noCookies = map[string]string{}

func basic(user, pass string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}
}

func withCT(h map[string]string, ct string) map[string]string {
	return with(h, "Content-Type", ct)
}

// with returns h with more headers, given as name, value pairs.
func with(h map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(h)+len(kv)/2)
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func cookie(v string) map[string]string { return map[string]string{"Cookie": v} }

// Bodies of the login refusals of a user with TOTP on.
const (
	mfaRequired = `{"detail":"This account has two-factor authentication on: send the current code as otp.","code":"mfa_required"}`
	invalidOTP  = `{"detail":"The authentication code is wrong, expired or already used.","code":"invalid_otp"}`
	basicMFA    = `{"detail":"This account has two-factor authentication on, which Basic authentication cannot carry: log in with a session or a token.","code":"mfa_required"}`
	noAccount   = `{"detail":"No active account found with the given credentials"}`
	throttled12 = `{"detail":"Request was throttled. Expected available in 12 seconds."}`
	bearerRealm = `Bearer realm="api"`
)

// sessionLogin is the header of a session login with the CSRF token
// saved by the case "csrf token".
var sessionLogin = map[string]string{"Content-Type": jsonCT, "Cookie": "csrftoken={{csrf_secret}}", "X-CSRFToken": "{{csrfToken}}"}

// mfaCases log erin, who has TOTP on, in on every login path: the
// one-time password is required on the token endpoint and the session
// login, each code is accepted once whichever path it is sent to (also
// when ten requests send it at once), a code older than the window is
// refused, a recovery code works once, and Basic, which cannot carry a
// code, is refused. {{totp_now}}, {{totp_prev}} and {{totp_old}} are erin's
// codes of the current step, the one before and two before;
// {{recovery}} one of his recovery codes.
func mfaCases() []Case {
	token := map[string]string{"Content-Type": jsonCT}
	return []Case{
		{Name: "mfa: token without otp", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin"}`, Status: 401, Exact: mfaRequired, Challenge: bearerRealm},
		{Name: "mfa: token with a blank otp", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":" "}`, Status: 401, Exact: mfaRequired, Challenge: bearerRealm},
		{Name: "mfa: wrong password with otp", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"nope","otp":"{{totp_now}}"}`, Status: 401, Exact: noAccount, Challenge: bearerRealm},
		{Name: "mfa: session login without otp", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"erin","password":"pw-erin"}`, Status: 401, Exact: mfaRequired, Challenge: challenge, Cookies: noCookies},
		{Name: "mfa: session login with a blank form otp", Method: "POST", Path: "/login", Header: with(sessionLogin, "Content-Type", formCT), Body: `username=erin&password=pw-erin&otp=`, Status: 401, Exact: mfaRequired, Challenge: challenge},
		{Name: "mfa: basic refused", Method: "GET", Path: "/private", Header: basic("erin", "pw-erin"), Status: 401, Exact: basicMFA, Challenge: challenge},
		{Name: "mfa: basic refused on an open route", Method: "GET", Path: "/open", Header: basic("erin", "pw-erin"), Status: 401, Exact: basicMFA, Challenge: challenge},
		{Name: "mfa: a code two steps old", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"{{totp_old}}"}`, Status: 401, Exact: invalidOTP, Challenge: bearerRealm},
		{Name: "mfa: not a code", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"12345"}`, Status: 401, Exact: invalidOTP, Challenge: bearerRealm},
		{Name: "mfa: otp over 64 bytes", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"` + strings.Repeat("1", 65) + `"}`, Status: 400, Exact: `{"otp":["Ensure this field has no more than 64 characters."]}`},
		{Name: "mfa: token with the previous step's code", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"{{totp_prev}}"}`, Status: 200, Match: `\{"refresh":"` + jws + `","access":"` + jws + `"\}`},
		{Name: "mfa: the same code again", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"{{totp_prev}}"}`, Status: 401, Exact: invalidOTP, Challenge: bearerRealm},
		{Name: "mfa: ten at once with one code", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"{{totp_now}}"}`, Concurrent: 10, StatusCounts: map[int]int{200: 1, 401: 9}},
		{Name: "mfa: the code used on the token endpoint, on the session login", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"erin","password":"pw-erin","otp":"{{totp_now}}"}`, Status: 401, Exact: invalidOTP, Challenge: challenge, Cookies: noCookies},
		{Name: "mfa: session login with a recovery code", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"erin","password":"pw-erin","otp":"{{recovery}}"}`, Status: 200, Exact: `{"id":6,"username":"erin"}`, SaveCookies: map[string]string{"sessionid": "erin_session"}},
		{Name: "mfa: the session of the login", Method: "GET", Path: "/private", Header: cookie("sessionid={{erin_session}}"), Status: 200, JSON: Who{User: "erin", Method: "session"}},
		{Name: "mfa: the recovery code again", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"{{recovery}}"}`, Status: 401, Exact: invalidOTP, Challenge: bearerRealm},
		{Name: "mfa: otp of a user without MFA is ignored", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"pw-alice","otp":"whatever"}`, Status: 200, Match: `\{"refresh":"` + jws + `","access":"` + jws + `"\}`},
	}
}

// LoginThrottleCases run on a fixture of their own whose login throttle
// allows ThrottledLoginRate (5 failures a minute per client address and
// per username) on a stopped clock: failures count together across the
// token endpoint, the session login, Basic and one-time passwords; the
// 6th is 429 with Retry-After whichever path it takes, with the right
// password too, and a rotated X-Forwarded-For from an address that is not
// a trusted proxy does not reset the count. Another address starts its
// own count, but a username's count follows it there.
func LoginThrottleCases() []Case {
	token := map[string]string{"Content-Type": jsonCT}
	retry := map[string]string{"Retry-After": "12"}
	return []Case{
		{Name: "csrf token", Method: "GET", Path: "/csrf", Status: 200, SaveJSON: []string{"csrfToken"}, SaveCookies: map[string]string{"csrftoken": "csrf_secret"}},
		{Name: "1st failure: token", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"guess1"}`, Status: 401, Exact: noAccount, Challenge: bearerRealm},
		{Name: "2nd failure: token", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"guess2"}`, Status: 401, Exact: noAccount, Challenge: bearerRealm},
		{Name: "3rd failure: session login", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"alice","password":"guess3"}`, Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "4th failure: session login", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"alice","password":"guess4"}`, Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "5th failure: basic", Method: "GET", Path: "/private", Header: basic("alice", "guess5"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "6th: token is 429", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"guess6"}`, Status: 429, Exact: throttled12, Headers: retry},
		{Name: "6th: the right password is 429 too", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"pw-alice"}`, Status: 429, Exact: throttled12, Headers: retry},
		{Name: "6th: session login is 429", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"alice","password":"guess7"}`, Status: 429, Exact: throttled12, Headers: retry, Cookies: noCookies},
		{Name: "6th: basic is 429", Method: "GET", Path: "/open", Header: basic("alice", "guess8"), Status: 429, Exact: throttled12, Headers: retry},
		{Name: "6th: a rotated X-Forwarded-For from an untrusted peer", Method: "POST", Path: "/token", Header: with(token, "X-Forwarded-For", "203.0.113.77"), Body: `{"username":"bob","password":"guess9"}`, Status: 429, Exact: throttled12, Headers: retry},
		{Name: "6th: another username from the same address", Method: "POST", Path: "/token", Header: token, Body: `{"username":"bob","password":"pw-bob"}`, Status: 429, Exact: throttled12, Headers: retry},
		{Name: "another address: alice's count follows her", From: "127.0.0.2", Method: "POST", Path: "/token", Header: token, Body: `{"username":"alice","password":"pw-alice"}`, Status: 429, Exact: throttled12, Headers: retry},
		{Name: "another address: bob logs in", From: "127.0.0.2", Method: "POST", Path: "/token", Header: token, Body: `{"username":"bob","password":"pw-bob"}`, Status: 200, Match: `\{"refresh":"` + jws + `","access":"` + jws + `"\}`},
		{Name: "otp failure 1", From: "127.0.0.3", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"11111"}`, Status: 401, Exact: invalidOTP, Challenge: bearerRealm},
		{Name: "otp failure 2", From: "127.0.0.4", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"22222"}`, Status: 401, Exact: invalidOTP, Challenge: bearerRealm},
		{Name: "otp failure 3", From: "127.0.0.5", Method: "POST", Path: "/login", Header: sessionLogin, Body: `{"username":"erin","password":"pw-erin","otp":"33333"}`, Status: 401, Exact: invalidOTP, Challenge: challenge},
		{Name: "otp failures 4 and 5, at once", From: "127.0.0.6", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"44444"}`, Concurrent: 2, StatusCounts: map[int]int{401: 2}},
		{Name: "after 5 wrong codes the right one is 429", From: "127.0.0.7", Method: "POST", Path: "/token", Header: token, Body: `{"username":"erin","password":"pw-erin","otp":"{{totp_now}}"}`, Status: 429, Exact: throttled12, Headers: retry},
		{Name: "the login throttle leaves other routes alone", Method: "GET", Path: "/open", Status: 200, JSON: Who{}},
	}
}

// Cases is the suite, in order: later cases see the effects of earlier
// ones (created posts, sessions logged in and out) and use the cookies and
// tokens they saved.
func Cases() []Case {
	alice, bob, editor, admin := basic("alice", "pw-alice"), basic("bob", "pw-bob"), basic("editor", "pw-editor"), basic("admin", "pw-admin")
	big := strings.Repeat("x", 2<<20)
	return append([]Case{
		{Name: "anonymous open", Method: "GET", Path: "/open", Status: 200, JSON: Who{}},
		{Name: "anonymous private", Method: "GET", Path: "/private", Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "basic private", Method: "GET", Path: "/private", Header: alice, Status: 200, JSON: Who{User: "alice", Method: "basic"}},
		{Name: "lower-case scheme", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "basic " + base64.StdEncoding.EncodeToString([]byte("alice:pw-alice"))}, Status: 200, JSON: Who{User: "alice", Method: "basic"}},
		{Name: "wrong password on an open route", Method: "GET", Path: "/open", Header: basic("alice", "nope"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "unknown user", Method: "GET", Path: "/private", Header: basic("mallory", "pw"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "inactive user", Method: "GET", Path: "/private", Header: basic("carol", "pw-carol"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "basic without credentials", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic"}, Status: 401, Exact: `{"detail":"Invalid basic header. No credentials provided."}`, Challenge: challenge},
		{Name: "basic with spaces", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic a b"}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials string should not contain spaces."}`, Challenge: challenge},
		{Name: "basic not base64", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic %%%%"}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`, Challenge: challenge},
		{Name: "basic without colon", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("alice"))}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`, Challenge: challenge},
		{Name: "other scheme is not ours", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Digest x"}, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "huge basic header", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic " + strings.Repeat("A", 40<<10)}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`, Challenge: challenge},
		{Name: "throttled 1st", Method: "GET", Path: "/throttled", Status: 200, JSON: Who{}, Headers: map[string]string{"Retry-After": ""}},
		{Name: "throttled 2nd", Method: "GET", Path: "/throttled", Status: 200, JSON: Who{}},
		{Name: "throttled 3rd is 429", Method: "GET", Path: "/throttled", Status: 429, Exact: throttled30, Headers: map[string]string{"Retry-After": "30"}},
		{Name: "throttled with a forged X-Forwarded-For", Method: "GET", Path: "/throttled", Header: map[string]string{"X-Forwarded-For": "203.0.113.9"}, Status: 429, Exact: throttled30, Headers: map[string]string{"Retry-After": "30"}},
		{Name: "throttled per user", Method: "GET", Path: "/throttled", Header: alice, Status: 200, JSON: Who{User: "alice", Method: "basic"}},
		{Name: "admin as user", Method: "GET", Path: "/admin", Header: alice, Status: 403, Exact: denied},
		{Name: "admin as admin", Method: "GET", Path: "/admin", Header: admin, Status: 200, JSON: Who{User: "admin", Method: "basic"}},
		{Name: "admin anonymous", Method: "GET", Path: "/admin", Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "store down fails closed", Method: "GET", Path: "/open", Header: map[string]string{"X-Test-Store-Down": "1"}, Status: 503, Exact: `{"detail":"Service temporarily unavailable, try again later."}`, Headers: map[string]string{"Retry-After": ""}},
		{Name: "password hashing slots exhausted", Method: "GET", Path: "/open", Header: map[string]string{"X-Test-Hashers-Busy": "1"}, Status: 503, Exact: `{"detail":"Service temporarily unavailable, try again later."}`, Headers: map[string]string{"Retry-After": "2"}},
		{Name: "read posts anonymously", Method: "GET", Path: "/posts", Status: 200, JSON: []Post{{ID: 1, Title: "hello", AuthorID: "1"}}},
		{Name: "create post anonymously", Method: "POST", Path: "/posts", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"title":"x"}`, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "create post", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"bob's"}`, Status: 201, JSON: Post{ID: 2, Title: "bob's", AuthorID: "2"}},
		{Name: "create post by form", Method: "POST", Path: "/posts", Header: withCT(bob, "application/x-www-form-urlencoded"), Body: `title=form+post`, Status: 201, JSON: Post{ID: 3, Title: "form post", AuthorID: "2"}},
		{Name: "malformed JSON", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":`, Status: 400, Exact: `{"detail":"JSON parse error"}`},
		{Name: "unknown field", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"a","admin":true}`, Status: 400, Exact: `{"detail":"JSON parse error - unknown field \"admin\""}`},
		{Name: "wrong type", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":5}`, Status: 400, Exact: `{"detail":"JSON parse error - field title has the wrong type"}`},
		{Name: "case-variant key", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"TITLE":"a"}`, Status: 400, Exact: `{"detail":"JSON parse error - unknown field \"TITLE\""}`},
		{Name: "case-variant duplicate key", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"a","Title":"b"}`, Status: 400, Exact: `{"detail":"JSON parse error - unknown field \"Title\""}`},
		{Name: "JSON not UTF-8", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: "{\"title\":\"\xff\"}", Status: 400, Exact: `{"detail":"JSON parse error - 'utf-8' codec can't decode byte 0xff in position 10: invalid start byte"}`},
		{Name: "JSON with extra data", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"x"}}`, Status: 400, Exact: `{"detail":"JSON parse error - Extra data: line 1 column 14 (char 13)"}`},
		{Name: "JSON with a second value", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: "{\"title\":\"é\"}\n]", Status: 400, Exact: `{"detail":"JSON parse error - Extra data: line 2 column 1 (char 14)"}`},
		{Name: "duplicate key", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"a","title":null}`, Status: 400, Exact: `{"detail":"JSON parse error - duplicate field \"title\""}`},
		{Name: "escaped duplicate key", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"a","\u0074itle":"b"}`, Status: 400, Exact: `{"detail":"JSON parse error - duplicate field \"title\""}`},
		{Name: "form field twice", Method: "POST", Path: "/posts", Header: withCT(bob, "application/x-www-form-urlencoded"), Body: `title=a&title=b`, Status: 400, Exact: `{"detail":"Form parse error - duplicate field \"title\""}`},
		{Name: "validation error", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{}`, Status: 400, Exact: `{"title":["This field is required."]}`},
		{Name: "unsupported media type", Method: "POST", Path: "/posts", Header: withCT(bob, "text/plain"), Body: `title`, Status: 415, Exact: `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{Name: "body over the cap", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"` + big + `"}`, Status: 413, Exact: `{"detail":"Request body too large."}`},
		{Name: "chunked body over the cap", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"` + big + `"}`, Chunked: true, Status: 413, Exact: `{"detail":"Request body too large."}`},
		{Name: "update own post", Method: "PUT", Path: "/posts/1", Header: withCT(alice, jsonCT), Body: `{"title":"edited"}`, Status: 200, JSON: Post{ID: 1, Title: "edited", AuthorID: "1"}},
		{Name: "update another's post", Method: "PUT", Path: "/posts/1", Header: withCT(bob, jsonCT), Body: `{"title":"mine now"}`, Status: 403, Exact: denied},
		{Name: "update with model permission", Method: "PUT", Path: "/posts/2", Header: withCT(editor, jsonCT), Body: `{"title":"edited by editor"}`, Status: 200, JSON: Post{ID: 2, Title: "edited by editor", AuthorID: "2"}},
		{Name: "update anonymously", Method: "PUT", Path: "/posts/1", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"title":"x"}`, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "update missing post", Method: "PUT", Path: "/posts/99", Header: withCT(alice, jsonCT), Body: `{"title":"x"}`, Status: 404, Exact: `{"detail":"Not found."}`},
		{Name: "register", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"dave","email":"Dave@EXAMPLE.com","password":"correct horse battery"}`, Status: 201, Exact: `{"id":7,"username":"dave","email":"Dave@example.com"}`},
		{Name: "registered user logs in", Method: "GET", Path: "/private", Header: basic("dave", "correct horse battery"), Status: 200, JSON: Who{User: "dave", Method: "basic"}},
		{Name: "register duplicate", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"dave","password":"correct horse battery"}`, Status: 400, Exact: `{"username":["A user with that username already exists."]}`},
		{Name: "register case variant", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"DaVe","password":"correct horse battery"}`, Status: 400, Exact: `{"username":["A user with that username already exists."]}`},
		{Name: "register weak password", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"erin","email":"erin@example.com","password":"1234"}`, Status: 400, Exact: `{"password":["This password is too short. It must contain at least 8 characters.","This password is too common.","This password is entirely numeric."]}`},
		{Name: "register bad username", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"a b","password":"correct horse battery"}`, Status: 400, Exact: `{"username":["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}`},
		{Name: "register missing fields", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{}`, Status: 400, Exact: `{"username":["This field is required."],"password":["This field is required."]}`},
		{Name: "register huge password", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"frank","password":"` + strings.Repeat("p", 4097) + `"}`, Status: 400, Exact: `{"password":["Ensure this field has no more than 4096 characters."]}`},
		{Name: "register invalid email 1", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"gina","email":".a@b.com","password":"correct horse battery"}`, Status: 400, Exact: `{"email":["Enter a valid email address."]}`},
		{Name: "register invalid email 2", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"gina","email":"a@b..com","password":"correct horse battery"}`, Status: 400, Exact: `{"email":["Enter a valid email address."]}`},
		{Name: "register invalid email 3", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"gina","email":"a@-b.com","password":"correct horse battery"}`, Status: 400, Exact: `{"email":["Enter a valid email address."]}`},
		{Name: "register invalid email 4", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"gina","email":"a@b.com.","password":"correct horse battery"}`, Status: 400, Exact: `{"email":["Enter a valid email address."]}`},
		{Name: "register invalid email 5", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"gina","email":"ａ@b.com","password":"correct horse battery"}`, Status: 400, Exact: `{"email":["Enter a valid email address."]}`},
		{Name: "register email at localhost", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"gina","email":"gina@localhost","password":"correct horse battery"}`, Status: 201, Exact: `{"id":8,"username":"gina","email":"gina@localhost"}`},

		// Methods. A GET view answers HEAD with GET's status and headers
		// and no body. DRF authenticates and checks the view's permissions
		// before it dispatches on the method (APIView.initial), so a wrong
		// method is 405 only for a request the view would let in.
		{Name: "HEAD on a GET route", Method: "HEAD", Path: "/private", Header: alice, Status: 200, Empty: true, Headers: map[string]string{"Content-Type": jsonCT}},
		{Name: "HEAD anonymously", Method: "HEAD", Path: "/private", Status: 401, Empty: true, Challenge: challenge},
		{Name: "wrong method", Method: "DELETE", Path: "/open", Status: 405, Exact: notAllowed, Headers: map[string]string{"Allow": "GET, HEAD"}},
		{Name: "wrong method with wrong credentials", Method: "DELETE", Path: "/open", Header: basic("alice", "nope"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "wrong method anonymously on a guarded route", Method: "DELETE", Path: "/private", Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "wrong method on a guarded route", Method: "DELETE", Path: "/private", Header: alice, Status: 405, Exact: notAllowed, Headers: map[string]string{"Allow": "GET, HEAD"}},

		// Sessions, through the adapter's session middleware and accessor
		// (Django's SessionMiddleware): saved when modified, with the
		// cookie sent again; untouched when only read; never under a key
		// the client chose.
		{Name: "session starts", Method: "GET", Path: "/visits", Status: 200, JSON: Visits{1}, Cookies: map[string]string{"sessionid": sessionCookie}, Headers: map[string]string{"Vary": "Cookie"}, SaveCookies: map[string]string{"sessionid": "visitor"}},
		{Name: "session kept across requests", Method: "GET", Path: "/visits", Header: cookie("sessionid={{visitor}}"), Status: 200, JSON: Visits{2}, Cookies: map[string]string{"sessionid": `sessionid={{visitor}}; Path=/; Expires={{session_expires}}; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`}, Headers: map[string]string{"Vary": "Cookie"}},
		{Name: "session read but not modified is not saved", Method: "GET", Path: "/peek", Header: cookie("sessionid={{visitor}}"), Status: 200, JSON: Visits{2}, Cookies: noCookies, Unsaved: true, Headers: map[string]string{"Vary": "Cookie"}},
		{Name: "session key chosen by the client", Method: "GET", Path: "/visits", Header: cookie("sessionid=Chosen-By-The-Client"), Status: 200, JSON: Visits{1}, Cookies: map[string]string{"sessionid": sessionCookie}},

		// Session login through the core's login endpoint: CSRF-protected
		// as Django's LoginView, a new session key that keeps the
		// anonymous session's data (cycle_key), and a new CSRF secret
		// (rotate_token).
		{Name: "csrf token", Method: "GET", Path: "/csrf", Status: 200, Match: `\{"csrfToken":"[a-zA-Z0-9]{64}"\}`, Cookies: map[string]string{"csrftoken": csrfCookie}, Headers: map[string]string{"Cache-Control": "no-store", "Vary": "Cookie"}, SaveJSON: []string{"csrfToken"}, SaveCookies: map[string]string{"csrftoken": "csrf_secret"}},
		{Name: "session login without the CSRF token", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "sessionid={{visitor}}; csrftoken={{csrf_secret}}"}, Body: `{"username":"alice","password":"pw-alice"}`, Status: 403, Exact: csrfMissing},
		{Name: "session login without the CSRF token, body not even looked at", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "sessionid={{visitor}}; csrftoken={{csrf_secret}}"}, Body: `{`, Status: 403, Exact: csrfMissing},
		{Name: "session login with missing fields", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "sessionid={{visitor}}; csrftoken={{csrf_secret}}", "X-CSRFToken": "{{csrfToken}}"}, Body: `{}`, Status: 400, Exact: `{"username":["This field is required."],"password":["This field is required."]}`},
		{Name: "session login with a wrong password", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "sessionid={{visitor}}; csrftoken={{csrf_secret}}", "X-CSRFToken": "{{csrfToken}}"}, Body: `{"username":"alice","password":"nope"}`, Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "session login", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "sessionid={{visitor}}; csrftoken={{csrf_secret}}", "X-CSRFToken": "{{csrfToken}}"}, Body: `{"username":"alice","password":"pw-alice"}`, Status: 200, Exact: `{"id":1,"username":"alice"}`, Cookies: map[string]string{"sessionid": sessionCookie, "csrftoken": csrfCookie}, SaveCookies: map[string]string{"sessionid": "alice_session", "csrftoken": "alice_csrf"}},
		{Name: "session login keeps the data", Method: "GET", Path: "/peek", Header: cookie("sessionid={{alice_session}}"), Status: 200, JSON: Visits{2}, Cookies: noCookies, Unsaved: true},
		{Name: "session key from before login is gone", Method: "GET", Path: "/peek", Header: cookie("sessionid={{visitor}}"), Status: 200, JSON: Visits{0}, Unsaved: true},
		{Name: "session authentication", Method: "GET", Path: "/private", Header: cookie("sessionid={{alice_session}}"), Status: 200, JSON: Who{User: "alice", Method: "session"}},
		{Name: "session HEAD needs no CSRF token", Method: "HEAD", Path: "/private", Header: cookie("sessionid={{alice_session}}"), Status: 200, Empty: true},

		// CSRF: DRF's SessionAuthentication.enforce_csrf, Django's reasons.
		{Name: "session POST without the CSRF token", Method: "POST", Path: "/posts", Header: withCT(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), jsonCT), Body: `{"title":"x"}`, Status: 403, Exact: csrfMissing},
		{Name: "session POST with the token from before login", Method: "POST", Path: "/posts", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "{{csrfToken}}"), Body: `{"title":"x"}`, Status: 403, Exact: `{"detail":"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."}`},
		{Name: "session POST with a malformed CSRF token", Method: "POST", Path: "/posts", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "nope"), Body: `{"title":"x"}`, Status: 403, Exact: `{"detail":"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."}`},
		{Name: "session POST from another origin", Method: "POST", Path: "/posts", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "{{alice_csrf}}", "Origin", "http://evil.example"), Body: `{"title":"x"}`, Status: 403, Exact: `{"detail":"CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}`},
		{Name: "session POST with the https Origin of this http server", Method: "POST", Path: "/posts", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "{{alice_csrf}}", "Origin", "https://{{host}}"), Body: `{"title":"x"}`, Status: 403, Exact: `{"detail":"CSRF Failed: Origin checking failed - https://{{host}} does not match any trusted origins."}`},
		{Name: "session POST with the CSRF token", Method: "POST", Path: "/posts", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "{{alice_csrf}}", "Origin", "{{origin}}"), Body: `{"title":"by session"}`, Status: 201, JSON: Post{ID: 4, Title: "by session", AuthorID: "1"}},
		{Name: "session form POST with csrfmiddlewaretoken", Method: "POST", Path: "/posts", Header: withCT(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), formCT), Body: `title=form+by+session&csrfmiddlewaretoken={{alice_csrf}}`, Status: 201, JSON: Post{ID: 5, Title: "form by session", AuthorID: "1"}},
		{Name: "session form POST with a wrong csrfmiddlewaretoken", Method: "POST", Path: "/posts", Header: withCT(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), formCT), Body: `title=x&csrfmiddlewaretoken=` + strings.Repeat("a", 64), Status: 403, Exact: `{"detail":"CSRF Failed: CSRF token from POST incorrect."}`},
		{Name: "session object permission", Method: "PUT", Path: "/posts/2", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "Content-Type", jsonCT, "X-CSRFToken", "{{alice_csrf}}"), Body: `{"title":"mine now"}`, Status: 403, Exact: denied},
		{Name: "basic POST is not CSRF-checked", Method: "POST", Path: "/posts", Header: with(bob, "Content-Type", jsonCT, "Cookie", "sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), Body: `{"title":"bob beside a session"}`, Status: 201, JSON: Post{ID: 6, Title: "bob beside a session", AuthorID: "2"}},

		// JWTs: simplejwt's obtain view mounted natively, then Bearer.
		{Name: "token with wrong credentials", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"alice","password":"nope"}`, Status: 401, Exact: `{"detail":"No active account found with the given credentials"}`, Challenge: `Bearer realm="api"`},
		{Name: "token for an inactive user", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"carol","password":"pw-carol"}`, Status: 401, Exact: `{"detail":"No active account found with the given credentials"}`, Challenge: `Bearer realm="api"`},
		{Name: "token with malformed JSON", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":`, Status: 400, Exact: `{"detail":"JSON parse error"}`},
		{Name: "token with a chunked body over the cap", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"` + big + `"}`, Chunked: true, Status: 413, Exact: `{"detail":"Request body too large."}`},
		{Name: "token obtain", Method: "POST", Path: "/token", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"alice","password":"pw-alice"}`, Status: 200, Match: `\{"refresh":"` + jws + `","access":"` + jws + `"\}`, Cookies: noCookies, SaveJSON: []string{"access", "refresh"}},
		{Name: "bearer token", Method: "GET", Path: "/private", Header: bearer("{{access}}"), Status: 200, JSON: Who{User: "alice", Method: "jwt"}},
		{Name: "refresh token as a bearer token", Method: "GET", Path: "/private", Header: bearer("{{refresh}}"), Status: 401, Exact: `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"}]}`, Challenge: challenge},
		{Name: "bearer POST is not CSRF-checked", Method: "POST", Path: "/posts", Header: with(bearer("{{access}}"), "Content-Type", jsonCT, "Cookie", "sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), Body: `{"title":"by token"}`, Status: 201, JSON: Post{ID: 7, Title: "by token", AuthorID: "1"}},
		{Name: "bearer object permission", Method: "PUT", Path: "/posts/1", Header: with(bearer("{{access}}"), "Content-Type", jsonCT), Body: `{"title":"edited by token"}`, Status: 200, JSON: Post{ID: 1, Title: "edited by token", AuthorID: "1"}},
		{Name: "bearer object permission refused", Method: "PUT", Path: "/posts/2", Header: with(bearer("{{access}}"), "Content-Type", jsonCT), Body: `{"title":"mine now"}`, Status: 403, Exact: denied},

		// Logout (Django's logout(): the session is flushed server-side and
		// its cookie deleted); the old cookie is then worth nothing.
		{Name: "session logout without the CSRF token", Method: "POST", Path: "/logout", Header: cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), Status: 403, Exact: csrfMissing},
		{Name: "session logout", Method: "POST", Path: "/logout", Header: with(cookie("sessionid={{alice_session}}; csrftoken={{alice_csrf}}"), "X-CSRFToken", "{{alice_csrf}}"), Status: 204, Empty: true, Cookies: map[string]string{"sessionid": sessionEnded}, Headers: map[string]string{"Content-Type": ""}},
		{Name: "session cookie after logout", Method: "GET", Path: "/private", Header: cookie("sessionid={{alice_session}}"), Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "session cookie after logout is anonymous", Method: "GET", Path: "/open", Header: cookie("sessionid={{alice_session}}"), Status: 200, JSON: Who{}},

		// Django's get_user: a session whose auth hash no longer matches
		// the user's password is flushed, and the error response deletes
		// its cookie.
		{Name: "session login as another user", Method: "POST", Path: "/login", Header: map[string]string{"Content-Type": jsonCT, "Cookie": "csrftoken={{csrf_secret}}", "X-CSRFToken": "{{csrfToken}}"}, Body: `{"username":"bob","password":"pw-bob"}`, Status: 200, Exact: `{"id":2,"username":"bob"}`, Cookies: map[string]string{"sessionid": sessionCookie, "csrftoken": csrfCookie}, SaveCookies: map[string]string{"sessionid": "bob_session"}},
		{Name: "session of the other user", Method: "GET", Path: "/private", Header: cookie("sessionid={{bob_session}}"), Status: 200, JSON: Who{User: "bob", Method: "session"}, Unsaved: true},
		{Name: "session after a password change", Method: "GET", Path: "/private", Header: cookie("sessionid={{bob_session}}"), Rehash: "bob", Status: 401, Exact: notProvided, Challenge: challenge, Cookies: map[string]string{"sessionid": sessionEnded}},

		// The session store fails closed: a session that cannot be loaded
		// is not anonymous, one that cannot be saved is not a success.
		{Name: "session store down on load", Method: "GET", Path: "/open", Header: cookie("sessionid={{visitor}}"), SessionStoreDown: true, Status: 503, Exact: `{"detail":"Service temporarily unavailable, try again later."}`, Cookies: noCookies},
		{Name: "session store down on save", Method: "GET", Path: "/visits", SessionStoreDown: true, Status: 503, Exact: `{"detail":"Service temporarily unavailable, try again later."}`, Cookies: noCookies},

		// Remote users (a header set by an authenticating proxy): the
		// proxy's login goes with every request the browser makes, as a
		// session cookie does, so unsafe requests are CSRF-checked exactly
		// as a session's, with Django's reasons; and the header counts
		// only when sent once, with one username.
		{Name: "remote user", Method: "GET", Path: "/private", Header: remoteUser("alice"), Status: 200, JSON: Who{User: "alice", Method: "remote"}},
		{Name: "remote user HEAD needs no CSRF token", Method: "HEAD", Path: "/private", Header: remoteUser("alice"), Status: 200, Empty: true},
		{Name: "remote user cross-site POST", Method: "POST", Path: "/posts", Header: with(remoteUser("alice"), "Content-Type", jsonCT, "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"), Body: `{"title":"forged"}`, Status: 403, Exact: `{"detail":"CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}`},
		{Name: "remote user POST from another origin", Method: "POST", Path: "/posts", Header: with(remoteUser("alice"), "Content-Type", jsonCT, "Cookie", "csrftoken={{csrf_secret}}", "X-CSRFToken", "{{csrfToken}}", "Origin", "http://evil.example"), Body: `{"title":"forged"}`, Status: 403, Exact: `{"detail":"CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}`},
		{Name: "remote user POST without the CSRF cookie", Method: "POST", Path: "/posts", Header: withCT(remoteUser("alice"), jsonCT), Body: `{"title":"forged"}`, Status: 403, Exact: `{"detail":"CSRF Failed: CSRF cookie not set."}`},
		{Name: "remote user POST without the CSRF token", Method: "POST", Path: "/posts", Header: with(remoteUser("alice"), "Content-Type", jsonCT, "Cookie", "csrftoken={{csrf_secret}}"), Body: `{"title":"forged"}`, Status: 403, Exact: csrfMissing},
		{Name: "remote user PUT without the CSRF token", Method: "PUT", Path: "/posts/1", Header: with(remoteUser("alice"), "Content-Type", jsonCT, "Cookie", "csrftoken={{csrf_secret}}"), Body: `{"title":"forged"}`, Status: 403, Exact: csrfMissing},
		{Name: "remote user POST with the CSRF token", Method: "POST", Path: "/posts", Header: with(remoteUser("alice"), "Content-Type", jsonCT, "Cookie", "csrftoken={{csrf_secret}}", "X-CSRFToken", "{{csrfToken}}", "Origin", "{{origin}}"), Body: `{"title":"by the proxy"}`, Status: 201, JSON: Post{ID: 8, Title: "by the proxy", AuthorID: "1"}},
		{Name: "remote user form POST with csrfmiddlewaretoken", Method: "POST", Path: "/posts", Header: with(remoteUser("alice"), "Content-Type", formCT, "Cookie", "csrftoken={{csrf_secret}}"), Body: `title=form+by+the+proxy&csrfmiddlewaretoken={{csrfToken}}`, Status: 201, JSON: Post{ID: 9, Title: "form by the proxy", AuthorID: "1"}},
		{Name: "remote user header twice", Method: "GET", Path: "/private", HeaderLines: []string{RemoteUserHeader + ": admin", RemoteUserHeader + ": alice"}, Status: 401, Exact: badRemoteUser, Challenge: challenge},
		{Name: "remote user header twice, the same user", Method: "GET", Path: "/open", HeaderLines: []string{RemoteUserHeader + ": alice", RemoteUserHeader + ": alice"}, Status: 401, Exact: badRemoteUser, Challenge: challenge},
		{Name: "remote user header with a comma", Method: "GET", Path: "/admin", Header: remoteUser("admin,alice"), Status: 401, Exact: badRemoteUser, Challenge: challenge},
	}, mfaCases()...)
}

// badRemoteUser is the refusal of a remote-user header sent twice or
// naming two users.
const badRemoteUser = `{"detail":"Invalid remote user header. It must be sent once, with one username."}`

func remoteUser(name string) map[string]string {
	return map[string]string{RemoteUserHeader: name}
}

// Run serves h on a loopback listener and runs every case against it;
// then serves h again for a fixture whose login throttle allows
// ThrottledLoginRate, and runs LoginThrottleCases under "login throttle".
func Run(t *testing.T, h Harness) {
	run(t, h, NewFixture(t), Cases())
	t.Run("login throttle", func(t *testing.T) {
		run(t, h, newFixture(t, fixtureConfig{loginRate: ThrottledLoginRate}), LoginThrottleCases())
	})
}

func run(t *testing.T, h Harness, f *Fixture, cases []Case) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.Serve(t, f, l)
	base := "http://" + l.Addr().String()
	s := &state{
		f:       f,
		base:    base,
		clients: map[string]*http.Client{},
		vars: map[string]string{
			"origin":          base,
			"host":            l.Addr().String(),
			"session_expires": f.now().Add(f.Sessions.IdleTimeout).Format(http.TimeFormat),
			"csrf_expires":    f.now().Add(csrf.CookieAge).Format(http.TimeFormat),
			"recovery":        f.recovery[0],
		},
	}
	for name, steps := range map[string]int{"totp_now": 0, "totp_prev": -1, "totp_old": -2} {
		code, err := f.TOTP(steps)
		if err != nil {
			t.Fatal(err)
		}
		s.vars[name] = code
	}
	defer func() {
		for _, c := range s.clients {
			c.CloseIdleConnections()
		}
	}()
	for _, c := range cases {
		if !t.Run(c.Name, func(t *testing.T) { s.check(t, c) }) {
			t.Logf("case %q failed; later cases may fail because of it", c.Name)
		}
	}
}

// client is the HTTP client whose connections come from the loopback
// address from ("" for the system's choice), one per address, kept for
// the run so that connections are reused as a real client's are.
func (s *state) client(t *testing.T, from string) *http.Client {
	if c, ok := s.clients[from]; ok {
		return c
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		ip := net.ParseIP(from)
		if ip == nil || !ip.IsLoopback() {
			t.Fatalf("From %q: want a loopback address", from)
		}
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	tr := &http.Transport{DialContext: d.DialContext}
	c := &http.Client{Timeout: 10 * time.Second, Transport: tr}
	s.clients[from] = c
	return c
}

// state is what the cases share: the server, and the values they saved.
type state struct {
	f       *Fixture
	base    string
	vars    map[string]string
	clients map[string]*http.Client
}

var placeholder = regexp.MustCompile(`\{\{(\w+)\}\}`)

// expand replaces the placeholders of s by their values, passed through
// quote; a placeholder nothing saved fails the test.
func (s *state) expand(t *testing.T, v string, quote func(string) string) string {
	t.Helper()
	return placeholder.ReplaceAllStringFunc(v, func(m string) string {
		name := m[2 : len(m)-2]
		val, ok := s.vars[name]
		if !ok {
			t.Fatalf("%s: no value saved under %q (did an earlier case fail?)", m, name)
		}
		return quote(val)
	})
}

func verbatim(s string) string { return s }

func (s *state) check(t *testing.T, c Case) {
	s.f.advance(c.advance)
	if c.do != nil {
		c.do(t, s)
		return
	}
	if c.Concurrent > 0 {
		s.checkConcurrent(t, c)
		return
	}
	req := s.request(t, c)
	if c.Rehash != "" {
		if err := s.f.rehash(c.Rehash); err != nil {
			t.Fatal(err)
		}
	}
	writes, hashes := s.f.store.writes.Load(), s.f.hashes.Load()
	if c.SessionStoreDown {
		s.f.store.down.Store(true)
	}
	resp, err := s.client(t, c.From).Do(req)
	// Every adapter commits the session before the response goes out:
	// the store is back up for the next case, never during this one.
	s.f.store.down.Store(false)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if resp.StatusCode != c.Status {
		t.Errorf("status %d, want %d; body %.300s", resp.StatusCode, c.Status, got)
	}
	if ch := resp.Header.Get("WWW-Authenticate"); ch != c.Challenge {
		t.Errorf("WWW-Authenticate %q, want %q", ch, c.Challenge)
	}
	if exact := s.expand(t, c.Exact, verbatim); c.Exact != "" && string(bytes.TrimSpace(got)) != exact {
		t.Errorf("body %.300s\nwant %s", got, exact)
	}
	if c.Match != "" && !regexp.MustCompile(`\A`+c.Match+`\z`).Match(got) {
		t.Errorf("body %.300s\nwant a match of %s", got, c.Match)
	}
	if c.Empty && len(got) != 0 {
		t.Errorf("body %.300s, want none", got)
	}
	if c.Exact != "" || c.JSON != nil || c.Match != "" {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, jsonCT) {
			t.Errorf("Content-Type %q", ct)
		}
	}
	if c.JSON != nil {
		want, _ := json.Marshal(c.JSON)
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("body is not JSON: %.300s", got)
		}
		_ = json.Unmarshal(want, &b)
		if !jsonEqual(a, b) {
			t.Errorf("body %.300s\nwant %s", got, want)
		}
	}
	for name, want := range c.Headers {
		if v := strings.Join(resp.Header.Values(name), ", "); v != want {
			t.Errorf("%s %q, want %q", name, v, want)
		}
	}
	if c.Cookies != nil {
		s.checkCookies(t, resp.Header.Values("Set-Cookie"), c.Cookies)
	}
	if c.Unsaved {
		if n := s.f.store.writes.Load() - writes; n != 0 {
			t.Errorf("%d writes to the session store, want none", n)
		}
	}
	if n := s.f.hashes.Load() - hashes; (c.noHash && n != 0) || (c.hashes != 0 && n != c.hashes) {
		t.Errorf("%d password hashes or verifications, want %d", n, c.hashes)
	}
	s.save(t, c, resp, got)
}

// checkConcurrent sends c's request c.Concurrent times at once and
// counts the statuses.
func (s *state) checkConcurrent(t *testing.T, c Case) {
	reqs := make([]*http.Request, c.Concurrent)
	for i := range reqs {
		reqs[i] = s.request(t, c)
	}
	cl := s.client(t, c.From)
	statuses := make([]int, c.Concurrent)
	errs := make([]error, c.Concurrent)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, req := range reqs {
		wg.Go(func() {
			<-start
			resp, err := cl.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	got := map[int]int{}
	for i, st := range statuses {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i+1, errs[i])
		}
		got[st]++
	}
	if !maps.Equal(got, c.StatusCounts) {
		t.Errorf("statuses %v, want %v", got, c.StatusCounts)
	}
}

// request builds c's request, its placeholders expanded.
func (s *state) request(t *testing.T, c Case) *http.Request {
	t.Helper()
	var body io.Reader
	if c.Body != "" {
		b := s.expand(t, c.Body, verbatim)
		body = strings.NewReader(b)
		if c.Chunked {
			body = io.MultiReader(strings.NewReader(b)) // hides the length
		}
	}
	req, err := http.NewRequest(c.Method, s.base+c.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.Chunked {
		req.ContentLength = -1
	}
	for k, v := range c.Header {
		req.Header.Set(k, s.expand(t, v, verbatim))
	}
	for _, line := range c.HeaderLines {
		k, v, _ := strings.Cut(line, ":")
		req.Header[k] = append(req.Header[k], s.expand(t, strings.TrimSpace(v), verbatim))
	}
	return req
}

// checkCookies compares the Set-Cookie headers with want, by cookie name.
func (s *state) checkCookies(t *testing.T, set []string, want map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, h := range set {
		name, _, _ := strings.Cut(h, "=")
		pattern, ok := want[name]
		switch {
		case !ok:
			t.Errorf("unexpected Set-Cookie: %s", h)
			continue
		case seen[name]:
			t.Errorf("cookie %s set twice: %q", name, set)
		}
		seen[name] = true
		re := regexp.MustCompile(`\A` + s.expand(t, pattern, regexp.QuoteMeta) + `\z`)
		if !re.MatchString(h) {
			t.Errorf("Set-Cookie: %s\nwant a match of %s", h, re)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no Set-Cookie for %s; got %q", name, set)
		}
	}
}

// save keeps the values c asks for.
func (s *state) save(t *testing.T, c Case, resp *http.Response, body []byte) {
	t.Helper()
	for name, as := range c.SaveCookies {
		found := false
		for _, ck := range resp.Cookies() {
			if ck.Name == name {
				s.vars[as], found = ck.Value, true
			}
		}
		if !found {
			t.Fatalf("no cookie %s to save", name)
		}
	}
	if len(c.SaveJSON) == 0 {
		return
	}
	var members map[string]any
	if err := json.Unmarshal(body, &members); err != nil {
		t.Fatalf("body is not a JSON object: %.300s", body)
	}
	for _, name := range c.SaveJSON {
		v, ok := members[name].(string)
		if !ok {
			t.Fatalf("no string %q in %.300s", name, body)
		}
		s.vars[name] = v
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
