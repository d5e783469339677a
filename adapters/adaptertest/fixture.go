package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

// Harness is what an adapter provides to the suite.
type Harness interface {
	// Serve serves the routes below for f on l until the test ends
	// (register the shutdown with t.Cleanup). The routes, each written the
	// way a user of the framework would write them:
	//
	//	all routes        behind the adapter's authentication middleware for f.Engine
	//	GET  /open        no guard; f.WhoAmI
	//	GET  /private     guard f.Private (IsAuthenticated); f.WhoAmI
	//	GET  /admin       guard f.Admin (IsAdminUser); f.WhoAmI
	//	GET  /posts       guard f.Posts (IsAuthenticatedOrReadOnly); f.ListPosts
	//	POST /posts       guard f.Posts; f.CreatePost
	//	PUT  /posts/{id}  guard f.Posts; f.UpdatePost, which runs the
	//	                  adapter's object-permission check through the
	//	                  check function it is given
	//	POST /register    the core endpoint f.Register, mounted natively
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
	// Private, Admin and Posts are the guards of the routes.
	Private, Admin, Posts []core.Permission
	// PostObject is the object permission of PUT /posts/{id}: the author,
	// or a holder of blog.change_post.
	PostObject []core.Permission

	mu    sync.Mutex
	posts map[int]*Post
	next  int
}

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

// NewFixture builds the users (alice, bob, editor with blog.change_post
// through a group, admin, inactive carol; password "pw-<name>") and the
// engine: Basic authentication over a ModelBackend, then the store-down
// authenticator.
func NewFixture(t testing.TB) *Fixture {
	t.Helper()
	ctx := context.Background()
	pb := hashers.NewPBKDF2SHA256Hasher()
	pb.Iterations = 1000
	users := core.NewDefaultUserManager()
	users.Hashers = hashers.New(pb)
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
	ed, _ := users.GetByUsername(ctx, "editor")
	ed.Groups = []core.Group{{ID: 1, Name: "editors", Permissions: []string{"blog.change_post"}}}
	if err := users.Update(ctx, ed); err != nil {
		t.Fatal(err)
	}
	backend := core.NewModelBackend(users)
	backend.Hashers = users.Hashers
	f := &Fixture{
		Engine:   core.NewEngine(&core.BasicAuthentication{Backend: backend}, storeDown{}),
		Users:    users,
		Register: &core.RegistrationEndpoint{Users: users},
		Private:  []core.Permission{core.IsAuthenticated{}},
		Admin:    []core.Permission{core.IsAdminUser{}},
		Posts:    []core.Permission{core.IsAuthenticatedOrReadOnly{}},
		posts:    map[int]*Post{},
	}
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
