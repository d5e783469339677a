package jsonstr

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote returns the string the JSON string literal lit (quotes
// included) stands for, as json.Unmarshal into a string decodes it: JSON's
// escapes undone, a \u escape of half a surrogate pair that is not
// followed by the other half read as U+FFFD. ok is false when lit is not
// a JSON string literal, and when its content is not UTF-8 (which
// encoding/json would take, replacing each bad byte with U+FFFD; a caller
// that needs that reading asks encoding/json).
func Unquote(lit []byte) (s string, ok bool) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", false
	}
	content := lit[1 : len(lit)-1]
	if HasControl(content) || !utf8.Valid(content) {
		return "", false
	}
	var out []byte
	for i := 0; i < len(content); {
		if content[i] != '\\' {
			// A run without escapes, found by IndexByte: a long plain
			// string is not read byte by byte.
			end := len(content)
			if j := bytes.IndexByte(content[i:], '\\'); j >= 0 {
				end = i + j
			}
			if bytes.IndexByte(content[i:end], '"') >= 0 {
				return "", false // a quote that ends the literal early
			}
			if i == 0 && end == len(content) {
				return string(content), true
			}
			if out == nil {
				out = make([]byte, 0, len(content))
			}
			out = append(out, content[i:end]...)
			i = end
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(content))
		}
		if i+1 >= len(content) {
			return "", false
		}
		if c := unescaped[content[i+1]]; c != 0 {
			out = append(out, c)
			i += 2
			continue
		}
		if content[i+1] != 'u' {
			return "", false
		}
		r, ok := hex4(content[i+2:])
		if !ok {
			return "", false
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// The other half must follow at once, as a \u escape; a bad
			// escape there is refused on the next turn.
			if i+1 < len(content) && content[i] == '\\' && content[i+1] == 'u' {
				if r2, ok := hex4(content[i+2:]); ok {
					if pair := utf16.DecodeRune(r, r2); pair != unicode.ReplacementChar {
						out = utf8.AppendRune(out, pair)
						i += 6
						continue
					}
				}
			}
			r = unicode.ReplacementChar
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out), true
}

// unescaped maps the character after a backslash to the byte it stands
// for, for every escape but \u; 0 for the rest.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hexValue maps a byte to its value as a hex digit, -1 for the rest.
var hexValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c - 'a' + 10)
		t[c-'a'+'A'] = int8(c - 'a' + 10)
	}
	return t
}()

// hex4 reads the four hex digits b begins with; ok is false when it does
// not.
func hex4(b []byte) (r rune, ok bool) {
	if len(b) < 4 {
		return 0, false
	}
	v0, v1, v2, v3 := hexValue[b[0]], hexValue[b[1]], hexValue[b[2]], hexValue[b[3]]
	if v0|v1|v2|v3 < 0 {
		return 0, false
	}
	return rune(v0)<<12 | rune(v1)<<8 | rune(v2)<<4 | rune(v3), true
}

// ContentValid reports whether content, the text between the quotes of a
// string literal, follows JSON's rules for it (RFC 8259 section 7): no
// control character, and a backslash only before one of "\/bfnrt or a u
// and four hex digits. It does not check for an unescaped quote or for
// UTF-8.
func ContentValid(content []byte) bool {
	if HasControl(content) {
		return false
	}
	i := bytes.IndexByte(content, '\\')
	for i >= 0 {
		if i+1 >= len(content) {
			return false
		}
		switch {
		case unescaped[content[i+1]] != 0:
			i += 2
		case content[i+1] == 'u':
			if _, ok := hex4(content[i+2:]); !ok {
				return false
			}
			i += 6
		default:
			return false
		}
		// The next escape: at once (escapes in a row are not looked for
		// one call at a time), or further on.
		if i < len(content) && content[i] == '\\' {
			continue
		}
		j := bytes.IndexByte(content[i:], '\\')
		if j < 0 {
			return true
		}
		i += j
	}
	return true
}

// HasControl reports whether b has a byte below 0x20, eight bytes at a
// time: x - 0x20 in each byte borrows into the byte's top bit only from a
// byte below 0x20 (or one above 0x7f, which the &^x leaves out), and a
// borrow reaches a higher byte only from a lower byte that is below 0x20
// itself.
func HasControl[T string | []byte](b T) bool {
	for len(b) >= 8 {
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if (x-0x2020202020202020)&^x&0x8080808080808080 != 0 {
			return true
		}
		b = b[8:]
	}
	for i := range len(b) {
		if b[i] < 0x20 {
			return true
		}
	}
	return false
}

// NeedsEscape reports whether json.Marshal writes the UTF-8 string s as
// anything but s between quotes: s has a quote, a backslash, a control
// character, one of <, > and & (escaped for HTML), U+2028 or U+2029.
func NeedsEscape(s string) bool {
	for _, c := range []byte{'"', '\\', '<', '>', '&'} {
		if strings.IndexByte(s, c) >= 0 {
			return true
		}
	}
	return HasControl(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")
}
