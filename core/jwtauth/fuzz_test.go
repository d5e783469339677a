package jwtauth_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// FuzzAuthorizationHeader feeds arbitrary Authorization headers to the
// authenticator: it must never panic, never authenticate anything but the
// one good token, answer every header of another scheme with (nil, nil),
// and refuse oversized ones without parsing them.
func FuzzAuthorizationHeader(f *testing.F) {
	j := mustNew(f, secret, newClock(t0).Option())
	good := fixedToken(f)
	parts := strings.Split(good, ".")
	for _, s := range []string{
		"", "Bearer", "Bearer ", "Bearer " + good, "Bearer  " + good + " ", "Bearer " + good + " x",
		"bearer " + good, "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer 2YotnFZFEjr1zCsicMWpAA",
		"Bearer " + parts[0] + "." + parts[1] + ".", "Bearer " + parts[0] + ".." + parts[2],
		"Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer e.e.e", "Bearer \x00\xff", "\tBearer\t" + good,
		"Bearer " + strings.Repeat(".", 10000), "Bearer e" + strings.Repeat("A", 9000) + ".e30.x",
	} {
		f.Add(s)
	}
	a := jwtauth.NewAuthentication(j, newUsers(&core.SimpleUser{ID: "42", Username: "alice", Active: true}))
	f.Fuzz(func(t *testing.T, header string) {
		if !utf8.ValidString(header) || strings.ContainsAny(header, "\r\n\x00") {
			// net/http would not carry it; the core.Request is still
			// exercised directly below.
			_, _, _ = jwtauth.ParseAuthorization(header, []string{"Bearer"})
			return
		}
		id, err := a.Authenticate(request("Authorization: " + header))
		if err == nil && id != nil {
			if tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(header), "Bearer")); tok != good {
				t.Fatalf("authenticated %q", header)
			}
		}
		if err != nil {
			if status, _, _ := render(err, a.Challenge()); status != 401 {
				t.Fatalf("%q rendered %d", header, status)
			}
		}
		if !strings.HasPrefix(strings.TrimLeft(header, " \t\v\f"), "Bearer") && (id != nil || err != nil) {
			t.Fatalf("another scheme's header %q: %v %v", header, id, err)
		}
		if len(header) > jwtauth.MaxTokenBytes+256 && strings.HasPrefix(header, "Bearer ") && !errors.Is(err, jwtauth.ErrTokenTooLarge) {
			t.Fatalf("oversized header: %v", err)
		}
	})
}

// fixedToken is the same good token in every fuzzing process.
func fixedToken(f *testing.F) string {
	return sign(f, jwt.SigningMethodHS256, secret, accessClaims(t0, "42"), nil)
}

// FuzzVerifyToken: any string is refused or is the one good token; none
// panics.
func FuzzVerifyToken(f *testing.F) {
	j := mustNew(f, secret, newClock(t0).Option())
	good := fixedToken(f)
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(seg(`{"alg":"HS256","crit":["b64"],"b64":false}`) + "." + parts[1] + "." + parts[2])
	f.Add(seg(`{"alg":"HS256","kid":{"a":1}}`) + "." + parts[1] + "." + parts[2])
	f.Add(parts[0] + "." + seg(`{"exp":1e400,"user_id":[]}`) + "." + parts[2])
	f.Add(strings.Repeat("eyJ.", 3000))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := j.VerifyToken(tok)
		if err == nil && tok != good {
			t.Fatalf("verified %q: %+v", tok, c)
		}
		if err != nil && !errors.Is(err, core.ErrInvalidToken) {
			t.Fatalf("error %v is not an invalid token", err)
		}
	})
}
