package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// DefaultLoginRate is the default rate of failed logins per client address
// and per username: 10 a minute (the showcase's -login-rate default).
const DefaultLoginRate = "10/min"

// LoginThrottle limits failed logins, counted per client address and per
// username. Every path that checks a password calls Check before it
// verifies one and Failed when the password was wrong, with the client
// address of core.ClientIP (trusted proxies only) and the username as
// typed. Check refuses with core.ThrottledError (429, Retry-After) once
// either count has used up its rate, so an attacker can neither try many
// passwords on one account from many addresses nor many accounts from one
// address; successful logins do not count. A store failure refuses the
// login (fail closed).
//
// The username key is the SHA-256 of core.FoldUsername of the username,
// so that case variants (as user creation judges them) count together and a long username costs a store no more
// than a short one.
//
// Check and Failed are two steps: logins that are checked at the same
// time as the last allowed failure is recorded can each still verify one
// password, so at most the number of concurrent password checks (bounded
// by the hashers' limiter) can exceed the rate once.
type LoginThrottle struct {
	// PerIP and PerUsername are the rates of failures; a zero Rate does not
	// count that dimension.
	PerIP, PerUsername Rate
	store              Store
	now                func() time.Time
}

// NewLoginThrottle returns a LoginThrottle allowing rate failures per
// client address and per username (DefaultLoginRate when rate is ""); a
// malformed rate is an error.
func NewLoginThrottle(rate string, store Store, opts ...Option) (*LoginThrottle, error) {
	if rate == "" {
		rate = DefaultLoginRate
	}
	r, err := ParseRate(rate)
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("throttle: no store")
	}
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	return &LoginThrottle{PerIP: r, PerUsername: r, store: store, now: o.now}, nil
}

// loginCount is one of the two counts of a login attempt: its store key
// and rate.
type loginCount struct {
	key  []byte
	rate Rate
}

// counts are the counts of a login attempt that have a rate: by address
// and by username.
func (l *LoginThrottle) counts(ip netip.Addr, username string) []loginCount {
	sum := sha256.Sum256([]byte(core.FoldUsername(username)))
	all := []loginCount{
		{ip.AppendTo([]byte("login_ip_")), l.PerIP},
		{hex.AppendEncode([]byte("login_user_"), sum[:]), l.PerUsername},
	}
	return slices.DeleteFunc(all, func(c loginCount) bool { return !c.rate.valid() })
}

// Check reports whether a login from ip for username may verify a
// password: nil, core.ThrottledError with the longer of the two waits, or
// an error wrapping core.ErrStoreUnavailable. It records nothing.
func (l *LoginThrottle) Check(ctx context.Context, ip netip.Addr, username string) error {
	now := l.now()
	var wait time.Duration
	refused := false
	for _, k := range l.counts(ip, username) {
		res, err := l.store.Peek(ctx, k.key, k.rate, now)
		if err != nil {
			return fmt.Errorf("throttle: %w: %w", core.ErrStoreUnavailable, err)
		}
		if !res.Allowed {
			refused, wait = true, max(wait, res.Wait)
		}
	}
	if refused {
		return core.Throttled(wait)
	}
	return nil
}

// Failed records a failed login from ip for username, in both counts.
func (l *LoginThrottle) Failed(ctx context.Context, ip netip.Addr, username string) error {
	now := l.now()
	for _, k := range l.counts(ip, username) {
		if _, err := l.store.Hit(ctx, k.key, k.rate, now); err != nil {
			return fmt.Errorf("throttle: %w: %w", core.ErrStoreUnavailable, err)
		}
	}
	return nil
}
