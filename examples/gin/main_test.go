package main

import (
	"testing"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// start runs this server in-process on a free port until the test ends.
var start = showcasetest.InProcess(run)

// TestShowcase runs the shared end-to-end suite of docs/showcase.md against
// this framework's server.
func TestShowcase(t *testing.T) { showcasetest.Run(t, start) }

// TestBrowser drives this server's HTML pages in headless Chromium
// (showcasetest.Browser).
func TestBrowser(t *testing.T) { showcasetest.Browser(t, start) }

// TestShowcaseRedisCluster: the showcase's Redis stores on a Redis
// Cluster (-redis with go-redis's cluster URL), on one framework.
func TestShowcaseRedisCluster(t *testing.T) { showcasetest.RedisCluster(t, start) }

// TestFaultInjection: every store of this server fails, stalls or answers
// garbage in turn under each flow (showcasetest.FaultInjection; the full
// matrix on Gin, failures and stalled sessions on the others).
func TestFaultInjection(t *testing.T) { showcasetest.FaultInjection(t, run, true) }

// TestClientAbort: a login or logout whose client closes the connection
// right after sending it still takes effect (showcasetest.ClientAbort).
func TestClientAbort(t *testing.T) { showcasetest.ClientAbort(t, start) }
