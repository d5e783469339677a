package showcasetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Starter starts an example server with args (flags) and returns its base
// URL ("http://127.0.0.1:PORT") and what it printed on standard output
// before it was ready. The server must stop when the test ends.
type Starter func(t *testing.T, args []string) (baseURL, stdout string)

// Client sends requests to a running showcase.
type Client struct {
	T    *testing.T
	Base string
	HTTP *http.Client
}

// Response is a response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("body is not JSON: %v: %.300s", err, r.Body)
	}
}

// Do sends a request; auth is "user:password" for Basic, or "" for none;
// headers are "Name: value".
func (c *Client) Do(method, path, auth, body string, headers ...string) Response {
	c.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(auth)))
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatalf("%s %s: read: %v", method, path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// Expect checks the status and, when body is not "", the exact body.
func (c *Client) Expect(r Response, status int, body string) {
	c.T.Helper()
	if r.Status != status || (body != "" && r.Body != body) {
		c.T.Errorf("got %d %.400s\nwant %d %s", r.Status, r.Body, status, body)
	}
}

var demoLine = regexp.MustCompile(`demo user "([^"]+)" password "([^"]+)"`)

// DemoCredentials parses the demo users' passwords from the server's
// output.
func DemoCredentials(stdout string) map[string]string {
	out := map[string]string{}
	for _, m := range demoLine.FindAllStringSubmatch(stdout, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TempDB returns "sqlite:" and a fresh database path in a temp dir.
func TempDB(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "showcase.sqlite3")
}

// repoRoot is the module's root (this file is examples/internal/showcasetest/suite.go).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Run is the whole suite for one example server.
func Run(t *testing.T, start Starter) {
	t.Run("Contract", func(t *testing.T) { contract(t, start, TempDB(t)) })
	t.Run("ContractPostgres", func(t *testing.T) { contract(t, start, PostgresDB(t)) })
	t.Run("ContractMariaDB", func(t *testing.T) { contract(t, start, MySQLDB(t)) })
	t.Run("Limits", func(t *testing.T) { limits(t, start) })
	t.Run("Timeouts", func(t *testing.T) { Timeouts(t, start) })
	t.Run("PostIDs", func(t *testing.T) { postIDs(t, start) })
	t.Run("BadEscapes", func(t *testing.T) { badEscapes(t, start) })
	t.Run("JWT", func(t *testing.T) { jwtTokens(t, start) })
	t.Run("MFA", func(t *testing.T) { mfaFlow(t, start) })
	t.Run("OAuth2", func(t *testing.T) { oauth2Clients(t, start, TempDB(t)) })
	t.Run("OAuth2Postgres", func(t *testing.T) { oauth2Clients(t, start, PostgresDB(t)) })
	t.Run("OAuth2MariaDB", func(t *testing.T) { oauth2Clients(t, start, MySQLDB(t)) })
	t.Run("HTMLLogin", func(t *testing.T) { htmlLogin(t, start) })
	t.Run("LoginRate", func(t *testing.T) { loginRate(t, start) })
	t.Run("LoginRateShared", func(t *testing.T) { loginRateShared(t, start) })
	t.Run("PasswordReset", func(t *testing.T) { passwordReset(t, start) })
	t.Run("Redis", func(t *testing.T) { onRedis(t, start, RedisURL) })
	for _, backend := range []string{"db", "django", "memory", "cookie", "file", "redis"} {
		t.Run("Sessions/"+backend, func(t *testing.T) {
			args := []string{"-sessions", backend}
			switch backend {
			case "file":
				args = []string{"-sessions", "file:" + t.TempDir()}
			case "redis":
				args = append(args, "-redis", RedisURL(t))
			}
			sessionLogin(t, start, args...)
		})
	}
	t.Run("JWTAsymmetric", func(t *testing.T) { jwtAsymmetric(t, start) })
	t.Run("RemoteUser", func(t *testing.T) { remoteUser(t, start) })
	t.Run("DjangoDatabase", func(t *testing.T) { djangoDatabase(t, start) })
}

// NewClient returns a Client of the server at base, with a 30-second timeout.
func NewClient(t *testing.T, base string) *Client {
	return &Client{T: t, Base: base, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

const (
	notProvided = `{"detail":"Authentication credentials were not provided."}`
	denied      = `{"detail":"You do not have permission to perform this action."}`
	notFound    = `{"detail":"Not found."}`
)

func contract(t *testing.T, start Starter, db string) {
	base, out := start(t, []string{"-db", db, "-secret", "test-secret-key-for-the-showcase-suite"})
	creds := DemoCredentials(out)
	if creds["admin"] == "" || creds["alice"] == "" {
		t.Fatalf("no demo credentials printed:\n%s", out)
	}
	c := NewClient(t, base)
	admin, alice := "admin:"+creds["admin"], "alice:"+creds["alice"]

	c.Expect(c.Do("GET", "/healthz", "", ""), 200, `{"status":"ok"}`)
	c.Expect(c.Do("GET", "/readyz", "", ""), 200, `{"status":"ready","checks":{"database":"ok"}}`)
	r := c.Do("GET", "/api/me", "", "")
	c.Expect(r, 401, notProvided)
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Errorf("challenge %q", got)
	}
	c.Expect(c.Do("GET", "/api/me", "alice:wrong", ""), 401, `{"detail":"Invalid username/password."}`)

	// Registration with Django's validator messages.
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"bob","email":"bob@EXAMPLE.com","password":"bob"}`), 400,
		`{"password":["The password is too similar to the username.","This password is too short. It must contain at least 8 characters.","This password is too common."]}`)
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"bob","email":"bob@EXAMPLE.com","password":"Tr0ub4dor&3-horse"}`), 201,
		`{"id":3,"username":"bob","email":"bob@example.com"}`)
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"bob","password":"Tr0ub4dor&3-horse"}`), 400,
		`{"username":["A user with that username already exists."]}`)
	// Django 4.2 refuses a username that differs from one only in case.
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"BOB","password":"Tr0ub4dor&3-horse"}`), 400,
		`{"username":["A user with that username already exists."]}`)
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"x","password":"Tr0ub4dor&3-horse","is_superuser":true}`), 400,
		`{"detail":"JSON parse error - unknown field \"is_superuser\""}`)
	bob := "bob:Tr0ub4dor&3-horse"

	var me struct {
		ID          int      `json:"id"`
		Username    string   `json:"username"`
		Email       string   `json:"email"`
		IsActive    bool     `json:"is_active"`
		IsStaff     bool     `json:"is_staff"`
		IsSuperuser bool     `json:"is_superuser"`
		Permissions []string `json:"permissions"`
		Auth        string   `json:"auth"`
	}
	r = c.Do("GET", "/api/me", bob, "")
	c.Expect(r, 200, "")
	r.JSON(t, &me)
	if me.Username != "bob" || me.Email != "bob@example.com" || !me.IsActive || me.IsStaff || me.Auth != "basic" || me.Permissions == nil || len(me.Permissions) != 0 {
		t.Errorf("me: %s", r.Body)
	}
	r = c.Do("GET", "/api/me", admin, "")
	r.JSON(t, &me)
	if !me.IsSuperuser || !me.IsStaff || !slices.Contains(me.Permissions, "blog.change_post") || !slices.IsSorted(me.Permissions) {
		t.Errorf("admin me: %s", r.Body)
	}

	// Posts: anyone reads, authenticated users write, the author or a
	// holder of the model permission changes.
	c.Expect(c.Do("GET", "/api/posts", "", ""), 200, `[]`)
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"t","body":"b"}`), 401, notProvided)
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":"Hello","body":"First post"}`), 201, `{"id":1,"title":"Hello","body":"First post","author":"alice"}`)
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":""}`), 400, `{"title":["This field may not be blank."],"body":["This field is required."]}`)
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":`), 400, `{"detail":"JSON parse error"}`)
	c.Expect(c.Do("GET", "/api/posts/1", "", ""), 200, `{"id":1,"title":"Hello","body":"First post","author":"alice"}`)
	c.Expect(c.Do("GET", "/api/posts/2", "", ""), 404, notFound)
	c.Expect(c.Do("GET", "/api/posts/abc", "", ""), 404, notFound)
	c.Expect(c.Do("PUT", "/api/posts/1", bob, `{"title":"Mine","body":"now"}`), 403, denied)
	c.Expect(c.Do("DELETE", "/api/posts/1", bob, ""), 403, denied)
	c.Expect(c.Do("PUT", "/api/posts/1", alice, `{"title":"Hello again","body":"Edited"}`), 200, `{"id":1,"title":"Hello again","body":"Edited","author":"alice"}`)
	c.Expect(c.Do("PUT", "/api/posts/1", admin, `{"title":"By admin","body":"Edited"}`), 200, `{"id":1,"title":"By admin","body":"Edited","author":"alice"}`)
	c.Expect(c.Do("PUT", "/api/posts/1", "", `{"title":"x","body":"y"}`), 401, notProvided)
	c.Expect(c.Do("PATCH", "/api/posts/1", alice, `{"title":"x"}`), 405, `{"detail":"Method \"PATCH\" not allowed."}`)
	c.Expect(c.Do("PATCH", "/api/posts/1", "", `{"title":"x"}`), 401, notProvided) // DRF authenticates before 405
	c.Expect(c.Do("POST", "/api/me", "", ""), 401, notProvided)
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":"nul\u0000","body":"b"}`), 400, `{"non_field_errors":["Null characters are not allowed."]}`)
	c.Expect(c.Do("DELETE", "/api/posts/1", alice, ""), 204, "")
	c.Expect(c.Do("GET", "/api/posts/1", "", ""), 404, notFound)

	// Admin only.
	c.Expect(c.Do("GET", "/api/admin/users", bob, ""), 403, denied)
	c.Expect(c.Do("GET", "/api/admin/users", "", ""), 401, notProvided)
	var users []struct {
		Username string `json:"username"`
	}
	r = c.Do("GET", "/api/admin/users", admin, "")
	c.Expect(r, 200, "")
	r.JSON(t, &users)
	if len(users) != 3 || users[0].Username != "admin" || users[2].Username != "bob" {
		t.Errorf("users: %s", r.Body)
	}

	c.Expect(c.Do("GET", "/nowhere", "", ""), 404, notFound)
	// An authorization request without a client: 400, never a redirect.
	r = c.Do("GET", "/o/authorize", "", "")
	c.Expect(r, 400, `{"error":"invalid_request","error_description":"Invalid client_id parameter value."}`)
	if r.Header.Get("Location") != "" {
		t.Errorf("authorize without a client redirects to %q", r.Header.Get("Location"))
	}
	c.Do("FROB", "/nowhere", "", "")
	m := c.Do("GET", "/metrics", "", "")
	if m.Status != 200 || !strings.Contains(m.Body, "reinhardt_http_requests_total") || !strings.Contains(m.Body, "go_goroutines") {
		t.Errorf("metrics: %d %.200s", m.Status, m.Body)
	}
	if strings.Contains(m.Body, "FROB") || !strings.Contains(m.Body, `method="other"`) {
		t.Errorf("metrics keep client-chosen methods as labels")
	}
}

func limits(t *testing.T, start Starter) {
	base, _ := start(t, []string{"-db", TempDB(t), "-demo=false"})
	c := NewClient(t, base)
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"`+strings.Repeat("x", 1<<20)+`"}`), 413, `{"detail":"Request body too large."}`)
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"p","password":"`+strings.Repeat("p", 4097)+`"}`), 400,
		`{"password":["Ensure this field has no more than 4096 characters."]}`)
	c.Expect(c.Do("GET", "/api/me", "", "", "X-Big: "+strings.Repeat("h", 70<<10)), 431, "")
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Basic !!!"), 401, `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`)
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Basic "+strings.Repeat("QUFB", 10000)), 401, `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`)
	c.Expect(c.Do("POST", "/api/auth/register", "", "[1,2"), 400, `{"detail":"JSON parse error"}`)
	// A raw request with a malformed header line is refused, not crashed on.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET /api/me HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, _ := conn.Read(buf)
	if !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 400")) {
		t.Errorf("malformed header: %q", buf[:n])
	}
}

func remoteUser(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t), "-remote-user-header", "X-Remote-User", "-trusted-proxies", "127.0.0.1/32"})
	_ = out
	c := NewClient(t, base)
	r := c.Do("GET", "/api/me", "", "", "X-Remote-User: alice")
	var me struct {
		Username string `json:"username"`
		Auth     string `json:"auth"`
	}
	r.JSON(t, &me)
	if r.Status != 200 || me.Username != "alice" || me.Auth != "remote" {
		t.Errorf("remote user: %d %s", r.Status, r.Body)
	}
	// An unknown remote user stays anonymous (Django's RemoteUserBackend).
	c.Expect(c.Do("GET", "/api/me", "", "", "X-Remote-User: nobody"), 401, notProvided)
	// Basic still comes first and still supplies the challenge.
	c.Expect(c.Do("GET", "/api/me", "", ""), 401, notProvided)

	// The proxy's login is ambient, as a session cookie: a cross-site
	// form POST is refused, a same-origin one with the token passes.
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"t","body":"b"}`, "X-Remote-User: alice", "Origin: http://evil.example", "Sec-Fetch-Site: cross-site"), 403,
		`{"detail":"CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}`)
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"t","body":"b"}`, "X-Remote-User: alice"), 403, `{"detail":"CSRF Failed: CSRF cookie not set."}`)
	tok := c.Do("GET", "/api/auth/csrf", "", "")
	var csrfBody struct {
		Token string `json:"csrfToken"`
	}
	tok.JSON(t, &csrfBody)
	var secret string
	for _, ck := range (&http.Response{Header: tok.Header}).Cookies() {
		if ck.Name == "csrftoken" {
			secret = ck.Value
		}
	}
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"t","body":"b"}`, "X-Remote-User: alice", "Cookie: csrftoken="+secret, "X-CSRFToken: "+csrfBody.Token, "Origin: "+base), 201,
		`{"id":1,"title":"t","body":"b","author":"alice"}`)

	// The header sent twice, or naming two users, is a failed
	// authentication, never either user.
	for _, values := range [][]string{{"admin", "alice"}, {"admin,alice"}} {
		req, err := http.NewRequest("GET", base+"/api/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			req.Header.Add("X-Remote-User", v)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || string(body) != `{"detail":"Invalid remote user header. It must be sent once, with one username."}` {
			t.Errorf("X-Remote-User %q: %d %s", values, resp.StatusCode, body)
		}
	}
}

// PythonWithDjango returns /usr/bin/python3 when it imports Django,
// argon2 and bcrypt; it skips otherwise, or fails when
// REINHARDT_REQUIRE_DJANGO=1.
func PythonWithDjango(t *testing.T) string {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import django, argon2, bcrypt").Run(); err != nil {
		if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
			t.Fatalf("REINHARDT_REQUIRE_DJANGO=1 but Django is not importable: %v", err)
		}
		t.Skipf("Django not installed: %v", err)
	}
	return py
}

// Demo starts a server with start on a fresh SQLite database and returns a
// client of it and the demo user alice's Basic credentials ("alice:…").
func Demo(t *testing.T, start Starter) (c *Client, alice string) {
	base, out := start(t, []string{"-db", TempDB(t)})
	return NewClient(t, base), "alice:" + DemoCredentials(out)["alice"]
}
