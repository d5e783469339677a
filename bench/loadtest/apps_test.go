package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

// TestApps serves every comparison app on a real listener and checks the
// load test's premise: the route answers the body, byte for byte, to the
// token, and refuses a request without a token, with a token signed by
// another key, and (reinhardt-lib) a token of another user.
func TestApps(t *testing.T) {
	secret := []byte("loadtest-key-of-at-least-32-bytes!!")
	body := []byte(`{"id":2,"username":"alice","auth":"jwt"}`)
	mint := func(key []byte, id int64) string {
		j, err := jwtauth.New(key)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := j.GenerateToken(strconv.FormatInt(id, 10), "alice")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := mint(secret, 2)
	otherKey := mint([]byte("another-key-of-at-least-32-bytes!!!"), 2)
	otherUser := mint(secret, 3)
	for _, fw := range frameworks {
		for _, app := range comparisonApps {
			t.Run(fw+"/"+app, func(t *testing.T) {
				srv, err := newApp(fw+"/"+app, appConfig{Secret: secret, Body: body, UserID: 2, Username: "alice"})
				if err != nil {
					t.Fatal(err)
				}
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				go func() { _ = srv.Serve(ln) }()
				defer func() {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					_ = srv.Shutdown(ctx)
				}()
				url := "http://" + ln.Addr().String() + route
				call := func(token string) (int, string) {
					req, _ := http.NewRequest(http.MethodGet, url, nil)
					if token != "" {
						req.Header.Set("Authorization", "Bearer "+token)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					return resp.StatusCode, string(b)
				}
				if status, got := call(good); status != http.StatusOK || got != string(body) {
					t.Errorf("with the token: %d %s", status, got)
				}
				refused := []string{"", otherKey}
				if app == "reinhardt-lib" {
					refused = append(refused, otherUser)
				}
				for _, tok := range refused {
					status, got := call(tok)
					if app == "none" {
						if status != http.StatusOK {
							t.Errorf("no authentication, token %.12q: %d %s", tok, status, got)
						}
						continue
					}
					// gofiber/contrib/jwt answers 400 to a missing token.
					if status != http.StatusUnauthorized && !(status == http.StatusBadRequest && tok == "" && fw == "fiber" && app == "usual") {
						t.Errorf("token %.12q: %d %s, want 401", tok, status, got)
					}
				}
			})
		}
	}
	if _, err := newApp("gin/other", appConfig{Secret: secret}); err == nil {
		t.Error("an unknown app: no error")
	}
	if _, err := newApp("chi/none", appConfig{Secret: secret}); err == nil {
		t.Error("an unknown framework: no error")
	}
}
