// Package passwordreset is Django's password-reset tokens in Go:
// django.contrib.auth.tokens.PasswordResetTokenGenerator (Django 3.2) and
// the uidb64 of reset links (urlsafe_base64_encode of the primary key).
// A reset link made by a Django project that shares the secret key
// confirms here, and one made here confirms in Django.
//
// # What lives here
//
//   - Generator, with MakeToken and CheckToken: a token is
//     "<seconds since 2001-01-01 in base 36>-<HMAC>", the HMAC over the
//     user's pk, password hash, last login (without microseconds) and
//     e-mail address and the timestamp, so that it stops working once the
//     password changes or the user logs in, and after the timeout.
//   - User, the three methods a token is made from (core.BaseUser has
//     them), and EmailUser for the address.
//   - EncodeUID and DecodeUID, for the uidb64 part of a link.
//   - RequestEndpoint (Django's PasswordResetView as JSON): POST
//     {"email"} → 204 whether or not the address is known, the same work
//     either way, one mail per active user with that address and a
//     usable password, queued (core/mail's Queue) so the response never
//     waits for a mail server, throttled per client address and per
//     e-mail address (throttle.NewResetThrottle).
//   - ConfirmEndpoint (Django's PasswordResetConfirmView as JSON): POST
//     {"uid","token","new_password"} → 204; 400 with field errors for a
//     bad uid, a bad, expired or used token, or a password the validators
//     refuse, changing nothing. PasswordChanged ends the user's sessions
//     and refresh tokens.
//   - Users, the lookup both endpoints need (stores/sqlstore.Store and
//     core.DefaultUserManager have it), and Templates, the mail's subject,
//     text and HTML templates (DefaultTemplates: Django's wording).
//
// # Defaults
//
// As Django 3.2: key salt "django.contrib.auth.tokens.PasswordResetTokenGenerator",
// SHA-256 tokens with SHA-1 tokens (Django before 3.1) still accepted,
// a timeout of 3 days (PASSWORD_RESET_TIMEOUT, 259200 s), tokens of
// Django before 3.1 (a day count) read as Django 3.2 reads them. Fallback
// secrets (Django's SECRET_KEY_FALLBACKS) are accepted, never used to make
// a token. Django counts the timestamp on the wall clock of its TIME_ZONE
// and, with USE_TZ = False, writes the last login in it: Generator's
// TimeZone (default UTC) and NaiveDatetimes say so, and must match the
// Django project's settings for tokens to be shared.
//
// Tokens are single use only because using one changes what it hashes: the
// reset sets a new password hash (a new salt even for the same password).
// Comparisons are in constant time; a malformed token or uid is refused,
// never a panic.
package passwordreset
