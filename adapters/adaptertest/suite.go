package adaptertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Case is one request of the suite and what must come back.
type Case struct {
	Name    string
	Method  string
	Path    string
	Header  map[string]string
	Body    string
	Chunked bool // send the body without a Content-Length
	Status  int
	// Exact, when set, is the whole expected body.
	Exact string
	// JSON, when set, is compared with the decoded body.
	JSON any
	// Empty requires an empty body (HEAD, 204).
	Empty bool
	// Challenge is the expected WWW-Authenticate ("" means absent).
	Challenge string
	// Headers are more response headers, each expected exactly (all its
	// values joined by ", "); "" means absent.
	Headers map[string]string
}

const (
	challenge    = `Basic realm="api"`
	notProvided  = `{"detail":"Authentication credentials were not provided."}`
	denied       = `{"detail":"You do not have permission to perform this action."}`
	invalidLogin = `{"detail":"Invalid username/password."}`
	jsonCT       = "application/json"
	notAllowed   = `{"detail":"Method \"DELETE\" not allowed."}`
)

func basic(user, pass string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}
}

func withCT(h map[string]string, ct string) map[string]string {
	out := map[string]string{"Content-Type": ct}
	for k, v := range h {
		out[k] = v
	}
	return out
}

// Cases is the suite, in order (later cases see the effects of earlier
// ones, such as created posts).
func Cases() []Case {
	alice, bob, editor, admin := basic("alice", "pw-alice"), basic("bob", "pw-bob"), basic("editor", "pw-editor"), basic("admin", "pw-admin")
	big := strings.Repeat("x", 2<<20)
	return []Case{
		{Name: "anonymous open", Method: "GET", Path: "/open", Status: 200, JSON: Who{}},
		{Name: "anonymous private", Method: "GET", Path: "/private", Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "basic private", Method: "GET", Path: "/private", Header: alice, Status: 200, JSON: Who{User: "alice", Method: "basic"}},
		{Name: "lower-case scheme", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "basic " + base64.StdEncoding.EncodeToString([]byte("alice:pw-alice"))}, Status: 200, JSON: Who{User: "alice", Method: "basic"}},
		{Name: "wrong password on an open route", Method: "GET", Path: "/open", Header: basic("alice", "nope"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "unknown user", Method: "GET", Path: "/private", Header: basic("mallory", "pw"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "inactive user", Method: "GET", Path: "/private", Header: basic("carol", "pw-carol"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "basic without credentials", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic"}, Status: 401, Exact: `{"detail":"Invalid basic header. No credentials provided."}`, Challenge: challenge},
		{Name: "basic with spaces", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic a b"}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials string should not contain spaces."}`, Challenge: challenge},
		{Name: "basic not base64", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic %%%%"}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`, Challenge: challenge},
		{Name: "basic without colon", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("alice"))}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`, Challenge: challenge},
		{Name: "other scheme is not ours", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Digest x"}, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "huge basic header", Method: "GET", Path: "/private", Header: map[string]string{"Authorization": "Basic " + strings.Repeat("A", 40<<10)}, Status: 401, Exact: `{"detail":"Invalid basic header. Credentials not correctly base64 encoded."}`, Challenge: challenge},
		{Name: "admin as user", Method: "GET", Path: "/admin", Header: alice, Status: 403, Exact: denied},
		{Name: "admin as admin", Method: "GET", Path: "/admin", Header: admin, Status: 200, JSON: Who{User: "admin", Method: "basic"}},
		{Name: "admin anonymous", Method: "GET", Path: "/admin", Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "store down fails closed", Method: "GET", Path: "/open", Header: map[string]string{"X-Test-Store-Down": "1"}, Status: 503, Exact: `{"detail":"Service temporarily unavailable, try again later."}`},
		{Name: "read posts anonymously", Method: "GET", Path: "/posts", Status: 200, JSON: []Post{{ID: 1, Title: "hello", AuthorID: "1"}}},
		{Name: "create post anonymously", Method: "POST", Path: "/posts", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"title":"x"}`, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "create post", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"bob's"}`, Status: 201, JSON: Post{ID: 2, Title: "bob's", AuthorID: "2"}},
		{Name: "create post by form", Method: "POST", Path: "/posts", Header: withCT(bob, "application/x-www-form-urlencoded"), Body: `title=form+post`, Status: 201, JSON: Post{ID: 3, Title: "form post", AuthorID: "2"}},
		{Name: "malformed JSON", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":`, Status: 400, Exact: `{"detail":"JSON parse error"}`},
		{Name: "unknown field", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"a","admin":true}`, Status: 400, Exact: `{"detail":"JSON parse error - unknown field \"admin\""}`},
		{Name: "wrong type", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":5}`, Status: 400, Exact: `{"detail":"JSON parse error - field title has the wrong type"}`},
		{Name: "validation error", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{}`, Status: 400, Exact: `{"title":["This field is required."]}`},
		{Name: "unsupported media type", Method: "POST", Path: "/posts", Header: withCT(bob, "text/plain"), Body: `title`, Status: 415, Exact: `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{Name: "body over the cap", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"` + big + `"}`, Status: 413, Exact: `{"detail":"Request body too large."}`},
		{Name: "chunked body over the cap", Method: "POST", Path: "/posts", Header: withCT(bob, jsonCT), Body: `{"title":"` + big + `"}`, Chunked: true, Status: 413, Exact: `{"detail":"Request body too large."}`},
		{Name: "update own post", Method: "PUT", Path: "/posts/1", Header: withCT(alice, jsonCT), Body: `{"title":"edited"}`, Status: 200, JSON: Post{ID: 1, Title: "edited", AuthorID: "1"}},
		{Name: "update another's post", Method: "PUT", Path: "/posts/1", Header: withCT(bob, jsonCT), Body: `{"title":"mine now"}`, Status: 403, Exact: denied},
		{Name: "update with model permission", Method: "PUT", Path: "/posts/2", Header: withCT(editor, jsonCT), Body: `{"title":"edited by editor"}`, Status: 200, JSON: Post{ID: 2, Title: "edited by editor", AuthorID: "2"}},
		{Name: "update anonymously", Method: "PUT", Path: "/posts/1", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"title":"x"}`, Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "update missing post", Method: "PUT", Path: "/posts/99", Header: withCT(alice, jsonCT), Body: `{"title":"x"}`, Status: 404, Exact: `{"detail":"Not found."}`},
		{Name: "register", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"dave","email":"Dave@EXAMPLE.com","password":"correct horse battery"}`, Status: 201, Exact: `{"id":6,"username":"dave","email":"Dave@example.com"}`},
		{Name: "registered user logs in", Method: "GET", Path: "/private", Header: basic("dave", "correct horse battery"), Status: 200, JSON: Who{User: "dave", Method: "basic"}},
		{Name: "register duplicate", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"dave","password":"correct horse battery"}`, Status: 400, Exact: `{"username":["A user with that username already exists."]}`},
		{Name: "register weak password", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"erin","email":"erin@example.com","password":"1234"}`, Status: 400, Exact: `{"password":["This password is too short. It must contain at least 8 characters.","This password is too common.","This password is entirely numeric."]}`},
		{Name: "register bad username", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"a b","password":"correct horse battery"}`, Status: 400, Exact: `{"username":["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}`},
		{Name: "register missing fields", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{}`, Status: 400, Exact: `{"password":["This field is required."],"username":["This field is required."]}`},
		{Name: "register huge password", Method: "POST", Path: "/register", Header: map[string]string{"Content-Type": jsonCT}, Body: `{"username":"frank","password":"` + strings.Repeat("p", 4097) + `"}`, Status: 400, Exact: `{"password":["Ensure this field has no more than 4096 characters."]}`},

		// Methods. A GET view answers HEAD with GET's status and headers
		// and no body. DRF authenticates and checks the view's permissions
		// before it dispatches on the method (APIView.initial), so a wrong
		// method is 405 only for a request the view would let in.
		{Name: "HEAD on a GET route", Method: "HEAD", Path: "/private", Header: alice, Status: 200, Empty: true, Headers: map[string]string{"Content-Type": jsonCT}},
		{Name: "HEAD anonymously", Method: "HEAD", Path: "/private", Status: 401, Empty: true, Challenge: challenge},
		{Name: "wrong method", Method: "DELETE", Path: "/open", Status: 405, Exact: notAllowed, Headers: map[string]string{"Allow": "GET, HEAD"}},
		{Name: "wrong method with wrong credentials", Method: "DELETE", Path: "/open", Header: basic("alice", "nope"), Status: 401, Exact: invalidLogin, Challenge: challenge},
		{Name: "wrong method anonymously on a guarded route", Method: "DELETE", Path: "/private", Status: 401, Exact: notProvided, Challenge: challenge},
		{Name: "wrong method on a guarded route", Method: "DELETE", Path: "/private", Header: alice, Status: 405, Exact: notAllowed, Headers: map[string]string{"Allow": "GET, HEAD"}},
	}
}

// Run serves h on a loopback listener and runs every case against it.
func Run(t *testing.T, h Harness) {
	f := NewFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.Serve(t, f, l)
	base := "http://" + l.Addr().String()
	client := &http.Client{Timeout: 10 * time.Second}
	for _, c := range Cases() {
		if !t.Run(c.Name, func(t *testing.T) { check(t, client, base, c) }) {
			t.Logf("case %q failed; later cases may fail because of it", c.Name)
		}
	}
}

func check(t *testing.T, client *http.Client, base string, c Case) {
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
		if c.Chunked {
			body = io.MultiReader(strings.NewReader(c.Body)) // hides the length
		}
	}
	req, err := http.NewRequest(c.Method, base+c.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.Chunked {
		req.ContentLength = -1
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if resp.StatusCode != c.Status {
		t.Errorf("status %d, want %d; body %.300s", resp.StatusCode, c.Status, got)
	}
	if ch := resp.Header.Get("WWW-Authenticate"); ch != c.Challenge {
		t.Errorf("WWW-Authenticate %q, want %q", ch, c.Challenge)
	}
	if c.Exact != "" && string(bytes.TrimSpace(got)) != c.Exact {
		t.Errorf("body %.300s\nwant %s", got, c.Exact)
	}
	if c.Empty && len(got) != 0 {
		t.Errorf("body %.300s, want none", got)
	}
	if c.Exact != "" || c.JSON != nil {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, jsonCT) {
			t.Errorf("Content-Type %q", ct)
		}
	}
	if c.JSON != nil {
		want, _ := json.Marshal(c.JSON)
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("body is not JSON: %.300s", got)
		}
		_ = json.Unmarshal(want, &b)
		if !jsonEqual(a, b) {
			t.Errorf("body %.300s\nwant %s", got, want)
		}
	}
	for name, want := range c.Headers {
		if v := strings.Join(resp.Header.Values(name), ", "); v != want {
			t.Errorf("%s %q, want %q", name, v, want)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
