package validators

// quickRatio is Python's difflib.SequenceMatcher(a=a, b=b).quick_ratio()
// over code points.
//
// quick_ratio views a and b as multisets and counts the size of their
// intersection, ignoring order: for each element of a it takes one unused
// occurrence from b when there is one. The ratio is 2*M/T, where M is that
// count and T is len(a)+len(b), and 1.0 when both are empty (difflib's
// _calculate_ratio). The arithmetic is done in the same order as Python's
// "2.0 * matches / length", so the float64 results are bit-identical.
// SequenceMatcher's autojunk heuristic does not affect quick_ratio, which
// counts the full b.
func quickRatio(a, b []rune) float64 {
	length := len(a) + len(b)
	if length == 0 {
		return 1.0
	}
	return 2.0 * float64(multisetMatches(a, b)) / float64(length)
}

// multisetMatches returns the size of the multiset intersection of a and b.
// ASCII-only b, the common case for user names and e-mail addresses, is
// counted in an array instead of a map.
func multisetMatches(a, b []rune) int {
	ascii := true
	for _, r := range b {
		if r >= 0x80 {
			ascii = false
			break
		}
	}
	matches := 0
	if ascii {
		var avail [0x80]int
		for _, r := range b {
			avail[r]++
		}
		for _, r := range a {
			if r >= 0 && r < 0x80 && avail[r] > 0 {
				avail[r]--
				matches++
			}
		}
		return matches
	}
	avail := make(map[rune]int, len(b))
	for _, r := range b {
		avail[r]++
	}
	for _, r := range a {
		if n := avail[r]; n > 0 {
			avail[r] = n - 1
			matches++
		}
	}
	return matches
}
