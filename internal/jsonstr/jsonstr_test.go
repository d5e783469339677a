package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzUnquote holds Unquote to json.Unmarshal into a string: for a UTF-8
// literal, Unquote reads it exactly when encoding/json does, as the same
// string; ContentValid agrees with encoding/json on every UTF-8 content
// without a quote.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{
		`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`,
		`"\ud83d\u0041"`, `"\ude00\ud83d"`, `"\ud83d\ud83d\ude00"`, `"\x"`, `"\u12g4"`, `"\u12"`, `"a"b"`,
		`"a\"`, `"tab	"`, `""`, `"`, `x`, `"\u0000"`, `"é"`, "\"\xff\"", `a\u00e9b\n`, `bad\q`, "ctl\x01", `"a"b\n"`, `"\na"b"`, `"\ud83d\ude00"x"`, `"\x0041"`, `"\ud83d\x0041"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		got, ok := Unquote(lit)
		var want string
		err := json.Unmarshal(lit, &want)
		// A literal begins and ends with its quotes (json.Unmarshal also
		// takes whitespace after it, which Unquote does not).
		isString := len(lit) >= 2 && lit[0] == '"' && lit[len(lit)-1] == '"'
		if ok && (err != nil || got != want) {
			t.Fatalf("Unquote(%q) = %q; json.Unmarshal: %q, %v", lit, got, want, err)
		}
		if !ok && err == nil && isString && utf8.Valid(lit) {
			t.Fatalf("Unquote(%q) refused what json.Unmarshal reads as %q", lit, want)
		}
		// Content without a quote is a literal's between quotes, which
		// encoding/json reads exactly when ContentValid passes it.
		if utf8.Valid(lit) && bytes.IndexByte(lit, '"') < 0 {
			var s string
			err := json.Unmarshal(append(append([]byte{'"'}, lit...), '"'), &s)
			if ContentValid(lit) != (err == nil) {
				t.Fatalf("ContentValid(%q) = %v; json.Unmarshal: %v", lit, ContentValid(lit), err)
			}
		}
	})
}

// FuzzNeedsEscape holds NeedsEscape to json.Marshal.
func FuzzNeedsEscape(f *testing.F) {
	for _, s := range []string{"plain", `a"b`, `a\b`, "a\tb", "\u2028", "\u2029", "<>&", "é", "\x7f", "\x1f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if escaped := string(b) != `"`+s+`"`; NeedsEscape(s) != escaped {
			t.Fatalf("NeedsEscape(%q) = %v; json.Marshal wrote %s", s, NeedsEscape(s), b)
		}
	})
}

// TestHasControl holds HasControl to the byte-at-a-time reading, for a
// control byte at each position among bytes of every other kind.
func TestHasControl(t *testing.T) {
	for _, fill := range []byte{' ', 'a', 0x7f, 0x80, 0xe9, 0xff} {
		for n := range 20 {
			b := bytes.Repeat([]byte{fill}, n)
			if HasControl(b) || HasControl(string(b)) {
				t.Fatalf("%x×%d: a control byte found", fill, n)
			}
			for i := range n {
				for _, c := range []byte{0, 0x1f, '\t', 0x20} {
					b := bytes.Repeat([]byte{fill}, n)
					b[i] = c
					if got := HasControl(b); got != (c < 0x20) || HasControl(string(b)) != got {
						t.Fatalf("%x×%d with %x at %d: %v", fill, n, c, i, got)
					}
				}
			}
		}
	}
}
