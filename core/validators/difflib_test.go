package validators

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestQuickRatio(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"", "", 1.0},
		{"a", "", 0},
		{"", "a", 0},
		{"abc", "abc", 1},
		{"abc", "cba", 1},
		{"abcd", "bcde", 0.75},
		{"aaaa", "a", 0.4},
		{"a", strings.Repeat("a", 10), 2.0 / 11},
		{"testclient", "testclient", 1},
		{"testclient", "test", 2.0 * 4 / 14},
		{"ééa", "aé", 2.0 * 2 / 5},
	} {
		if got := quickRatio([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("quickRatio(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestQuickRatioAgainstPython compares with difflib bit for bit.
func TestQuickRatioAgainstPython(t *testing.T) {
	pairs := [][2]string{
		{"", ""}, {"a", ""}, {"", "a"}, {"abc", "abc"}, {"abcd", "bcde"},
		{"testclient", "testclient@example.com"}, {"example.com", "example"},
		{"héllo wörld", "hello world"}, {"İstanbul", "istanbul"},
		{"οδυσσευς", "οδυσσευσ"}, {"😀😀a", "a😀"}, {"e\u0301", "é"},
		{"١٢٣٤", "1234"}, {"aaaaaaaaaa", "a"}, {"ab", "ba"},
		{strings.Repeat("x", 1000), strings.Repeat("xy", 7)},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("abcdeé😀ΣσİΑ1²_ .")
	word := func() string {
		rs := make([]rune, rng.IntN(15))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	for range 1000 {
		pairs = append(pairs, [2]string{word(), word()})
	}
	resp := runOracle(t, oracleRequest{Ratios: pairs})
	for i, p := range pairs {
		if got := quickRatio([]rune(p[0]), []rune(p[1])); got != resp.Ratios[i] {
			t.Errorf("quickRatio(%q, %q) = %v, Python %v", p[0], p[1], got, resp.Ratios[i])
		}
	}
}

func TestExceedsMaximumLengthRatio(t *testing.T) {
	for _, tc := range []struct {
		pwd    int
		ms     float64
		value  int
		exceed bool
	}{
		{0, 0.7, 0, false},
		{10, 0.7, 1, true},   // 10 >= 10 and 1 < 3.5
		{9, 0.7, 1, false},   // not ten times longer
		{10, 0.1, 1, false},  // 1 < 0.5 is false
		{20, 0.1, 1, false},  // 1 < 1.0 is false
		{21, 0.1, 1, true},   // 1 < 1.05
		{100, 0.7, 10, true}, // 10 < 35
		{1000, 0.1, 100, false},
	} {
		if got := exceedsMaximumLengthRatio(tc.pwd, tc.ms, tc.value); got != tc.exceed {
			t.Errorf("exceedsMaximumLengthRatio(%d, %v, %d) = %v, want %v", tc.pwd, tc.ms, tc.value, got, tc.exceed)
		}
	}
}
