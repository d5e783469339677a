package main

import "testing"

func TestHeadGuard(t *testing.T) {
	for _, c := range []struct {
		in   string
		end  int
		good bool
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, true},
		{"GET / HTTP/1.1\nHost: x\n\nbody", 24, true},
		{"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 39, false},
		{"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n", 42, true},
		{"GET / HTTP/1.1\r\nHost: x\r\n", -1, true},
		{"GET / HTTP/1.1\r\n\r\n", 18, true},
	} {
		end := headEnd([]byte(c.in))
		if end != c.end {
			t.Errorf("headEnd(%q) = %d, want %d", c.in, end, c.end)
			continue
		}
		if end >= 0 && wellFormed([]byte(c.in[:end])) != c.good {
			t.Errorf("wellFormed(%q) = %v", c.in[:end], !c.good)
		}
	}
}
