package examples_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// Fault tests: a showcase with PostgreSQL and Redis (-redis, -sessions
// redis) under concurrent load, while the test stops or pauses one of the
// stores, which it runs as a process of its own (storeprocs_test.go).
// TestStoreFaults runs two of the four faults by default (a paused Redis
// on Gin, a killed PostgreSQL on Fiber); REINHARDT_FAULTS=all (make
// test-faults) runs each on each of the four frameworks.

const (
	// faultRequestTimeout is the showcase's -request-timeout in these
	// tests: every request must end by then (plus faultMargin) while a
	// store is down or hangs.
	faultRequestTimeout = 2 * time.Second
	// faultMargin is what a request may take beyond the timeout: writing
	// the 503 and scheduling on a shared 2-core machine under the race
	// detector. A correctness bound (the request does not hang), not a
	// speed benchmark.
	faultMargin = 1500 * time.Millisecond
	faultSecret = "fault-tests-secret-key-0123456789abcdefghijklmnop"
)

// route is one kind of request of the load.
type route string

const (
	routeSession route = "session /api/me"
	routeJWT     route = "JWT /api/me"
	routeLogin   route = "POST /api/token"
)

// sample is one request of the load.
type sample struct {
	route      route
	start, end time.Time
	status     int
	err        error
}

type fault struct {
	name string
	// store is "redis" or "database"; apply breaks it, repair brings it back.
	store           string
	apply, repair   func(redis, pg *storeProc)
	ownPostgres     bool    // fault the database: run PostgreSQL as a process of the test's own
	depends         []route // the routes that need the faulted store: never 200 while it is down
	sessionsSurvive bool    // the session from before the fault works again after it
	fast            string  // the framework it runs on by default (make test); every one with REINHARDT_FAULTS=all
}

func TestStoreFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and stores")
	}
	faults := []fault{
		{name: "RedisPaused", store: "redis", fast: "gin",
			apply:  func(r, _ *storeProc) { r.Pause() },
			repair: func(r, _ *storeProc) { r.Resume() },
			// The login throttle's counters and the sessions are in Redis;
			// access tokens are checked against the database (their
			// valid-after stamps and the blacklist): when -redis moves
			// those to Redis too, routeJWT belongs here.
			depends: []route{routeSession, routeLogin}, sessionsSurvive: true},
		{name: "RedisStopped", store: "redis",
			apply:   func(r, _ *storeProc) { r.Stop(syscall.SIGTERM) },
			repair:  func(r, _ *storeProc) { r.Restart() },
			depends: []route{routeSession, routeLogin}}, // no persistence: the sessions are gone
		{name: "PostgresKilled", store: "database", ownPostgres: true, fast: "fiber",
			apply:   func(_, p *storeProc) { p.Stop(syscall.SIGKILL) },
			repair:  func(_, p *storeProc) { p.Restart() },
			depends: []route{routeSession, routeJWT, routeLogin}, sessionsSurvive: true},
		{name: "PostgresPaused", store: "database", ownPostgres: true,
			apply:   func(_, p *storeProc) { p.Pause() },
			repair:  func(_, p *storeProc) { p.Resume() },
			depends: []route{routeSession, routeJWT, routeLogin}, sessionsSurvive: true},
	}
	all := os.Getenv("REINHARDT_FAULTS") == "all"
	var bins map[string]string
	if all {
		bins = buildServers(t)
	} else {
		bins = buildServers(t, "gin", "fiber")
	}
	for _, f := range faults {
		for _, fw := range frameworks {
			t.Run(f.name+"/"+fw, func(t *testing.T) {
				if f.fast != fw && !all {
					t.Skip("REINHARDT_FAULTS=all (make test-faults) runs this fault on every framework")
				}
				runFault(t, fw, bins[fw], f)
			})
		}
	}
}

func runFault(t *testing.T, framework, bin string, f fault) {
	redisProc, redisURL := startRedis(t)
	var pgProc *storeProc
	var db string
	if f.ownPostgres {
		pgProc, db = startPostgres(t)
	} else {
		db = showcasetest.PostgresDB(t)
	}
	s := startShowcase(t, framework, bin, "-db", db, "-redis", redisURL, "-sessions", "redis", "-secret", faultSecret,
		"-request-timeout", faultRequestTimeout.String(), "-login-rate", "10000/min")
	c := newAgent(s.base)
	alice := s.demo["alice"]
	session := c.mustSessionLogin(t, "alice", alice)
	access := c.mustToken(t, "alice", alice)
	if st, body := c.get("/readyz", ""); st != 200 || body != `{"status":"ready","checks":{"database":"ok","redis":"ok"}}` {
		t.Fatalf("/readyz before the fault: %d %s", st, body)
	}
	baseline := c.goroutines(t)

	// The load: 20 clients, 8 on a session-protected route, 8 on a
	// JWT-protected one, 4 logging in for tokens.
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	var samples []sample
	var wg sync.WaitGroup
	for i := range 20 {
		r := routeSession
		switch {
		case i >= 16:
			r = routeLogin
		case i >= 8:
			r = routeJWT
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				smp := c.hit(r, session, access, alice)
				mu.Lock()
				samples = append(samples, smp)
				mu.Unlock()
				if r == routeLogin {
					time.Sleep(100 * time.Millisecond) // each login hashes a password: keep the CPU for the others
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	f.apply(redisProc, pgProc)
	faultAt := time.Now()
	time.Sleep(faultRequestTimeout + 1500*time.Millisecond)
	// /readyz names the store, within its one second.
	start := time.Now()
	st, body := c.get("/readyz", "")
	if took := time.Since(start); took > time.Second+faultMargin {
		t.Errorf("/readyz with the %s down took %v", f.store, took)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	_ = json.Unmarshal([]byte(body), &ready)
	if st != 503 || ready.Status != "unavailable" || ready.Checks[f.store] == "ok" || ready.Checks[f.store] == "" {
		t.Errorf("/readyz with the %s down: %d %s; want 503 naming %s", f.store, st, body, f.store)
	}
	if other := map[string]string{"redis": "database", "database": "redis"}[f.store]; ready.Checks[other] != "ok" {
		t.Errorf("/readyz with the %s down: %s; the %s is up", f.store, body, other)
	}
	repairAt := time.Now()
	f.repair(redisProc, pgProc)
	repaired := time.Now()
	time.Sleep(time.Second)
	stop()
	wg.Wait()

	// Every answer is a status of the contract: never a 500, never a
	// dropped connection.
	counts := map[route]map[string]int{}
	for _, smp := range samples {
		phase := "before"
		switch {
		case !smp.start.Before(faultAt) && !smp.end.After(repairAt):
			phase = "during"
		case smp.start.After(repaired):
			phase = "after"
		case !smp.start.Before(faultAt):
			phase = "across"
		}
		if counts[smp.route] == nil {
			counts[smp.route] = map[string]int{}
		}
		counts[smp.route][phase+" "+strconv.Itoa(smp.status)]++
		if smp.err != nil {
			t.Errorf("%s (%s): %v", smp.route, phase, smp.err)
			continue
		}
		if !slices.Contains([]int{200, 401, 503}, smp.status) {
			t.Errorf("%s (%s): status %d", smp.route, phase, smp.status)
		}
		if phase == "during" && slices.Contains(f.depends, smp.route) && smp.status == 200 {
			t.Errorf("%s answered 200 with the %s down (started %v after the fault)", smp.route, f.store, smp.start.Sub(faultAt))
		}
	}
	// Within the timeout: every request that started while the store was
	// down ended by -request-timeout plus the margin.
	var worst time.Duration
	for _, smp := range samples {
		if !smp.start.Before(faultAt) && smp.start.Before(repairAt) {
			worst = max(worst, smp.end.Sub(smp.start))
		}
	}
	t.Logf("%d requests; worst latency with the %s down %v (bound %v); by route and phase: %v", len(samples), f.store, worst, faultRequestTimeout+faultMargin, counts)
	if worst > faultRequestTimeout+faultMargin {
		t.Errorf("a request with the %s down took %v; -request-timeout is %v", f.store, worst, faultRequestTimeout)
	}
	for _, r := range []route{routeSession, routeJWT, routeLogin} {
		if counts[r]["before 200"] == 0 {
			t.Errorf("%s never answered 200 before the fault: %v", r, counts[r])
		}
		during := 0
		for k, n := range counts[r] {
			if strings.HasPrefix(k, "during") {
				during += n
			}
		}
		if slices.Contains(f.depends, r) && during == 0 {
			t.Errorf("%s: no request ran while the %s was down: %v", r, f.store, counts[r])
		}
	}

	// Back without a restart of the showcase: ready again, and every
	// route answers 200 (a new session when the old one was lost with
	// Redis's memory). A connection the pool kept from before a restart
	// fails the one request that finds it broken (503, and the pool drops
	// it): the database pool holds up to sqlstore.MaxPostgresConns (20).
	c.waitReady(t)
	if !f.sessionsSurvive {
		if smp := c.hit(routeSession, session, access, alice); smp.status != 401 {
			t.Errorf("the session from before Redis restarted without persistence: %d, want 401", smp.status)
		}
		session = c.mustSessionLogin(t, "alice", alice)
	}
	stale := 0
	for _, r := range []route{routeSession, routeJWT, routeLogin} {
		for {
			smp := c.hit(r, session, access, alice)
			if smp.status == 503 && smp.err == nil && stale < 25 {
				stale++
				continue
			}
			if smp.status != 200 || smp.err != nil {
				t.Errorf("%s after the %s came back: %d %v", r, f.store, smp.status, smp.err)
			}
			break
		}
	}
	t.Logf("after the %s came back: %d requests met a connection broken by the fault", f.store, stale)
	// No goroutine left behind by the requests that failed.
	c.checkGoroutines(t, baseline)
}

// agent is the load's HTTP client against one showcase.
type agent struct {
	base string
	hc   *http.Client
}

func newAgent(base string) *agent {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	// The client's own timeout is a guard against a hung server, well
	// above what any request may take.
	return &agent{base: base, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends a request and reads the whole answer.
func (a *agent) do(method, path, body string, headers ...string) (int, http.Header, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return 0, nil, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b), err
}

func (a *agent) get(path, cookie string) (int, string) {
	var h []string
	if cookie != "" {
		h = append(h, "Cookie: sessionid="+cookie)
	}
	st, _, body, err := a.do("GET", path, "", h...)
	if err != nil {
		return 0, err.Error()
	}
	return st, body
}

// sessionLogin logs in at /api/auth/login with CSRF, as a browser does,
// and returns the session cookie.
func (a *agent) sessionLogin(user, password string) (string, int, error) {
	st, hdr, body, err := a.do("GET", "/api/auth/csrf", "")
	if err != nil || st != 200 {
		return "", st, fmt.Errorf("csrf: %d %s %v", st, body, err)
	}
	var tok struct {
		Token string `json:"csrfToken"`
	}
	_ = json.Unmarshal([]byte(body), &tok)
	csrf := cookieValue(hdr, "csrftoken")
	cred, _ := json.Marshal(map[string]string{"username": user, "password": password})
	st, hdr, body, err = a.do("POST", "/api/auth/login", string(cred), "Cookie: csrftoken="+csrf, "X-CSRFToken: "+tok.Token)
	if err != nil || st != 200 {
		return "", st, fmt.Errorf("login: %d %s %v", st, body, err)
	}
	return cookieValue(hdr, "sessionid"), st, nil
}

func (a *agent) mustSessionLogin(t *testing.T, user, password string) string {
	t.Helper()
	s, _, err := a.sessionLogin(user, password)
	if err != nil || s == "" {
		t.Fatalf("session login as %s: %v", user, err)
	}
	return s
}

// token obtains an access token at /api/token.
func (a *agent) token(user, password string) (string, int, error) {
	cred, _ := json.Marshal(map[string]string{"username": user, "password": password})
	st, _, body, err := a.do("POST", "/api/token", string(cred))
	if err != nil || st != 200 {
		return "", st, fmt.Errorf("token: %d %s %v", st, body, err)
	}
	var pair struct{ Access string }
	_ = json.Unmarshal([]byte(body), &pair)
	return pair.Access, st, nil
}

func (a *agent) mustToken(t *testing.T, user, password string) string {
	t.Helper()
	tok, _, err := a.token(user, password)
	if err != nil || tok == "" {
		t.Fatalf("token for %s: %v", user, err)
	}
	return tok
}

// hit sends one request of the load on route r.
func (a *agent) hit(r route, session, access, password string) sample {
	smp := sample{route: r, start: time.Now()}
	switch r {
	case routeSession:
		smp.status, _, _, smp.err = a.do("GET", "/api/me", "", "Cookie: sessionid="+session)
	case routeJWT:
		smp.status, _, _, smp.err = a.do("GET", "/api/me", "", "Authorization: Bearer "+access)
	case routeLogin:
		cred, _ := json.Marshal(map[string]string{"username": "alice", "password": password})
		smp.status, _, _, smp.err = a.do("POST", "/api/token", string(cred))
	}
	smp.end = time.Now()
	return smp
}

// waitReady waits until /readyz answers 200.
func (a *agent) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st, body := a.get("/readyz", "")
		if st == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %s a minute after the store came back", st, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// goroutines is the showcase's go_goroutines (its /metrics), with this
// client's idle connections closed first, so that only the server's own
// goroutines count.
func (a *agent) goroutines(t *testing.T) int {
	t.Helper()
	a.hc.CloseIdleConnections()
	time.Sleep(200 * time.Millisecond)
	st, _, body, err := a.do("GET", "/metrics", "", "Connection: close")
	if err != nil || st != 200 {
		t.Fatalf("/metrics: %d %v", st, err)
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("go_goroutines %q", v)
			}
			return n
		}
	}
	t.Fatal("/metrics has no go_goroutines")
	return 0
}

// checkGoroutines fails the test when the showcase runs more than a few
// goroutines beyond baseline once the load has stopped: a request that
// failed on a store left one behind.
func (a *agent) checkGoroutines(t *testing.T, baseline int) {
	t.Helper()
	const slack = 10 // the pools' opener and cleaner goroutines, a connection being closed
	var n int
	// fasthttp (Fiber) keeps an idle worker goroutine up to 10 s, and
	// cleans them every 10 s.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if n = a.goroutines(t); n <= baseline+slack {
			t.Logf("goroutines: %d before the load, %d after", baseline, n)
			return
		}
	}
	t.Errorf("the showcase runs %d goroutines after the load, %d before: a leak", n, baseline)
}

func cookieValue(h http.Header, name string) string {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// startShowcase launches bin with args and waits for the demo users'
// passwords it prints on a new database.
func startShowcase(t *testing.T, framework, bin string, args ...string) *server {
	t.Helper()
	s, err := launch(t, framework, bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if demo := s.demoCredentials(); demo["alice"] != "" && demo["admin"] != "" {
			s.demo = demo
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s printed no demo credentials:\n%s", framework, strings.Join(s.output(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSessionsSurviveRedisCrash: with Redis's append-only file fsynced on
// every write (--appendonly yes --appendfsync always), every session
// login the showcase acknowledged (200 with its cookie) still works after
// Redis is killed (SIGKILL, while logins are in flight) and started again
// on the same files.
func TestSessionsSurviveRedisCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and stores")
	}
	bin := buildServers(t, "gin")["gin"]
	redisProc, redisURL := startRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	s := startShowcase(t, "gin", bin, "-db", showcasetest.TempDB(t), "-redis", redisURL, "-sessions", "redis",
		"-secret", faultSecret, "-request-timeout", faultRequestTimeout.String(), "-login-rate", "10000/min")
	c := newAgent(s.base)
	alice := s.demo["alice"]

	var mu sync.Mutex
	var acked []string
	refused := 0
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				session, st, err := c.sessionLogin("alice", alice)
				mu.Lock()
				switch {
				case err == nil && session != "":
					acked = append(acked, session)
				case st == 503 || st == 0:
					refused++ // Redis was gone: not acknowledged
				default:
					t.Errorf("login: %d %v", st, err)
				}
				mu.Unlock()
			}
		}()
	}
	// Kill Redis once a few dozen logins were acknowledged, with more in
	// flight.
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 30 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	redisProc.Stop(syscall.SIGKILL)
	time.Sleep(300 * time.Millisecond)
	stop()
	wg.Wait()
	redisProc.Restart()
	c.waitReady(t)

	if len(acked) < 30 {
		t.Fatalf("only %d logins were acknowledged in a minute", len(acked))
	}
	lost := 0
	for _, session := range acked {
		if st, body := c.get("/api/me", session); st != 200 {
			lost++
			t.Errorf("an acknowledged session after the Redis restart: %d %s", st, body)
		}
	}
	t.Logf("%d acknowledged session logins, %d lost after kill -9 and restart; %d refused while Redis was down", len(acked), lost, refused)
}
