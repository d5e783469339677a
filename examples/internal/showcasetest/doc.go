// Package showcasetest is the end-to-end suite of the showcase: a scripted
// sequence of requests, over a real listener, that every example server
// (net/http, Gin, Echo, Fiber) must answer alike, and the Django
// compatibility checks against a database that Django 3.2 made; and
// Browser, the HTML pages driven in headless Chromium.
package showcasetest
