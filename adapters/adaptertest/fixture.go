package adaptertest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

// Harness is what an adapter provides to the suite.
type Harness interface {
	// Serve serves the routes below for f on l until the test ends
	// (register the shutdown with t.Cleanup). The routes, each written the
	// way a user of the framework would write them:
	//
	//	all routes        behind the adapter's session middleware for
	//	                  f.Sessions, then its CSRF middleware for f.CSRF,
	//	                  then its authentication middleware for f.Engine
	//	GET  /open        no guard; f.WhoAmI
	//	GET  /private     guard f.Private (IsAuthenticated); f.WhoAmI
	//	GET  /admin       guard f.Admin (IsAdminUser); f.WhoAmI
	//	GET  /throttled   guard f.Throttled (UserRateThrottle 2/min); f.WhoAmI
	//	GET  /posts       guard f.Posts (IsAuthenticatedOrReadOnly); f.ListPosts
	//	POST /posts       guard f.Posts; f.CreatePost
	//	PUT  /posts/{id}  guard f.Posts; f.UpdatePost, which runs the
	//	                  adapter's object-permission check through the
	//	                  check function it is given
	//	GET  /visits      no guard; f.Visit with the session from the
	//	                  adapter's session accessor, counting
	//	GET  /peek        the same, not counting
	//	POST /register    the core endpoint f.Register, mounted natively
	//	GET  /csrf        the core endpoint f.CSRFToken, mounted natively
	//	POST /login       the core endpoint f.Login, mounted natively
	//	POST /logout      the core endpoint f.Logout, mounted natively
	//	POST /token       the core endpoint f.TokenObtain, mounted natively
	//
	// GET routes answer HEAD as GET. /open and /private requested with any
	// other method are DRF's 405, after the route's guard as DRF checks
	// permissions before it dispatches on the method: the handler sets
	// "Allow: GET, HEAD" and renders core.MethodNotAllowed(method) with
	// the adapter's WriteError.
	//
	// Handlers reply with the adapter's usual JSON helper; errors returned
	// by the fixture's functions are rendered with the adapter's
	// WriteError.
	Serve(t *testing.T, f *Fixture, l net.Listener)
}

// Fixture holds the engine, users and objects of the suite.
type Fixture struct {
	Engine   *core.Engine
	Users    *core.DefaultUserManager
	Register core.Endpoint
	// Sessions is the session manager: the library's cookie defaults
	// (sessionid, Path=/, HttpOnly, Secure, SameSite=Lax, persistent), an
	// idle timeout of an hour, in memory, on a clock stopped at the
	// fixture's creation so that cookie lifetimes are exact.
	Sessions *sessions.Manager
	// CSRF is the protector whose check the session authenticator runs
	// (DRF's enforce_csrf), with Django's defaults.
	CSRF *csrf.Protector
	// CSRFToken (GET /csrf), Login and Logout are the session endpoints;
	// TokenObtain is simplejwt's TokenObtainPairView.
	CSRFToken, Login, Logout, TokenObtain core.Endpoint
	// Private, Admin and Posts are the guards of the routes.
	Private, Admin, Posts []core.Permission
	// LoginGuard is the login throttle of the token endpoint, the session
	// login and Basic, on the fixture's stopped clock, in memory, trusting
	// X-Forwarded-For from 10.0.0.0/8 only: LoginRate failures per client
	// address and per username.
	LoginGuard *throttle.LoginThrottle
	// MFA is the second factor of the same three login paths: TOTP on the
	// fixture's clock, in memory. The user erin has it on.
	MFA *mfa.MFAAuthentication
	// Throttled guards GET /throttled: a throttle.UserRateThrottle of
	// 2/min on the fixture's stopped clock, in memory, with no trusted
	// proxies.
	Throttled []core.Permission
	// PostObject is the object permission of PUT /posts/{id}: the author,
	// or a holder of blog.change_post.
	PostObject []core.Permission

	// clock is the fixture's time in Unix nanoseconds: it stands still
	// until the suite advances it (advance).
	clock atomic.Int64
	store *countingBackend
	// hashes counts the password hashes and verifications of Users'
	// hasher (countingHasher), so that the suite can tell a request that
	// never reached password hashing.
	hashes atomic.Int64
	// rsaPublic and ecPublic are the public keys of a fixture made with
	// asymmetric JWT keys (fixtureConfig.asymmetric), nil otherwise.
	rsaPublic, ecPublic crypto.PublicKey
	// totpSecret is erin's TOTP secret (base32) and recovery his recovery
	// codes, for the suite to make codes with.
	totpSecret string
	recovery   []string

	mu    sync.Mutex
	posts map[int]*Post
	next  int
}

// Visits is the body of /visits and /peek.
type Visits struct {
	Visits int `json:"visits"`
}

// visitsKey is the session key of the visit counter.
const visitsKey = "visits"

// Post is the object of the object-permission scenarios.
type Post struct {
	ID       int    `json:"id"`
	Title    string `json:"title"`
	AuthorID string `json:"author"`
}

// Who is the body of the identity routes.
type Who struct {
	User   string `json:"user"`
	Method string `json:"method"`
}

// ErrStoreDown is returned by the fixture's store-down authenticator,
// which fails on requests carrying the header X-Test-Store-Down.
var ErrStoreDown = fmt.Errorf("adaptertest: simulated outage: %w", core.ErrStoreUnavailable)

type storeDown struct{}

func (storeDown) Authenticate(r core.Request) (*core.Identity, error) {
	if r.Header("X-Test-Store-Down") != "" {
		return nil, ErrStoreDown
	}
	return nil, nil
}

// BusyWait is the maximum wait of the fixture's busy password hasher: a
// request carrying X-Test-Hashers-Busy waits that long for a hashing slot
// that never comes free, and is refused 503 with Retry-After: 2 (the wait
// in seconds, rounded up).
const BusyWait = 1100 * time.Millisecond

// busyHashers fails on requests carrying X-Test-Hashers-Busy as a login
// does when every password hashing slot is taken: it hashes a password
// with a PBKDF2 hasher whose limiter's one slot is held by the fixture.
type busyHashers struct{ reg *hashers.Registry }

func (b busyHashers) Authenticate(r core.Request) (*core.Identity, error) {
	if r.Header("X-Test-Hashers-Busy") == "" {
		return nil, nil
	}
	_, err := b.reg.MakePassword(r.Context(), "pw")
	return nil, err
}

func newBusyHashers(t testing.TB) busyHashers {
	lim := hashers.NewLimiter(1)
	lim.MaxWait = BusyWait
	if err := lim.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lim.Release)
	pb := hashers.NewPBKDF2SHA256Hasher()
	pb.Iterations, pb.Limiter = 1000, lim
	return busyHashers{reg: hashers.New(pb)}
}

// secret keys the session auth hashes and signs the tokens (HS256).
const secret = "adaptertest-secret-key-of-at-least-32-bytes"

// RemoteUserHeader is the header of the fixture's remote-user
// authenticator, believed from 127.0.0.1 and ::1 (the suite's client), not from
// the other loopback addresses.
const RemoteUserHeader = "X-Remote-User"

// The login rates of the fixtures: Run's main fixture lets the suite's
// few wrong passwords through; its login-throttle fixture allows
// ThrottledLoginRate.
const (
	mainLoginRate      = "1000/min"
	ThrottledLoginRate = "5/min"
)

// NewFixture builds the users (alice, bob, editor with blog.change_post
// through a group, admin, inactive carol, erin with TOTP on; password
// "pw-<name>") and the engine, whose authenticators run in this order: Basic over a
// ModelBackend (so every 401 carries `Basic realm="api"`), Bearer JWTs,
// the session with its CSRF check, the remote user of RemoteUserHeader
// from 127.0.0.1 and ::1 with the same CSRF check, then the store-down and
// busy-hasher authenticators.
//
// The token endpoint, the session login and Basic share LoginGuard (at
// 1000 failures a minute) and MFA.
func NewFixture(t testing.TB) *Fixture { return newFixture(t, fixtureConfig{loginRate: mainLoginRate}) }

// fixtureConfig is what differs between the fixtures of Run and
// RunAttacks.
type fixtureConfig struct {
	// loginRate is the rate of LoginGuard.
	loginRate string
	// asymmetric signs the tokens with an RS256 key (kid "rs") and also
	// trusts an ES256 key (kid "es") instead of the HS256 secret: the
	// fixture of the key-confusion attacks.
	asymmetric bool
}

func newFixture(t testing.TB, cfg fixtureConfig) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{posts: map[int]*Post{}}
	f.clock.Store(time.Now().Truncate(time.Second).UnixNano())
	clock := f.now
	pb := hashers.NewPBKDF2SHA256Hasher()
	pb.Iterations = 1000
	users := core.NewDefaultUserManager()
	users.Hashers = hashers.New(countingHasher{PasswordHasher: pb, n: &f.hashes})
	for _, name := range []string{"alice", "bob", "editor", "carol"} {
		extra := map[string]any{}
		if name == "carol" {
			extra["is_active"] = false
		}
		if _, err := users.CreateUser(ctx, name, new("pw-"+name), extra); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := users.CreateSuperuser(ctx, "admin", new("pw-admin"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := users.CreateUser(ctx, "erin", new("pw-erin"), nil); err != nil {
		t.Fatal(err)
	}
	ed, _ := users.GetByUsername(ctx, "editor")
	ed.Groups = []core.Group{{ID: 1, Name: "editors", Permissions: []string{"blog.change_post"}}}
	if err := users.Update(ctx, ed); err != nil {
		t.Fatal(err)
	}
	backend := core.NewModelBackend(users)
	backend.Hashers = users.Hashers
	f.Users = users
	f.Register = &core.RegistrationEndpoint{Users: users}
	f.Private = []core.Permission{core.IsAuthenticated{}}
	f.Admin = []core.Permission{core.IsAdminUser{}}
	f.Posts = []core.Permission{core.IsAuthenticatedOrReadOnly{}}
	userRate, err := throttle.UserRateThrottle("2/min", memory.NewThrottleStore(0), throttle.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	f.Throttled = []core.Permission{userRate}
	// The guard believes X-Forwarded-For from 10.0.0.0/8, a proxy the
	// suite's loopback client is not.
	proxy := throttle.WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	if f.LoginGuard, err = throttle.NewLoginThrottle(cfg.loginRate, memory.NewThrottleStore(0), throttle.WithClock(clock), proxy); err != nil {
		t.Fatal(err)
	}
	if err := f.enrollErin(ctx, clock); err != nil {
		t.Fatal(err)
	}

	// Sessions, CSRF and the session endpoints, as Django wires them.
	mem := memory.NewSessionBackend(memory.WithSessionClock(clock), memory.WithSessionCleanupInterval(0))
	t.Cleanup(func() { _ = mem.Close() })
	f.store = &countingBackend{SessionBackend: mem}
	f.Sessions = sessions.NewManager(f.store)
	f.Sessions.Now = clock
	prot, err := csrf.New(csrf.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	f.CSRF = prot
	sessionAuth := sessions.NewSessionAuthentication([]byte(secret), backend)
	sessionAuth.CSRF = prot.Check
	f.CSRFToken = prot.TokenEndpoint()
	f.Login = &sessions.LoginEndpoint{
		Auth: sessionAuth, Backend: backend, BackendName: sessions.DefaultBackendName,
		Guard: f.LoginGuard, SecondFactor: f.MFA,
		Hooks: sessions.LoginHooks{RotateCSRF: func(r core.Request, w core.Response) error {
			_, err := prot.Rotate(r, w)
			return err
		}},
	}
	f.Logout = &sessions.LogoutEndpoint{Auth: sessionAuth}

	// simplejwt: HS256 pairs (or RS256 ones), on the fixture's clock,
	// rotated and blacklisted in memory.
	tm := tokens.NewTokenRotationManager(memory.NewBlacklist(), memory.NewRefreshStore())
	j, err := f.newJWT(cfg, jwtauth.WithRevocation(tm.Revocation()), jwtauth.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	tm.JWT, tm.Users = j, jwtauth.StoreUsers(users)
	f.TokenObtain = &tokens.ObtainPairEndpoint{Manager: tm, Backend: backend, Guard: f.LoginGuard, SecondFactor: f.MFA}

	// Remote users: the header X-Remote-User from the proxy at 127.0.0.1
	// (or ::1), CSRF-checked as sessions are (the proxy's login is
	// ambient). Other loopback addresses are untrusted clients.
	remote := core.NewRemoteUserAuthentication(RemoteUserHeader, users, netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128"))
	remote.CSRF = prot.CheckRequest

	f.Engine = core.NewEngine(
		&core.BasicAuthentication{Backend: backend, Guard: f.LoginGuard, SecondFactor: f.MFA},
		jwtauth.NewAuthentication(j, jwtauth.StoreUsers(users)),
		sessionAuth,
		remote,
		storeDown{},
		newBusyHashers(t),
	)
	isAuthor := core.ObjectPermissionFunc(func(_ context.Context, pc *core.PermissionContext, obj any) bool {
		p, ok := obj.(*Post)
		return ok && p.AuthorID == pc.User.GetID()
	})
	f.PostObject = []core.Permission{core.Or(isAuthor, core.HasPerm{"blog.change_post"})}
	alice, _ := users.GetByUsername(ctx, "alice")
	f.posts[1] = &Post{ID: 1, Title: "hello", AuthorID: alice.GetID()}
	f.next = 1
	return f
}

// enrollErin turns TOTP on for erin, keeping his secret and recovery
// codes for the suite.
func (f *Fixture) enrollErin(ctx context.Context, clock func() time.Time) error {
	m, err := mfa.New("adaptertest", mfa.NewMemoryStore(), []byte(secret))
	if err != nil {
		return err
	}
	f.MFA = m
	erin, err := f.Users.GetByUsername(ctx, "erin")
	if err != nil {
		return err
	}
	e, err := m.RegisterUser(ctx, erin.GetID(), "erin")
	if err != nil {
		return err
	}
	f.totpSecret = e.Secret
	// Confirmed ten steps before the clock, so that every code of the
	// suite's window is unused, and a code two steps old is refused for
	// its age alone.
	const enrolled = -10
	m.Now = func() time.Time { return clock().Add(enrolled * mfa.DefaultPeriod) }
	code, err := f.TOTP(enrolled)
	if err != nil {
		return err
	}
	if f.recovery, err = m.Confirm(ctx, erin.GetID(), code); err != nil {
		return err
	}
	m.Now = clock
	return nil
}

// TOTP is erin's code of the time step steps away from the fixture's
// clock (0 the current step, -2 the step a minute before).
func (f *Fixture) TOTP(steps int) (string, error) {
	at := f.now().Add(time.Duration(steps) * mfa.DefaultPeriod)
	return totp.GenerateCodeCustom(f.totpSecret, at, totp.ValidateOpts{Period: uint(mfa.DefaultPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// now is the fixture's clock: the time it was made at, until advance
// moves it.
func (f *Fixture) now() time.Time { return time.Unix(0, f.clock.Load()).UTC() }

// advance moves the fixture's clock d forward.
func (f *Fixture) advance(d time.Duration) { f.clock.Add(int64(d)) }

// newJWT is the fixture's token signer: HS256 with secret, or, for
// cfg.asymmetric, RS256 with a new key "rs" beside a verify-only ES256
// key "es".
func (f *Fixture) newJWT(cfg fixtureConfig, opts ...jwtauth.Option) (*jwtauth.JWTAuth, error) {
	if !cfg.asymmetric {
		return jwtauth.New([]byte(secret), opts...)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	f.rsaPublic, f.ecPublic = &rk.PublicKey, &ek.PublicKey
	rs, err := jwtauth.NewKey("rs", jwtauth.RS256, rk)
	if err != nil {
		return nil, err
	}
	es, err := jwtauth.NewKey("es", jwtauth.ES256, &ek.PublicKey)
	if err != nil {
		return nil, err
	}
	j, err := jwtauth.NewWithKey(rs, opts...)
	if err != nil {
		return nil, err
	}
	return j, j.AddKey(es)
}

// countingHasher is the fixture's password hasher: it counts every hash
// and verification in n, then does it with the PasswordHasher.
type countingHasher struct {
	hashers.PasswordHasher
	n *atomic.Int64
}

func (h countingHasher) Hash(ctx context.Context, password string) (string, error) {
	h.n.Add(1)
	return h.PasswordHasher.Hash(ctx, password)
}

func (h countingHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	h.n.Add(1)
	return h.PasswordHasher.Verify(ctx, password, encoded)
}

// countingBackend is the session store of the suite: it counts the
// writes (saves and deletions) that reach it, so that the suite can tell
// a session that was not saved, and fails every call while down is set.
type countingBackend struct {
	sessions.SessionBackend
	writes atomic.Int64
	down   atomic.Bool
}

// errSessionStoreDown is the error of the session store while it is down.
var errSessionStoreDown = fmt.Errorf("adaptertest: session store down: %w", core.ErrStoreUnavailable)

func (b *countingBackend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if b.down.Load() {
		return sessions.Record{}, false, errSessionStoreDown
	}
	return b.SessionBackend.Load(ctx, id)
}

func (b *countingBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	if b.down.Load() {
		return errSessionStoreDown
	}
	b.writes.Add(1)
	return b.SessionBackend.Save(ctx, id, rec)
}

func (b *countingBackend) Delete(ctx context.Context, id sessions.SessionID) error {
	if b.down.Load() {
		return errSessionStoreDown
	}
	b.writes.Add(1)
	return b.SessionBackend.Delete(ctx, id)
}

func (b *countingBackend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	if b.down.Load() {
		return false, errSessionStoreDown
	}
	return b.SessionBackend.Exists(ctx, id)
}

// rehash stores the user's password again under a new salt, as a password
// change does: the session auth hash of the user's sessions no longer
// matches, and they end at their next request.
func (f *Fixture) rehash(username string) error {
	ctx := context.Background()
	u, err := f.Users.GetByUsername(ctx, username)
	if err != nil {
		return err
	}
	encoded, err := f.Users.Hashers.MakePassword(ctx, "pw-"+username)
	if err != nil {
		return err
	}
	return f.Users.SetPasswordHash(ctx, u.GetID(), encoded)
}

// WhoAmI is the body of /open, /private and /admin for the request's
// context.
func (f *Fixture) WhoAmI(ctx context.Context) Who {
	id := core.IdentityFromContext(ctx)
	return Who{User: id.User.GetUsername(), Method: id.Method}
}

// ListPosts returns the posts in id order.
func (f *Fixture) ListPosts() []Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Post, 0, len(f.posts))
	for i := 1; i <= f.next; i++ {
		if p, ok := f.posts[i]; ok {
			out = append(out, *p)
		}
	}
	return out
}

type postIn struct {
	Title string `json:"title"`
}

// CreatePost decodes {"title"} from r (JSON or form, capped, unknown
// fields refused) and stores a post by the current user: 201 and the post.
func (f *Fixture) CreatePost(r core.Request) (int, any, error) {
	var in postIn
	if err := core.DecodeBody(r, f.Engine.MaxBodyBytes, &in); err != nil {
		return 0, nil, err
	}
	if in.Title == "" {
		return 0, nil, core.ValidationError{"title": {"This field is required."}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	p := &Post{ID: f.next, Title: in.Title, AuthorID: core.UserFromContext(r.Context()).GetID()}
	f.posts[p.ID] = p
	return http.StatusCreated, *p, nil
}

// UpdatePost loads post id (404 when missing), calls check with it — the
// adapter's object-permission check for f.PostObject — and changes its
// title from the body: 200 and the post.
func (f *Fixture) UpdatePost(r core.Request, id string, check func(obj any) error) (int, any, error) {
	n, err := strconv.Atoi(id)
	f.mu.Lock()
	p, ok := f.posts[n]
	f.mu.Unlock()
	if err != nil || !ok {
		return 0, nil, core.ErrNotFound
	}
	if err := check(p); err != nil {
		return 0, nil, err
	}
	var in postIn
	if err := core.DecodeBody(r, f.Engine.MaxBodyBytes, &in); err != nil {
		return 0, nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p.Title = in.Title
	return http.StatusOK, *p, nil
}

// Visit is the body of /visits (count true: the counter in the session
// goes up by one, so the session is modified and saved) and /peek (count
// false: the counter is only read). s is the request's session as the
// adapter's session accessor returns it; nil (no session middleware) is a
// server error.
func (f *Fixture) Visit(s *sessions.Session, count bool) (int, any, error) {
	if s == nil {
		return 0, nil, errors.New("adaptertest: the request has no session; is the session middleware installed?")
	}
	n, _ := sessions.GetAs[int](s, visitsKey)
	if count {
		n++
		s.Set(visitsKey, n)
	}
	return http.StatusOK, Visits{Visits: n}, nil
}

// ServeHTTPHandler serves h on l until the test ends: the harness of any
// adapter whose framework gives an http.Handler (net/http, Gin, Echo).
func ServeHTTPHandler(t *testing.T, l net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 64 << 10}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
}
