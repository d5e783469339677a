package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"time"
)

// loadRun is one wrk run's result, by framework and app.
type loadRun struct {
	fw, app string
	round   int
	res     wrkResult
}

// runLoad runs wrk against every framework's apps for rounds rounds, the
// order of the apps rotated per round, writing a BenchmarkLoad line per
// run to w and the ratios to summary at the end.
func runLoad(ctx context.Context, fx *fixture, fws []string, d time.Duration, rounds, conns int, w, summary io.Writer) error {
	fmt.Fprintf(w, "tool: wrk -t1 -c%d -d%s --timeout %s --latency\n", conns, d, wrkTimeout)
	header := "Authorization: Bearer " + fx.token
	var runs []loadRun
	for r := range rounds {
		for _, fw := range fws {
			order := append(slices.Clone(apps[r%len(apps):]), apps[:r%len(apps)]...)
			for _, app := range order {
				res, err := loadOne(ctx, fx, fw, app, header, conns, d)
				if err != nil {
					return fmt.Errorf("round %d, %s/%s: %w", r+1, fw, app, err)
				}
				runs = append(runs, loadRun{fw, app, r, res})
				fmt.Fprintf(w, "BenchmarkLoad/framework=%s/app=%s \t%d\t%.0f ns/op\t%.1f req/s\t%d p50-ns\t%d p99-ns\t%.0f server-cpu-ns/op\t%d socket-errors\n",
					fw, app, res.Requests, 1e9/res.RequestsPerSec, res.RequestsPerSec, res.P50.Nanoseconds(), res.P99.Nanoseconds(),
					float64(res.ServerCPU.Nanoseconds())/float64(res.Requests), res.SocketErrors)
			}
		}
	}
	writeLoadSummary(summary, runs, fws, rounds)
	return nil
}

// loadOne starts one server, checks it (the route refuses a request
// without the token, except app=none, and answers the showcase's body
// with it), warms it up with a second of wrk, measures, and stops it.
func loadOne(ctx context.Context, fx *fixture, fw, app, header string, conns int, d time.Duration) (wrkResult, error) {
	var p *proc
	var err error
	if app == "reinhardt" {
		p, err = fx.startShowcase(ctx, fw, "load", nil, nil)
	} else {
		p, err = fx.startApp(ctx, fw, app)
	}
	if err != nil {
		return wrkResult{}, err
	}
	defer p.stop()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	if app != "none" {
		status, body, err := get(client, p.url(route), "")
		if err != nil {
			return wrkResult{}, err
		}
		// gofiber/contrib/jwt answers 400 to a missing token.
		if status != http.StatusUnauthorized && status != http.StatusBadRequest {
			return wrkResult{}, fmt.Errorf("without the token: %d %s, want 401", status, body)
		}
	}
	status, body, err := get(client, p.url(route), fx.token)
	if err != nil {
		return wrkResult{}, err
	}
	if status != http.StatusOK || !bytes.Equal(body, fx.body) {
		return wrkResult{}, fmt.Errorf("with the token: %d %s, want 200 %s", status, body, fx.body)
	}
	if _, err := runWrk(ctx, p.url(route), header, conns, time.Second); err != nil {
		return wrkResult{}, err
	}
	cpu0, err := procCPU(p.pid())
	if err != nil {
		return wrkResult{}, err
	}
	res, err := runWrk(ctx, p.url(route), header, conns, d)
	if err != nil {
		return res, err
	}
	cpu1, err := procCPU(p.pid())
	if err != nil {
		return res, err
	}
	res.ServerCPU = cpu1 - cpu0
	if res.Non2xx > 0 {
		return res, fmt.Errorf("%d of %d responses were not 2xx", res.Non2xx, res.Requests)
	}
	if res.SocketErrors > 0 {
		fmt.Fprintf(os.Stderr, "loadtest: %s/%s: %d socket errors (connect, read, write or a response over %s) in %d requests\n",
			fw, app, res.SocketErrors, wrkTimeout, res.Requests)
	}
	return res, nil
}

// writeLoadSummary prints, per framework, the median over the rounds of
// each round's ratios: the showcase's and the library app's req/s
// against the usual middleware's and the no-auth app's, and the usual
// middleware's p99 over theirs.
func writeLoadSummary(w io.Writer, runs []loadRun, fws []string, rounds int) {
	get := func(fw, app string, r int) wrkResult {
		for _, x := range runs {
			if x.fw == fw && x.app == app && x.round == r {
				return x.res
			}
		}
		return wrkResult{}
	}
	ratio := func(fw string, f func(r int) float64) string {
		var v []float64
		for r := range rounds {
			v = append(v, f(r))
		}
		sort.Float64s(v)
		return fmt.Sprintf("%.2f (%.2f–%.2f)", median(v), v[0], v[len(v)-1])
	}
	fmt.Fprintf(w, "\nratios, median of the %d rounds' own ratios (lowest–highest):\n", rounds)
	fmt.Fprintf(w, "%-8s %-14s %-22s %-22s %-22s %-22s %-22s\n", "fw", "app", "req/s ÷ usual", "usual p99 ÷ p99", "req/s ÷ none", "usual cpu ÷ cpu", "none cpu ÷ cpu")
	for _, fw := range fws {
		for _, app := range []string{"reinhardt", "reinhardt-lib"} {
			rps := func(a string, r int) float64 { return get(fw, a, r).RequestsPerSec }
			p99 := func(a string, r int) float64 { return float64(get(fw, a, r).P99) }
			cpu := func(a string, r int) float64 {
				x := get(fw, a, r)
				return float64(x.ServerCPU) / float64(x.Requests)
			}
			fmt.Fprintf(w, "%-8s %-14s %-22s %-22s %-22s %-22s %-22s\n", fw, app,
				ratio(fw, func(r int) float64 { return rps(app, r) / rps("usual", r) }),
				ratio(fw, func(r int) float64 { return p99("usual", r) / p99(app, r) }),
				ratio(fw, func(r int) float64 { return rps(app, r) / rps("none", r) }),
				ratio(fw, func(r int) float64 { return cpu("usual", r) / cpu(app, r) }),
				ratio(fw, func(r int) float64 { return cpu("none", r) / cpu(app, r) }))
		}
	}
}

// median of sorted v.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
