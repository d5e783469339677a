package sessions_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// legacyAdopter adopts the value of the cookie "legacy" as the session
// value "from", the way an importer of another library's cookies does;
// values, when set, are put into the session instead, and adopted is
// what it reports.
type legacyAdopter struct {
	calls   atomic.Int32
	values  map[string]any
	refuse  bool
	failErr error
}

func (a *legacyAdopter) Adopt(_ context.Context, r core.Request, s *sessions.Session) ([]*http.Cookie, bool, error) {
	a.calls.Add(1)
	if a.failErr != nil {
		return nil, false, a.failErr
	}
	v := r.Cookie("legacy")
	if v == "" {
		return nil, false, nil
	}
	s.Set("from", v)
	for k, val := range a.values {
		s.Set(k, val)
	}
	return []*http.Cookie{{Name: "legacy", Path: "/", MaxAge: -1}}, !a.refuse, nil
}

// adoptApp serves GET /get, which writes the session value "from".
func adoptApp(a *legacyAdopter) (*sessions.Manager, http.Handler) {
	m := sessions.NewManager(memory.NewSessionBackend())
	m.Adopt = a.Adopt
	return m, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := sessions.GetAs[string](sessions.FromContext(r.Context()), "from")
		_, _ = io.WriteString(w, v)
	}))
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAdoptMakesASession(t *testing.T) {
	a := &legacyAdopter{}
	_, h := adoptApp(a)
	b := newBrowser(t, h)
	b.cookies["legacy"] = "old-value"
	res := b.do("GET", "/get", "")
	if got := body(t, res); got != "old-value" {
		t.Fatalf("the adopted session holds %q, want old-value", got)
	}
	if b.cookies["sessionid"] == "" {
		t.Fatal("no sessionid set for the adopted session")
	}
	if _, ok := b.cookies["legacy"]; ok {
		t.Fatal("the adopter's cookie (expiring the old one) was not set")
	}
	// The next request has a stored session: the adopter is not asked.
	b.cookies["legacy"] = "another"
	if got := body(t, b.do("GET", "/get", "")); got != "old-value" {
		t.Fatalf("with the new sessionid the session holds %q, want old-value", got)
	}
	if n := a.calls.Load(); n != 1 {
		t.Fatalf("the adopter was asked %d times, want once", n)
	}
}

func TestAdoptNeverHalfImports(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    *legacyAdopter
	}{
		{"refused", &legacyAdopter{refuse: true}},
		{"value the serializer cannot hold", &legacyAdopter{values: map[string]any{"ch": make(chan int)}}},
		{"reserved key", &legacyAdopter{values: map[string]any{"_session_created": 1}}},
		{"too large", &legacyAdopter{values: map[string]any{"big": strings.Repeat("a", sessions.MaxDataSize)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, h := adoptApp(tc.a)
			b := newBrowser(t, h)
			b.cookies["legacy"] = "old-value"
			res := b.do("GET", "/get", "")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			if got := body(t, res); got != "" {
				t.Fatalf("the session holds %q; nothing should be adopted", got)
			}
			if len(res.Cookies()) != 0 {
				t.Fatalf("cookies set for a session not adopted: %v", res.Header.Values("Set-Cookie"))
			}
		})
	}
}

func TestAdoptFailureFailsClosed(t *testing.T) {
	a := &legacyAdopter{failErr: sessions.StoreError("seen", errors.New("down"))}
	_, h := adoptApp(a)
	b := newBrowser(t, h)
	b.cookies["legacy"] = "old-value"
	if res := b.do("GET", "/get", ""); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
}

// TestAdoptNotForReadOnlyAuthentication: SessionAuthentication without
// the session middleware reads the session for itself and never commits
// it, so it must not adopt (an importer would spend the old cookie for a
// session nobody saves).
func TestAdoptNotForReadOnlyAuthentication(t *testing.T) {
	a := &legacyAdopter{}
	m, _ := adoptApp(a)
	auth := sessions.NewSessionAuthentication(testSecret, core.NewModelBackend(core.NewDefaultUserManager()))
	auth.Manager = m
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "legacy", Value: "old-value"})
	if id, err := auth.Authenticate(core.NewHTTPRequest(r)); err != nil || id != nil {
		t.Fatalf("Authenticate: %v, %v; want anonymous", id, err)
	}
	if n := a.calls.Load(); n != 0 {
		t.Fatalf("the adopter was asked %d times by a read-only load, want never", n)
	}
}
