package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run measured.
type wrkResult struct {
	RequestsPerSec float64
	P50, P99       time.Duration
	Requests       int64
	Non2xx         int64 // responses other than 2xx or 3xx
	SocketErrors   int64 // connect, read, write and timeout errors
	// ServerCPU is the CPU time (user and system) the server used during
	// the run, measured by the caller.
	ServerCPU time.Duration
}

// wrkTimeout is wrk's --timeout: a response slower than this counts as a
// socket error (timeout) rather than in the latencies. wrk's default, 2 s,
// is reached on a loaded machine.
const wrkTimeout = "10s"

// runWrk runs wrk with one thread and conns connections for d against
// url, sending header (when not empty) with every request.
func runWrk(ctx context.Context, url, header string, conns int, d time.Duration) (wrkResult, error) {
	args := []string{"-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(max(int(d/time.Second), 1)) + "s", "--timeout", wrkTimeout, "--latency"}
	if header != "" {
		args = append(args, "-H", header)
	}
	args = append(args, url)
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	return parseWrk(string(out))
}

// parseWrk reads wrk's report (with --latency): requests per second, the
// 50th and 99th percentile latencies, the request count and the counts
// of non-2xx/3xx responses and socket errors.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	var haveRPS, have50, have99, haveCount bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var err error
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.RequestsPerSec, err = strconv.ParseFloat(f[1], 64)
			haveRPS = true
		case len(f) == 2 && f[0] == "50%":
			r.P50, err = parseWrkDuration(f[1])
			have50 = true
		case len(f) == 2 && f[0] == "99%":
			r.P99, err = parseWrkDuration(f[1])
			have99 = true
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.Requests, err = strconv.ParseInt(f[0], 10, 64)
			haveCount = true
		case len(f) == 5 && f[0] == "Non-2xx":
			r.Non2xx, err = strconv.ParseInt(f[4], 10, 64)
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				n, perr := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				if perr != nil {
					err = perr
					break
				}
				r.SocketErrors += n
			}
		}
		if err != nil {
			return r, fmt.Errorf("wrk output %q: %w", sc.Text(), err)
		}
	}
	if !haveRPS || !have50 || !have99 || !haveCount {
		return r, fmt.Errorf("wrk output without requests/sec, 50%%, 99%% or the request count (was --latency given?):\n%s", out)
	}
	return r, nil
}

// parseWrkDuration reads wrk's durations: a number with the unit us, ms,
// s, m or h.
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("duration %q", s)
			}
			return time.Duration(math.Round(v * float64(u.unit))), nil
		}
	}
	return 0, fmt.Errorf("duration %q: unknown unit", s)
}
