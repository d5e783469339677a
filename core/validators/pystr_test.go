package validators

import (
	"reflect"
	"strconv"
	"testing"
	"unicode"
)

func TestPyLower(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"ABC def", "abc def"},
		{"İstanbul", "i\u0307stanbul"},
		{"ΟΔΥΣΣΕΥΣ", "οδυσσευς"},
		{"Σ", "σ"},
		{"ΑΣ", "ας"},
		{"ΑΣ.", "ας."},
		{"ΑΣΑ", "ασα"},
		{"ΑΣ'Α", "ασ'α"},
		{"Α'Σ", "α'ς"},
		{"ΑΣ Α", "ας α"},
		{"ẞ", "ß"},
		{"ǅ", "ǆ"},
		{"K", "k"}, // KELVIN SIGN
		{"\xff", "\ufffd"},
	} {
		if got := string(pyLower(tc.in)); got != tc.want {
			t.Errorf("pyLower(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitNonWord(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"abc", []string{"abc"}},
		{"a.b", []string{"a", "b"}},
		{"a..b", []string{"a", "b"}},
		{".a.", []string{"", "a", ""}},
		{"...", []string{"", ""}},
		{"test@example.com", []string{"test", "example", "com"}},
		{"snake_case", []string{"snake_case"}},
		{"e\u0301t\u00e9", []string{"e", "t\u00e9"}},
		{"x²y½zⅫ", []string{"x²y½zⅫ"}},
		{"a\u203fb", []string{"a", "b"}},
		{"a b\u00a0c\u3000d", []string{"a", "b", "c", "d"}},
	} {
		var got []string
		for _, p := range splitNonWord([]rune(tc.in)) {
			got = append(got, string(p))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitNonWord(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPyStrip(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{" a b ", "a b"},
		{"\x1c\x1d\x1e\x1fa\x1f", "a"},
		{"\u00a0\u3000a\u2028\u0085", "a"},
		{"\u200ba\u200b", "\u200ba\u200b"}, // ZERO WIDTH SPACE is not whitespace
		{"\ufeffa", "\ufeffa"},
	} {
		if got := string(pyStrip([]rune(tc.in))); got != tc.want {
			t.Errorf("pyStrip(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := pyStripString(tc.in); got != tc.want {
			t.Errorf("pyStripString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPyIsDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"0123456789", true},
		{"١٢٣", true},  // ARABIC-INDIC
		{"１２３", true},  // FULLWIDTH
		{"²³¹⁰", true}, // SUPERSCRIPT
		{"₀₉", true},   // SUBSCRIPT
		{"①⑨⓪", true},  // CIRCLED
		{"𝟏𝟐", true},   // MATHEMATICAL BOLD
		{"½", false},   // VULGAR FRACTION: numeric, not a digit
		{"Ⅻ", false},   // ROMAN NUMERAL
		{"一二三", false}, // CJK numerals are letters
		{"123 ", false},
		{"12a", false},
		{"-1", false},
	} {
		if got := pyIsDigit(tc.in); got != tc.want {
			t.Errorf("pyIsDigit(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestPythonStringFunctions compares the ports with CPython on strings.
func TestPythonStringFunctions(t *testing.T) {
	inputs := []string{
		"", "ABC", "İİ", "ΣΣ", "ΑΣ", "ΑΣ'", "Α'Σ'Α", "ΑΣ\u0301", "ΑΣ\u0301Α",
		"\u0345Σ", "ʰΣ", "AΣ1", "1Σ", "Σ.Σ", "ǅΣ", "ᾼΣ",
		" a ", "\x1ca\x1f", "\u3000a\u2029", "\u0085a\u180e",
		"a.b-c_d e@f", "é\u0301e", "¹²³", "x\u200by", "a\u2028b", "😀.😀", "__",
		"١٢٣", "１２３", "①", "½", "𝟏", "ⅫⅫ", "",
	}
	resp := runOracle(t, oracleRequest{Lower: inputs, Strip: inputs, Split: inputs, IsDigit: inputs})
	for i, s := range inputs {
		if got := string(pyLower(s)); got != resp.Lower[i] {
			t.Errorf("lower(%q) = %q, Python %q", s, got, resp.Lower[i])
		}
		if got := pyStripString(s); got != resp.Strip[i] {
			t.Errorf("strip(%q) = %q, Python %q", s, got, resp.Strip[i])
		}
		var parts []string
		for _, p := range splitNonWord([]rune(s)) {
			parts = append(parts, string(p))
		}
		if !reflect.DeepEqual(parts, resp.Split[i]) {
			t.Errorf("split(%q) = %q, Python %q", s, parts, resp.Split[i])
		}
		if got := pyIsDigit(s); got != resp.IsDigit[i] {
			t.Errorf("isdigit(%q) = %v, Python %v", s, got, resp.IsDigit[i])
		}
	}
}

// TestUnicodeTablesAgainstPython checks every code point Python's Unicode
// database assigns: isdigit, \w, isspace, lower and the final-sigma
// context. Code points Python does not know (added by a later Unicode
// than Python's) are skipped and counted.
func TestUnicodeTablesAgainstPython(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every code point")
	}
	tb := runOracle(t, oracleRequest{Tables: true}).Tables
	t.Logf("Python Unicode %s, Go Unicode %s", tb.UnidataVersion, unicode.Version)
	lower := make(map[rune]string, len(tb.Lower))
	for k, v := range tb.Lower {
		cp, err := strconv.Atoi(k)
		if err != nil {
			t.Fatal(err)
		}
		lower[rune(cp)] = v
	}
	checked, skipped, failures := 0, 0, 0
	fail := func(format string, args ...any) {
		failures++
		if failures <= 50 {
			t.Errorf(format, args...)
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		if !inRanges(tb.Assigned, r) {
			skipped++
			continue
		}
		checked++
		s := string(r)
		if got, want := pyIsDigit(s), inRanges(tb.IsDigit, r); got != want {
			fail("isdigit(%U) = %v, Python %v", r, got, want)
		}
		if got, want := isWord(r), inRanges(tb.Word, r); got != want {
			fail(`\w(%U) = %v, Python %v`, r, got, want)
		}
		if got, want := pyIsSpace(r), inRanges(tb.IsSpace, r); got != want {
			fail("isspace(%U) = %v, Python %v", r, got, want)
		}
		want, ok := lower[r]
		if !ok {
			want = s
		}
		if got := string(pyLower(s)); got != want {
			fail("lower(%U) = %q, Python %q", r, got, want)
		}
		between := pyLower("A" + s + "\u03a3")
		if got, want := between[len(between)-1] == '\u03c2', inRanges(tb.SigmaBetween, r); got != want {
			fail("final sigma in A%+qΣ = %v, Python %v", r, got, want)
		}
		after := pyLower(s + "\u03a3")
		if got, want := after[len(after)-1] == '\u03c2', inRanges(tb.SigmaAfter, r); got != want {
			fail("final sigma in %+qΣ = %v, Python %v", r, got, want)
		}
	}
	t.Logf("checked %d code points, skipped %d unassigned in Python; %d failures", checked, skipped, failures)
}
