package validators

import (
	"unicode"
	"unicode/utf8"
)

// This file holds the small pieces of Python's str and re semantics that
// Django's validators depend on. Go strings are byte sequences and Python
// strings are sequences of code points, so every function here works on
// runes: a Python len() is a rune count, and each invalid UTF-8 byte in a Go
// string counts as one U+FFFD, as ranging over the string yields it.
//
// Character classes come from Go's unicode package (Unicode 15.0.0 in
// Go 1.26), which is the version Python 3.12 uses. Python 3.11 (Unicode
// 14.0.0) differs only on code points that Unicode 15.0 newly assigned.

// pyLower returns Python's str.lower() of s as runes.
//
// Python lower-cases with the full case mappings of SpecialCasing.txt: the
// only unconditional one that expands is U+0130 LATIN CAPITAL LETTER I WITH
// DOT ABOVE, which becomes "i\u0307" (two code points, so it changes the
// length), and the only context-dependent one Python applies is Final_Sigma:
// U+03A3 becomes ς at the end of a word and σ elsewhere. Every other code
// point maps with the simple lower-case mapping, which is unicode.ToLower.
func pyLower(s string) []rune {
	src := []rune(s)
	out := make([]rune, 0, len(src))
	for i, r := range src {
		switch r {
		case '\u0130':
			out = append(out, 'i', '\u0307')
		case '\u03a3':
			if finalSigma(src, i) {
				out = append(out, '\u03c2')
			} else {
				out = append(out, '\u03c3')
			}
		default:
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

// finalSigma reports whether the capital sigma at src[i] is in the
// Final_Sigma context of Unicode's SpecialCasing.txt, as CPython's
// handle_capital_sigma decides it:
//
//	\p{cased} \p{case-ignorable}* U+03A3 !( \p{case-ignorable}* \p{cased} )
func finalSigma(src []rune, i int) bool {
	j := i - 1
	for j >= 0 && isCaseIgnorable(src[j]) {
		j--
	}
	if j < 0 || !isCased(src[j]) {
		return false
	}
	j = i + 1
	for j < len(src) && isCaseIgnorable(src[j]) {
		j++
	}
	return j == len(src) || !isCased(src[j])
}

// isCased is Unicode's derived property Cased: Lowercase, Uppercase or
// general category Lt.
func isCased(r rune) bool {
	return unicode.IsLower(r) || unicode.IsUpper(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// isCaseIgnorable is Unicode's derived property Case_Ignorable: general
// category Mn, Me, Cf, Lm or Sk, or Word_Break MidLetter, MidNumLet or
// Single_Quote (the punctuation listed in the switch).
func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '\u00b7', '\u0387', '\u055f', '\u05f4', '\u2018', '\u2019',
		'\u2024', '\u2027', '\ufe13', '\ufe52', '\ufe55', '\uff07', '\uff0e', '\uff1a':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// pyIsSpace is Python's str.isspace() for one code point: bidirectional
// class WS, B or S, or general category Zs. That is Unicode's White_Space
// (unicode.IsSpace) plus the four ASCII information separators U+001C to
// U+001F, which Python treats as whitespace and Go does not.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's str.strip() with no argument.
func pyStrip(rs []rune) []rune {
	start, end := 0, len(rs)
	for start < end && pyIsSpace(rs[start]) {
		start++
	}
	for end > start && pyIsSpace(rs[end-1]) {
		end--
	}
	return rs[start:end]
}

// pyStripString is pyStrip for a string. It leaves the bytes between the
// first and last non-space code points untouched.
func pyStripString(s string) string {
	start, end := 0, len(s)
	for start < end {
		r, size := utf8.DecodeRuneInString(s[start:])
		if !pyIsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(s[start:end])
		if !pyIsSpace(r) {
			break
		}
		end -= size
	}
	return s[start:end]
}

// isWord is the \w class of Python's re module for str patterns:
// str.isalnum() or '_'. isalnum is isalpha (general categories Lu, Ll, Lt,
// Lm, Lo) or isdecimal, isdigit or isnumeric (a Numeric_Type value), and
// for every assigned code point that is exactly general category L or N.
//
// Edges worth knowing: combining marks (Mn, Mc, Me) are not word
// characters, so a decomposed "e\u0301" splits after the e; connector
// punctuation other than '_' (such as U+203F) is not either; superscript
// and circled digits, Roman numerals and vulgar fractions are. Go's regexp
// \w is ASCII-only, which is why this is written by hand.
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// splitNonWord is Python's re.split(r"\W+", s): the pieces between runs of
// non-word characters. Like Python it keeps the empty pieces produced by a
// leading or trailing run, so ".a." gives ["", "a", ""], and "" gives [""].
func splitNonWord(s []rune) [][]rune {
	var parts [][]rune
	start := 0
	for i := 0; i < len(s); {
		if isWord(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && !isWord(s[j]) {
			j++
		}
		parts = append(parts, s[start:i])
		start, i = j, j
	}
	return append(parts, s[start:])
}

// pyIsDigit is Python's str.isdigit(): true for a non-empty string whose
// code points all have Numeric_Type Decimal (general category Nd: '0' to
// '9', Arabic-Indic '١', fullwidth '３', ...) or Digit (superscripts such as
// '²', subscripts, circled and parenthesized digits and a few historic
// scripts' digits, listed in isDigitNotDecimal).
func pyIsDigit(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Nd, r) && !isDigitNotDecimal(r) {
			return false
		}
	}
	return true
}

// isDigitNotDecimal reports whether r has Numeric_Type=Digit, the code
// points Python's isdigit accepts beyond general category Nd. Unicode
// encodes new digits as Nd, so this compatibility set is stable; it was
// taken from Python 3.11 (Unicode 14.0.0) and is checked against Python in
// the tests. It is a switch rather than a unicode.RangeTable so that the
// package holds no mutable tables.
func isDigitNotDecimal(r rune) bool {
	switch {
	case r < 0xb2:
		return false
	case r <= 0xb3, r == 0xb9,
		r >= 0x1369 && r <= 0x1371,              // Ethiopic digits
		r == 0x19da,                             // New Tai Lue tham digit one
		r == 0x2070, r >= 0x2074 && r <= 0x2079, // superscripts
		r >= 0x2080 && r <= 0x2089, // subscripts
		r >= 0x2460 && r <= 0x2468, // circled
		r >= 0x2474 && r <= 0x247c, // parenthesized
		r >= 0x2488 && r <= 0x2490, // with full stop
		r == 0x24ea, r >= 0x24f5 && r <= 0x24fd, r == 0x24ff,
		r >= 0x2776 && r <= 0x277e, // dingbat circled
		r >= 0x2780 && r <= 0x2788,
		r >= 0x278a && r <= 0x2792,
		r >= 0x10a40 && r <= 0x10a43, // Kharoshthi
		r >= 0x10e60 && r <= 0x10e68, // Rumi
		r >= 0x11052 && r <= 0x1105a, // Brahmi numbers
		r >= 0x1f100 && r <= 0x1f10a: // digit with full stop / comma
		return true
	}
	return false
}
