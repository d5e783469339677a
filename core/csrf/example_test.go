package csrf_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// DRF's SessionAuthentication with CSRF: a logged-in browser's unsafe
// request needs the token from GET /api/auth/csrf, and a cross-site one
// is refused whatever it carries.
func ExampleProtector() {
	ctx := context.Background()
	protector, _ := csrf.New(csrf.WithTrustedOrigins("https://admin.example.com"))

	users := core.NewDefaultUserManager()
	pw := "correct horse battery"
	alice, _ := users.CreateUser(ctx, "alice", &pw, nil)
	backend := memory.NewSessionBackend()
	defer backend.Close()
	auth := sessions.NewSessionAuthentication([]byte("example secret key"), core.NewModelBackend(users))
	auth.Manager = sessions.NewManager(backend)
	auth.CSRF = protector.Check // DRF's enforce_csrf

	// Alice logged in earlier: her browser holds a session cookie.
	s := auth.Manager.New()
	u, _ := users.UserByID(ctx, alice.GetID())
	_ = auth.Login(ctx, s, u, "")
	_ = s.Save(ctx)

	// GET /api/auth/csrf: the token for the page, and the csrftoken cookie.
	w := httptest.NewRecorder()
	token, _ := protector.Token(core.NewHTTPRequest(httptest.NewRequest("GET", "https://example.com/api/auth/csrf", nil)), core.NewHTTPResponse(w))
	cookie := w.Result().Cookies()[0]
	fmt.Println(cookie.Name, len(token), cookie.HttpOnly, cookie.SameSite == http.SameSiteLaxMode)

	post := func(headers map[string]string) string {
		r := httptest.NewRequest("POST", "https://example.com/api/posts", nil)
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: string(s.Key())})
		r.AddCookie(cookie)
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		id, err := auth.Authenticate(core.NewHTTPRequest(r))
		if err != nil {
			rec := httptest.NewRecorder()
			_ = core.WriteError(core.NewHTTPResponse(rec), err, "")
			return fmt.Sprint(rec.Code, " ", rec.Body)
		}
		return "authenticated as " + id.User.GetUsername()
	}
	fmt.Println(post(map[string]string{"Sec-Fetch-Site": "same-origin"}))
	fmt.Println(post(map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRFToken": token}))
	fmt.Println(post(map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "X-CSRFToken": token}))
	fmt.Println(post(map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://admin.example.com", "X-CSRFToken": token}))
	// Output:
	// csrftoken 64 false true
	// 403 {"detail":"CSRF Failed: CSRF token missing."}
	// authenticated as alice
	// 403 {"detail":"CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."}
	// authenticated as alice
}
