package core

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// EmailValidator judges email addresses as Django's EmailValidator
// (django.core.validators, Django 5.x) does, which DRF's EmailField and
// Django's forms use:
//
//   - at most 320 characters (RFC 3696), with an "@"; the part after the
//     last "@" is the domain;
//   - the local part is a dot-atom (ASCII letters, digits and
//     !#$%&'*+/=?^_`{|}~- in runs joined by single dots: no leading,
//     trailing or doubled dot) or a quoted string (no space, tab, CR or
//     LF unescaped);
//   - the domain is in Allowlist, or is labels joined by dots, each of 1
//     to 63 characters (letters, digits, hyphens and any character from
//     U+00A1 to U+FFFF, so internationalized names in Unicode), none
//     starting or ending with a hyphen, at least two of them, the last
//     (the TLD) without digits unless it is punycode (xn--...), and no
//     trailing dot; or an IPv4 or IPv6 literal in brackets
//     ("[127.0.0.1]", "[2001:db8::1]").
//
// Python's case-insensitive matching also lets the four characters whose
// case maps onto ASCII letters (U+0130, U+0131, U+017F, U+212A) into the
// local part, as Django does. A string that is not UTF-8 is refused.
type EmailValidator struct {
	// Allowlist holds domains accepted as they are (compared exactly);
	// nil means DefaultEmailAllowlist.
	Allowlist []string
}

// DefaultEmailAllowlist is Django's EmailValidator.domain_allowlist.
var DefaultEmailAllowlist = []string{"localhost"}

// MaxEmailAddressLength is EmailValidator's bound, in characters (RFC 3696
// section 3); EmailField's max_length, MaxEmailLength, is shorter.
const MaxEmailAddressLength = 320

// ValidEmail reports whether email is an address Django's default
// EmailValidator accepts (EmailValidator with DefaultEmailAllowlist).
func ValidEmail(email string) bool { return EmailValidator{}.Valid(email) }

// Valid reports whether email is an address Django's EmailValidator, with
// v's allowlist, accepts.
func (v EmailValidator) Valid(email string) bool {
	if email == "" || !utf8.ValidString(email) || utf8.RuneCountInString(email) > MaxEmailAddressLength {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	local, domain := email[:at], email[at+1:]
	if !dotAtom(local) && !quotedString(local) {
		return false
	}
	allow := v.Allowlist
	if allow == nil {
		allow = DefaultEmailAllowlist
	}
	for _, d := range allow {
		if domain == d {
			return true
		}
	}
	return domainName(domain) || addressLiteral(domain)
}

// caseToASCII reports whether r is one of the non-ASCII characters
// Python's re.IGNORECASE matches against ASCII letters: İ (U+0130),
// ı (U+0131), ſ (U+017F) and the Kelvin sign (U+212A).
func caseToASCII(r rune) bool {
	return r == 0x130 || r == 0x131 || r == 0x17f || r == 0x212a
}

func asciiLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

func asciiDigit(r rune) bool { return r >= '0' && r <= '9' }

// dotAtom: atoms of atext joined by single dots.
func dotAtom(s string) bool {
	if s == "" {
		return false
	}
	for _, atom := range strings.Split(s, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !asciiLetter(r) && !asciiDigit(r) && !caseToASCII(r) && !strings.ContainsRune("-!#$%&'*+/=?^_`{}|~", r) {
				return false
			}
		}
	}
	return true
}

// quotedString: a double-quoted string of qtext and quoted pairs, with
// Django's character ranges (no NUL, tab, LF, CR or space unescaped; no
// NUL, LF or CR escaped).
func quotedString(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	body := []rune(s[1 : len(s)-1])
	for i := 0; i < len(body); i++ {
		r := body[i]
		if r == '\\' {
			i++
			if i == len(body) {
				return false
			}
			e := body[i]
			if !caseToASCII(e) && (e == 0 || e == '\n' || e == '\r' || e > 0x7f) {
				return false
			}
			continue
		}
		if !caseToASCII(r) && (r == 0 || r == '\t' || r == '\n' || r == '\r' || r == ' ' || r == '"' || r > 0x7f) {
			return false
		}
	}
	return true
}

// unicodeLabelChar is Django's [a-z\u00a1-\uffff] (case-insensitive).
func unicodeLabelChar(r rune) bool { return asciiLetter(r) || (r >= 0xa1 && r <= 0xffff) }

// domainName: Django's hostname_re, domain_re and tld_no_fqdn_re: a
// first label, middle labels and a TLD, with no trailing dot.
func domainName(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels[:len(labels)-1] {
		if !domainLabel(l) {
			return false
		}
	}
	return tld(labels[len(labels)-1])
}

// domainLabel: 1 to 63 letters, digits, hyphens or U+00A1..U+FFFF, not
// starting or ending with a hyphen (hostname_re and domain_re agree).
func domainLabel(l string) bool {
	n := utf8.RuneCountInString(l)
	if n == 0 || n > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if !unicodeLabelChar(r) && !asciiDigit(r) && r != '-' {
			return false
		}
	}
	return true
}

// tld: 2 to 63 letters, hyphens or U+00A1..U+FFFF, not starting or
// ending with a hyphen; or punycode, "xn--" and 1 to 59 letters or digits.
func tld(l string) bool {
	n := utf8.RuneCountInString(l)
	if n < 2 || n > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	plain := true
	for _, r := range l {
		if !unicodeLabelChar(r) && r != '-' {
			plain = false
			break
		}
	}
	if plain {
		return true
	}
	if len(l) < 4 || !strings.EqualFold(l[:4], "xn--") {
		return false
	}
	rest := l[4:]
	if m := utf8.RuneCountInString(rest); m < 1 || m > 59 {
		return false
	}
	for _, r := range rest {
		if !asciiLetter(r) && !asciiDigit(r) && !caseToASCII(r) {
			return false
		}
	}
	return true
}

// maxIPv6LiteralLength is Django's MAX_IPV6_ADDRESS_LENGTH: a longer IPv6
// text is refused before it is parsed.
const maxIPv6LiteralLength = 39

// addressLiteral: "[" IPv4 or IPv6 address "]", as Django's literal_regex
// and validate_ipv46_address (Python's ipaddress: dotted quads without
// leading zeros; no zone).
func addressLiteral(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	ip := s[1 : len(s)-1]
	for i := 0; i < len(ip); i++ {
		c := ip[i]
		if !asciiDigit(rune(c)) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F') && c != ':' && c != '.' {
			return false
		}
	}
	if !strings.Contains(ip, ":") {
		a, err := netip.ParseAddr(ip)
		return err == nil && a.Is4()
	}
	if len(ip) > maxIPv6LiteralLength {
		return false
	}
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Is6()
}
