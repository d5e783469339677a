package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// Defaults of a RemoteKeySet.
const (
	DefaultRemoteMinTTL          = time.Minute
	DefaultRemoteMaxTTL          = 24 * time.Hour
	DefaultRemoteTTL             = 15 * time.Minute
	DefaultRemoteRefreshInterval = 10 * time.Second
	DefaultRemoteFetchTimeout    = 10 * time.Second
	// MaxJWKSBytes caps the JWKS document a RemoteKeySet reads.
	MaxJWKSBytes = 1 << 20
)

// RemoteOption configures a RemoteKeySet.
type RemoteOption func(*RemoteKeySet)

// WithHTTPClient sets the client that fetches the JWKS
// (http.DefaultClient otherwise; its Timeout applies on top of
// WithFetchTimeout).
func WithHTTPClient(c *http.Client) RemoteOption {
	return func(s *RemoteKeySet) {
		if c != nil {
			s.client = c
		}
	}
}

// WithCacheTTL bounds how long a fetched JWKS is used: the response's
// Cache-Control max-age, clamped to [min, max] (1 min and 24 h by
// default); a response without max-age is kept 15 minutes (clamped
// likewise), one with no-store or no-cache for min.
func WithCacheTTL(min, max time.Duration) RemoteOption {
	return func(s *RemoteKeySet) {
		if min > 0 {
			s.minTTL = min
		}
		if max >= s.minTTL {
			s.maxTTL = max
		}
	}
}

// WithRefreshInterval sets the least time between two fetches, which is
// how often a token with an unknown kid can make the set refetch (10 s by
// default): a flood of forged kids costs the issuer at most one request
// per interval.
func WithRefreshInterval(d time.Duration) RemoteOption {
	return func(s *RemoteKeySet) {
		if d > 0 {
			s.refreshInterval = d
		}
	}
}

// WithFetchTimeout bounds one fetch (10 s by default).
func WithFetchTimeout(d time.Duration) RemoteOption {
	return func(s *RemoteKeySet) {
		if d > 0 {
			s.fetchTimeout = d
		}
	}
}

// WithRemoteClock replaces time.Now (for tests).
func WithRemoteClock(now func() time.Time) RemoteOption {
	return func(s *RemoteKeySet) {
		if now != nil {
			s.clock = now
		}
	}
}

// RemoteKeySet is the JWKS of another issuer, fetched over HTTP and kept
// for the response's Cache-Control max-age (bounded by WithCacheTTL). A
// kid it does not know makes it refetch, at most once per
// WithRefreshInterval; concurrent lookups that need a fetch share one.
// When a fetch fails, the keys it had keep serving for up to the maximum
// TTL past their expiry; with none at all, lookups fail closed with an
// error wrapping core.ErrStoreUnavailable. Keys that disappear from the
// JWKS are retired, which also voids the tokens they verified in a
// JWTAuth's cache. Pass it to WithKeySet. It is safe for concurrent use.
type RemoteKeySet struct {
	url             string
	client          *http.Client
	minTTL, maxTTL  time.Duration
	refreshInterval time.Duration
	fetchTimeout    time.Duration
	clock           func() time.Time

	snap atomic.Pointer[remoteSnapshot]

	mu          sync.Mutex
	inflight    *fetchCall
	lastAttempt time.Time
	lastErr     error
}

type remoteSnapshot struct {
	keys    map[string]*Key
	expires time.Time
}

type fetchCall struct {
	done chan struct{}
	snap *remoteSnapshot
	err  error
}

// NewRemoteKeySet returns the key set published at url. Nothing is
// fetched until the first lookup (or Refresh).
func NewRemoteKeySet(url string, opts ...RemoteOption) *RemoteKeySet {
	s := &RemoteKeySet{
		url:             url,
		client:          http.DefaultClient,
		minTTL:          DefaultRemoteMinTTL,
		maxTTL:          DefaultRemoteMaxTTL,
		refreshInterval: DefaultRemoteRefreshInterval,
		fetchTimeout:    DefaultRemoteFetchTimeout,
		clock:           time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Key implements KeySet: the key named kid, fetching the JWKS when none is
// held, when it has expired, or when kid is unknown and the last fetch is
// older than the refresh interval. nil means the issuer has no such key.
func (s *RemoteKeySet) Key(kid string) (*Key, error) {
	now := s.clock()
	cur := s.snap.Load()
	if cur != nil && now.Before(cur.expires) {
		if k := cur.keys[kid]; k != nil {
			return k, nil
		}
	}
	next, err := s.refresh(context.Background())
	if err != nil {
		return nil, err
	}
	return next.keys[kid], nil
}

// Refresh fetches the JWKS now unless a fetch happened within the refresh
// interval (then it waits for that one's result); use it to warm the set
// at startup. ctx bounds the wait, not the shared fetch.
func (s *RemoteKeySet) Refresh(ctx context.Context) error {
	_, err := s.refresh(ctx)
	return err
}

// refresh returns the snapshot to use: a fresh fetch, the one a concurrent
// caller is fetching, or — within the refresh interval of the last
// attempt — the current one (possibly stale), so that fetches are rate
// limited.
func (s *RemoteKeySet) refresh(ctx context.Context) (*remoteSnapshot, error) {
	s.mu.Lock()
	if c := s.inflight; c != nil {
		s.mu.Unlock()
		select {
		case <-c.done:
			return s.usable(c.snap, c.err)
		case <-ctx.Done():
			return nil, fmt.Errorf("jwtauth: waiting for JWKS: %w: %w", core.ErrStoreUnavailable, ctx.Err())
		}
	}
	now := s.clock()
	if !s.lastAttempt.IsZero() && now.Sub(s.lastAttempt) < s.refreshInterval {
		lastErr := s.lastErr
		s.mu.Unlock()
		return s.usable(s.snap.Load(), lastErr)
	}
	c := &fetchCall{done: make(chan struct{})}
	s.inflight = c
	s.lastAttempt = now
	s.mu.Unlock()

	c.snap, c.err = s.fetch()

	s.mu.Lock()
	old := s.snap.Load()
	if c.err == nil {
		s.snap.Store(c.snap)
		s.lastErr = nil
		retireMissing(old, c.snap)
	} else {
		s.lastErr = c.err
	}
	s.inflight = nil
	s.mu.Unlock()
	close(c.done)
	return s.usable(c.snap, c.err)
}

// usable returns fresh if there is one, else the current snapshot while it
// is within maxTTL of its expiry, else the error (fail closed).
func (s *RemoteKeySet) usable(fresh *remoteSnapshot, err error) (*remoteSnapshot, error) {
	if err == nil && fresh != nil {
		return fresh, nil
	}
	if cur := s.snap.Load(); cur != nil && s.clock().Before(cur.expires.Add(s.maxTTL)) {
		return cur, nil
	}
	if err == nil {
		err = errors.New("jwtauth: JWKS not fetched yet")
	}
	return nil, err
}

// retireMissing keeps old keys that are still published (fetch reuses
// their *Key) and retires the others.
func retireMissing(old, next *remoteSnapshot) {
	if old == nil {
		return
	}
	for kid, k := range old.keys {
		if next.keys[kid] != k {
			k.retired.Store(true)
		}
	}
}

func (s *RemoteKeySet) fetch() (*remoteSnapshot, error) {
	fail := func(err error) (*remoteSnapshot, error) {
		return nil, fmt.Errorf("jwtauth: fetching JWKS from %s: %w: %w", s.url, core.ErrStoreUnavailable, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fail(fmt.Errorf("status %s", resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSBytes+1))
	if err != nil {
		return fail(err)
	}
	if len(body) > MaxJWKSBytes {
		return fail(errors.New("JWKS larger than 1 MiB"))
	}
	keys, err := ParseJWKS(body)
	if err != nil {
		return fail(err)
	}
	old := s.snap.Load()
	snap := &remoteSnapshot{keys: make(map[string]*Key, len(keys)), expires: s.clock().Add(s.ttl(resp.Header.Get("Cache-Control")))}
	for _, k := range keys {
		if old != nil {
			if prev := old.keys[k.kid]; prev != nil && prev.sameAs(k) {
				k = prev
			}
		}
		snap.keys[k.kid] = k
	}
	return snap, nil
}

// ttl is the lifetime a Cache-Control value gives a JWKS, clamped.
func (s *RemoteKeySet) ttl(cacheControl string) time.Duration {
	d := DefaultRemoteTTL
	for directive := range strings.SplitSeq(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return s.minTTL
		case "max-age":
			if n, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64); err == nil && n >= 0 {
				if n > int64(s.maxTTL/time.Second) {
					n = int64(s.maxTTL / time.Second)
				}
				d = time.Duration(n) * time.Second
			}
		}
	}
	return min(max(d, s.minTTL), s.maxTTL)
}
