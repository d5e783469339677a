package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a server process started by this program: the showcase or a
// comparison app. Its stdout is kept in memory, its stderr in a file.
type proc struct {
	name string
	cmd  *exec.Cmd
	addr string // host:port it listens on
	done chan struct{}

	mu    sync.Mutex
	lines []string // stdout so far
}

var listeningRE = regexp.MustCompile(`listening on http://(\S+)`)

// startProc runs path with args and env (added to this process's) and
// waits until it prints "listening on http://ADDR" and answers GET
// healthPath with 200. stderr goes to stderrPath.
func startProc(ctx context.Context, name, path string, args, env []string, stderrPath, healthPath string) (*proc, error) {
	return startProcWith(ctx, name, path, args, env, stderrPath, healthPath, "")
}

// startProcWith is startProc with an Authorization header (when not
// empty) on the readiness request.
func startProcWith(ctx context.Context, name, path string, args, env []string, stderrPath, healthPath, authorization string) (*proc, error) {
	errf, err := os.Create(stderrPath)
	if err != nil {
		return nil, err
	}
	p := &proc{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = errf
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		errf.Close()
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		errf.Close()
		return nil, err
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case addrc <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		_ = p.cmd.Wait()
		errf.Close()
		close(p.done)
	}()
	fail := func(err error) (*proc, error) {
		p.stop()
		tail, _ := os.ReadFile(stderrPath)
		return nil, fmt.Errorf("%s: %w\n%s", name, err, lastLines(tail, 20))
	}
	select {
	case p.addr = <-addrc:
	case <-p.done:
		return fail(errors.New("exited before listening"))
	case <-time.After(2 * time.Minute):
		return fail(errors.New("not listening after 2 minutes"))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, p.url(healthPath), nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("GET %s not 200 after 30 s: %v", healthPath, err))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// url is the address of path on the process.
func (p *proc) url(path string) string { return "http://" + p.addr + path }

// pid is the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// stdout returns the lines printed so far.
func (p *proc) stdout() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// stop asks the process to end (SIGTERM), and kills it after 15 s.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// procStatus reads a "Name:   N kB" field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("/proc/%d/status %s: %q", pid, field, line)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, field)
}

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// Linux).
const clockTicks = 100

// procCPU is the CPU time (user and system) the process has used, from
// /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// scrapeMetrics reads the unlabelled samples named in names from a
// Prometheus text page (the showcase's /metrics).
func scrapeMetrics(client *http.Client, url string, names ...string) (map[string]float64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	got := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && want[f[0]] {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return nil, fmt.Errorf("metric %s: %w", f[0], err)
			}
			got[f[0]] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, ok := got[n]; !ok {
			return nil, fmt.Errorf("%s: no metric %s", url, n)
		}
	}
	return got, nil
}
