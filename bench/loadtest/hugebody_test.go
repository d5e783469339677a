package main

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"
)

// TestHugeCases: every case carries the password it is named for (10^6
// bytes once decoded, 5,000 for the baseline), as valid JSON or form, and
// the 2 MB body is over the showcase's 1 MiB cap while the others are
// under it.
func TestHugeCases(t *testing.T) {
	for _, c := range hugeCases() {
		var pw string
		switch c.contentType {
		case "application/json":
			var v struct{ Password string }
			if err := json.Unmarshal([]byte(c.body), &v); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			pw = v.Password
		default:
			v, err := url.ParseQuery(c.body)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			pw = v.Get("password")
		}
		want := hugePassword
		switch c.name {
		case "baseline":
			want = 5000
		case "token-2MB":
			want = 2 * hugePassword
		case "token-json-escaped":
			want = hugePassword / 6
		case "token-form-escaped":
			want = hugePassword / 3
		}
		if len(pw) != want {
			t.Errorf("%s: a password of %d bytes, want %d", c.name, len(pw), want)
		}
		if over := len(c.body) > 1<<20; over != (c.status == 413) {
			t.Errorf("%s: %d bytes, status %d", c.name, len(c.body), c.status)
		}
	}
}

// TestProcRuntime: this process's runtime grows by at least the CPU a
// busy loop spends, and a sched file's line is read in milliseconds.
func TestProcRuntime(t *testing.T) {
	if ms, ok := schedRuntime("x (1, #threads: 1)\n---\nse.exec_start :  1.5\nse.sum_exec_runtime                          :             12.805222\n"); !ok || ms != 12.805222 {
		t.Fatalf("schedRuntime: %v %v", ms, ok)
	}
	if _, ok := schedRuntime("nothing"); ok {
		t.Fatal("schedRuntime read a file without the line")
	}
	before, err := procRuntime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 50_000_000 {
		x ^= i
	}
	after, err := procRuntime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("runtime %v then %v after a busy loop (%d)", before, after, x)
	}
}
