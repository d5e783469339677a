package oauth2

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// TestMaxAgeWholeSeconds: max_age compares whole seconds, as auth_time
// counts them (OpenID Connect Core section 3.1.2.1): a login at 1000.9 s
// satisfies max_age=1 at 1001.95 s (1.05 s later, one whole second), not
// at 1002.0 s.
func TestMaxAgeWholeSeconds(t *testing.T) {
	p := fuzzProvider(t)
	login := time.Unix(1000, 900_000_000)
	p.cfg.AuthTime = func(core.Request) time.Time { return login }
	users, _ := p.cfg.Users.(*core.ModelBackend)
	alice, _ := users.Store.UserByUsername(context.Background(), "alice")
	for now, want := range map[time.Time]string{
		time.Unix(1001, 950_000_000): "https://client.example/cb?code=",
		time.Unix(1002, 0):           DefaultLoginURL + "?next=",
	} {
		p.cfg.Now = func() time.Time { return now }
		req := httptest.NewRequest("GET", "https://issuer.example/o/authorize?response_type=code&client_id=c&max_age=1", nil)
		req = req.WithContext(core.WithIdentity(req.Context(), &core.Identity{User: alice, Method: "session"}))
		rec := httptest.NewRecorder()
		if err := p.AuthorizeEndpoint().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
			t.Fatal(err)
		}
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, want) {
			t.Errorf("max_age=1, login %v, now %v: Location %q; want %s…", login, now, loc, want)
		}
	}
}
