package jwtauth_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

func TestNewPair(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option())
	ctx := context.Background()
	pair, err := j.NewPair("42", map[string]any{"role": "admin", "tenant": 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pair)
	if !strings.HasPrefix(string(b), `{"refresh":"`) || strings.Count(string(b), `"`) != 8 {
		t.Errorf("pair JSON %s", b)
	}
	r, err := j.VerifyRefresh(ctx, pair.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	a, err := j.VerifyAccess(ctx, pair.Access)
	if err != nil {
		t.Fatal(err)
	}
	if r.TokenType != jwtauth.RefreshToken || a.TokenType != jwtauth.AccessToken || r.UserID != "42" || a.UserID != "42" {
		t.Errorf("types/user: %+v %+v", r, a)
	}
	if !r.ExpiresAt.Equal(t0.Add(24*time.Hour)) || !a.ExpiresAt.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("lifetimes: refresh %v access %v", r.ExpiresAt, a.ExpiresAt)
	}
	if r.ID == a.ID || len(r.ID) != 32 || len(a.ID) != 32 {
		t.Errorf("jti %q %q", r.ID, a.ID)
	}
	if pair.RefreshClaims.ID != r.ID || pair.AccessClaims.ID != a.ID {
		t.Errorf("pair claims do not match the tokens")
	}
	// simplejwt's payload: user_id a string, the extras copied.
	m, _ := a.Map()
	if m["user_id"] != "42" || m["role"] != "admin" || m["tenant"] != json.Number("7") {
		t.Errorf("access payload %v", m)
	}
	if rm, _ := r.Map(); rm["role"] != "admin" {
		t.Errorf("refresh payload %v", rm)
	}

	// A modelled claim in extra is refused.
	if _, err := j.NewPair("42", map[string]any{"exp": 1}); err == nil {
		t.Error("extra exp accepted")
	}
	// A value that cannot be encoded is refused.
	if _, err := j.NewPair("42", map[string]any{"f": func() {}}); err == nil {
		t.Error("extra func accepted")
	}
}

func TestAccessFromRefresh(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithIssuer("iss"), jwtauth.WithAccessTTL(10*time.Minute))
	ctx := context.Background()
	pair, err := j.NewPairClaims(&jwtauth.Claims{UserID: "42", Username: "alice", Extra: map[string]any{"scope": "read write", "n": 12345678901234567}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	r, err := j.VerifyRefresh(ctx, pair.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	tok, ac, err := j.AccessFromRefresh(r)
	if err != nil {
		t.Fatal(err)
	}
	a, err := j.VerifyAccess(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	if !a.IssuedAt.Equal(now) || !a.ExpiresAt.Equal(now.Add(10*time.Minute)) || a.ID == r.ID || a.ID != ac.ID {
		t.Errorf("new iat/exp/jti: %v %v %q", a.IssuedAt, a.ExpiresAt, a.ID)
	}
	if a.UserID != "42" || a.Username != "alice" || a.Issuer != "iss" {
		t.Errorf("copied claims: %+v", a)
	}
	m, _ := a.Map()
	if m["scope"] != "read write" || m["n"] != json.Number("12345678901234567") {
		t.Errorf("extras not copied exactly: %v", m)
	}
	// From unverified (minted) claims the extras come from Extra.
	tok2, _, err := j.AccessFromRefresh(pair.RefreshClaims)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := j.VerifyAccess(ctx, tok2)
	if m2, _ := a2.Map(); m2["scope"] != "read write" {
		t.Errorf("extras from minted claims: %v", m2)
	}
}

func TestClaimsJSON(t *testing.T) {
	c := jwtauth.Claims{
		TokenType: jwtauth.AccessToken,
		UserID:    "42",
		RegisteredClaims: jwt.RegisteredClaims{
			ExpiresAt: jwt.NewNumericDate(t0),
			ID:        "abc",
		},
		Extra: map[string]any{"z": 1, "a": "x"},
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"token_type":"access","exp":1772366400,"jti":"abc","user_id":"42","a":"x","z":1}`
	if string(b) != want {
		t.Errorf("Marshal = %s\nwant      %s", b, want)
	}
	var back jwtauth.Claims
	if err := json.Unmarshal([]byte(`{"token_type":"refresh","user_id":17,"exp":1,"role":"x"}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.UserID != "17" || back.TokenType != jwtauth.RefreshToken || back.Extra["role"] != "x" || len(back.Extra) != 1 {
		t.Errorf("Unmarshal = %+v", back)
	}
	for _, bad := range []string{`{"user_id":1.5}`, `{"user_id":true}`, `{"user_id":-}`, `{"user_id":[1]}`, `[`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
	for in, want := range map[string]string{`{"user_id":"a\"b"}`: `a"b`, `{"user_id":-3}`: "-3", `{"user_id":null}`: ""} {
		var c jwtauth.Claims
		if err := json.Unmarshal([]byte(in), &c); err != nil || c.UserID != want {
			t.Errorf("Unmarshal(%s) = %q, %v", in, c.UserID, err)
		}
	}
	empty, _ := json.Marshal(jwtauth.Claims{Extra: map[string]any{"k": "v"}})
	if string(empty) != `{"k":"v"}` {
		t.Errorf("Marshal extras only = %s", empty)
	}
}
