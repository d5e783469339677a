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

// TestDjangoSessions runs -sessions django against Django 3.2 on the same
// database (once, on this framework: the wiring is the showcase's, shared
// by all four, and the session contract of -sessions django runs on each
// in TestShowcase).
func TestDjangoSessions(t *testing.T) { showcasetest.DjangoSessions(t, start) }

// TestBrowser drives this server's HTML pages in headless Chromium
// (showcasetest.Browser).
func TestBrowser(t *testing.T) { showcasetest.Browser(t, start) }

// TestFaultInjection: every store of this server fails, stalls or answers
// garbage in turn under each flow (showcasetest.FaultInjection; the full
// matrix on Gin, failures and stalled sessions on the others).
func TestFaultInjection(t *testing.T) { showcasetest.FaultInjection(t, run, false) }

// TestClientAbort: a login or logout whose client closes the connection
// right after sending it still takes effect (showcasetest.ClientAbort).
func TestClientAbort(t *testing.T) { showcasetest.ClientAbort(t, start) }
