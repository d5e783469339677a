package gorillaimport_test

import (
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/gorillaimport"
	"github.com/reinhardt-go/auth/stores/memory"
)

const cookieName = "gorilla-session"

var (
	hashKey   = []byte("old-hash-key-of-the-gorilla-service-0123456789abcdef")
	blockKey  = []byte("0123456789abcdef0123456789abcdef") // AES-256
	hashKey2  = []byte("new-hash-key-after-the-rotation-0123456789abcdefgh")
	blockKey2 = []byte("fedcba9876543210") // AES-128
	otherKey  = []byte("a-hash-key-the-importer-does-not-know-0123456789ab")
)

func init() { gin.SetMode(gin.TestMode) }

// gorillaCookie is the value of the cookie gorilla's own CookieStore,
// made with keyPairs, sets for a session holding values.
func gorillaCookie(t testing.TB, values map[any]any, keyPairs ...[]byte) string {
	t.Helper()
	store := gsessions.NewCookieStore(keyPairs...)
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	s, err := store.Get(r, cookieName)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range values {
		s.Values[k] = v
	}
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieName {
			return c.Value
		}
	}
	t.Fatal("gorilla set no cookie")
	return ""
}

// gorillaJSONCookie is the value of a gorilla cookie serialized with
// securecookie.JSONEncoder by the codecs of a CookieStore made with
// keyPairs. (CookieStore.Save itself cannot serialize its
// map[interface{}]interface{} as JSON, so services on JSON encode a
// map[string]any with the store's codecs, as here.)
func gorillaJSONCookie(t testing.TB, values map[string]any, keyPairs ...[]byte) string {
	t.Helper()
	store := gsessions.NewCookieStore(keyPairs...)
	for _, c := range store.Codecs {
		c.(*securecookie.SecureCookie).SetSerializer(securecookie.JSONEncoder{})
	}
	v, err := securecookie.EncodeMulti(cookieName, values, store.Codecs...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fixture is a service that moved off gorilla: users, the session
// authenticator, a Manager with an Importer.
type fixture struct {
	manager  *sessions.Manager
	engine   *core.Engine
	importer *gorillaimport.Importer
	aliceID  string
}

func newFixture(t testing.TB, cfg gorillaimport.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	alice, err := users.CreateUser(ctx, "alice", nil, nil) // no password: no hashing per fixture
	if err != nil {
		t.Fatal(err)
	}
	inactive, err := users.CreateUser(ctx, "ivan", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	inactive.Active = false
	if err := users.Update(ctx, inactive); err != nil {
		t.Fatal(err)
	}
	backend := core.NewModelBackend(users)
	auth := sessions.NewSessionAuthentication([]byte("the-new-service-secret-key-0123456789abcdefghijkl"), backend)
	m := sessions.NewManager(memory.NewSessionBackend())
	auth.Manager = m
	cfg.CookieName = cookieName
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfg.KeyPairs == nil {
		cfg.KeyPairs = [][]byte{hashKey, nil}
	}
	if cfg.Seen == nil {
		seen := memory.NewSessionCache()
		t.Cleanup(func() { _ = seen.Close() })
		cfg.Seen = seen
	}
	if cfg.Map == nil {
		cfg.Map = gorillaimport.LoginUser(auth, "user_id", "")
	}
	imp, err := gorillaimport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Adopt = imp.Adopt
	return &fixture{manager: m, engine: core.NewEngine(auth), importer: imp, aliceID: alice.GetID()}
}

// answer is what GET /me says: who is logged in, and the session's theme.
func answer(u core.User, s *sessions.Session) string {
	theme, _ := sessions.GetAs[string](s, "theme")
	return fmt.Sprintf("user=%s theme=%s", u.GetUsername(), theme)
}

// frameworks serve GET /me behind each adapter's session and
// authentication middleware.
var frameworks = []struct {
	name  string
	serve func(f *fixture) func(*http.Request) (*http.Response, error)
}{
	{"stdhttp", func(f *fixture) func(*http.Request) (*http.Response, error) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, answer(httpauth.User(r), sessions.FromContext(r.Context())))
		})
		return recorded(httpauth.Sessions(f.manager)(httpauth.Middleware(f.engine)(mux)))
	}},
	{"gin", func(f *fixture) func(*http.Request) (*http.Response, error) {
		r := gin.New()
		r.Use(ginauth.Sessions(f.manager), ginauth.Middleware(f.engine))
		r.GET("/me", func(c *gin.Context) { c.String(http.StatusOK, answer(ginauth.User(c), ginauth.SessionFrom(c))) })
		return recorded(r)
	}},
	{"echo", func(f *fixture) func(*http.Request) (*http.Response, error) {
		e := echo.New()
		e.Use(echoauth.Sessions(f.manager), echoauth.Middleware(f.engine))
		e.GET("/me", func(c echo.Context) error {
			return c.String(http.StatusOK, answer(echoauth.User(c), sessions.FromContext(c.Request().Context())))
		})
		return recorded(e)
	}},
	{"fiber", func(f *fixture) func(*http.Request) (*http.Response, error) {
		app := fiber.New()
		app.Use(fiberauth.Sessions(f.manager), fiberauth.Middleware(f.engine))
		app.Get("/me", func(c *fiber.Ctx) error { return c.SendString(answer(fiberauth.User(c), fiberauth.SessionFrom(c))) })
		return func(r *http.Request) (*http.Response, error) { return app.Test(r, -1) }
	}},
}

func recorded(h http.Handler) func(*http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result(), nil
	}
}

// client keeps the cookies of one browser.
type client struct {
	t       testing.TB
	do      func(*http.Request) (*http.Response, error)
	cookies map[string]string
	set     []*http.Cookie // the last response's cookies
}

func (c *client) get() string {
	c.t.Helper()
	r := httptest.NewRequest("GET", "/me", nil) // Host example.com
	for name, v := range c.cookies {
		r.Header.Add("Cookie", name+"="+v)
	}
	res, err := c.do(r)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /me: %d %s", res.StatusCode, b)
	}
	c.set = res.Cookies()
	for _, k := range c.set {
		if k.MaxAge < 0 {
			delete(c.cookies, k.Name)
		} else {
			c.cookies[k.Name] = k.Value
		}
	}
	return string(b)
}

// setCookie returns the cookie named name the last response set.
func (c *client) setCookie(name string) *http.Cookie {
	for _, k := range c.set {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func TestImportedOnce(t *testing.T) {
	values := map[any]any{"user_id": 0, "theme": "dark"} // user_id set per fixture below
	cases := []struct {
		name   string
		cfg    gorillaimport.Config
		cookie func(t testing.TB, aliceID int) string
	}{
		{"hash key only", gorillaimport.Config{}, func(t testing.TB, id int) string {
			return gorillaCookie(t, with(values, id), hashKey)
		}},
		{"hash and block keys", gorillaimport.Config{KeyPairs: [][]byte{hashKey, blockKey}}, func(t testing.TB, id int) string {
			return gorillaCookie(t, with(values, id), hashKey, blockKey)
		}},
		{"rotated keys, cookie of the old pair", gorillaimport.Config{KeyPairs: [][]byte{hashKey2, blockKey2, hashKey, blockKey}}, func(t testing.TB, id int) string {
			return gorillaCookie(t, with(values, id), hashKey, blockKey)
		}},
		{"rotated keys, cookie of the new pair", gorillaimport.Config{KeyPairs: [][]byte{hashKey2, blockKey2, hashKey, blockKey}}, func(t testing.TB, id int) string {
			return gorillaCookie(t, with(values, id), hashKey2, blockKey2, hashKey, blockKey)
		}},
		{"JSON", gorillaimport.Config{Format: gorillaimport.JSON, KeyPairs: [][]byte{hashKey, blockKey}}, func(t testing.TB, id int) string {
			return gorillaJSONCookie(t, map[string]any{"user_id": id, "theme": "dark"}, hashKey, blockKey)
		}},
	}
	for _, fw := range frameworks {
		for _, tc := range cases {
			t.Run(fw.name+"/"+tc.name, func(t *testing.T) {
				f := newFixture(t, tc.cfg)
				var id int
				if _, err := fmt.Sscan(f.aliceID, &id); err != nil {
					t.Fatal(err)
				}
				old := tc.cookie(t, id)
				c := &client{t: t, do: fw.serve(f), cookies: map[string]string{cookieName: old}}

				// The first request imports: alice is logged in, the
				// values came along, sessionid is set and the old
				// cookie expired.
				if got := c.get(); got != "user=alice theme=dark" {
					t.Fatalf("first request: %q, want alice logged in with her theme", got)
				}
				sid := c.cookies[sessions.DefaultCookieName]
				if sid == "" {
					t.Fatal("no sessionid after the import")
				}
				exp := c.setCookie(cookieName)
				if exp == nil || exp.MaxAge >= 0 || exp.Path != "/" || !exp.Secure {
					t.Fatalf("the old cookie was not expired (Path /, Secure): %+v", exp)
				}

				// A second request with the old cookie still sent, and
				// the new sessionid: the session, no second import.
				c.cookies[cookieName] = old
				if got := c.get(); got != "user=alice theme=dark" {
					t.Fatalf("second request: %q", got)
				}
				if c.cookies[sessions.DefaultCookieName] != sid || c.setCookie(cookieName) != nil {
					t.Fatalf("the second request imported again: %v", c.set)
				}

				// The old cookie alone, replayed: it was imported
				// once, so it logs nobody in again.
				replay := &client{t: t, do: c.do, cookies: map[string]string{cookieName: old}}
				if got := replay.get(); got != "user= theme=" {
					t.Fatalf("replayed old cookie: %q, want anonymous", got)
				}
				if len(replay.set) != 0 {
					t.Fatalf("replayed old cookie: cookies set %v", replay.set)
				}
				if got, want := f.importer.Stats(), (gorillaimport.Stats{Imported: 1, Replayed: 1}); got != want {
					t.Fatalf("stats %+v, want %+v", got, want)
				}
			})
		}
	}
}

func with(values map[any]any, id int) map[any]any {
	out := make(map[any]any, len(values))
	for k, v := range values {
		out[k] = v
	}
	out["user_id"] = id
	return out
}

// notAuthentic is a gorilla cookie the importer must not trust.
type notAuthentic struct {
	name   string
	cookie func(t testing.TB) string
	stat   gorillaimport.Stats
	maxAge time.Duration // the importer's MaxAge; 0 for the default
}

func TestNotImported(t *testing.T) {
	// An expired cookie: older than the importer's MaxAge of a second.
	expired := gorillaCookie(t, map[any]any{"user_id": 1, "theme": "dark"}, hashKey)
	made := time.Now()
	tampered := func(t testing.TB) string {
		v := []byte(gorillaCookie(t, map[any]any{"user_id": 1, "theme": "dark"}, hashKey))
		i := len(v) / 2
		if v[i] == 'A' {
			v[i] = 'B'
		} else {
			v[i] = 'A'
		}
		return string(v)
	}
	unregistered := unregisteredCookie(t)
	cases := []notAuthentic{
		{"tampered", tampered, gorillaimport.Stats{Rejected: 1}, 0},
		{"wrong hash key", func(t testing.TB) string {
			return gorillaCookie(t, map[any]any{"user_id": 1}, otherKey)
		}, gorillaimport.Stats{Rejected: 1}, 0},
		{"right hash key, wrong block key", func(t testing.TB) string {
			// Authentic (the MAC is the hash key's), but what decrypts
			// with the wrong block key is noise.
			return gorillaCookie(t, map[any]any{"user_id": 1}, hashKey, blockKey2)
		}, gorillaimport.Stats{Unimportable: 1}, 0},
		{"expired", func(testing.TB) string { return expired }, gorillaimport.Stats{Rejected: 1}, time.Second},
		{"not base64", func(testing.TB) string { return "%%%not-a-cookie" }, gorillaimport.Stats{Rejected: 1}, 0},
		{"a type not registered with gob", func(testing.TB) string { return unregistered }, gorillaimport.Stats{Unimportable: 1}, 0},
		{"a key that is not a string", func(t testing.TB) string {
			return gorillaCookie(t, map[any]any{"user_id": 1, 42: "x"}, hashKey)
		}, gorillaimport.Stats{Unimportable: 1}, 0},
		{"no user id", func(t testing.TB) string {
			return gorillaCookie(t, map[any]any{"theme": "dark"}, hashKey)
		}, gorillaimport.Stats{Unimportable: 1}, 0},
		{"unknown user", func(t testing.TB) string {
			return gorillaCookie(t, map[any]any{"user_id": 999, "theme": "dark"}, hashKey)
		}, gorillaimport.Stats{Unimportable: 1}, 0},
		{"inactive user", func(t testing.TB) string {
			return gorillaCookie(t, map[any]any{"user_id": 2, "theme": "dark"}, hashKey)
		}, gorillaimport.Stats{Unimportable: 1}, 0},
	}
	if d := time.Until(made.Add(2100 * time.Millisecond)); d > 0 {
		time.Sleep(d) // securecookie's timestamps are in seconds
	}
	for _, fw := range frameworks {
		for _, tc := range cases {
			t.Run(fw.name+"/"+tc.name, func(t *testing.T) {
				f := newFixture(t, gorillaimport.Config{MaxAge: tc.maxAge})
				old := tc.cookie(t)
				c := &client{t: t, do: fw.serve(f), cookies: map[string]string{cookieName: old}}
				if got := c.get(); got != "user= theme=" {
					t.Fatalf("%q, want anonymous and an empty session", got)
				}
				if len(c.set) != 0 {
					t.Fatalf("cookies set for a cookie not imported: %v", c.set)
				}
				if got := f.importer.Stats(); got != tc.stat {
					t.Fatalf("stats %+v, want %+v", got, tc.stat)
				}
			})
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	seen := memory.NewSessionCache()
	defer seen.Close()
	for _, tc := range []struct {
		name string
		cfg  gorillaimport.Config
		want string
	}{
		{"no name", gorillaimport.Config{KeyPairs: [][]byte{hashKey}, Seen: seen}, "CookieName"},
		{"no keys", gorillaimport.Config{CookieName: "s", Seen: seen}, "KeyPairs"},
		{"no seen", gorillaimport.Config{CookieName: "s", KeyPairs: [][]byte{hashKey}}, "Seen"},
		{"empty hash key", gorillaimport.Config{CookieName: "s", KeyPairs: [][]byte{{}}, Seen: seen}, "hash key 0"},
		{"bad block key", gorillaimport.Config{CookieName: "s", KeyPairs: [][]byte{hashKey, []byte("short")}, Seen: seen}, "block key 0"},
		{"bad format", gorillaimport.Config{CookieName: "s", KeyPairs: [][]byte{hashKey}, Seen: seen, Format: 7}, "Format"},
	} {
		if _, err := gorillaimport.New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}

// Preferences is a type the old service registered with gob and the
// importing program does not.
type Preferences struct{ Theme string }

const helperEnv = "GORILLAIMPORT_UNREGISTERED_COOKIE"

// unregisteredCookie is a gorilla cookie holding a Preferences, made by
// this test binary run again as another program (TestHelperUnregistered),
// since gob's registry cannot forget a type.
func unregisteredCookie(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperUnregistered$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "cookie="); ok {
			return v
		}
	}
	t.Fatalf("helper printed no cookie: %s", out)
	return ""
}

// TestHelperUnregistered is not a test: unregisteredCookie runs it in a
// process of its own to print a cookie holding a registered Preferences.
func TestHelperUnregistered(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("a helper process of TestNotImported")
	}
	gob.Register(Preferences{})
	fmt.Println("cookie=" + gorillaCookie(t, map[any]any{"user_id": 1, "prefs": Preferences{"dark"}}, hashKey))
}
