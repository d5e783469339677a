package passwordreset

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core/signing"
)

// DefaultKeySalt is Django's PasswordResetTokenGenerator.key_salt.
const DefaultKeySalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"

// DefaultTimeout is Django's PASSWORD_RESET_TIMEOUT default: 259200
// seconds, 3 days.
const DefaultTimeout = 3 * 24 * time.Hour

// User is what a token is made from: core.BaseUser has these methods, so
// core.DefaultUser and the users of the stores are Users. A user that also
// has GetEmail (EmailUser) has its address in the token, as Django puts
// the EMAIL_FIELD's value in it.
type User interface {
	// GetID is the primary key as Django's str(user.pk) writes it.
	GetID() string
	// PasswordHash is the encoded password (Django's user.password).
	PasswordHash() string
	// GetLastLogin is the last login, the zero Time for never (None).
	GetLastLogin() time.Time
}

// EmailUser is a User with an e-mail address (Django's EMAIL_FIELD,
// "email" for its User). A user without one counts as "", as in Django.
type EmailUser interface {
	GetEmail() string
}

// Generator is Django's PasswordResetTokenGenerator (3.2): a token is
// "<timestamp in base 36>-<every other hex digit of the HMAC>", the HMAC
// being salted_hmac(KeySalt, pk + password hash + last login + timestamp
// + email, Secret). A token stops working when the password or the last
// login changes (so after the reset and the login that follows it), when
// the e-mail changes, and after Timeout.
//
// New sets the defaults below; change the fields before first use. A
// Generator is safe for concurrent use once configured.
type Generator struct {
	// Secret is Django's SECRET_KEY (its UTF-8 bytes). Tokens are made
	// with it.
	Secret []byte
	// Fallbacks are Django's SECRET_KEY_FALLBACKS: tokens made with any
	// of them are still accepted, never made.
	Fallbacks [][]byte
	// KeySalt namespaces the tokens (default DefaultKeySalt); Django
	// subclasses set another key_salt for other one-time links.
	KeySalt string
	// Algorithm makes the tokens (default signing.SHA256, Django 3.1+).
	Algorithm signing.Algorithm
	// LegacySHA1 also accepts SHA-1 tokens (Django before 3.1), as
	// Django 3.2 does (default true; Django 4.0 dropped them).
	LegacySHA1 bool
	// Timeout is how long a token lasts (default DefaultTimeout, Django's
	// PASSWORD_RESET_TIMEOUT), counted in whole seconds as Django does.
	Timeout time.Duration
	// TimeZone is Django's TIME_ZONE: Django counts the timestamp on the
	// server's wall clock, the local time of TIME_ZONE. nil is UTC, the
	// value of Django's startproject template.
	TimeZone *time.Location
	// NaiveDatetimes is Django's USE_TZ = False: the last login is then
	// the wall-clock time in TimeZone. By default (USE_TZ = True) it is
	// written in UTC, as Django reads it from the database.
	NaiveDatetimes bool
	// Now is the clock (nil: time.Now), for tests: Django's _now.
	Now func() time.Time
}

// New returns a Generator with secret and the defaults. The secret must
// not be empty.
func New(secret []byte) (*Generator, error) {
	if len(secret) == 0 {
		return nil, errors.New("passwordreset: empty secret")
	}
	return &Generator{
		Secret:     secret,
		KeySalt:    DefaultKeySalt,
		Algorithm:  signing.SHA256,
		LegacySHA1: true,
		Timeout:    DefaultTimeout,
	}, nil
}

// MakeToken is Django's make_token: a token for u at the current time.
// Without a Secret (a Generator not made by New) it returns "", which no
// CheckToken accepts.
func (g *Generator) MakeToken(u User) string {
	if len(g.Secret) == 0 {
		return ""
	}
	return g.makeToken(u, g.numSeconds(g.now()), g.Secret, g.algorithm())
}

// CheckToken is Django's check_token: whether token is one MakeToken made
// for u (with the secret or a fallback, with the algorithm or, when
// LegacySHA1, SHA-1) no more than Timeout ago. Malformed tokens are
// simply false; the comparison is in constant time.
func (g *Generator) CheckToken(u User, token string) bool {
	if u == nil || token == "" || len(g.Secret) == 0 {
		return false
	}
	tsB36, _, ok := strings.Cut(token, "-")
	if !ok || strings.Count(token, "-") != 1 {
		return false
	}
	ts, ok := parseBase36(tsB36)
	if !ok {
		return false
	}
	alg := g.algorithm()
	match := 0
	for _, secret := range append([][]byte{g.Secret}, g.Fallbacks...) {
		match |= eq(g.makeToken(u, ts, secret, alg), token)
		if g.LegacySHA1 && alg != signing.SHA1 {
			match |= eq(g.makeToken(u, ts, secret, signing.SHA1), token)
		}
	}
	if match == 0 {
		return false
	}
	now := g.now()
	if len(tsB36) < 4 {
		// A token of Django before 3.1 counts days; Django 3.2 reads it
		// as that day at the current (wall-clock) time of day.
		if ts > (1<<63-1)/86400-1 {
			return false
		}
		ts = ts*86400 + int64(now.Hour()*3600+now.Minute()*60+now.Second())
	}
	return g.numSeconds(now)-ts <= int64(g.timeout()/time.Second)
}

// makeToken is Django's _make_token_with_timestamp.
func (g *Generator) makeToken(u User, ts int64, secret []byte, alg signing.Algorithm) string {
	sum := signing.SaltedHMAC(alg, g.keySalt(), []byte(g.hashValue(u, ts)), secret)
	h := hex.EncodeToString(sum)
	short := make([]byte, 0, (len(h)+1)/2)
	for i := 0; i < len(h); i += 2 { // hexdigest()[::2], to shorten the URL
		short = append(short, h[i])
	}
	return strconv.FormatInt(ts, 36) + "-" + string(short)
}

// hashValue is Django 3.2's _make_hash_value:
// f'{user.pk}{user.password}{login_timestamp}{timestamp}{email}', the last
// login without microseconds or time zone (empty for never).
func (g *Generator) hashValue(u User, ts int64) string {
	var b strings.Builder
	b.WriteString(u.GetID())
	b.WriteString(u.PasswordHash())
	if ll := u.GetLastLogin(); !ll.IsZero() {
		if g.NaiveDatetimes {
			ll = ll.In(g.location())
		} else {
			ll = ll.UTC()
		}
		b.WriteString(ll.Format("2006-01-02 15:04:05")) // Python's str(datetime) without microseconds
	}
	b.WriteString(strconv.FormatInt(ts, 10))
	if e, ok := u.(EmailUser); ok {
		b.WriteString(e.GetEmail())
	}
	return b.String()
}

// epoch2001 is Django's datetime(2001, 1, 1).
var epoch2001 = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// numSeconds is Django's _num_seconds: the whole seconds from 2001-01-01
// to t's wall-clock time in TimeZone (Django's datetime.now() is naive
// local time).
func (g *Generator) numSeconds(t time.Time) int64 {
	t = t.In(g.location())
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return int64(wall.Sub(epoch2001) / time.Second)
}

func (g *Generator) now() time.Time {
	if g.Now != nil {
		return g.Now().In(g.location())
	}
	return time.Now().In(g.location())
}

func (g *Generator) location() *time.Location {
	if g.TimeZone != nil {
		return g.TimeZone
	}
	return time.UTC
}

func (g *Generator) keySalt() string {
	if g.KeySalt == "" {
		return DefaultKeySalt
	}
	return g.KeySalt
}

func (g *Generator) algorithm() signing.Algorithm {
	if g.Algorithm == "" {
		return signing.SHA256
	}
	return g.Algorithm
}

func (g *Generator) timeout() time.Duration {
	if g.Timeout == 0 {
		return DefaultTimeout
	}
	return g.Timeout
}

// parseBase36 reads the timestamp of a token as Django's base36_to_int
// does for the tokens it could have made: lower-case base 36 without
// leading zeros, at most 13 characters; anything else could not compare
// equal to a token Django made from the number, so it is refused here.
func parseBase36(s string) (int64, bool) {
	if s == "" || len(s) > 13 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 36, 64)
	return n, err == nil
}

func eq(a, b string) int {
	if hmac.Equal([]byte(a), []byte(b)) {
		return 1
	}
	return 0
}
