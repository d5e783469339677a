package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// wrkOutput is wrk 4.1.0's report of a run with --latency.
const wrkOutput = `Running 10s test @ http://127.0.0.1:41877/api/me
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.26ms   19.59ms 224.65ms   93.41%
    Req/Sec     5.96k     1.13k    7.43k    80.00%
  Latency Distribution
     50%  846.00us
     75%    3.21ms
     90%   18.87ms
     99%    1.02s 
  59360 requests in 10.00s, 19.53MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   5934.27
Transfer/sec:      1.95MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{RequestsPerSec: 5934.27, P50: 846 * time.Microsecond, P99: 1020 * time.Millisecond,
		Requests: 59360, Non2xx: 7, SocketErrors: 6}
	if r != want {
		t.Errorf("parseWrk = %+v, want %+v", r, want)
	}
	// Without --latency there are no percentiles: an error, not zeros.
	noLatency := strings.Replace(wrkOutput, "     50%  846.00us\n", "", 1)
	if _, err := parseWrk(noLatency); err == nil {
		t.Error("parseWrk without the 50% line: no error")
	}
	if _, err := parseWrk(strings.Replace(wrkOutput, "5934.27", "many", 1)); err == nil {
		t.Error("parseWrk with a malformed Requests/sec: no error")
	}
}

func TestParseWrkDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"846.00us": 846 * time.Microsecond, "3.21ms": 3210 * time.Microsecond,
		"1.02s": 1020 * time.Millisecond, "1.50m": 90 * time.Second, "0.00us": 0,
		"128.54ms": 128540 * time.Microsecond, // 128539999 ns without rounding
	} {
		got, err := parseWrkDuration(in)
		if err != nil || got != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12", "1.0x", "-1ms", "msms"} {
		if d, err := parseWrkDuration(in); err == nil {
			t.Errorf("parseWrkDuration(%q) = %v, want an error", in, d)
		}
	}
}

// TestRunWrk runs the installed wrk against a server that answers 200
// and one that answers 500, and reads both reports.
func TestRunWrk(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is not installed (scripts/deps.sh installs it)")
		}
		t.Skip("wrk is not installed (scripts/deps.sh installs it)")
	}
	var sawHeader atomic.Bool
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer t" {
			sawHeader.Store(true)
		}
		fmt.Fprint(w, "{}")
	}))
	defer ok.Close()
	r, err := runWrk(context.Background(), ok.URL, "Authorization: Bearer t", 2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.RequestsPerSec <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Non2xx != 0 || !sawHeader.Load() {
		t.Errorf("against a 200 server: %+v, header seen %v", r, sawHeader.Load())
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer bad.Close()
	r, err = runWrk(context.Background(), bad.URL, "", 2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Non2xx != r.Requests {
		t.Errorf("against a 500 server: %+v, want every response counted as non-2xx", r)
	}
}

func TestGCPeaks(t *testing.T) {
	trace := []byte(`some log line
gc 1 @0.012s 2%: 0.018+1.2+0.003 ms clock, 0.036+0.5/1.1/0+0.007 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 2 @1.500s 5%: 0.02+3.1+0.01 ms clock, 0.04+1/2/0+0.02 ms cpu, 95->97->48 MB, 96 MB goal, 1 MB stacks, 0 MB globals, 2 P
gc 3 @2.100s 5%: 0.02+3.1+0.01 ms clock, 0.04+1/2/0+0.02 ms cpu, 60->61->50 MB, 96 MB goal, 1 MB stacks, 0 MB globals, 2 P (forced)
time=... level=INFO msg="gc 4 is not a trace line 99->99->99 MB"
`)
	peak, live := gcPeaks(trace)
	if peak != 95<<20 || live != 50<<20 {
		t.Errorf("gcPeaks = %d, %d; want %d, %d", peak, live, 95<<20, 50<<20)
	}
}

func TestProcReaders(t *testing.T) {
	pid := os.Getpid()
	before, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	// Burn 200 ms of CPU by getrusage's count; /proc counts in 10 ms
	// ticks, so it must have moved by about as much.
	start := rusageCPU(t)
	x := 0
	for rusageCPU(t)-start < 200*time.Millisecond {
		for range 1_000_000 { // user time, not system calls
			x++
		}
	}
	after, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("procCPU moved by %v over 200 ms of CPU by getrusage (%d)", d, x)
	}
	hwm, err := procStatus(pid, "VmHWM")
	if err != nil || hwm < 1<<20 {
		t.Errorf("VmHWM = %d, %v", hwm, err)
	}
	if _, err := procStatus(pid, "NoSuchField"); err == nil {
		t.Error("a missing field: no error")
	}
}

// rusageCPU is this process's CPU time by getrusage.
func rusageCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestScrapeMetrics(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 14\n"+
			"reinhardt_http_requests_total{route=\"/api/me\"} 3\nprocess_open_fds 2e+01\n")
	}))
	defer srv.Close()
	m, err := scrapeMetrics(srv.Client(), srv.URL, "go_goroutines", "process_open_fds")
	if err != nil || m["go_goroutines"] != 14 || m["process_open_fds"] != 20 {
		t.Errorf("scrapeMetrics = %v, %v", m, err)
	}
	if _, err := scrapeMetrics(srv.Client(), srv.URL, "go_memstats_heap_inuse_bytes"); err == nil {
		t.Error("a missing metric: no error")
	}
}

func Example_parseWrk() {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.0f req/s, p50 %v, p99 %v, %d non-2xx\n", r.RequestsPerSec, r.P50, r.P99, r.Non2xx)
	// Output: 5934 req/s, p50 846µs, p99 1.02s, 7 non-2xx
}
