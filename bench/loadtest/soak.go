package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakMetrics are the showcase's /metrics samples the soak reports.
var soakMetrics = []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_open_fds", "process_resident_memory_bytes"}

// soakQuiet is how long the soak waits after the traffic stops (and its
// clients closed their connections) before it reads the server's figures.
const soakQuiet = 3 * time.Second

// runSoak serves mixed traffic to framework's showcase: workers clients
// in a loop of the flows of soakFlows (logins, JWT requests, refresh,
// blacklist, session login and logout, OAuth2 client credentials and
// introspection, wrong passwords). It reads goroutines, heap in use,
// open file descriptors and RSS from /metrics after a warm-up of
// soakWarmup ("start") and after d more of traffic ("end"), each time
// once the traffic has stopped and its connections are closed.
func runSoak(ctx context.Context, fx *fixture, fw string, d time.Duration, workers int, w, summary io.Writer) error {
	p, err := fx.startShowcase(ctx, fw, "soak", nil, nil)
	if err != nil {
		return err
	}
	defer p.stop()
	s := &soak{fx: fx, p: p}
	name := "BenchmarkSoak/framework=" + fw
	warmup := min(d/10, 30*time.Second)
	if _, err := s.traffic(ctx, warmup, workers); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	for i := range s.flows {
		s.flows[i].Store(0)
	}
	start, err := s.snapshot()
	if err != nil {
		return err
	}
	writeSnapshot(w, name+"/at=start", start)
	t0 := time.Now()
	n, trafficErr := s.traffic(ctx, d, workers)
	elapsed := time.Since(t0)
	end, err := s.snapshot()
	if err != nil {
		return err
	}
	writeSnapshot(w, name+"/at=end", end)
	fmt.Fprintf(w, "%s/traffic \t%d\t%.0f ns/op\t%d errors\n", name, n, float64(elapsed.Nanoseconds())/float64(max(n, 1)), s.errors.Load())
	fmt.Fprintf(summary, "\nsoak of %s on %s, %d clients, %d requests, %d errors; flows run: %s\n", d, fw, workers, n, s.errors.Load(), s.flowCounts())
	fmt.Fprintf(summary, "%-32s %14s %14s\n", "", "start", "end")
	for _, m := range soakMetrics {
		fmt.Fprintf(summary, "%-32s %14.0f %14.0f\n", m, start[m], end[m])
	}
	return trafficErr
}

func writeSnapshot(w io.Writer, name string, m map[string]float64) {
	fmt.Fprintf(w, "%s \t1\t%.0f goroutines\t%.0f heap-inuse-bytes\t%.0f open-fds\t%.0f rss-bytes\n",
		name, m["go_goroutines"], m["go_memstats_heap_inuse_bytes"], m["process_open_fds"], m["process_resident_memory_bytes"])
}

// soak is the state of a soak run.
type soak struct {
	fx     *fixture
	p      *proc
	errors atomic.Int64
	flows  [len(soakFlowNames)]atomic.Int64 // runs of each flow

	mu       sync.Mutex
	firstErr error
}

// snapshot reads the soak's metrics after soakQuiet, over a connection
// of its own that is closed afterwards.
func (s *soak) snapshot() (map[string]float64, error) {
	time.Sleep(soakQuiet)
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	return scrapeMetrics(c, s.p.url("/metrics"), soakMetrics...)
}

// traffic runs workers clients through the flows for d and returns the
// number of requests sent; every client's connections are closed when it
// returns. An answer that is not the one expected counts as an error; the
// first is returned.
func (s *soak) traffic(ctx context.Context, d time.Duration, workers int) (int64, error) {
	var n atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 4}
			defer tr.CloseIdleConnections()
			c := &soakClient{s: s, tr: tr, n: &n}
			for k := i; time.Now().Before(end) && ctx.Err() == nil; k++ {
				f := soakFlows[k%len(soakFlows)]
				s.flows[k%len(soakFlows)].Add(1)
				if err := f.run(c); err != nil {
					s.fail(fmt.Errorf("%s: %w", f.name, err))
				}
			}
		})
	}
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return n.Load(), s.firstErr
}

func (s *soak) fail(err error) {
	if s.errors.Add(1) <= 5 {
		fmt.Fprintln(os.Stderr, "loadtest: soak:", err)
	}
	s.mu.Lock()
	if s.firstErr == nil {
		s.firstErr = err
	}
	s.mu.Unlock()
}

// soakClient sends one worker's requests.
type soakClient struct {
	s  *soak
	tr *http.Transport
	n  *atomic.Int64
}

// call sends a request and checks its status. header holds "Name: value"
// lines.
func (c *soakClient) call(hc *http.Client, method, path, contentType, body string, want int, header ...string) ([]byte, error) {
	req, err := http.NewRequest(method, c.s.p.url(path), strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	c.n.Add(1)
	status, b, err := do(hc, req)
	if err != nil {
		return nil, err
	}
	if status != want {
		return b, fmt.Errorf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	return b, nil
}

func (c *soakClient) client() *http.Client {
	return &http.Client{Transport: c.tr, Timeout: time.Minute}
}

// soakFlows are the flows a soak client runs in turn.
var soakFlows = []struct {
	name string
	run  func(c *soakClient) error
}{
	{soakFlowNames[0], (*soakClient).jwtFlow},
	{soakFlowNames[1], (*soakClient).sessionFlow},
	{soakFlowNames[2], (*soakClient).oauth2Flow},
	{soakFlowNames[3], (*soakClient).wrongPassword},
}

// soakFlowNames names soakFlows, in their order.
var soakFlowNames = [...]string{"jwt", "session", "oauth2", "wrong-password"}

// flowCounts says how many times each flow ran.
func (s *soak) flowCounts() string {
	var v []string
	for i, name := range soakFlowNames {
		v = append(v, fmt.Sprintf("%s %d", name, s.flows[i].Load()))
	}
	return strings.Join(v, ", ")
}

const jsonType = "application/json"

// jwtFlow logs in for a token pair, uses the access token, refreshes
// (rotation), uses the new access token, blacklists the new refresh token
// (simplejwt's logout) and checks that it no longer refreshes.
func (c *soakClient) jwtFlow() error {
	hc := c.client()
	creds, _ := json.Marshal(map[string]string{"username": "alice", "password": c.s.fx.alicePassword})
	b, err := c.call(hc, "POST", "/api/token", jsonType, string(creds), http.StatusOK)
	if err != nil {
		return err
	}
	var pair tokenPair
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	for range 5 {
		if _, err := c.call(hc, "GET", route, "", "", http.StatusOK, "Authorization: Bearer "+pair.Access); err != nil {
			return err
		}
	}
	b, err = c.call(hc, "POST", "/api/token/refresh", jsonType, `{"refresh":"`+pair.Refresh+`"}`, http.StatusOK)
	if err != nil {
		return err
	}
	var next tokenPair
	if err := json.Unmarshal(b, &next); err != nil {
		return err
	}
	if _, err := c.call(hc, "GET", route, "", "", http.StatusOK, "Authorization: Bearer "+next.Access); err != nil {
		return err
	}
	if _, err := c.call(hc, "POST", "/api/token/blacklist", jsonType, `{"refresh":"`+next.Refresh+`"}`, http.StatusOK); err != nil {
		return err
	}
	_, err = c.call(hc, "POST", "/api/token/refresh", jsonType, `{"refresh":"`+next.Refresh+`"}`, http.StatusUnauthorized)
	return err
}

// sessionFlow logs in with a session (CSRF token first), asks for
// /api/me with the cookie, logs out and checks that the session is gone.
func (c *soakClient) sessionFlow() error {
	jar, _ := cookiejar.New(nil)
	hc := c.client()
	hc.Jar = jar
	b, err := c.call(hc, "GET", "/api/auth/csrf", "", "", http.StatusOK)
	if err != nil {
		return err
	}
	var csrf struct {
		Token string `json:"csrfToken"`
	}
	if err := json.Unmarshal(b, &csrf); err != nil {
		return err
	}
	creds, _ := json.Marshal(map[string]string{"username": "alice", "password": c.s.fx.alicePassword})
	if _, err := c.call(hc, "POST", "/api/auth/login", jsonType, string(creds), http.StatusOK, "X-CSRFToken: "+csrf.Token); err != nil {
		return err
	}
	if _, err := c.call(hc, "GET", route, "", "", http.StatusOK); err != nil {
		return err
	}
	// The login rotated the CSRF secret: the new cookie's value is the
	// token now.
	u, _ := url.Parse(c.s.p.url("/"))
	token := ""
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "csrftoken" {
			token = ck.Value
		}
	}
	if _, err := c.call(hc, "POST", "/api/auth/logout", "", "", http.StatusNoContent, "X-CSRFToken: "+token); err != nil {
		return err
	}
	_, err = c.call(hc, "GET", route, "", "", http.StatusUnauthorized)
	return err
}

// oauth2Flow gets a client-credentials token for the demo confidential
// client and introspects it.
func (c *soakClient) oauth2Flow() error {
	hc := c.client()
	form := "application/x-www-form-urlencoded"
	req, _ := http.NewRequest("POST", "/", nil)
	req.SetBasicAuth(c.s.fx.clientID, c.s.fx.clientSecret)
	basic := "Authorization: " + req.Header.Get("Authorization")
	b, err := c.call(hc, "POST", "/o/token", form, "grant_type=client_credentials&scope=read", http.StatusOK, basic)
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("/o/token: %s: %v", b, err)
	}
	b, err = c.call(hc, "POST", "/o/introspect", form, "token="+url.QueryEscape(tok.AccessToken), http.StatusOK, basic)
	if err != nil {
		return err
	}
	if !strings.Contains(string(b), `"active":true`) {
		return fmt.Errorf("/o/introspect: %s", b)
	}
	return nil
}

// wrongPassword asks for a token with a wrong password: 401.
func (c *soakClient) wrongPassword() error {
	_, err := c.call(c.client(), "POST", "/api/token", jsonType, `{"username":"alice","password":"wrong password"}`, http.StatusUnauthorized)
	return err
}
