package httpauth_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/adapters/adaptertest"
	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
)

type harness struct{}

func (harness) Serve(t *testing.T, f *adaptertest.Fixture, l net.Listener) {
	mux := http.NewServeMux()
	who := func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, f.WhoAmI(r.Context())) }
	// "GET /path" patterns serve HEAD too; the bare path takes every
	// other method.
	mux.HandleFunc("GET /open", who)
	mux.Handle("/open", methodNotAllowed("GET, HEAD"))
	mux.Handle("GET /private", httpauth.Require(f.Private...)(http.HandlerFunc(who)))
	mux.Handle("/private", httpauth.Require(f.Private...)(methodNotAllowed("GET, HEAD")))
	mux.Handle("GET /admin", httpauth.Require(f.Admin...)(http.HandlerFunc(who)))
	mux.Handle("GET /throttled", httpauth.Require(f.Throttled...)(http.HandlerFunc(who)))
	posts := httpauth.Require(f.Posts...)
	mux.Handle("GET /posts", posts(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, f.ListPosts())
	})))
	mux.Handle("POST /posts", posts(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(f.CreatePost(core.NewHTTPRequest(r)))
	})))
	mux.Handle("PUT /posts/{id}", posts(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(f.UpdatePost(core.NewHTTPRequest(r), r.PathValue("id"), func(obj any) error {
			return httpauth.CheckObjectPermissions(r, obj, f.PostObject...)
		}))
	})))
	mux.HandleFunc("GET /visits", func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(f.Visit(httpauth.SessionFrom(r), true))
	})
	mux.HandleFunc("GET /peek", func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(f.Visit(httpauth.SessionFrom(r), false))
	})
	mux.Handle("POST /register", httpauth.Endpoint(f.Register))
	mux.Handle("GET /csrf", httpauth.Endpoint(f.CSRFToken))
	mux.Handle("POST /login", httpauth.Endpoint(f.Login))
	mux.Handle("POST /logout", httpauth.Endpoint(f.Logout))
	mux.Handle("POST /token", httpauth.Endpoint(f.TokenObtain))
	// net/http's session middleware is the Manager's own; Prepare gives
	// the CSRF check the Host and the form's csrfmiddlewaretoken.
	h := httpauth.Sessions(f.Sessions)(httpauth.CSRF(f.CSRF)(httpauth.Middleware(f.Engine)(mux)))
	adaptertest.ServeHTTPHandler(t, l, h)
}

// methodNotAllowed is DRF's 405 for a view that serves allow.
func methodNotAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		httpauth.WriteError(w, r, core.MethodNotAllowed(r.Method))
	})
}

func reply(w http.ResponseWriter, r *http.Request) func(int, any, error) {
	return func(status int, v any, err error) {
		if err != nil {
			httpauth.WriteError(w, r, err)
			return
		}
		writeJSON(w, status, v)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	_ = core.WriteJSON(core.NewHTTPResponse(w), status, v)
}

func TestConformance(t *testing.T) { adaptertest.Run(t, harness{}) }

func TestAttacks(t *testing.T) { adaptertest.RunAttacks(t, harness{}) }
