// Package csrf is Django's CSRF protection for this library, with the
// fetch-metadata and Origin checks of Go's http.CrossOriginProtection.
//
// The names are Django's: the csrftoken cookie, the X-CSRFToken header,
// the csrfmiddlewaretoken form field, and "_csrftoken" in the session
// (WithSessions, Django's CSRF_USE_SESSIONS). So are the tokens: a secret
// of 32 characters of [a-zA-Z0-9], handed out masked — a fresh 32-character
// mask followed by the secret shifted by it — exactly as Django's
// _mask_cipher_secret and _unmask_cipher_token, so a token Django made
// verifies here and one made here verifies in Django. The cookie holds the
// bare secret, as Django 4.1+ does; a masked cookie, as Django 3.2 and 4.0
// set, is read too (WithMaskedCookie writes that form).
//
// A Protector checks unsafe requests (see Protector for the order of the
// checks and Django 4.x's reasons); with DRF's semantics it is the session
// authenticator's hook, so only session-authenticated requests of active
// users are checked, and requests authenticated by a token are not:
//
//	protector, err := csrf.New(csrf.WithTrustedOrigins("https://app.example.com"))
//	auth := sessions.NewSessionAuthentication(secret, users)
//	auth.CSRF = protector.Check
//
// Credentials other than a session that the browser also sends on its own
// need the same check: a remote user set by an authenticating proxy (its
// login is a cookie, Kerberos or a client certificate) gets it with
//
//	remote.CSRF = protector.CheckRequest
//
// GET /api/auth/csrf answers Token (which sets the cookie), and login calls
// Rotate. Refusals are 403 {"detail":"CSRF Failed: <reason>"}.
//
// The Origin of a request is compared with its own origin as Django does,
// "scheme://host[:port]": the scheme is https when the request came over
// TLS or, behind a proxy that terminates TLS, when a proxy named by
// WithTrustedProxies says X-Forwarded-Proto: https.
//
// Reading the form field. core.Request gives the body only as a reader
// the handler will read again, so Check never reads it. A POST's
// csrfmiddlewaretoken field is found in the Info that Prepare (net/http)
// or an adapter recorded in the context with NewContext, or through the
// request's own PostFormValue (PostFormValuer); Prepare reads form bodies
// through core.ReadBody under a cap and puts the bytes back for the
// handler. JSON clients send the X-CSRFToken header, which needs nothing.
// Prepare also records the Host header, which net/http keeps out of the
// header map: without it only trusted origins pass the Origin check.
package csrf
