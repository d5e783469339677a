package signing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/signing"
)

// FuzzLoads: Loads of arbitrary input never panics, fails with one of the
// package's errors, and accepts only what a holder of the key signed.
func FuzzLoads(f *testing.F) {
	good, _ := signing.Dumps(key, map[string]any{"a": []int{1, 2}}, false)
	zipped, _ := signing.Dumps(key, map[string]string{"b": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}, true)
	for _, s := range []string{good, zipped, "", ":", "::", ".:", "a:b:c", "ImhlbGxvIg:1QaUZC:YIye-ze3TTx7gtSv422nZA4sgmk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		err := signing.Loads(key, s, &v, time.Hour)
		if err != nil && !errors.Is(err, signing.ErrBadSignature) && !errors.Is(err, signing.ErrBadPayload) {
			t.Fatalf("Loads(%q): unexpected error kind %v", s, err)
		}
		if err == nil && s != good && s != zipped {
			t.Fatalf("Loads accepted %q, which the fuzzer made without the key", s)
		}
	})
}

// FuzzUnsignObject: a payload signed with the key (so past the signature
// check) decodes or fails with ErrBadPayload, never panics, and never
// inflates beyond the limit.
func FuzzUnsignObject(f *testing.F) {
	for _, p := range []string{"", ".", "eyJhIjoxfQ", ".eJyrVkpUsjKsBQAHtgHi", "IsOpIg", ".eJwLSS0uUQQABn8CBA"} {
		f.Add(p)
	}
	ts, err := signing.NewTimestampSigner(key, signing.WithSalt(signing.DefaultSalt), signing.WithMaxDecompressedSize(4096))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		var v any
		err := ts.UnsignObject(ts.Sign(payload), &v, 0)
		if err != nil && !errors.Is(err, signing.ErrBadPayload) {
			t.Fatalf("payload %q: %v, want nil or ErrBadPayload", payload, err)
		}
	})
}

// FuzzUnsign: the signature parser (the last separator, base62 timestamp,
// the comparison) never panics and accepts only what the key signed.
func FuzzUnsign(f *testing.F) {
	ts, _ := signing.NewTimestampSigner(key)
	good := ts.Sign("value")
	for _, s := range []string{good, "value:1xaRpp:", "v:-1:x", "v:AzL8n0Y58m8:sig", ""} {
		f.Add(s, "~")
	}
	f.Fuzz(func(t *testing.T, s, sep string) {
		if v, err := ts.Unsign(s, time.Hour); err == nil && (s != good || v != "value") {
			t.Fatalf("Unsign accepted %q", s)
		}
		sg, err := signing.NewSigner(key, signing.WithSeparator(sep))
		if err != nil {
			return
		}
		if v, err := sg.Unsign(s); err == nil && sg.Sign(v) != s {
			t.Fatalf("Unsign(%q) accepted a value it would not sign so", s)
		}
	})
}
