package core_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
)

// Django's tests/validators/tests.py cases for validate_email (and
// EmailValidator(allowlist=...)), with the and a few more of the
// same rules.
var (
	validEmails = []string{
		"email@here.com",
		"weirder-email@here.and.there.com",
		"email@[127.0.0.1]",
		"email@[2001:dB8::1]",
		"email@[2001:dB8:0:0:0:0:0:1]",
		"email@[::fffF:127.0.0.1]",
		"example@valid-----hyphens.com",
		"example@valid-with-hyphens.com",
		"test@domain.with.idn.tld.उदाहरण.परीक्षा",
		"email@localhost",
		`"test@test"@example.com`,
		"example@atm." + strings.Repeat("a", 63),
		"example@" + strings.Repeat("a", 63) + ".atm",
		"example@" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 10) + ".atm",
		"\"\\\011\"@here.com",
		"a@" + strings.Repeat("a", 63) + ".us",
		// More of the same rules.
		"a@b.xn--p1ai", "a@B.XN--P1AI", "a@bücher.de", "a@b.рф", "a+tag@b.co", "!#$%&'*+/=?^_`{|}~-@b.co",
		"user@[::1]", "user@[0000:0000:0000:0000:0000:0000:0000:0001]", "ſ@b.com", "K@b.com", `"\""@c.de`,
		"a@b-c.d-e", "a@1.com", "a@b.c-d",
	}
	invalidEmails = []string{
		"example@atm." + strings.Repeat("a", 64),
		"example@" + strings.Repeat("b", 64) + ".atm." + strings.Repeat("a", 63),
		"example@" + strings.Repeat(strings.Repeat("a", 63)+".", 100) + "com",
		"",
		"abc",
		"abc@",
		"abc@bar",
		"a @x.cz",
		"abc@.com",
		"something@@somewhere.com",
		"email@127.0.0.1",
		"email@[127.0.0.256]",
		"email@[2001:db8::12345]",
		"email@[2001:db8:0:0:0:0:1]",
		"email@[::ffff:127.0.0.256]",
		"email@[2001:dg8::1]",
		"email@[2001:dG8:0:0:0:0:0:1]",
		"email@[::fTzF:127.0.0.1]",
		"example@invalid-.com",
		"example@-invalid.com",
		"example@invalid.com-",
		"example@inv-.alid-.com",
		"example@inv-.-alid.com",
		"test@example.com\n\n<script src=\"x.js\">",
		"\"\\\012\"@here.com",
		"trailingdot@shouldfail.com.",
		"a@" + strings.Repeat("a", 64) + ".us",
		"a@b.com\n",
		"a\n@b.com",
		"\"test@test\"\n@example.com",
		"a@[127.0.0.1]\n",
		// The issue's.
		".a@b.com", "a@b..com", "a@-b.com", "a@b.com.", "ａ@b.com",
		// More of the same rules.
		"a.@b.com", "a..b@c.com", "a@b.12", "a@b.c0m", "a@b.-xy", "a@b.xy-", "a@b.x", "a@LOCALHOST", "a@localhost.",
		"user@[1::2::3]", "user@[00000:0000:0000:0000:0000:0000:0000:0001]", "user@[127.0.0.01]", "user@[fe80::1%eth0]",
		"user@[::1", "user@::1]", "user@[]", "é@b.com", "💩@b.com", "a@💩.com", "a@b.💩", `"a"b"@c.de`, `"a\"@c.de`,
		"a\x00@b.com", `"a b"@c.de`, "a@b\u00a0c.com", strings.Repeat("a", 310) + "@example.com", "a@b.com\xff", "a@b_c.com",
	}
)

func TestValidEmail(t *testing.T) {
	for _, e := range validEmails {
		if !core.ValidEmail(e) {
			t.Errorf("ValidEmail(%q) = false, Django accepts it", e)
		}
	}
	for _, e := range invalidEmails {
		if core.ValidEmail(e) {
			t.Errorf("ValidEmail(%q) = true, Django refuses it", e)
		}
	}
	// EmailValidator(allowlist=["localdomain"]).
	v := core.EmailValidator{Allowlist: []string{"localdomain"}}
	if !v.Valid("email@localdomain") || v.Valid("email@localhost") || !v.Valid("email@here.com") {
		t.Errorf("allowlist localdomain: %v %v %v", v.Valid("email@localdomain"), v.Valid("email@localhost"), v.Valid("email@here.com"))
	}
	// 320 characters at most.
	long := strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 62)+".", 4) + "com"
	if n := utf8.RuneCountInString(long); n > 320 || !core.ValidEmail(long) {
		t.Errorf("%d characters refused", n)
	}
	if over := strings.Repeat("a", 320-len(long)+1) + long; core.ValidEmail(over) {
		t.Errorf("%d characters accepted", utf8.RuneCountInString(over))
	}
}

// FuzzValidEmail: never panics, refuses what is not UTF-8, and whatever it
// accepts has Django's shape: one local part and domain around the last
// "@", no white space or control character outside a quoted local part,
// at most 320 characters.
func FuzzValidEmail(f *testing.F) {
	for _, e := range append(validEmails[:len(validEmails):len(validEmails)], invalidEmails...) {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, e string) {
		if !core.ValidEmail(e) {
			return
		}
		at := strings.LastIndexByte(e, '@')
		if !utf8.ValidString(e) || utf8.RuneCountInString(e) > 320 || at <= 0 {
			t.Fatalf("accepted %q", e)
		}
		local, domain := e[:at], e[at+1:]
		if domain == "" || strings.ContainsAny(domain, " \t\r\n\x00@") || strings.HasSuffix(domain, ".") ||
			strings.HasPrefix(domain, ".") || strings.Contains(domain, "..") || strings.HasPrefix(domain, "-") {
			t.Fatalf("accepted %q: domain %q", e, domain)
		}
		if local[0] != '"' && (strings.ContainsAny(local, " \t\r\n\x00\"@") || strings.HasPrefix(local, ".") ||
			strings.HasSuffix(local, ".") || strings.Contains(local, "..")) {
			t.Fatalf("accepted %q: local part %q", e, local)
		}
		if strings.ContainsAny(local, "\r\n\x00") {
			t.Fatalf("accepted %q: a CR, LF or NUL in the local part", e)
		}
	})
}
