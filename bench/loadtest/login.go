package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
)

// runLogin measures, on each framework's showcase, started once per entry
// of loginThrottles: Argon2id logins (POST /api/token with alice's
// password) per second and per CPU-second of the server, with as many
// clients as the hash limiter has slots, for d; then burst logins sent at
// once, while /healthz and GET /api/me with the token are probed; then the
// process's peak RSS and heap.
func runLogin(ctx context.Context, fx *fixture, fws []string, d time.Duration, burst int, w, summary io.Writer) error {
	lim := hashers.Default().Limiter()
	ceiling := int64(lim.Capacity()) * int64(hashers.DefaultArgon2Memory) << 10
	fmt.Fprintf(w, "limiter: %d slots, %d bytes per Argon2id hash, %d bytes memory budget, %s maximum wait\n",
		lim.Capacity(), int64(hashers.DefaultArgon2Memory)<<10, lim.MaxMemory, hashers.DefaultLimiterMaxWait)
	for _, fw := range fws {
		for _, throttle := range loginThrottles {
			if err := loginOne(ctx, fx, fw, throttle, d, burst, lim.Capacity(), ceiling, w); err != nil {
				return fmt.Errorf("%s, throttle=%s: %w", fw, throttle.name, err)
			}
		}
	}
	return nil
}

// loginThrottles are the two showcase configurations of the login run:
// the default -login-rate (10/min), whose throttle counts logins while
// their password is checked and so refuses most of a burst with 429
// before any hashing, and a rate that never throttles, so that the whole
// burst reaches the hash limiter (503 after its maximum wait).
var loginThrottles = []struct {
	name string
	args []string
}{
	{"default", nil},
	{"off", []string{"-login-rate", "1000000/min"}},
}

func loginOne(ctx context.Context, fx *fixture, fw string, throttle struct {
	name string
	args []string
}, d time.Duration, burst, slots int, ceiling int64, w io.Writer) error {
	label := "login-" + throttle.name
	p, err := fx.startShowcase(ctx, fw, label, []string{"GODEBUG=gctrace=1"}, throttle.args)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			p.stop()
		}
	}()
	name := "BenchmarkLogin/framework=" + fw + "/throttle=" + throttle.name
	body, _ := json.Marshal(map[string]string{"username": "alice", "password": fx.alicePassword})
	login := func(c *http.Client) (int, error) {
		status, b, err := post(c, p.url("/api/token"), "application/json", body, "")
		if err == nil && status == http.StatusOK && len(b) == 0 {
			err = fmt.Errorf("200 without a body")
		}
		return status, err
	}
	startRSS, err := procStatus(p.pid(), "VmRSS")
	if err != nil {
		return err
	}

	// Steady: one client per limiter slot, for d. It also gives the
	// limiter the measured hash time a running server has before a burst.
	if err := loginSteady(ctx, p, login, slots, d, name, w); err != nil {
		return err
	}
	return loginBurst(ctx, fx, p, fw, label, login, burst, ceiling, startRSS, name, w, func() { p.stop(); stopped = true })
}

// loginSteady runs one client per limiter slot, each logging in again
// and again, for d, and writes the logins per second of wall time and
// per second of the server's CPU time.
func loginSteady(ctx context.Context, p *proc, login func(*http.Client) (int, error), slots int, d time.Duration, name string, w io.Writer) error {
	cpu0, err := procCPU(p.pid())
	if err != nil {
		return err
	}
	var ok atomic.Int64
	var firstErr error
	var mu sync.Mutex
	t0 := time.Now()
	end := t0.Add(d)
	var wg sync.WaitGroup
	for range slots {
		wg.Go(func() {
			c := &http.Client{Timeout: time.Minute}
			defer c.CloseIdleConnections()
			for time.Now().Before(end) && ctx.Err() == nil {
				status, err := login(c)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("steady login: status %d", status)
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	elapsed := time.Since(t0)
	cpu1, err := procCPU(p.pid())
	if err != nil {
		return err
	}
	n := ok.Load()
	if n == 0 {
		return fmt.Errorf("no login in %s", d)
	}
	cpuPer := float64((cpu1 - cpu0).Nanoseconds()) / float64(n)
	fmt.Fprintf(w, "%s/phase=steady \t%d\t%.0f ns/op\t%.2f logins/s\t%.0f cpu-ns/op\t%.2f logins/cpu-s\n",
		name, n, float64(elapsed.Nanoseconds())/float64(n), float64(n)/elapsed.Seconds(), cpuPer, 1e9/cpuPer)
	return nil
}

// loginBurst sends burst logins at once, each on its own connection,
// while a prober asks for /healthz and the JWT route, then reads the
// process's peak RSS, stops it (stop) and reads its peak heap from the
// GC trace in its log.
func loginBurst(ctx context.Context, fx *fixture, p *proc, fw, label string, login func(*http.Client) (int, error), burst int, ceiling, startRSS int64, name string, w io.Writer, stop func()) error {
	// Burst: burst logins at once, each on its own connection, while a
	// prober asks for /healthz and the JWT route.
	type answer struct {
		status  int
		latency time.Duration
	}
	answers := make([]answer, burst)
	var probeMu sync.Mutex
	probes := map[string][]time.Duration{}
	probeErrs := 0
	stopProbe := make(chan struct{})
	var probeWG sync.WaitGroup
	probeWG.Go(func() {
		c := &http.Client{Timeout: time.Minute}
		defer c.CloseIdleConnections()
		for {
			for _, pr := range []struct{ name, token string }{{"healthz", ""}, {"jwt", fx.token}} {
				path := route
				if pr.name == "healthz" {
					path = "/healthz"
				}
				t := time.Now()
				status, _, err := get(c, p.url(path), pr.token)
				lat := time.Since(t)
				probeMu.Lock()
				if err != nil || status != http.StatusOK {
					probeErrs++
				} else {
					probes[pr.name] = append(probes[pr.name], lat)
				}
				probeMu.Unlock()
			}
			select {
			case <-stopProbe:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	time.Sleep(200 * time.Millisecond) // probes before the burst too
	tr := &http.Transport{MaxIdleConnsPerHost: burst}
	c := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	gate := make(chan struct{})
	var bw sync.WaitGroup
	for i := range burst {
		bw.Go(func() {
			<-gate
			t := time.Now()
			status, err := login(c)
			if err != nil {
				status = -1
			}
			answers[i] = answer{status, time.Since(t)}
		})
	}
	close(gate)
	bw.Wait()
	close(stopProbe)
	probeWG.Wait()
	tr.CloseIdleConnections()

	by := map[string][]time.Duration{}
	other := map[int]int{}
	for _, a := range answers {
		switch a.status {
		case http.StatusOK:
			by["accepted"] = append(by["accepted"], a.latency)
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			by["rejected"] = append(by["rejected"], a.latency)
			other[a.status]++
		default:
			other[a.status]++
		}
	}
	for _, kind := range []string{"accepted", "rejected"} {
		if v := by[kind]; len(v) > 0 {
			fmt.Fprintf(w, "%s/phase=burst/answer=%s \t%d\t%d p50-ns\t%d p99-ns\t%d max-ns\n",
				name, kind, len(v), pct(v, 50).Nanoseconds(), pct(v, 99).Nanoseconds(), slices.Max(v).Nanoseconds())
		}
	}
	for _, pr := range []string{"healthz", "jwt"} {
		if v := probes[pr]; len(v) > 0 {
			fmt.Fprintf(w, "%s/phase=burst/probe=%s \t%d\t%d p50-ns\t%d p99-ns\t%d max-ns\n",
				name, pr, len(v), pct(v, 50).Nanoseconds(), pct(v, 99).Nanoseconds(), slices.Max(v).Nanoseconds())
		}
	}
	peakRSS, err := procStatus(p.pid(), "VmHWM")
	if err != nil {
		return err
	}
	stop()
	trace, err := os.ReadFile(fx.logPath(fw, label))
	if err != nil {
		return err
	}
	peakHeap, peakLive := gcPeaks(trace)
	fmt.Fprintf(w, "%s/phase=memory \t1\t%d peak-rss-bytes\t%d start-rss-bytes\t%d peak-heap-bytes\t%d peak-live-heap-bytes\t%d argon2-ceiling-bytes\n",
		name, peakRSS, startRSS, peakHeap, peakLive, ceiling)
	fmt.Fprintf(os.Stderr, "loadtest: %s: burst of %d: %d accepted, %d rejected %v; probe failures %d\n",
		label, burst, len(by["accepted"]), len(by["rejected"]), other, probeErrs)
	for status := range other {
		if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
			return fmt.Errorf("burst: answers other than 200, 429 and 503: %v", other)
		}
	}
	if probeErrs > 0 {
		return fmt.Errorf("burst: %d probes of /healthz or %s failed", probeErrs, route)
	}
	return nil
}

// pct is the q-th percentile of v (nearest rank); v is sorted in place.
func pct(v []time.Duration, q int) time.Duration {
	slices.Sort(v)
	i := (len(v)*q + 99) / 100
	return v[min(max(i-1, 0), len(v)-1)]
}

var gcLineRE = regexp.MustCompile(`(?m)^gc \d+ .* (\d+)->(\d+)->(\d+) MB`)

// gcPeaks reads GODEBUG=gctrace=1 output: the largest heap at the start
// of a collection (the heap's peak between two collections) and the
// largest heap marked live, in bytes.
func gcPeaks(trace []byte) (peak, live int64) {
	for _, m := range gcLineRE.FindAllSubmatch(trace, -1) {
		start, _ := strconv.ParseInt(string(m[1]), 10, 64)
		marked, _ := strconv.ParseInt(string(m[3]), 10, 64)
		peak, live = max(peak, start<<20), max(live, marked<<20)
	}
	return peak, live
}
