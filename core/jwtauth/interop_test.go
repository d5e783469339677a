package jwtauth_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The Python of Debian's python3-djangorestframework-simplejwt (5.2.2),
// not a pyenv one.
const python = "/usr/bin/python3"

// requireSimpleJWT skips unless python3 can import simplejwt; with
// REINHARDT_REQUIRE_DJANGO=1 a missing simplejwt fails the test instead.
func requireSimpleJWT(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import django, rest_framework, rest_framework_simplejwt, jwt").CombinedOutput()
	if err != nil {
		if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
			t.Fatalf("simplejwt is required (REINHARDT_REQUIRE_DJANGO=1) but %s cannot import it: %v\n%s", python, err, out)
		}
		t.Skipf("djangorestframework-simplejwt not importable by %s: %v", python, err)
	}
}

// interopScript configures simplejwt from the JSON on stdin, verifies the
// tokens Go minted and mints its own, and prints the results as JSON.
const interopScript = `
import json, sys
from datetime import timedelta
cfg = json.load(sys.stdin)
from django.conf import settings
settings.configure(
    SECRET_KEY="unused-" + "x" * 50,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "rest_framework_simplejwt"],
    DATABASES={},
    USE_TZ=True,
    SIMPLE_JWT={
        "ALGORITHM": cfg["alg"],
        "SIGNING_KEY": cfg["signing_key"],
        "VERIFYING_KEY": cfg["verifying_key"],
        "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
        "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    },
)
import django
django.setup()
from django.test import RequestFactory
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

def check(cls, tok):
    try:
        return {"ok": True, "payload": cls(tok).payload}
    except TokenError as e:
        return {"ok": False, "error": str(e.args[0])}

out = {"verified": {}}
for name, tok in cfg["go_tokens"].items():
    user = None
    try:
        req = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer " + tok)
        res = JWTStatelessUserAuthentication().authenticate(req)
        user = str(res[0].id) if res else None
    except Exception as e:
        user = "error: " + str(e)
    out["verified"][name] = {"access": check(AccessToken, tok), "refresh": check(RefreshToken, tok), "auth_user": user}

access = AccessToken()
access["user_id"] = 42  # an integer pk, as simplejwt before 5.5 emits it
access["username"] = "alice"
refresh = RefreshToken()
refresh["user_id"] = "43"
refresh["scope"] = "read"
out["minted"] = {"access": str(access), "refresh": str(refresh), "derived": str(refresh.access_token)}
json.dump(out, sys.stdout)
`

type pyResult struct {
	Verified map[string]struct {
		Access   pyCheck `json:"access"`
		Refresh  pyCheck `json:"refresh"`
		AuthUser *string `json:"auth_user"`
	} `json:"verified"`
	Minted map[string]string `json:"minted"`
}

type pyCheck struct {
	OK      bool           `json:"ok"`
	Payload map[string]any `json:"payload"`
	Error   string         `json:"error"`
}

func runSimpleJWT(t *testing.T, input map[string]any) pyResult {
	t.Helper()
	in, _ := json.Marshal(input)
	cmd := exec.Command(python, "-c", interopScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("simplejwt: %v\n%s", err, stderr.String())
	}
	var res pyResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("simplejwt output %q: %v", out, err)
	}
	return res
}

func pemKeys(t *testing.T, priv, pub any) (string, string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
}

// TestSimpleJWTInterop: tokens minted here pass simplejwt's AccessToken()
// (and its JWTAuthentication), and tokens simplejwt minted with the same
// key authenticate here, for HS256, RS256 and ES256.
func TestSimpleJWTInterop(t *testing.T) {
	requireSimpleJWT(t)
	testKeys(t)
	rsaPriv, rsaPub := pemKeys(t, rsaKey, &rsaKey.PublicKey)
	ecPriv, ecPub := pemKeys(t, ecKey, &ecKey.PublicKey)
	hmacSecret := "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz!@#$%"
	for _, tc := range []struct {
		alg                jwtauth.Algorithm
		key                any
		signing, verifying string
	}{
		{jwtauth.HS256, []byte(hmacSecret), hmacSecret, ""},
		{jwtauth.RS256, rsaKey, rsaPriv, rsaPub},
		{jwtauth.ES256, ecKey, ecPriv, ecPub},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			t.Parallel()
			j, err := jwtauth.NewWithKey(mustKey(t, "", tc.alg, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			generated, _ := j.GenerateToken("42", "alice")
			pair, err := j.NewPair("43", map[string]any{"scope": "read"})
			if err != nil {
				t.Fatal(err)
			}
			res := runSimpleJWT(t, map[string]any{
				"alg": string(tc.alg), "signing_key": tc.signing, "verifying_key": tc.verifying,
				"go_tokens": map[string]string{"generated": generated, "access": pair.Access, "refresh": pair.Refresh},
			})

			// Go → simplejwt.
			for _, name := range []string{"generated", "access"} {
				v := res.Verified[name]
				if !v.Access.OK {
					t.Errorf("simplejwt AccessToken(%s): %s", name, v.Access.Error)
				}
				if v.Refresh.OK || v.Refresh.Error != "Token has wrong type" {
					t.Errorf("simplejwt RefreshToken(%s) = %+v, want wrong type", name, v.Refresh)
				}
				if v.AuthUser == nil || (*v.AuthUser != "42" && *v.AuthUser != "43") {
					t.Errorf("simplejwt JWTAuthentication(%s) user = %v", name, v.AuthUser)
				}
			}
			if p := res.Verified["generated"].Access.Payload; p["user_id"] != "42" || p["username"] != "alice" || p["token_type"] != "access" {
				t.Errorf("payload seen by simplejwt: %v", p)
			}
			if p := res.Verified["access"].Access.Payload; p["scope"] != "read" {
				t.Errorf("pair access payload seen by simplejwt: %v", p)
			}
			r := res.Verified["refresh"]
			if !r.Refresh.OK || r.Access.OK || r.Access.Error != "Token has wrong type" {
				t.Errorf("simplejwt on Go's refresh token: %+v", r)
			}

			// simplejwt → Go.
			ctx := context.Background()
			users := newUsers(&core.SimpleUser{ID: "42", Username: "alice", Active: true}, &core.SimpleUser{ID: "43", Username: "bob", Active: true})
			a := jwtauth.NewAuthentication(j, users)
			for name, want := range map[string]string{"access": "42", "derived": "43"} {
				tok := res.Minted[name]
				c, err := j.VerifyAccess(ctx, tok)
				if err != nil {
					t.Errorf("simplejwt's %s token: %v", name, err)
					continue
				}
				if c.UserID != want {
					t.Errorf("%s user_id = %q, want %q", name, c.UserID, want)
				}
				id, err := a.Authenticate(request("Authorization: Bearer " + tok))
				if err != nil || id.User.GetID() != want {
					t.Errorf("Authentication of simplejwt's %s token: %v %v", name, id, err)
				}
				if _, err := j.VerifyRefresh(ctx, tok); err == nil {
					t.Errorf("simplejwt's %s token accepted as refresh", name)
				}
			}
			rc, err := j.VerifyRefresh(ctx, res.Minted["refresh"])
			if err != nil || rc.UserID != "43" {
				t.Fatalf("simplejwt's refresh: %v %v", rc, err)
			}
			if _, err := j.VerifyAccess(ctx, res.Minted["refresh"]); err == nil {
				t.Error("simplejwt's refresh accepted as access")
			}
			derived, _, err := j.AccessFromRefresh(rc)
			if err != nil {
				t.Fatal(err)
			}
			dc, err := j.VerifyAccess(ctx, derived)
			if m, _ := dc.Map(); err != nil || m["scope"] != "read" || dc.UserID != "43" {
				t.Errorf("access derived here from simplejwt's refresh: %v %v", m, err)
			}
		})
	}
}
