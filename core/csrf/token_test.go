package csrf

import (
	"strings"
	"testing"
)

// Vectors made by Django's _mask_cipher_secret (python3-django 3.2; 4.x
// masks identically) with its random mask replaced by the given one.
var maskVectors = []struct{ secret, mask, token string }{
	{"abcdefghijklmnopqrstuvwxyzABCDEF", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefghijklmnopqrstuvwxyzABCDEF"},
	{"0123456789012345678901234567890Z", "9876543210ZYXWVUTSRQPONMLKJIHGFE", "9876543210ZYXWVUTSRQPONMLKJIHGFEZZZZZZZZZZPPPPPPPPPPFFFFFFFFFFvt"},
	{"ywiXhTSOyEr5nve0VaoyO6Nw8SL7A4tK", "QwErTyUiOpAsDfGhJkLzXcVbNm012345", "QwErTyUiOpAsDfGhJkLzXcVbNm012345eSMe0hCWcTRnQAK7ukZXB8yxL4BYsXnF"},
}

func TestMaskVectors(t *testing.T) {
	for _, v := range maskVectors {
		if got := maskWith(v.secret, v.mask); got != v.token {
			t.Errorf("mask(%s, %s) = %s; Django: %s", v.secret, v.mask, got, v.token)
		}
		if got, ok := UnmaskToken(v.token); !ok || got != v.secret {
			t.Errorf("unmask(%s) = %s, %v; want %s", v.token, got, ok, v.secret)
		}
		if !VerifyToken(v.token, v.secret) || !VerifyToken(v.token, v.token) || !VerifyToken(v.secret, v.token) {
			t.Errorf("VerifyToken refused a vector in one of its forms: %s", v.token)
		}
	}
}

func TestMaskRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		s := NewSecret()
		if !ValidSecret(s) {
			t.Fatalf("NewSecret() = %q", s)
		}
		tok := MaskSecret(s)
		if len(tok) != TokenLength || checkFormat(tok) != "" || seen[tok] {
			t.Fatalf("MaskSecret = %q", tok)
		}
		seen[tok] = true
		if got, ok := UnmaskToken(tok); !ok || got != s {
			t.Fatalf("round trip of %s: %s", s, got)
		}
		if VerifyToken(tok, NewSecret()) {
			t.Fatal("a token verified against another secret")
		}
	}
}

// TestSecretsUniform checks that every character of the alphabet turns
// up in secrets, at every position class, with no obvious bias.
func TestSecretsUniform(t *testing.T) {
	counts := map[byte]int{}
	const n = 4000
	for range n {
		for _, c := range []byte(NewSecret()) {
			counts[c]++
		}
	}
	want := n * SecretLength / nChars
	for i := 0; i < nChars; i++ {
		c := counts[allowedChars[i]]
		if c < want*8/10 || c > want*12/10 {
			t.Errorf("%q drawn %d times; want about %d", allowedChars[i], c, want)
		}
	}
}

func TestCheckFormat(t *testing.T) {
	for v, want := range map[string]string{
		strings.Repeat("a", 32):          "",
		strings.Repeat("Z", 64):          "",
		strings.Repeat("a", 31):          reasonIncorrectLength,
		strings.Repeat("a", 63):          reasonIncorrectLength,
		"":                               reasonIncorrectLength,
		strings.Repeat("a", 31) + "-":    reasonInvalidCharacters,
		strings.Repeat("é", 16):          reasonInvalidCharacters, // 32 bytes
		strings.Repeat("a", 63) + "\x00": reasonInvalidCharacters,
	} {
		if got := checkFormat(v); got != want {
			t.Errorf("checkFormat(%q) = %q; want %q", v, got, want)
		}
	}
	if _, ok := UnmaskToken(strings.Repeat("a", 63) + "!"); ok {
		t.Error("UnmaskToken accepted an invalid character")
	}
	if VerifyToken(strings.Repeat("a", 64), strings.Repeat("a", 40)) {
		t.Error("VerifyToken accepted a stored value of the wrong length")
	}
}
