package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hugePassword is the attack suite's 1 MB password: 10^6 bytes.
const hugePassword = 1000000

// A hugeCase is one request of the huge-body run: a body sent to a path,
// and the status the showcase must answer with (the contract's 400 for a
// password over 4096 bytes, 413 for a body over 1 MiB).
type hugeCase struct {
	name, path, contentType, body string
	csrf                          bool // the session login: the CSRF cookie and header
	status                        int
}

// hugeCases are the requests runHugeBody times: the 1 MB password as JSON
// and as a form, plain and with every character escaped, to the token
// endpoint, the session login and registration; a 2 MB body; and the
// baseline, a 5,000-byte password, the shortest the contract refuses.
func hugeCases() []hugeCase {
	jsonBody := func(pw string) string { return `{"username":"alice","password":"` + pw + `"}` }
	formBody := func(pw string) string { return "username=alice&password=" + pw }
	plain, escJSON, escForm := strings.Repeat("a", hugePassword), strings.Repeat(`\u0041`, hugePassword/6), strings.Repeat("%41", hugePassword/3)
	const js, form = "application/json", "application/x-www-form-urlencoded"
	return []hugeCase{
		{name: "baseline", path: "/api/token", contentType: js, body: jsonBody(strings.Repeat("a", 5000)), status: http.StatusBadRequest},
		{name: "token-json", path: "/api/token", contentType: js, body: jsonBody(plain), status: http.StatusBadRequest},
		{name: "token-json-escaped", path: "/api/token", contentType: js, body: jsonBody(escJSON), status: http.StatusBadRequest},
		{name: "token-form", path: "/api/token", contentType: form, body: formBody(plain), status: http.StatusBadRequest},
		{name: "token-form-escaped", path: "/api/token", contentType: form, body: formBody(escForm), status: http.StatusBadRequest},
		{name: "login-json", path: "/api/auth/login", contentType: js, body: jsonBody(plain), csrf: true, status: http.StatusBadRequest},
		{name: "login-form", path: "/api/auth/login", contentType: form, body: formBody(plain), csrf: true, status: http.StatusBadRequest},
		{name: "register-json", path: "/api/auth/register", contentType: js, body: jsonBody(plain), status: http.StatusBadRequest},
		{name: "token-2MB", path: "/api/token", contentType: js, body: jsonBody(strings.Repeat("a", 2*hugePassword)), status: http.StatusRequestEntityTooLarge},
	}
}

// runHugeBody sends, to each framework's showcase, rounds interleaved
// rounds of n requests of each of hugeCases in turn, one request at a
// time, each on a new connection. Per round and case it writes the median
// time from a request's first byte written to its response's status line
// (sec/op: the megabyte's transfer over loopback included) and the
// server's CPU time per request (server-cpu-sec/op, over the n requests,
// from procRuntime): the server time of the answer, which no load beside
// it inflates.
func runHugeBody(ctx context.Context, fx *fixture, fws []string, n, rounds int, w, summary io.Writer) error {
	cases := hugeCases()
	for _, fw := range fws {
		p, err := fx.startShowcase(ctx, fw, "hugebody", nil, []string{"-login-rate", "1000000/min"})
		if err != nil {
			return err
		}
		err = hugeBodyOne(ctx, p, fw, cases, n, rounds, w)
		p.stop()
		if err != nil {
			return fmt.Errorf("%s: %w", fw, err)
		}
	}
	return nil
}

func hugeBodyOne(ctx context.Context, p *proc, fw string, cases []hugeCase, n, rounds int, w io.Writer) error {
	csrfHeaders, err := csrfHeaderLines(p)
	if err != nil {
		return err
	}
	for range rounds {
		for _, c := range cases {
			extra := ""
			if c.csrf {
				extra = csrfHeaders
			}
			walls := make([]float64, 0, n)
			cpu0, err := procRuntime(p.pid())
			if err != nil {
				return err
			}
			for range n {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				wall, status, err := sendRaw(p.addr, c, extra)
				if err != nil {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				if status != c.status {
					return fmt.Errorf("%s: status %d, want %d", c.name, status, c.status)
				}
				walls = append(walls, float64(wall.Nanoseconds()))
			}
			cpu1, err := procRuntime(p.pid())
			if err != nil {
				return err
			}
			slices.Sort(walls)
			fmt.Fprintf(w, "BenchmarkHugeBody/fw=%s/case=%s \t%d\t%.0f ns/op\t%.0f server-cpu-ns/op\n",
				fw, c.name, n, median(walls), float64((cpu1-cpu0).Nanoseconds())/float64(n))
		}
	}
	return nil
}

// sendRaw writes c's request on a new connection and returns the time
// from its first byte written to the response's status line, and the
// status. The request is written beside the reading: a server may answer
// (413) and close before it has read the whole body, and the client's
// writes after that fail without the answer being lost.
func sendRaw(addr string, c hugeCase, extraHeaders string) (time.Duration, int, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		c.path, addr, extraHeaders, c.contentType, len(c.body))
	start := time.Now()
	written := make(chan error, 1)
	go func() {
		_, err := io.WriteString(conn, head+c.body)
		written <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	wall := time.Since(start)
	if err != nil {
		<-written
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if werr := <-written; werr != nil && resp.StatusCode != http.StatusRequestEntityTooLarge {
		return 0, 0, werr
	}
	return wall, resp.StatusCode, nil
}

// csrfHeaderLines asks GET /api/auth/csrf for a CSRF token and returns the
// header lines a session login sends with it: the cookie, X-CSRFToken and
// a same-origin Origin.
func csrfHeaderLines(p *proc) (string, error) {
	resp, err := http.Get(p.url("/api/auth/csrf"))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v struct {
		CSRFToken string `json:"csrfToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return "", fmt.Errorf("GET /api/auth/csrf: %w", err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "csrftoken" {
			return "Cookie: csrftoken=" + c.Value + "\r\nX-CSRFToken: " + v.CSRFToken + "\r\nOrigin: http://" + p.addr + "\r\n", nil
		}
	}
	return "", fmt.Errorf("GET /api/auth/csrf: no csrftoken cookie")
}

// procRuntime is the CPU time the process's threads have run, to the
// nanosecond: the sum of se.sum_exec_runtime (milliseconds) over
// /proc/PID/task/*/sched. A thread that has exited is no longer counted
// (the Go runtime keeps its threads). Without that file (a kernel without
// scheduler debugging) it is procCPU, in clock ticks of 10 ms.
func procRuntime(pid int) (time.Duration, error) {
	files, err := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "sched"))
	if err != nil || len(files) == 0 {
		return procCPU(pid)
	}
	var total time.Duration
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread has exited
		}
		ms, ok := schedRuntime(string(b))
		if !ok {
			return procCPU(pid)
		}
		total += time.Duration(ms * float64(time.Millisecond))
	}
	return total, nil
}

// schedRuntime reads se.sum_exec_runtime, in milliseconds, from the text
// of a /proc/.../sched file.
func schedRuntime(sched string) (float64, bool) {
	for _, line := range strings.Split(sched, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "se.sum_exec_runtime" {
			ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return ms, err == nil
		}
	}
	return 0, false
}
