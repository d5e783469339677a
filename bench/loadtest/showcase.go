package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// fixture is what every mode shares: the built showcase programs, one
// SQLite database seeded with the demo data on the first start, the
// HS256 key, alice's password and access token, and the body GET /api/me
// answers with that token.
type fixture struct {
	dir    string            // scratch directory: binaries, database, logs
	bins   map[string]string // framework -> showcase program
	self   string            // this program, which serves the comparison apps
	secret string
	db     string

	alicePassword             string
	clientID, clientSecret    string // demo-confidential
	token                     string // alice's access token
	body                      []byte // GET /api/me with token
	userID                    int64
	username                  string
	showcaseArgs, showcaseEnv []string
	profileDir                string // when not empty, the comparison apps write CPU profiles there
}

// newFixture builds the showcase of each framework from repo and starts
// the first one once to seed the database and obtain the token and body.
// extraArgs are added to every showcase's flags.
func newFixture(ctx context.Context, repo, dir string, fws []string, extraArgs []string) (*fixture, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	f := &fixture{dir: dir, bins: map[string]string{}, self: self, secret: hex.EncodeToString(key),
		db: "sqlite:" + filepath.Join(dir, "showcase.sqlite3")}
	for _, fw := range fws {
		bin := filepath.Join(dir, "showcase-"+fw)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/"+fw)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./examples/%s: %v\n%s", fw, err, out)
		}
		f.bins[fw] = bin
	}
	// The token lives for the whole run (the default 5 minutes would end
	// during it).
	f.showcaseArgs = append([]string{"-addr", "127.0.0.1:0", "-db", f.db, "-access-ttl", "12h"}, extraArgs...)
	f.showcaseEnv = []string{"REINHARDT_SECRET_KEY=" + f.secret}
	p, err := f.startShowcase(ctx, fws[0], "seed", nil, nil)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	if err := f.readDemo(p); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	tok, err := obtainToken(client, p, "alice", f.alicePassword)
	if err != nil {
		return nil, err
	}
	f.token = tok.Access
	status, body, err := get(client, p.url(route), f.token)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s with the token: %d %s", route, status, body)
	}
	var me struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	}
	if err := json.Unmarshal(body, &me); err != nil || me.ID == 0 {
		return nil, fmt.Errorf("GET %s: %q: %v", route, body, err)
	}
	f.body, f.userID, f.username = body, me.ID, me.Username
	return f, nil
}

var (
	demoUserRE   = regexp.MustCompile(`demo user "alice" password "([^"]+)"`)
	demoClientRE = regexp.MustCompile(`demo OAuth2 client "([^"]+)" secret "([^"]+)"`)
)

// readDemo takes alice's password and the confidential client's
// credentials from the first start's output (printed once).
func (f *fixture) readDemo(p *proc) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, line := range p.stdout() {
			if m := demoUserRE.FindStringSubmatch(line); m != nil {
				f.alicePassword = m[1]
			}
			if m := demoClientRE.FindStringSubmatch(line); m != nil {
				f.clientID, f.clientSecret = m[1], m[2]
			}
		}
		if f.alicePassword != "" && f.clientID != "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no demo credentials in the showcase's output:\n%s", strings.Join(p.stdout(), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startShowcase starts framework's showcase on the fixture's database,
// with env and args added to the fixture's; its stderr goes to the file
// logPath(fw, label).
func (f *fixture) startShowcase(ctx context.Context, fw, label string, env, args []string) (*proc, error) {
	return startProc(ctx, "showcase "+fw, f.bins[fw], append(slices.Clone(f.showcaseArgs), args...),
		append(slices.Clone(f.showcaseEnv), env...), f.logPath(fw, label), "/healthz")
}

// logPath is the file of the stderr of framework's showcase started with
// label.
func (f *fixture) logPath(fw, label string) string {
	return filepath.Join(f.dir, "showcase-"+fw+"-"+label+".log")
}

// startApp starts a comparison app (this program with -serve).
func (f *fixture) startApp(ctx context.Context, fw, app string) (*proc, error) {
	bodyFile := filepath.Join(f.dir, "body.json")
	if err := os.WriteFile(bodyFile, f.body, 0o600); err != nil {
		return nil, err
	}
	args := []string{"-serve", fw + "/" + app, "-body-file", bodyFile,
		"-user-id", strconv.FormatInt(f.userID, 10), "-username", f.username}
	if f.profileDir != "" {
		args = append(args, "-cpuprofile", filepath.Join(f.profileDir, fw+"-"+app+".prof"))
	}
	health := route
	return startProcAuth(ctx, "app "+fw+"/"+app, f.self, args, []string{secretEnv + "=" + f.secret},
		filepath.Join(f.dir, "app-"+fw+"-"+app+".log"), health, f.token)
}

// secretEnv passes the HS256 key to the comparison apps.
const secretEnv = "LOADTEST_SECRET"

// startProcAuth is startProc for a server whose only route needs the
// token: it is ready when the route answers 200 with it.
func startProcAuth(ctx context.Context, name, path string, args, env []string, stderrPath, route, token string) (*proc, error) {
	return startProcWith(ctx, name, path, args, env, stderrPath, route, "Bearer "+token)
}

// tokenPair is the answer of POST /api/token.
type tokenPair struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

// obtainToken logs in at POST /api/token.
func obtainToken(client *http.Client, p *proc, username, password string) (tokenPair, error) {
	var t tokenPair
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	status, body, err := post(client, p.url("/api/token"), "application/json", b, "")
	if err != nil {
		return t, err
	}
	if status != http.StatusOK {
		return t, fmt.Errorf("POST /api/token: %d %s", status, body)
	}
	if err := json.Unmarshal(body, &t); err != nil || t.Access == "" || t.Refresh == "" {
		return t, fmt.Errorf("POST /api/token: %s: %v", body, err)
	}
	return t, nil
}

// get sends GET url, with a Bearer token when token is not empty.
func get(client *http.Client, url, token string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(client, req)
}

// post sends POST url with body of contentType; authorization, when not
// empty, is the Authorization header.
func post(client *http.Client, url, contentType string, body []byte, authorization string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return do(client, req)
}

func do(client *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
