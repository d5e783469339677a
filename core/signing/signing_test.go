package signing_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/signing"
)

// The literals below were computed by Django 3.2.25 (Debian's
// python3-django) with SECRET_KEY = key.
var key = []byte("predictable-secret")

func TestSaltedHMACVectors(t *testing.T) {
	for _, c := range []struct {
		alg  signing.Algorithm
		want string
	}{
		// salted_hmac("salt", "value", "secret"[, algorithm="sha256"]).hexdigest()
		{signing.SHA1, "a82be9ba6efe61405ee8d2e8a3781c37e103360a"},
		{signing.SHA256, "debaddcd9ecbaab181289870baf8af49b0af0a7050d620d1a63f1e69bd87ceb8"},
	} {
		if got := hex.EncodeToString(signing.SaltedHMAC(c.alg, "salt", []byte("value"), []byte("secret"))); got != c.want {
			t.Errorf("SaltedHMAC(%s) = %s, want %s", c.alg, got, c.want)
		}
	}
}

func mustSigner(t *testing.T, k []byte, opts ...signing.Option) *signing.Signer {
	t.Helper()
	s, err := signing.NewSigner(k, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignerVectors(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  []signing.Option
		value string
		want  string
	}{
		{"default", nil, "hello", "hello:T8oWtiMIRTzcoR3NRO-2PQNf5dTweZy0EL25Kt6lUo0"},
		{"sha1", []signing.Option{signing.WithAlgorithm(signing.SHA1)}, "hello", "hello:-e76rxAuvXG_P3pKzQ26zIqf5fY"},
		{"salt and separator", []signing.Option{signing.WithSalt("extra-salt"), signing.WithSeparator("~")}, "héllo",
			"héllo~_EuQHWn48vXs88VDnqtUnNAWEmnoI3Mwa3ASnJ8Z8Fk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustSigner(t, key, c.opts...)
			if got := s.Sign(c.value); got != c.want {
				t.Fatalf("Sign = %s, want %s", got, c.want)
			}
			if got, err := s.Unsign(c.want); err != nil || got != c.value {
				t.Fatalf("Unsign = %q, %v", got, err)
			}
		})
	}
}

func TestSignObjectVector(t *testing.T) {
	s := mustSigner(t, key)
	// Python's json.dumps escapes non-ASCII (a surrogate pair for the emoji)
	// and leaves <>& alone; Django's sign_object of the dict below.
	v := struct {
		A string `json:"a"`
		B []any  `json:"b"`
	}{"é😀<>&", []any{1, 2, nil, true}}
	const want = "eyJhIjoiXHUwMGU5XHVkODNkXHVkZTAwPD4mIiwiYiI6WzEsMixudWxsLHRydWVdfQ:d_d_9OmUsKHa1TuY_4kX0KjR2Kfft3i2lLYVIk6_E2k"
	got, err := s.SignObject(v, false)
	if err != nil || got != want {
		t.Fatalf("SignObject = %s, %v; want %s", got, err, want)
	}
	var back struct {
		A string `json:"a"`
		B []any  `json:"b"`
	}
	if err := s.UnsignObject(want, &back); err != nil || back.A != v.A || len(back.B) != 4 {
		t.Fatalf("UnsignObject = %+v, %v", back, err)
	}
	// Django's compressed sign_object(list(range(1, 40)), compress=True).
	var nums []int
	const compressed = ".eJwNzEERwDAMA0FC94gkx4mxdMqfRgtg9xEmFJvmcBm0kJBRUKGNGh100eCFf2McXHjjxgdfPGQRkb8MKbJJk0MumfcDgzMVIQ:JsseBjJ-86y2ZPjMc_PKspf-xJSjJ5j8EJ8Eww1TX_Y"
	if err := s.UnsignObject(compressed, &nums); err != nil || len(nums) != 39 || nums[38] != 39 {
		t.Fatalf("UnsignObject(compressed) = %v, %v", nums, err)
	}
}

func TestUnsignRejects(t *testing.T) {
	s := mustSigner(t, key)
	good := s.Sign("hello")
	for _, bad := range []string{
		"", "hello", "hello:", ":", good + "x", good[:len(good)-1], "Hello" + good[5:],
		strings.Replace(good, ":", "::", 1), good + ":" + good[6:],
		mustSigner(t, key, signing.WithSalt("other")).Sign("hello"),
		mustSigner(t, []byte("other-key")).Sign("hello"),
		mustSigner(t, key, signing.WithSeparator("~")).Sign("hello"),
	} {
		if v, err := s.Unsign(bad); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("Unsign(%q) = %q, %v; want ErrBadSignature", bad, v, err)
		}
	}
	// Django 3.2 accepts the legacy SHA-1 signature; WithoutLegacySHA1 (4.0) does not.
	legacy := mustSigner(t, key, signing.WithAlgorithm(signing.SHA1)).Sign("hello")
	if v, err := s.Unsign(legacy); err != nil || v != "hello" {
		t.Errorf("legacy SHA-1 refused: %v", err)
	}
	if _, err := mustSigner(t, key, signing.WithoutLegacySHA1()).Unsign(legacy); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("WithoutLegacySHA1 accepted SHA-1: %v", err)
	}
	// A SHA-1 signer accepts only SHA-1 (Django's legacy check is SHA-1 only).
	if _, err := mustSigner(t, key, signing.WithAlgorithm(signing.SHA1)).Unsign(good); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("a SHA-1 signer accepted a SHA-256 signature: %v", err)
	}
}

func TestOptionsRefused(t *testing.T) {
	for name, opts := range map[string][]signing.Option{
		"empty separator":  {signing.WithSeparator("")},
		"letter separator": {signing.WithSeparator("a")},
		"A-z separator":    {signing.WithSeparator("^_`[")}, // in Django's A-z range
		"digit separator":  {signing.WithSeparator("0=-")},
		"unknown alg":      {signing.WithAlgorithm("md5")},
		"empty fallback":   {signing.WithFallbackKeys(nil)},
		"zero limit":       {signing.WithMaxDecompressedSize(0)},
	} {
		if _, err := signing.NewSigner(key, opts...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := signing.NewSigner(nil); err == nil {
		t.Error("empty key accepted")
	}
	for _, sep := range []string{"~", "/", ".", ":", "a:"} {
		if _, err := signing.NewSigner(key, signing.WithSeparator(sep)); err != nil {
			t.Errorf("separator %q refused: %v", sep, err)
		}
	}
}

func TestFallbackKeys(t *testing.T) {
	oldKey, newKey := []byte("the-old-key"), []byte("the-new-key")
	rotated := mustSigner(t, newKey, signing.WithFallbackKeys(oldKey))
	fromOld := mustSigner(t, oldKey).Sign("v")
	if v, err := rotated.Unsign(fromOld); err != nil || v != "v" {
		t.Fatalf("value of the fallback key refused: %v", err)
	}
	// Signs with the first key only.
	if got, want := rotated.Sign("v"), mustSigner(t, newKey).Sign("v"); got != want {
		t.Fatalf("signed %s, want the new key's %s", got, want)
	}
	if _, err := mustSigner(t, oldKey).Unsign(rotated.Sign("v")); err == nil {
		t.Fatal("the old key verifies what the new one signed")
	}
	legacyOld := mustSigner(t, oldKey, signing.WithAlgorithm(signing.SHA1)).Sign("v")
	if _, err := rotated.Unsign(legacyOld); err != nil {
		t.Fatalf("legacy SHA-1 value of the fallback key refused: %v", err)
	}
}

func TestTimestampSigner(t *testing.T) {
	ts, err := signing.NewTimestampSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	// Django's TimestampSigner("predictable-secret").sign("v") at 1xaRpp.
	const django = "v:1xaRpp:Q1SvLS68Q244wR8Ob6leyedncShcyXWZ8jUwpwjQrm8"
	signedAt := int64(1796623465)
	if got := signing.EncodeBase62(signedAt); got != "1xaRpp" {
		t.Fatalf("base62(%d) = %s", signedAt, got)
	}
	ts.SetNow(func() int64 { return signedAt })
	if got := ts.Sign("v"); got != django {
		t.Fatalf("Sign = %s, want %s", got, django)
	}
	for _, c := range []struct {
		now    int64
		maxAge time.Duration
		err    error
	}{
		{signedAt + 10, 0, nil},
		{signedAt + 10, 10 * time.Second, nil},
		{signedAt + 11, 10 * time.Second, signing.ErrSignatureExpired},
		{signedAt - 100, 10 * time.Second, nil}, // from the future: Django accepts it too
		{signedAt + 365*86400, 0, nil},
	} {
		ts.SetNow(func() int64 { return c.now })
		v, err := ts.Unsign(django, c.maxAge)
		if c.err == nil && (err != nil || v != "v") {
			t.Errorf("now=%d maxAge=%s: %q, %v", c.now, c.maxAge, v, err)
		}
		if c.err != nil && (!errors.Is(err, c.err) || !errors.Is(err, signing.ErrBadSignature)) {
			t.Errorf("now=%d maxAge=%s: %v, want %v (and ErrBadSignature)", c.now, c.maxAge, err, c.err)
		}
	}
	// A Signer with the TimestampSigner's salt signs values without a
	// well-formed timestamp: refused, never a panic.
	raw := mustSigner(t, key, signing.WithSalt("django.core.signing.TimestampSigner"))
	for _, inner := range []string{"v", "v:", "v:-1", "v:!", "v:zzzzzzzzzzzz", "v:AzL8n0Y58m8"} {
		if _, err := ts.Unsign(raw.Sign(inner), 0); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("Unsign(%q signed) = %v, want ErrBadSignature", inner, err)
		}
	}
	// The largest timestamp that fits: accepted.
	if v, err := ts.Unsign(raw.Sign("v:AzL8n0Y58m7"), 0); err != nil || v != "v" {
		t.Errorf("max int64 timestamp: %q, %v", v, err)
	}
}

func TestDumpsLoads(t *testing.T) {
	type payload struct {
		User  string         `json:"user"`
		Perms []string       `json:"perms"`
		Extra map[string]int `json:"extra"`
	}
	in := payload{"ålice <a&b>", []string{"app.view", "app.change"}, map[string]int{"n": 7}}
	for _, compress := range []bool{false, true} {
		s, err := signing.Dumps(key, in, compress)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(s, "=+/ ") {
			t.Errorf("not URL-safe: %s", s)
		}
		var out payload
		if err := signing.Loads(key, s, &out, time.Minute); err != nil || out.User != in.User || len(out.Perms) != 2 || out.Extra["n"] != 7 {
			t.Fatalf("compress=%v: Loads = %+v, %v", compress, out, err)
		}
		// Another salt, another namespace.
		if err := signing.Loads(key, s, &out, 0, signing.WithSalt("other")); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("loaded under another salt: %v", err)
		}
	}
	// Compression only when it pays: a short value is not compressed.
	s, _ := signing.Dumps(key, "x", true)
	if strings.HasPrefix(s, ".") {
		t.Errorf("short value compressed: %s", s)
	}
	long, _ := signing.Dumps(key, strings.Repeat("abc", 100), true)
	if !strings.HasPrefix(long, ".") {
		t.Errorf("repetitive value not compressed: %s", long)
	}
	// Values that do not encode are errors, not panics.
	if _, err := signing.Dumps(key, func() {}, false); err == nil {
		t.Error("Dumps(func) succeeded")
	}
}

// signedPayload signs an arbitrary payload as Dumps would have.
func signedPayload(t *testing.T, payload string) string {
	t.Helper()
	ts, err := signing.NewTimestampSigner(key, signing.WithSalt(signing.DefaultSalt))
	if err != nil {
		t.Fatal(err)
	}
	return ts.Sign(payload)
}

func TestLoadsBadPayload(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write([]byte(`{"a":1}`))
	w.Close()
	truncated := buf.Bytes()[:buf.Len()-2]
	for name, payload := range map[string]string{
		"not base64":      "!!!",
		"padded":          b64([]byte(`"x"`)) + "=",
		"not json":        b64([]byte("{")),
		"not zlib":        "." + b64([]byte("plain")),
		"truncated zlib":  "." + b64(truncated),
		"empty":           "",
		"only the flag":   ".",
		"trailing data":   b64([]byte(`{} {}`)),
		"wrong json type": b64([]byte(`[1]`)),
	} {
		var v map[string]int
		err := signing.Loads(key, signedPayload(t, payload), &v, 0)
		if !errors.Is(err, signing.ErrBadPayload) || errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadPayload", name, err)
		}
	}
	// Latin-1, as Django's JSONSerializer reads it: the byte 0xE9 is é.
	var s string
	if err := signing.Loads(key, signedPayload(t, b64([]byte("\"caf\xe9\""))), &s, 0); err != nil || s != "café" {
		t.Errorf("latin-1 payload: %q, %v", s, err)
	}
}

// TestZipBomb: a signed payload that inflates to 16 MiB is refused with
// ErrTooLarge after reading no more than the limit (1 MiB by default);
// WithMaxDecompressedSize moves the limit.
func TestZipBomb(t *testing.T) {
	compressed := func(data []byte) string {
		var buf bytes.Buffer
		w, _ := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
		w.Write(data)
		w.Close()
		return signedPayload(t, "."+base64.RawURLEncoding.EncodeToString(buf.Bytes()))
	}
	bomb := compressed(bytes.Repeat([]byte(" "), 16<<20))
	t.Logf("a %d-byte signed value that inflates to 16 MiB", len(bomb))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var v any
	err := signing.Loads(key, bomb, &v, 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, signing.ErrTooLarge) || !errors.Is(err, signing.ErrBadPayload) {
		t.Fatalf("Loads(bomb) = %v, want ErrTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6<<20 {
		t.Errorf("Loads(bomb) allocated %d bytes, want under 6 MiB", alloc)
	}

	// A 2 MiB JSON string: over the default limit, under a 3 MiB one.
	big := compressed([]byte(`"` + strings.Repeat("a", 2<<20) + `"`))
	var s string
	if err := signing.Loads(key, big, &s, 0); !errors.Is(err, signing.ErrTooLarge) {
		t.Fatalf("2 MiB under the default limit: %v, want ErrTooLarge", err)
	}
	if err := signing.Loads(key, big, &s, 0, signing.WithMaxDecompressedSize(3<<20)); err != nil || len(s) != 2<<20 {
		t.Fatalf("2 MiB under a 3 MiB limit: %d bytes, %v", len(s), err)
	}
}

// TestMarshalJSON: Django's JSONSerializer output, also for raw JSON (a
// session's stored object): compact, non-ASCII escaped as Python does,
// read back through latin-1.
func TestMarshalJSON(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{json.RawMessage("{ \"k\" : \"é😀\",\n \"n\": [1, 2.5, null] }"), `{"k":"\u00e9\ud83d\ude00","n":[1,2.5,null]}`},
		{"<a href='x'>&</a>\u2028", `"<a href='x'>&</a>\u2028"`},
		{map[string]any{"b": 1, "a": true}, `{"a":true,"b":1}`},
	} {
		got, err := signing.MarshalJSON(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("MarshalJSON(%v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	if _, err := signing.MarshalJSON(json.RawMessage("{")); err == nil {
		t.Error("invalid raw JSON accepted")
	}
	var v map[string]string
	if err := signing.UnmarshalJSON([]byte(`{"k":"\u00e9","l":"`+"\xe9"+`"}`), &v); err != nil || v["k"] != "é" || v["l"] != "é" {
		t.Errorf("UnmarshalJSON = %v, %v", v, err)
	}
	if err := signing.UnmarshalJSON([]byte(`{`), &v); !errors.Is(err, signing.ErrBadPayload) {
		t.Errorf("UnmarshalJSON({) = %v, want ErrBadPayload", err)
	}
}
