package examples_test

import (
	"bufio"
	"net/url"
	"strings"
)

const (
	bobPassword       = "Tr0ub4dor&3-horse"
	bobNewPassword    = "An0ther-long-pass"
	carolPassword     = "C4rol-has-a-second-factor"
	carolNewPassword  = "C4rol-was-reset-by-mail"
	erinPassword      = "Erin-uses-the-pages-1"
	erinNewPassword   = "Erin-changed-it-on-the-page"
	erinResetPassword = "Erin-reset-it-on-the-page"
)

// script is the sequence every server answers: a realistic session of a
// few users across the showcase's HTTP contract (the README's endpoints), each step after
// the ones whose tokens, cookies and ids it uses. want is the status the
// contract gives.
var script = []step{
	// Anonymous.
	{name: "health", want: 200, method: "GET", path: "/healthz"},
	{name: "ready", want: 200, method: "GET", path: "/readyz"},
	{name: "OpenAPI document", want: 200, method: "GET", path: "/api/schema"},
	{name: "OpenAPI document, POST", want: 404, method: "POST", path: "/api/schema"},
	{name: "me, anonymous", want: 401, method: "GET", path: "/api/me"},

	// Registration: Django's validators, uniqueness, DRF's parse errors.
	{name: "register, weak password", want: 400, method: "POST", path: "/api/auth/register",
		body: `{"username":"bob","email":"bob@EXAMPLE.com","password":"bob"}`},
	{name: "register bob", want: 201, method: "POST", path: "/api/auth/register",
		body: `{"username":"bob","email":"bob@EXAMPLE.com","password":"` + bobPassword + `"}`},
	{name: "register bob again", want: 400, method: "POST", path: "/api/auth/register",
		body: `{"username":"bob","password":"` + bobPassword + `"}`},
	{name: "register, unknown field", want: 400, method: "POST", path: "/api/auth/register",
		body: `{"username":"eve","password":"` + bobPassword + `","is_superuser":true}`},
	{name: "register, malformed JSON", want: 400, method: "POST", path: "/api/auth/register", body: `{"username":`},
	{name: "register, password over 4096 bytes", want: 400, method: "POST", path: "/api/auth/register",
		body: `{"username":"eve","password":"` + strings.Repeat("p", 4097) + `"}`},
	{name: "register, text/plain", want: 415, method: "POST", path: "/api/auth/register",
		headers: []string{"Content-Type: text/plain"}, body: `username=eve`},

	// Bad logins.
	{name: "token, wrong password", want: 401, method: "POST", path: "/api/token", body: `{"username":"alice","password":"wrong"}`},
	{name: "token, unknown user", want: 401, method: "POST", path: "/api/token", body: `{"username":"mallory","password":"wrong"}`},
	{name: "token, no password", want: 400, method: "POST", path: "/api/token", body: `{"username":"alice"}`},
	{name: "basic, wrong password", want: 401, method: "GET", path: "/api/me", basic: "alice:wrong"},
	{name: "basic, unknown user", want: 401, method: "GET", path: "/api/me", basic: "mallory:wrong"},
	{name: "basic, not base64", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Basic !!!"}},

	// Basic.
	{name: "me, basic", want: 200, method: "GET", path: "/api/me", basic: "bob:" + bobPassword},
	{name: "me, basic, HEAD", want: 200, method: "HEAD", path: "/api/me", basic: "bob:" + bobPassword},
	{name: "me, basic, admin", want: 200, method: "GET", path: "/api/me", basic: "admin:${pw.admin}"},

	// JWT: obtain, use, verify, refresh with rotation and reuse detection,
	// blacklist.
	{name: "token alice", want: 200, method: "POST", path: "/api/token", body: `{"username":"alice","password":"${pw.alice}"}`,
		save: []saver{field("access", "a1.access"), field("refresh", "a1.refresh")}},
	{name: "me, bearer", want: 200, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${a1.access}"}},
	{name: "me, bearer with a refresh token", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${a1.refresh}"}},
	{name: "me, bearer with a tampered token", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${a1.access}x"}},
	{name: "me, bearer, not a JWT", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer not-a-jwt"}},
	{name: "me, bearer, no token", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer"}},
	{name: "verify access", want: 200, method: "POST", path: "/api/token/verify", body: `{"token":"${a1.access}"}`},
	{name: "verify refresh", want: 200, method: "POST", path: "/api/token/verify", body: `{"token":"${a1.refresh}"}`},
	{name: "verify garbage", want: 401, method: "POST", path: "/api/token/verify", body: `{"token":"nope"}`},
	{name: "refresh", want: 200, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${a1.refresh}"}`,
		save: []saver{field("access", "a2.access"), field("refresh", "a2.refresh")}},
	{name: "refresh with an access token", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${a2.access}"}`},
	{name: "me, rotated access", want: 200, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${a2.access}"}},
	{name: "refresh, spent token reused", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${a1.refresh}"}`},
	{name: "me, access of the revoked family", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${a2.access}"}},
	{name: "refresh, rotated token of the revoked family", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${a2.refresh}"}`},
	{name: "token alice again", want: 200, method: "POST", path: "/api/token", body: `{"username":"alice","password":"${pw.alice}"}`,
		save: []saver{field("access", "a3.access"), field("refresh", "a3.refresh")}},
	{name: "blacklist", want: 200, method: "POST", path: "/api/token/blacklist", body: `{"refresh":"${a3.refresh}"}`},
	{name: "refresh, blacklisted", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${a3.refresh}"}`},
	{name: "me, access of a blacklisted refresh token", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${a3.access}"}},
	{name: "token alice, third", want: 200, method: "POST", path: "/api/token", body: `{"username":"alice","password":"${pw.alice}"}`,
		save: []saver{field("access", "a4.access"), field("refresh", "a4.refresh")}},
	{name: "token bob", want: 200, method: "POST", path: "/api/token", body: `{"username":"bob","password":"` + bobPassword + `"}`,
		save: []saver{field("access", "b1.access"), field("refresh", "b1.refresh")}},

	// Posts: anyone reads, authenticated users write, the author or a
	// holder of the model permission (the superuser) changes and deletes.
	{name: "posts, empty", want: 200, method: "GET", path: "/api/posts"},
	{name: "create, anonymous", want: 401, method: "POST", path: "/api/posts", body: `{"title":"t","body":"b"}`},
	{name: "create, alice", want: 201, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${a4.access}"},
		body: `{"title":"Hello","body":"First post"}`, save: []saver{field("id", "post.alice")}},
	{name: "create, bob, HTML and non-ASCII", want: 201, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${b1.access}"},
		body: `{"title":"<b>Bob</b> & co","body":"café ☕"}`, save: []saver{field("id", "post.bob")}},
	{name: "create, blank title", want: 400, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${a4.access}"}, body: `{"title":""}`},
	{name: "create, malformed JSON", want: 400, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${a4.access}"}, body: `{"title":`},
	{name: "create, NUL", want: 400, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${a4.access}"}, body: `{"title":"nul\u0000","body":"b"}`},
	{name: "create, body over 1 MiB", want: 413, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${a4.access}"},
		body: `{"title":"t","body":"` + strings.Repeat("x", 1<<20) + `"}`},
	{name: "posts", want: 200, method: "GET", path: "/api/posts"},
	{name: "post", want: 200, method: "GET", path: "/api/posts/${post.alice}"},
	{name: "post, missing", want: 404, method: "GET", path: "/api/posts/999"},
	{name: "post, not a number", want: 404, method: "GET", path: "/api/posts/abc"},
	{name: "update, anonymous", want: 401, method: "PUT", path: "/api/posts/${post.alice}", body: `{"title":"x","body":"y"}`},
	{name: "update, other user", want: 403, method: "PUT", path: "/api/posts/${post.alice}", headers: []string{"Authorization: Bearer ${b1.access}"},
		body: `{"title":"Mine","body":"now"}`},
	{name: "delete, other user", want: 403, method: "DELETE", path: "/api/posts/${post.alice}", headers: []string{"Authorization: Bearer ${b1.access}"}},
	{name: "update, author", want: 200, method: "PUT", path: "/api/posts/${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"},
		body: `{"title":"Hello again","body":"Edited"}`},
	{name: "update, author, invalid", want: 400, method: "PUT", path: "/api/posts/${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"},
		body: `{"title":"` + strings.Repeat("t", 201) + `","body":"Edited"}`},
	{name: "update, admin", want: 200, method: "PUT", path: "/api/posts/${post.alice}", basic: "admin:${pw.admin}",
		body: `{"title":"By admin","body":"Edited"}`},
	{name: "update, missing post", want: 404, method: "PUT", path: "/api/posts/999", headers: []string{"Authorization: Bearer ${b1.access}"},
		body: `{"title":"x","body":"y"}`},
	{name: "patch, author", want: 405, method: "PATCH", path: "/api/posts/${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"}, body: `{"title":"x"}`},
	{name: "patch, anonymous", want: 401, method: "PATCH", path: "/api/posts/${post.alice}", body: `{"title":"x"}`},
	{name: "delete, admin", want: 204, method: "DELETE", path: "/api/posts/${post.bob}", basic: "admin:${pw.admin}"},
	{name: "post, deleted", want: 404, method: "GET", path: "/api/posts/${post.bob}"},
	{name: "delete, deleted", want: 404, method: "DELETE", path: "/api/posts/${post.bob}", headers: []string{"Authorization: Bearer ${b1.access}"}},
	{name: "admin users, other user", want: 403, method: "GET", path: "/api/admin/users", headers: []string{"Authorization: Bearer ${b1.access}"}},
	{name: "admin users, anonymous", want: 401, method: "GET", path: "/api/admin/users"},
	{name: "admin users, admin", want: 200, method: "GET", path: "/api/admin/users", basic: "admin:${pw.admin}"},

	// Sessions in alice's browser: CSRF on login and on every unsafe
	// request, Origin and Sec-Fetch-Site, logout.
	{name: "csrf", want: 200, method: "GET", path: "/api/auth/csrf", as: "alice", save: []saver{field("csrfToken", "alice.csrf")}},
	{name: "login, no CSRF token", want: 403, method: "POST", path: "/api/auth/login", as: "alice",
		body: `{"username":"alice","password":"${pw.alice}"}`},
	{name: "login, wrong CSRF token", want: 403, method: "POST", path: "/api/auth/login", as: "alice",
		headers: []string{"X-CSRFToken: " + strings.Repeat("a", 64)}, body: `{"username":"alice","password":"${pw.alice}"}`},
	{name: "login, cross-site", want: 403, method: "POST", path: "/api/auth/login", as: "alice",
		headers: []string{"X-CSRFToken: ${alice.csrf}", "Sec-Fetch-Site: cross-site"}, body: `{"username":"alice","password":"${pw.alice}"}`},
	{name: "login, wrong password", want: 401, method: "POST", path: "/api/auth/login", as: "alice",
		headers: []string{"X-CSRFToken: ${alice.csrf}"}, body: `{"username":"alice","password":"wrong"}`},
	{name: "login", want: 200, method: "POST", path: "/api/auth/login", as: "alice",
		headers: []string{"X-CSRFToken: ${alice.csrf}"}, body: `{"username":"alice","password":"${pw.alice}"}`,
		save: []saver{cookie("sessionid", "alice.session")}},
	{name: "csrf after login", want: 200, method: "GET", path: "/api/auth/csrf", as: "alice", save: []saver{field("csrfToken", "alice.csrf")}},
	{name: "me, session", want: 200, method: "GET", path: "/api/me", as: "alice"},
	{name: "create, session, no CSRF token", want: 403, method: "POST", path: "/api/posts", as: "alice", body: `{"title":"t","body":"b"}`},
	{name: "create, session, wrong CSRF token", want: 403, method: "POST", path: "/api/posts", as: "alice",
		headers: []string{"X-CSRFToken: " + strings.Repeat("a", 64)}, body: `{"title":"t","body":"b"}`},
	{name: "create, session, cross-origin", want: 403, method: "POST", path: "/api/posts", as: "alice",
		headers: []string{"X-CSRFToken: ${alice.csrf}", "Origin: https://evil.example"}, body: `{"title":"t","body":"b"}`},
	{name: "create, session, same origin", want: 201, method: "POST", path: "/api/posts", as: "alice",
		headers: []string{"X-CSRFToken: ${alice.csrf}", "Origin: ${origin}"}, body: `{"title":"From a browser","body":"b"}`,
		save: []saver{field("id", "post.session")}},
	{name: "update, session", want: 200, method: "PUT", path: "/api/posts/${post.session}", as: "alice",
		headers: []string{"X-CSRFToken: ${alice.csrf}"}, body: `{"title":"From a browser","body":"edited"}`},
	{name: "delete, session, no CSRF token", want: 403, method: "DELETE", path: "/api/posts/${post.session}", as: "alice"},
	{name: "create, bearer beside a session, no CSRF token", want: 201, method: "POST", path: "/api/posts", as: "alice",
		headers: []string{"Authorization: Bearer ${b1.access}"}, body: `{"title":"Token","body":"no CSRF needed"}`},

	// A form login in bob's browser, and a password change there.
	{name: "csrf, bob", want: 200, method: "GET", path: "/api/auth/csrf", as: "bob", save: []saver{field("csrfToken", "bob.csrf")}},
	{name: "login, form", want: 200, method: "POST", path: "/api/auth/login", as: "bob",
		headers: []string{"Content-Type: application/x-www-form-urlencoded"},
		body:    "username=bob&password=" + formEscape(bobPassword) + "&csrfmiddlewaretoken=${bob.csrf}"},
	{name: "csrf after form login", want: 200, method: "GET", path: "/api/auth/csrf", as: "bob", save: []saver{field("csrfToken", "bob.csrf")}},
	{name: "password change, wrong old password", want: 400, method: "POST", path: "/api/auth/password/change", as: "bob",
		headers: []string{"X-CSRFToken: ${bob.csrf}"}, body: `{"old_password":"wrong","new_password":"` + bobNewPassword + `"}`},
	{name: "password change", want: 204, method: "POST", path: "/api/auth/password/change", as: "bob",
		headers: []string{"X-CSRFToken: ${bob.csrf}"}, body: `{"old_password":"` + bobPassword + `","new_password":"` + bobNewPassword + `"}`},
	{name: "me, bob's session after the change", want: 200, method: "GET", path: "/api/me", as: "bob"},
	{name: "basic, old password", want: 401, method: "GET", path: "/api/me", basic: "bob:" + bobPassword},
	{name: "refresh, bob's token after the change", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${b1.refresh}"}`},

	// Logout: the old cookie is dead.
	{name: "logout, no CSRF token", want: 403, method: "POST", path: "/api/auth/logout", as: "alice"},
	{name: "logout", want: 204, method: "POST", path: "/api/auth/logout", as: "alice", headers: []string{"X-CSRFToken: ${alice.csrf}"}},
	{name: "me after logout", want: 401, method: "GET", path: "/api/me", as: "alice"},
	{name: "me, replayed session cookie", want: 401, method: "GET", path: "/api/me", headers: []string{"Cookie: sessionid=${alice.session}"}},

	// Logout everywhere ends bob's session and tokens.
	{name: "token bob, new password", want: 200, method: "POST", path: "/api/token", body: `{"username":"bob","password":"` + bobNewPassword + `"}`,
		save: []saver{field("access", "b2.access"), field("refresh", "b2.refresh")}},
	{name: "logout-all, anonymous", want: 401, method: "POST", path: "/api/auth/logout-all"},
	{name: "logout-all", want: 204, method: "POST", path: "/api/auth/logout-all", headers: []string{"Authorization: Bearer ${b2.access}"}},
	{name: "me, bob's session after logout-all", want: 401, method: "GET", path: "/api/me", as: "bob"},
	{name: "me, bob's access after logout-all", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${b2.access}"}},
	{name: "refresh after logout-all", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${b2.refresh}"}`},

	// TOTP for carol: enroll with a token, confirm with the app's code;
	// then every login path asks for a one-time password, the logins made
	// before keep working, and recovery codes work once each. (Few wrong
	// codes here: every failure counts against the address's -login-rate,
	// 10 a minute, with the script's wrong passwords.)
	{name: "register carol", want: 201, method: "POST", path: "/api/auth/register",
		body: `{"username":"carol","email":"carol@example.com","password":"` + carolPassword + `"}`},
	{name: "token carol", want: 200, method: "POST", path: "/api/token", body: `{"username":"carol","password":"` + carolPassword + `"}`,
		save: []saver{field("access", "c1.access"), field("refresh", "c1.refresh")}},
	{name: "MFA enroll, anonymous", want: 401, method: "POST", path: "/api/mfa/totp/enroll"},
	{name: "MFA recovery codes before enrolling", want: 400, method: "POST", path: "/api/mfa/recovery-codes", headers: []string{"Authorization: Bearer ${c1.access}"}},
	{name: "MFA enroll", want: 200, method: "POST", path: "/api/mfa/totp/enroll", headers: []string{"Authorization: Bearer ${c1.access}"},
		save: []saver{field("secret", "carol.secret")}, keep: enrollmentShape},
	{name: "MFA enroll, GET", want: 405, method: "GET", path: "/api/mfa/totp/enroll", headers: []string{"Authorization: Bearer ${c1.access}"}},
	{name: "MFA confirm, no code", want: 400, method: "POST", path: "/api/mfa/totp/confirm", headers: []string{"Authorization: Bearer ${c1.access}"}, body: `{}`},
	{name: "MFA confirm", want: 204, method: "POST", path: "/api/mfa/totp/confirm", headers: []string{"Authorization: Bearer ${c1.access}"},
		body: `{"code":"${totp:carol.secret}"}`},
	{name: "me, MFA on, the token from before", want: 200, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${c1.access}"}},
	{name: "token carol, no otp", want: 401, method: "POST", path: "/api/token", body: `{"username":"carol","password":"` + carolPassword + `"}`},
	{name: "token carol, not a code", want: 401, method: "POST", path: "/api/token", body: `{"username":"carol","password":"` + carolPassword + `","otp":"12345"}`},
	{name: "basic carol, MFA on", want: 401, method: "GET", path: "/api/me", basic: "carol:" + carolPassword},
	{name: "MFA recovery codes", want: 200, method: "POST", path: "/api/mfa/recovery-codes", headers: []string{"Authorization: Bearer ${c1.access}"},
		save: []saver{element("codes", 0, "carol.rc0"), element("codes", 1, "carol.rc1"), element("codes", 2, "carol.rc2")}, keep: recoveryCodesShape},
	{name: "token carol, recovery code", want: 200, method: "POST", path: "/api/token",
		body: `{"username":"carol","password":"` + carolPassword + `","otp":"${carol.rc0}"}`},
	{name: "csrf, carol", want: 200, method: "GET", path: "/api/auth/csrf", as: "carol", save: []saver{field("csrfToken", "carol.csrf")}},
	{name: "login carol, no otp", want: 401, method: "POST", path: "/api/auth/login", as: "carol",
		headers: []string{"X-CSRFToken: ${carol.csrf}"}, body: `{"username":"carol","password":"` + carolPassword + `"}`},
	{name: "login carol, recovery code", want: 200, method: "POST", path: "/api/auth/login", as: "carol",
		headers: []string{"X-CSRFToken: ${carol.csrf}"}, body: `{"username":"carol","password":"` + carolPassword + `","otp":"${carol.rc1}"}`},
	{name: "MFA disable", want: 204, method: "POST", path: "/api/mfa/totp/disable", headers: []string{"Authorization: Bearer ${c1.access}"},
		body: `{"code":"${carol.rc2}"}`},
	{name: "token carol, MFA off", want: 200, method: "POST", path: "/api/token", body: `{"username":"carol","password":"` + carolPassword + `"}`,
		save: []saver{field("access", "c2.access"), field("refresh", "c2.refresh")}},

	// Password reset for carol: the same answer for an unknown address,
	// the link from the mail (in the server's log), refused attempts that
	// change nothing, then a reset that ends carol's tokens and session.
	{name: "password reset, unknown address", want: 204, method: "POST", path: "/api/auth/password/reset", body: `{"email":"nobody@example.com"}`},
	{name: "password reset, not an address", want: 400, method: "POST", path: "/api/auth/password/reset", body: `{"email":"carol"}`},
	{name: "password reset, no address", want: 400, method: "POST", path: "/api/auth/password/reset", body: `{}`},
	{name: "password reset, GET", want: 405, method: "GET", path: "/api/auth/password/reset"},
	{name: "password reset, carol", want: 204, method: "POST", path: "/api/auth/password/reset", body: `{"email":"CAROL@example.com"}`,
		mailed: [2]string{"carol@example.com", "carol.reset"}},
	{name: "reset confirm, weak password", want: 400, method: "POST", path: "/api/auth/password/reset/confirm",
		body: `{"uid":"${carol.reset.uid}","token":"${carol.reset.token}","new_password":"carol"}`},
	{name: "reset confirm, altered token", want: 400, method: "POST", path: "/api/auth/password/reset/confirm",
		body: `{"uid":"${carol.reset.uid}","token":"${carol.reset.token}0","new_password":"` + carolNewPassword + `"}`},
	{name: "reset confirm, another uid", want: 400, method: "POST", path: "/api/auth/password/reset/confirm",
		body: `{"uid":"MQ","token":"${carol.reset.token}","new_password":"` + carolNewPassword + `"}`},
	{name: "reset confirm, no fields", want: 400, method: "POST", path: "/api/auth/password/reset/confirm", body: `{}`},
	{name: "reset confirm", want: 204, method: "POST", path: "/api/auth/password/reset/confirm",
		body: `{"uid":"${carol.reset.uid}","token":"${carol.reset.token}","new_password":"` + carolNewPassword + `"}`},
	{name: "reset confirm, used token", want: 400, method: "POST", path: "/api/auth/password/reset/confirm",
		body: `{"uid":"${carol.reset.uid}","token":"${carol.reset.token}","new_password":"` + carolNewPassword + `x"}`},
	{name: "me, carol's access from before the reset", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${c2.access}"}},
	{name: "refresh, carol's token from before the reset", want: 401, method: "POST", path: "/api/token/refresh", body: `{"refresh":"${c2.refresh}"}`},
	{name: "me, carol's session from before the reset", want: 401, method: "GET", path: "/api/me", as: "carol"},
	{name: "token carol, new password", want: 200, method: "POST", path: "/api/token", body: `{"username":"carol","password":"` + carolNewPassword + `"}`},

	// The HTML pages in erin's browser: home, the account page (TOTP
	// enrollment and its recovery codes, a password change, logging out
	// everywhere) and Django's password-reset pages, with their refusals
	// shown on the page.
	{name: "register erin", want: 201, method: "POST", path: "/api/auth/register",
		body: `{"username":"erin","email":"erin@example.com","password":"` + erinPassword + `"}`},
	{name: "home page, anonymous", want: 200, method: "GET", path: "/", as: "web"},
	{name: "home page, POST", want: 405, method: "POST", path: "/", as: "web"},
	{name: "home page, unknown method", want: 405, method: "FROB", path: "/", as: "web"},
	{name: "stylesheet", want: 200, method: "GET", path: "/static/showcase.css"},
	{name: "account page, anonymous", want: 302, method: "GET", path: "/account", as: "web"},
	{name: "HTML login page, erin", want: 200, method: "GET", path: "/accounts/login?next=%2Faccount", as: "web",
		save: []saver{htmlField("csrfmiddlewaretoken", "web.csrf")}},
	{name: "HTML login, erin", want: 302, method: "POST", path: "/accounts/login", as: "web",
		headers: []string{formType}, body: "username=erin&password=" + formEscape(erinPassword) + "&next=%2Faccount&csrfmiddlewaretoken=${web.csrf}"},
	{name: "home page, logged in", want: 200, method: "GET", path: "/", as: "web", save: []saver{htmlField("csrfmiddlewaretoken", "web.csrf")}},
	{name: "account page", want: 200, method: "GET", path: "/account", as: "web"},
	{name: "account page, DELETE", want: 405, method: "DELETE", path: "/account", as: "web"},
	{name: "account, no CSRF token", want: 403, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=enroll"},
	{name: "account, TOTP enroll", want: 200, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=enroll&csrfmiddlewaretoken=${web.csrf}",
		save: []saver{htmlText("totp_secret", "erin.secret")}, keep: accountPageShape},
	{name: "account, TOTP confirm", want: 200, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=confirm&totp_code=${totp:erin.secret}&csrfmiddlewaretoken=${web.csrf}", keep: accountPageShape},
	{name: "account, passwords that differ", want: 200, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=password&old_password=" + formEscape(erinPassword) +
			"&new_password1=" + formEscape(erinNewPassword) + "&new_password2=x&csrfmiddlewaretoken=${web.csrf}", keep: accountPageShape},
	{name: "account, weak password", want: 200, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=password&old_password=" + formEscape(erinPassword) +
			"&new_password1=erin&new_password2=erin&csrfmiddlewaretoken=${web.csrf}", keep: accountPageShape},
	{name: "account, password change", want: 302, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=password&old_password=" + formEscape(erinPassword) +
			"&new_password1=" + formEscape(erinNewPassword) + "&new_password2=" + formEscape(erinNewPassword) + "&csrfmiddlewaretoken=${web.csrf}"},
	{name: "account page after the change", want: 200, method: "GET", path: "/account", as: "web", keep: accountPageShape},
	{name: "account, log out everywhere", want: 302, method: "POST", path: "/account", as: "web",
		headers: []string{formType}, body: "action=logout-all&csrfmiddlewaretoken=${web.csrf}"},
	{name: "account page after logging out everywhere", want: 302, method: "GET", path: "/account", as: "web"},
	{name: "password reset page", want: 200, method: "GET", path: "/accounts/password_reset/", as: "web",
		save: []saver{htmlField("csrfmiddlewaretoken", "web.csrf")}},
	{name: "password reset page, no CSRF token", want: 403, method: "POST", path: "/accounts/password_reset/", as: "web",
		headers: []string{formType}, body: "email=erin%40example.com"},
	{name: "password reset page, not an address", want: 200, method: "POST", path: "/accounts/password_reset/", as: "web",
		headers: []string{formType}, body: "email=erin&csrfmiddlewaretoken=${web.csrf}"},
	{name: "password reset page, erin", want: 302, method: "POST", path: "/accounts/password_reset/", as: "web",
		headers: []string{formType}, body: "email=ERIN%40example.com&csrfmiddlewaretoken=${web.csrf}",
		mailed: [2]string{"erin@example.com", "erin.reset"}},
	{name: "password reset sent page", want: 200, method: "GET", path: "/accounts/password_reset/done/", as: "web"},
	{name: "reset link, altered token", want: 200, method: "GET", path: "/accounts/reset/${erin.reset.uid}/${erin.reset.token}0", as: "web"},
	{name: "reset link", want: 302, method: "GET", path: "/accounts/reset/${erin.reset.uid}/${erin.reset.token}", as: "web"},
	{name: "set-password page", want: 200, method: "GET", path: "/accounts/reset/${erin.reset.uid}/set-password/", as: "web",
		save: []saver{htmlField("csrfmiddlewaretoken", "web.csrf")}},
	{name: "set-password, passwords that differ", want: 200, method: "POST", path: "/accounts/reset/${erin.reset.uid}/set-password/", as: "web",
		headers: []string{formType}, body: "new_password1=" + formEscape(erinResetPassword) + "&new_password2=x&csrfmiddlewaretoken=${web.csrf}"},
	{name: "set-password, weak password", want: 200, method: "POST", path: "/accounts/reset/${erin.reset.uid}/set-password/", as: "web",
		headers: []string{formType}, body: "new_password1=erin&new_password2=erin&csrfmiddlewaretoken=${web.csrf}"},
	{name: "set-password", want: 302, method: "POST", path: "/accounts/reset/${erin.reset.uid}/set-password/", as: "web",
		headers: []string{formType}, body: "new_password1=" + formEscape(erinResetPassword) + "&new_password2=" + formEscape(erinResetPassword) + "&csrfmiddlewaretoken=${web.csrf}"},
	{name: "set-password page, unknown method", want: 405, method: "FROB", path: "/accounts/reset/${erin.reset.uid}/set-password/", as: "web"},
	{name: "reset done page, unknown method", want: 405, method: "FROB", path: "/accounts/reset/done/", as: "web"},
	{name: "reset link, unknown method", want: 405, method: "FROB", path: "/accounts/reset/${erin.reset.uid}/${erin.reset.token}", as: "web"},
	{name: "password reset complete page", want: 200, method: "GET", path: "/accounts/reset/done/", as: "web"},
	{name: "reset link, used", want: 200, method: "GET", path: "/accounts/reset/${erin.reset.uid}/${erin.reset.token}", as: "web"},
	{name: "set-password page, used", want: 200, method: "GET", path: "/accounts/reset/${erin.reset.uid}/set-password/", as: "web"},

	// Paths of later capabilities, and of none: 404, authenticating
	// nobody.
	{name: "unknown path", want: 404, method: "GET", path: "/nowhere"},
	{name: "unknown path, bad credentials", want: 404, method: "POST", path: "/nowhere", basic: "alice:wrong"},
	{name: "JWKS", want: 200, method: "GET", path: "/.well-known/jwks.json", keep: jwksShape},

	// OAuth2 and OpenID Connect at django-oauth-toolkit's paths: discovery;
	// the code flow with PKCE in a browser (the login page, the consent
	// page); the token endpoint's grants, a code used twice, a refresh
	// token reused; userinfo, /api/me and the read and write scopes;
	// introspection, revocation; the logout page.
	{name: "OAuth2 metadata", want: 200, method: "GET", path: "/.well-known/oauth-authorization-server"},
	{name: "OpenID configuration", want: 200, method: "GET", path: "/.well-known/openid-configuration"},
	{name: "OAuth2 authorize, unknown client", want: 400, method: "GET", path: "/o/authorize?response_type=code&client_id=nobody&redirect_uri=" + demoRedirectQ},
	{name: "OAuth2 authorize, unregistered redirect URI", want: 400, method: "GET",
		path: "/o/authorize?response_type=code&client_id=demo-confidential&redirect_uri=" + demoRedirectQ + "%2Fevil"},
	{name: "OAuth2 authorize, anonymous", want: 302, method: "GET", path: authorizePath, as: "oa"},
	{name: "HTML login page", want: 200, method: "GET", path: "/accounts/login?next=%2Fo%2Fauthorize", as: "oa",
		save: []saver{htmlField("csrfmiddlewaretoken", "oa.csrf")}},
	{name: "HTML login, no CSRF token", want: 403, method: "POST", path: "/accounts/login", as: "oa",
		headers: []string{formType}, body: "username=alice&password=${pw.alice}"},
	{name: "HTML login, unsafe next", want: 302, method: "POST", path: "/accounts/login", as: "oa",
		headers: []string{formType}, body: "username=alice&password=${pw.alice}&next=%2F%2Fevil.example&csrfmiddlewaretoken=${oa.csrf}"},
	{name: "HTML login page, logged in", want: 200, method: "GET", path: "/accounts/login", as: "oa",
		save: []saver{htmlField("csrfmiddlewaretoken", "oa.csrf")}},
	{name: "HTML login, next", want: 302, method: "POST", path: "/accounts/login", as: "oa",
		headers: []string{formType}, body: "username=alice&password=${pw.alice}&next=" + url.QueryEscape(authorizePath) + "&csrfmiddlewaretoken=${oa.csrf}"},
	{name: "OAuth2 consent page", want: 200, method: "GET", path: authorizePath, as: "oa",
		save: []saver{htmlField("csrfmiddlewaretoken", "oa.csrf")}},
	{name: "OAuth2 consent, no CSRF token", want: 403, method: "POST", path: "/o/authorize", as: "oa",
		headers: []string{formType}, body: consentForm + "&allow=Authorize"},
	{name: "OAuth2 consent, allow", want: 302, method: "POST", path: "/o/authorize", as: "oa",
		headers: []string{formType}, body: consentForm + "&allow=Authorize&csrfmiddlewaretoken=${oa.csrf}",
		save: []saver{locationParam("code", "oa.code")}},
	{name: "OAuth2 token, authorization code", want: 200, method: "POST", path: "/o/token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "grant_type=authorization_code&code=${oa.code}&redirect_uri=" + demoRedirectQ + "&code_verifier=" + pkceVerifier,
		save: []saver{field("access_token", "o1.access"), field("refresh_token", "o1.refresh")}},
	{name: "me, OAuth2 bearer", want: 200, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${o1.access}"}},
	{name: "userinfo", want: 200, method: "GET", path: "/o/userinfo", headers: []string{"Authorization: Bearer ${o1.access}"}},
	{name: "userinfo, POST", want: 200, method: "POST", path: "/o/userinfo", headers: []string{"Authorization: Bearer ${o1.access}"}},
	{name: "userinfo, no token", want: 401, method: "GET", path: "/o/userinfo"},
	{name: "userinfo, unknown token", want: 401, method: "GET", path: "/o/userinfo", headers: []string{"Authorization: Bearer not-a-token"}},
	{name: "posts, OAuth2 read scope", want: 200, method: "GET", path: "/api/posts", headers: []string{"Authorization: Bearer ${o1.access}"}},
	{name: "create, OAuth2 token without write", want: 403, method: "POST", path: "/api/posts", headers: []string{"Authorization: Bearer ${o1.access}"},
		body: `{"title":"t","body":"b"}`},
	{name: "OAuth2 refresh", want: 200, method: "POST", path: "/o/token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "grant_type=refresh_token&refresh_token=${o1.refresh}",
		save: []saver{field("access_token", "o2.access"), field("refresh_token", "o2.refresh")}},
	{name: "me, OAuth2 access before the refresh", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${o1.access}"}},
	{name: "me, OAuth2 refreshed access", want: 200, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${o2.access}"}},
	{name: "OAuth2 refresh, spent token reused", want: 400, method: "POST", path: "/o/token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "grant_type=refresh_token&refresh_token=${o1.refresh}"},
	{name: "me, OAuth2 access of the revoked family", want: 401, method: "GET", path: "/api/me", headers: []string{"Authorization: Bearer ${o2.access}"}},
	{name: "OAuth2 token, code used twice", want: 400, method: "POST", path: "/o/token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "grant_type=authorization_code&code=${oa.code}&redirect_uri=" + demoRedirectQ + "&code_verifier=" + pkceVerifier},
	{name: "OAuth2 client credentials, wrong secret", want: 401, method: "POST", path: "/o/token", basic: "demo-confidential:wrong",
		headers: []string{formType}, body: "grant_type=client_credentials"},
	{name: "OAuth2 token, password grant", want: 400, method: "POST", path: "/o/token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "grant_type=password&username=alice&password=${pw.alice}"},
	{name: "OAuth2 client credentials", want: 200, method: "POST", path: "/o/token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "grant_type=client_credentials&scope=read+write", save: []saver{field("access_token", "cc.access")}},
	{name: "posts, client-credentials token", want: 200, method: "GET", path: "/api/posts", headers: []string{"Authorization: Bearer ${cc.access}"}},
	{name: "OAuth2 introspect", want: 200, method: "POST", path: "/o/introspect", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "token=${cc.access}", keep: timestampsShape},
	{name: "OAuth2 introspect, public client", want: 401, method: "POST", path: "/o/introspect",
		headers: []string{formType}, body: "client_id=demo-public&token=${cc.access}"},
	{name: "OAuth2 revoke", want: 200, method: "POST", path: "/o/revoke_token", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "token=${cc.access}"},
	{name: "OAuth2 introspect, revoked", want: 200, method: "POST", path: "/o/introspect", basic: "demo-confidential:${pw.demo-confidential}",
		headers: []string{formType}, body: "token=${cc.access}"},
	{name: "OAuth2 token, GET", want: 405, method: "GET", path: "/o/token"},
	{name: "OAuth2 token, unknown method", want: 405, method: "FROB", path: "/o/token"},
	{name: "OAuth2 authorize, OPTIONS", want: 405, method: "OPTIONS", path: "/o/authorize"},
	{name: "OAuth2 metadata, POST", want: 404, method: "POST", path: "/.well-known/openid-configuration"},
	{name: "HTML login page, DELETE", want: 405, method: "DELETE", path: "/accounts/login"},
	{name: "HTML login page, unknown method", want: 405, method: "FROB", path: "/accounts/login"},
	{name: "HTML logout, no CSRF token", want: 403, method: "POST", path: "/accounts/logout", as: "oa"},
	{name: "HTML logout", want: 302, method: "POST", path: "/accounts/logout", as: "oa",
		headers: []string{formType}, body: "csrfmiddlewaretoken=${oa.csrf}"},
	{name: "OAuth2 authorize after the logout", want: 302, method: "GET", path: authorizePath, as: "oa"},

	// Methods: DRF's 405 after authentication and the view's permissions.
	{name: "GET on the token view", want: 405, method: "GET", path: "/api/token"},
	{name: "DELETE me", want: 405, method: "DELETE", path: "/api/me", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "unknown method, anonymous", want: 401, method: "FROB", path: "/api/me"},
	{name: "unknown method", want: 405, method: "FROB", path: "/api/me", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "OPTIONS on posts", want: 405, method: "OPTIONS", path: "/api/posts"},
	{name: "POST on healthz", want: 404, method: "POST", path: "/healthz"},
	{name: "HEAD healthz", want: 200, method: "HEAD", path: "/healthz"},
	{name: "POST on readyz", want: 404, method: "POST", path: "/readyz"},
	{name: "HEAD readyz", want: 200, method: "HEAD", path: "/readyz"},

	// Router corner cases: paths match exactly, as Django's URLconf does.
	{name: "trailing slash", want: 404, method: "GET", path: "/api/me/", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "double slash", want: 404, method: "GET", path: "/api//me", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "dot segment", want: 404, method: "GET", path: "/api/./me", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "dot-dot segment", want: 404, method: "GET", path: "/api/posts/../me", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "upper case", want: 404, method: "GET", path: "/API/me", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "posts, trailing slash", want: 404, method: "GET", path: "/api/posts/"},
	{name: "post, trailing slash", want: 404, method: "GET", path: "/api/posts/${post.alice}/"},
	{name: "post, extra segment", want: 404, method: "GET", path: "/api/posts/${post.alice}/x"},
	{name: "percent-encoded path", want: 200, method: "GET", path: "/api/%6De", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "encoded slash in an id", want: 404, method: "PUT", path: "/api/posts/${post.alice}%2F", body: `{"title":"x","body":"y"}`},
	{name: "query string", want: 200, method: "GET", path: "/api/me?format=json", headers: []string{"Authorization: Bearer ${a4.access}"}},

	// Post ids as Django's <int:pk> matches them, [0-9]+ then int(): an id
	// of digits is routed (leading zeros and all), any other matches no
	// URL pattern and is 404 before any view, so before authentication:
	// an anonymous PUT gets 404, not 401.
	{name: "id, letters, PUT, anonymous", want: 404, method: "PUT", path: "/api/posts/abc", body: `{"title":"x","body":"y"}`},
	{name: "id, letters, DELETE", want: 404, method: "DELETE", path: "/api/posts/abc", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id, letters, PATCH, anonymous", want: 404, method: "PATCH", path: "/api/posts/abc", body: `{"title":"x"}`},
	{name: "id, letters, unknown method", want: 404, method: "FROB", path: "/api/posts/abc", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id .., GET", want: 404, method: "GET", path: "/api/posts/.."},
	{name: "id .., PUT, anonymous", want: 404, method: "PUT", path: "/api/posts/..", body: `{"title":"x","body":"y"}`},
	{name: "id .., DELETE", want: 404, method: "DELETE", path: "/api/posts/..", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id %2e%2e, GET", want: 404, method: "GET", path: "/api/posts/%2e%2e"},
	{name: "id %2e%2e, PUT, anonymous", want: 404, method: "PUT", path: "/api/posts/%2e%2e", body: `{"title":"x","body":"y"}`},
	{name: "id %2e%2e, DELETE", want: 404, method: "DELETE", path: "/api/posts/%2e%2e", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id ., GET", want: 404, method: "GET", path: "/api/posts/."},
	{name: "id ., PUT, anonymous", want: 404, method: "PUT", path: "/api/posts/.", body: `{"title":"x","body":"y"}`},
	{name: "id ., DELETE", want: 404, method: "DELETE", path: "/api/posts/.", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id +N, GET", want: 404, method: "GET", path: "/api/posts/+${post.alice}"},
	{name: "id +N, PUT, anonymous", want: 404, method: "PUT", path: "/api/posts/+${post.alice}", body: `{"title":"x","body":"y"}`},
	{name: "id +N, PUT, author", want: 404, method: "PUT", path: "/api/posts/+${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"},
		body: `{"title":"Plus","body":"sign"}`},
	{name: "id +N, DELETE, author", want: 404, method: "DELETE", path: "/api/posts/+${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id %2BN, GET", want: 404, method: "GET", path: "/api/posts/%2B${post.alice}"},
	{name: "id %2BN, DELETE, author", want: 404, method: "DELETE", path: "/api/posts/%2B${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id -1, GET", want: 404, method: "GET", path: "/api/posts/-1"},
	{name: "id -1, PUT, anonymous", want: 404, method: "PUT", path: "/api/posts/-1", body: `{"title":"x","body":"y"}`},
	{name: "id -1, DELETE", want: 404, method: "DELETE", path: "/api/posts/-1", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "id 0N, GET", want: 200, method: "GET", path: "/api/posts/0${post.alice}"},
	{name: "id 0N, PUT, anonymous", want: 401, method: "PUT", path: "/api/posts/0${post.alice}", body: `{"title":"x","body":"y"}`},
	{name: "id 0N, DELETE, other user", want: 403, method: "DELETE", path: "/api/posts/0${post.alice}", basic: "bob:" + bobNewPassword},
	{name: "id 0N, PATCH", want: 405, method: "PATCH", path: "/api/posts/0${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"}, body: `{"title":"x"}`},
	{name: "id 0N, PUT, author", want: 200, method: "PUT", path: "/api/posts/00${post.alice}", headers: []string{"Authorization: Bearer ${a4.access}"},
		body: `{"title":"Leading","body":"zeros"}`},
	{name: "id beyond int64, GET", want: 404, method: "GET", path: "/api/posts/99999999999999999999"},
	{name: "id beyond int64, PUT, anonymous", want: 401, method: "PUT", path: "/api/posts/99999999999999999999", body: `{"title":"x","body":"y"}`},

	// A path with an invalid %-escape: net/http's own 400 (text/plain,
	// "400 Bad Request"), before routing; Fiber answers it the same.
	{name: "bad escape, GET", want: 400, method: "GET", path: "/api/posts/%zz"},
	{name: "bad escape, PUT, anonymous", want: 400, method: "PUT", path: "/api/posts/%zz"},
	{name: "bad escape, DELETE", want: 400, method: "DELETE", path: "/api/posts/%zz", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "trailing %, GET", want: 400, method: "GET", path: "/api/posts/${post.alice}%"},
	{name: "trailing %, DELETE", want: 400, method: "DELETE", path: "/api/posts/1%", headers: []string{"Authorization: Bearer ${a4.access}"}},
	{name: "post after the refused ids", want: 200, method: "GET", path: "/api/posts/${post.alice}"},

	// The request counters, by route, method and status: the same series
	// on every framework.
	{name: "metrics", want: 200, method: "GET", path: "/metrics", keep: requestCounters},
}

// The OAuth2 steps' constants: the demo clients' redirect URI (query
// escaped), RFC 7636's example PKCE verifier and its S256 challenge, the
// authorization request of the code flow and its consent form.
const (
	formType      = "Content-Type: application/x-www-form-urlencoded"
	demoRedirectQ = "http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
	pkceVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	pkceChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	consentForm   = "response_type=code&client_id=demo-confidential&redirect_uri=" + demoRedirectQ +
		"&scope=openid+email+read&state=st1&code_challenge=" + pkceChallenge + "&code_challenge_method=S256&nonce=n1"
	authorizePath = "/o/authorize?" + consentForm
)

// formEscape escapes the characters of the script's passwords that a
// form body must not carry raw.
func formEscape(s string) string {
	return strings.NewReplacer("&", "%26", "+", "%2B", " ", "+").Replace(s)
}

// requestCounters keeps the reinhardt_http_requests_total samples of a
// Prometheus text body (the Go runtime's and the latencies' values differ
// from process to process).
func requestCounters(body string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "reinhardt_http_requests_total{") {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}
