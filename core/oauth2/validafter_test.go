package oauth2_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/oauth2"
)

// TestValidAfter: the user's "valid after" stamp (Config.ValidAfter, set
// by a logout everywhere, a password change or reset) ends every code and
// token of the user issued at or before it — access tokens, refresh
// tokens, codes not yet exchanged — and only those; a client's own token
// is untouched, and a failing stamp fails closed.
func TestValidAfter(t *testing.T) {
	var mu sync.Mutex
	var stamp time.Time
	var stampErr error
	h := newHarness(t, validAfter(func(ctx context.Context, userID string) (time.Time, error) {
		mu.Lock()
		defer mu.Unlock()
		return stamp, stampErr
	}))
	app := h.register(oauth2.NewApplication{SkipAuthorization: true, GrantTypes: []string{oauth2.GrantAuthorizationCode, oauth2.GrantClientCredentials}})
	browser := h.browser(true)
	before := h.exchange(app, h.code(browser, codeQuery(app.ClientID)), "")
	if before.status != 200 {
		t.Fatalf("exchange: %d %s", before.status, before.body)
	}
	pending := h.code(browser, codeQuery(app.ClientID))
	cc := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, app.ClientID, app.ClientSecret)
	if cc.status != 200 {
		t.Fatalf("client credentials: %d %s", cc.status, cc.body)
	}

	h.offset.Store(int64(time.Millisecond))
	mu.Lock()
	stamp = time.Now().Add(time.Duration(h.offset.Load()))
	mu.Unlock()
	h.offset.Store(int64(2 * time.Millisecond))

	if h.active(app, before.str("access_token")) || h.active(app, before.str("refresh_token")) {
		t.Error("a token issued before the stamp is still active")
	}
	if _, err := h.p.VerifyToken(context.Background(), before.str("access_token")); !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("VerifyToken of an access token from before the stamp = %v; want ErrInvalidToken", err)
	}
	wantOAuthError(t, h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {before.str("refresh_token")}},
		app.ClientID, app.ClientSecret), 400, "invalid_grant")
	wantOAuthError(t, h.exchange(app, pending, ""), 400, "invalid_grant")
	if !h.active(app, cc.str("access_token")) {
		t.Error("a client-credentials token (no user) was ended by a user's stamp")
	}
	after := h.exchange(app, h.code(browser, codeQuery(app.ClientID)), "")
	if after.status != 200 || !h.active(app, after.str("access_token")) {
		t.Fatalf("a code issued after the stamp: %d %s; want live tokens", after.status, after.body)
	}

	mu.Lock()
	stampErr = core.ErrStoreUnavailable
	mu.Unlock()
	if _, err := h.p.VerifyToken(context.Background(), after.str("access_token")); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("VerifyToken with the stamp's store down = %v; want ErrStoreUnavailable (closed)", err)
	}
}
