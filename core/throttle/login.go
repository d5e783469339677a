package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
)

// DefaultLoginRate is the default rate of failed logins per client address
// and per username: 10 a minute (the showcase's -login-rate default).
const DefaultLoginRate = "10/min"

// DefaultOTPRate is the default rate of wrong one-time passwords per
// username (NewOTPThrottle): 10 an hour. At the default login rate alone,
// whoever has a password could try 14,400 codes a day, a 3% chance a day
// of guessing a 6-digit code valid in a window of two steps; at 10 an
// hour it is 240 codes, under 0.05% a day.
const DefaultOTPRate = "10/hour"

// LoginThrottle limits failed logins, counted per client address and per
// username: the core.LoginGuard of every path that checks a password or
// a one-time code (core.PasswordLogin, the Basic authenticator, the MFA
// endpoints). Begin counts an attempt before its password is verified
// and refuses with core.ThrottledError (429, Retry-After) once either
// count has used up its rate; the attempt's Succeeded takes the count
// back when the credentials were right, so only failures use up the
// budget. An attacker can neither try many passwords on one account from
// many addresses nor many accounts from one address, and concurrent
// guesses cannot all slip through before the first is counted. A store
// failure refuses the login (fail closed).
//
// The client address is core.ClientIP with the trusted proxies
// (WithTrustedProxies): an X-Forwarded-For from an untrusted peer is not
// believed, so rotating it buys nothing. The username key is the SHA-256
// of core.FoldUsername of the username, so that case variants (as user
// creation judges them) count together and a long username costs a store
// no more than a short one.
//
// IPv6 clients are counted by their /64 network, the block one end site
// is given, so that an attacker does not get a fresh budget from each of
// its 2^64 addresses. A request whose peer address cannot be told (a Unix
// socket with no trusted proxy in front) is counted by username only,
// never in one address count shared by everyone.
//
// A login counts while its password is being checked: a client sending
// more logins at the same moment than the rate allows (Basic credentials
// on every request of a parallel script, say) may see some refused 429
// even with the right password, until the others finish. Raise the rate
// for such clients, or give them tokens.
type LoginThrottle struct {
	// PerIP and PerUsername are the rates of failures; a zero Rate does not
	// count that dimension.
	PerIP, PerUsername Rate
	store              Store
	trusted            []netip.Prefix
	now                func() time.Time
	prefix             string // of the store keys: "login_", "otp_" or "reset_"
	events             *events.Dispatcher
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
	return &LoginThrottle{PerIP: r, PerUsername: r, store: store, trusted: o.trusted, now: o.now, prefix: "login_", events: o.events}, nil
}

// NewOTPThrottle returns a LoginThrottle for one-time passwords
// (core.PasswordLogin.OTPGuard, the MFA endpoints): rate wrong codes per
// username (DefaultOTPRate when rate is ""), counted apart from the login
// failures, and not per address.
func NewOTPThrottle(rate string, store Store, opts ...Option) (*LoginThrottle, error) {
	if rate == "" {
		rate = DefaultOTPRate
	}
	l, err := NewLoginThrottle(rate, store, opts...)
	if err != nil {
		return nil, err
	}
	l.PerIP, l.prefix = Rate{}, "otp_"
	return l, nil
}

// DefaultResetRate is the default rate of password-reset requests per
// client address and per e-mail address (NewResetThrottle): 10 an hour,
// enough for a user who mistypes and retries, too few to flood a mailbox
// or a mail server.
const DefaultResetRate = "10/hour"

// NewResetThrottle returns a LoginThrottle for password-reset requests
// (passwordreset.RequestEndpoint.Guard): rate requests per client address
// and per e-mail address (DefaultResetRate when rate is ""), counted apart
// from logins, the address in place of the username (its case variants
// count together). The endpoint counts every request, known address or
// not, and never calls Succeeded: a reset request has no right answer
// that would take its count back.
func NewResetThrottle(rate string, store Store, opts ...Option) (*LoginThrottle, error) {
	if rate == "" {
		rate = DefaultResetRate
	}
	l, err := NewLoginThrottle(rate, store, opts...)
	if err != nil {
		return nil, err
	}
	l.prefix = "reset_"
	return l, nil
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
	ip = ip.Unmap()
	if ip.Is6() {
		ip = netip.PrefixFrom(ip.WithZone(""), 64).Masked().Addr()
	}
	var counts []loginCount
	if l.PerIP.valid() && ip.IsValid() {
		counts = append(counts, loginCount{ip.AppendTo([]byte(l.prefix + "ip_")), l.PerIP})
	}
	if l.PerUsername.valid() {
		counts = append(counts, loginCount{hex.AppendEncode([]byte(l.prefix+"user_"), sum[:]), l.PerUsername})
	}
	return counts
}

// Check reports whether a login from ip for username would be let
// through now: nil, core.ThrottledError with the longer of the two waits,
// or an error wrapping core.ErrStoreUnavailable. It records nothing (to
// decide, say, whether to show a CAPTCHA); a login path uses Begin.
func (l *LoginThrottle) Check(ctx context.Context, ip netip.Addr, username string) error {
	now := l.now()
	var wait time.Duration
	refused := false
	for _, k := range l.counts(ip, username) {
		res, err := l.store.Peek(ctx, k.key, k.rate, now)
		if err != nil {
			return storeDown(err)
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

// Begin implements core.LoginGuard: Attempt for the request's client
// address.
func (l *LoginThrottle) Begin(r core.Request, username string) (core.LoginAttempt, error) {
	ctx := r.Context()
	if l.events != nil {
		ctx = core.EventContext(r) // the request id of a Throttled event
	}
	a, err := l.Attempt(ctx, core.ClientIP(r, l.trusted), username)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Attempt counts a login from ip for username as a failure in both
// counts, before its password is verified, and returns it; or refuses
// with core.ThrottledError (the longer of the two waits) and counts
// nothing; or fails with an error wrapping core.ErrStoreUnavailable.
func (l *LoginThrottle) Attempt(ctx context.Context, ip netip.Addr, username string) (*Attempt, error) {
	now := l.now()
	counts := l.counts(ip, username)
	var wait time.Duration
	refused := false
	hit := counts[:0:0]
	for _, k := range counts {
		res, err := l.store.Hit(ctx, k.key, k.rate, now)
		if err != nil {
			return nil, errors.Join(storeDown(err), refund(ctx, l.store, hit, now))
		}
		if res.Allowed {
			hit = append(hit, k)
		} else {
			refused, wait = true, max(wait, res.Wait)
		}
	}
	if refused {
		if err := refund(ctx, l.store, hit, now); err != nil {
			return nil, err
		}
		l.throttled(ctx, ip, username, wait)
		return nil, core.Throttled(wait)
	}
	return &Attempt{l: l, counts: hit}, nil
}

// throttled emits the events.Throttled of a refused attempt: the scope is
// "login", "otp" or "reset", the address the one counted, and the
// username as typed except for a reset throttle, whose "username" is an
// e-mail address.
func (l *LoginThrottle) throttled(ctx context.Context, ip netip.Addr, username string, wait time.Duration) {
	if l.events == nil {
		return
	}
	e := &events.Throttled{Scope: strings.TrimSuffix(l.prefix, "_"), Wait: wait}
	if l.prefix != "reset_" {
		e.Username = events.TypedUsername(username)
	}
	if ip.IsValid() {
		e.RemoteAddr = ip.String()
	}
	l.events.Emit(ctx, e)
}

// Attempt is one login attempt counted by LoginThrottle.Attempt.
type Attempt struct {
	l      *LoginThrottle
	counts []loginCount
	done   bool
}

// Succeeded takes back the attempt's counts: the credentials were right.
// A second call does nothing.
func (a *Attempt) Succeeded(ctx context.Context) error {
	if a.done {
		return nil
	}
	a.done = true
	return refund(ctx, a.l.store, a.counts, a.l.now())
}

func refund(ctx context.Context, s Store, counts []loginCount, now time.Time) error {
	for _, k := range counts {
		if err := s.Refund(ctx, k.key, k.rate, now); err != nil {
			return storeDown(err)
		}
	}
	return nil
}

func storeDown(err error) error {
	return fmt.Errorf("throttle: %w: %w", core.ErrStoreUnavailable, err)
}

var _ core.LoginGuard = (*LoginThrottle)(nil)
