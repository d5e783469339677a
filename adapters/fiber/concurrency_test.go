package fiberauth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// seen is what a handler kept of its request: the identity it was given
// and strings taken from it and from the adapter's Request. They are read
// again after the response, once fasthttp has reused the request's
// buffers for thousands of other requests: a string that aliased a
// buffer would have changed by then.
type seen struct {
	identity *core.Identity
	local    *core.Identity // c.Locals(IdentityKey)
	user     core.User      // c.Locals(UserKey)
	username string
	method   string
	claim    string // the username claim of a JWT
	header   string // the Authorization header, through the adapter
	path     string
	query    string
}

// TestConcurrentIdentities sends 10,000 concurrent requests, each with a
// user of its own (half Bearer JWTs, verified for the first time and then
// again from the token cache; half Basic), over 64 keep-alive
// connections. Every handler records the identity it saw; each client
// checks, once it has the response, that the record is its own user, and
// all records are checked again at the end. Zero mismatches.
func TestConcurrentIdentities(t *testing.T) {
	const total, clients = 10_000, 64
	ctx := context.Background()

	j, err := jwtauth.New([]byte("a-test-secret-of-at-least-32-bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	pb := hashers.NewPBKDF2SHA256Hasher()
	pb.Iterations = 1 // cheap users; the hash is not what is tested
	users := core.NewDefaultUserManager()
	users.Hashers = hashers.New(pb)
	backend := core.NewModelBackend(users)
	backend.Hashers = users.Hashers

	name := func(i int) string { return fmt.Sprintf("user-%05d", i) }
	auth := make([]string, total)
	for i := range total {
		if i%2 == 0 {
			tok, err := j.GenerateToken(strconv.Itoa(i+1_000_000), name(i))
			if err != nil {
				t.Fatal(err)
			}
			auth[i] = "Bearer " + tok
			continue
		}
		pw := "pw-" + name(i)
		if _, err := users.CreateUser(ctx, name(i), &pw, nil); err != nil {
			t.Fatal(err)
		}
		auth[i] = "Basic " + base64.StdEncoding.EncodeToString([]byte(name(i)+":"+pw))
	}
	engine := core.NewEngine(jwtauth.NewAuthentication(j, nil), &core.BasicAuthentication{Backend: backend})

	slots := make([]atomic.Pointer[seen], total)
	app := newApp(engine)
	app.Use(fiberauth.Middleware(engine))
	app.Get("/who/:n", fiberauth.Require(core.IsAuthenticated{}), func(c *fiber.Ctx) error {
		n, err := strconv.Atoi(c.Params("n"))
		if err != nil || n < 0 || n >= total {
			return fiber.ErrBadRequest
		}
		id := fiberauth.Identity(c)
		r := fiberauth.NewRequest(c)
		s := &seen{
			identity: id,
			username: id.User.GetUsername(),
			method:   id.Method,
			header:   r.Header("Authorization"),
			path:     r.Path(),
			query:    r.Query("q"),
		}
		s.local, _ = c.Locals(fiberauth.IdentityKey).(*core.Identity)
		s.user, _ = c.Locals(fiberauth.UserKey).(core.User)
		if claims, ok := id.Credentials.(*jwtauth.Claims); ok {
			s.claim = claims.Username
		}
		slots[n].Store(s)
		return c.SendString(s.username)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, app, l)

	var mismatches atomic.Int64
	var mu sync.Mutex
	var reports []string
	report := func(format string, args ...any) {
		mismatches.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if len(reports) < 20 {
			reports = append(reports, fmt.Sprintf(format, args...))
		}
	}
	check := func(i int, when string) {
		s := slots[i].Load()
		want, wantMethod := name(i), "basic"
		if i%2 == 0 {
			wantMethod = "jwt"
		}
		switch {
		case s == nil:
			report("request %d (%s): the handler recorded nothing", i, when)
		case s.username != want || s.identity.User.GetUsername() != want || s.user.GetUsername() != want:
			report("request %d (%s): user %q / %q / %q, want %q", i, when, s.username, s.identity.User.GetUsername(), s.user.GetUsername(), want)
		case s.local != s.identity || s.method != wantMethod || s.identity.Method != wantMethod:
			report("request %d (%s): locals and context disagree, or method %q", i, when, s.method)
		case wantMethod == "jwt" && s.claim != want:
			report("request %d (%s): claim %q, want %q", i, when, s.claim, want)
		case s.header != auth[i] || s.path != "/who/"+strconv.Itoa(i) || s.query != want:
			report("request %d (%s): strings kept from the request changed: %.40q %q %q", i, when, s.header, s.path, s.query)
		}
	}

	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
	}
	defer client.CloseIdleConnections()
	base := "http://" + l.Addr().String()
	// Two rounds: JWTs are verified the first time and come from the token
	// cache the second.
	for round := range 2 {
		for i := range slots {
			slots[i].Store(nil)
		}
		next := atomic.Int64{}
		var wg sync.WaitGroup
		start := time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= total {
						return
					}
					req, _ := http.NewRequest("GET", base+"/who/"+strconv.Itoa(i)+"?q="+name(i), nil)
					req.Header.Set("Authorization", auth[i])
					resp, err := client.Do(req)
					if err != nil {
						report("request %d: %v", i, err)
						continue
					}
					body, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 || string(body) != name(i) {
						report("request %d: %d %q, want 200 %q (%v)", i, resp.StatusCode, body, name(i), err)
						continue
					}
					check(i, "after its response")
				}
			}()
		}
		wg.Wait()
		for i := range total {
			check(i, "after all responses")
		}
		t.Logf("round %d: %d requests over %d connections in %v", round+1, total, clients, time.Since(start).Round(time.Millisecond))
	}
	if n := mismatches.Load(); n != 0 {
		t.Fatalf("%d mismatches; first ones:\n%s", n, reports)
	}
}
