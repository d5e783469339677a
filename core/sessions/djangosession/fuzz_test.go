package djangosession_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions/djangosession"
)

// FuzzDecode: Decode of arbitrary session data never panics, fails only
// with ErrCorrupt, returns only JSON objects, and accepts only what was
// written with the key (the fuzzer has only the seeds).
func FuzzDecode(f *testing.F) {
	c := newCodec(f, secret)
	// Made once with the key: Encode's timestamp would differ between the
	// fuzzing processes, each of which runs this setup, so a seed encoded
	// here in one would not be "good" in another.
	const good = ".eJyEzLsKwkAQheFXCVOHZXK_IBb2voAEwszOxMTLLiTZSnx3CaTQyvZ8P-cFPYV17MOicz8JtJCnEH-PTPaubhO5kbt6Y71b54nNlphdF3P2oo_T3v4cjLSM0AIOiaaS2ZwLKpuqrqumpIJzm0mqyYD_HGJw9FRo4eK7gKgcdUHqTLogihgd-AjvTwAAAP__ai5CdA:1xaY7O:neZEiaJmue2VZqwjF7tGw0ospvpzTxqrjvZDvckM3sY"
	if _, err := c.Decode(good); err != nil {
		f.Fatalf("the recorded session does not decode: %v", err)
	}
	legacy, _ := newCodec(f, secret, djangosession.WithLegacyEncoding()).Encode([]byte(login))
	for _, s := range []string{good, legacy, "", ".", ":", "Og==", "YTpi", ".eJyrVkpUsjKsBQAHtgHi:1:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data, err := c.Decode(s)
		if err != nil {
			if !errors.Is(err, djangosession.ErrCorrupt) {
				t.Fatalf("Decode(%q): %v, want ErrCorrupt", s, err)
			}
			return
		}
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			t.Fatalf("Decode(%q) = %s, not a JSON object", s, data)
		}
		// Base64 decoding skips line breaks (Python's too), so the old
		// format has spellings with them; nothing else is accepted.
		if s != good && strings.NewReplacer("\r", "", "\n", "").Replace(s) != legacy {
			t.Fatalf("Decode accepted %q, which the fuzzer made without the key", s)
		}
	})
}
