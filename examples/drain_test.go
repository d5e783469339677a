package examples_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// drainLogins is how many session logins are in flight when SIGTERM
// arrives: each hashes a password, so each is still running then.
const drainLogins = 6

// TestSIGTERMDrains: SIGTERM lets the requests in flight finish before
// the program exits, and what they acknowledged stays written. Session
// logins are sent at once; when every one has its connection, the server
// gets SIGTERM. Every login must get a whole answer (none cut off), the
// program must exit cleanly, and every session a 200 acknowledged must
// authenticate on the program started again on the same database. On
// net/http (the Gin and Echo examples serve through it too) and on Fiber
// (fasthttp), whose shutdowns differ.
func TestSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	bins := buildServers(t, "stdhttp", "fiber")
	for _, fw := range []string{"stdhttp", "fiber"} {
		t.Run(fw, func(t *testing.T) {
			t.Parallel()
			db := "sqlite:" + filepath.Join(t.TempDir(), "showcase.sqlite3")
			args := []string{"-db", db, "-sessions", "db", "-login-rate", "1000/min"}
			s := startShowcase(t, fw, bins[fw], args...)
			password := s.demo["alice"]
			a := newAgent(s.base)

			// A CSRF token and cookie for each login, fetched before.
			type prepared struct{ cookie, token string }
			logins := make([]prepared, drainLogins)
			for i := range logins {
				st, hdr, body, err := a.do("GET", "/api/auth/csrf", "")
				if err != nil || st != 200 {
					t.Fatalf("csrf: %d %s %v", st, body, err)
				}
				var tok struct {
					Token string `json:"csrfToken"`
				}
				_ = json.Unmarshal([]byte(body), &tok)
				logins[i] = prepared{cookieValue(hdr, "csrftoken"), tok.Token}
			}

			type result struct {
				status  int
				session string
				err     error
			}
			results := make([]result, drainLogins)
			var connected, done sync.WaitGroup
			cred, _ := json.Marshal(map[string]string{"username": "alice", "password": password})
			for i, p := range logins {
				connected.Add(1)
				done.Add(1)
				go func() {
					defer done.Done()
					var once sync.Once
					got := func() { once.Do(connected.Done) }
					defer got() // a request that fails before its connection
					trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { got() }}
					req, _ := http.NewRequest("POST", s.base+"/api/auth/login", strings.NewReader(string(cred)))
					req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Cookie", "csrftoken="+p.cookie)
					req.Header.Set("X-CSRFToken", p.token)
					// A connection of its own, so that no login waits for
					// another's.
					hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Minute}
					resp, err := hc.Do(req)
					if err != nil {
						results[i].err = err
						return
					}
					defer resp.Body.Close()
					if _, err := io.ReadAll(resp.Body); err != nil {
						results[i].err = err
						return
					}
					results[i].status, results[i].session = resp.StatusCode, cookieValue(resp.Header, "sessionid")
				}()
			}
			connected.Wait()
			// Every request is written; give the server a moment to read
			// them (a connection whose request is not read yet counts as
			// new, which a shutdown may close).
			time.Sleep(100 * time.Millisecond)
			if err := s.stop(syscall.SIGTERM); err != nil {
				t.Errorf("exit on SIGTERM: %v\n%s", err, s.stderr.String())
			}
			done.Wait()

			var sessions []string
			for i, r := range results {
				switch {
				case r.err != nil:
					t.Errorf("login %d in flight at SIGTERM got no whole answer: %v", i, r.err)
				case r.status == 200 && r.session != "":
					sessions = append(sessions, r.session)
				case r.status == 200:
					t.Errorf("login %d: 200 without a session cookie", i)
				}
			}
			if len(sessions) == 0 {
				t.Fatalf("no login in flight at SIGTERM succeeded: %+v", results)
			}

			// The same database, started again: every acknowledged login
			// is there.
			again, err := launch(t, fw, bins[fw], args...)
			if err != nil {
				t.Fatal(err)
			}
			b := newAgent(again.base)
			for _, sid := range sessions {
				st, body := b.get("/api/me", sid)
				if st != 200 || !strings.Contains(body, `"username":"alice"`) {
					t.Errorf("a session acknowledged before SIGTERM, after the restart: %d %s", st, body)
				}
			}
			t.Logf("%d of %d logins in flight at SIGTERM answered 200; all kept", len(sessions), drainLogins)
		})
	}
}
