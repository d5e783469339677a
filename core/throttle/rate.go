package throttle

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadRate is wrapped by every error ParseRate returns.
var ErrBadRate = errors.New("throttle: malformed rate")

// Rate is n requests per period.
type Rate struct {
	N      int
	Period time.Duration
}

// String renders the rate as DRF writes it ("100/hour").
func (r Rate) String() string {
	unit := map[time.Duration]string{time.Second: "second", time.Minute: "minute", time.Hour: "hour", 24 * time.Hour: "day"}[r.Period]
	if unit == "" {
		unit = r.Period.String()
	}
	return fmt.Sprintf("%d/%s", r.N, unit)
}

// maxN bounds the count so that Period/N stays at least a nanosecond
// and arithmetic on it cannot overflow.
const maxN = 1_000_000_000

// ParseRate parses DRF's rate string: a positive decimal number, "/", and
// a period whose first letter is s (second), m (minute), h (hour) or d
// (day), as DRF's SimpleRateThrottle.parse_rate reads it ("100/hour",
// "5/m", "3/sec"). Anything else — no slash, two slashes, a sign, spaces,
// a count of 0 or over a billion, an empty or unknown period — is an
// error wrapping ErrBadRate.
func ParseRate(s string) (Rate, error) {
	num, period, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(period, "/") {
		return Rate{}, fmt.Errorf("%w %q: want number/period, as \"100/hour\"", ErrBadRate, s)
	}
	n := 0
	if num == "" || len(num) > 10 {
		return Rate{}, fmt.Errorf("%w %q: bad count", ErrBadRate, s)
	}
	for _, c := range []byte(num) {
		if c < '0' || c > '9' {
			return Rate{}, fmt.Errorf("%w %q: bad count", ErrBadRate, s)
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > maxN {
		return Rate{}, fmt.Errorf("%w %q: the count must be between 1 and %d", ErrBadRate, s, maxN)
	}
	if period == "" {
		return Rate{}, fmt.Errorf("%w %q: no period", ErrBadRate, s)
	}
	var d time.Duration
	switch period[0] {
	case 's':
		d = time.Second
	case 'm':
		d = time.Minute
	case 'h':
		d = time.Hour
	case 'd':
		d = 24 * time.Hour
	default:
		return Rate{}, fmt.Errorf("%w %q: the period must start with s, m, h or d", ErrBadRate, s)
	}
	return Rate{N: n, Period: d}, nil
}

// MustParseRate is ParseRate for rates written in the program; it panics
// on a malformed rate.
func MustParseRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// valid reports whether r can be applied.
func (r Rate) valid() bool { return r.N >= 1 && r.N <= maxN && r.Period >= time.Second }

// Interval is the GCRA emission interval: Period/N, the time one request
// costs.
func (r Rate) Interval() time.Duration { return r.Period / time.Duration(r.N) }

// Apply is the GCRA step every Store performs atomically for a key: tat is
// the key's stored theoretical arrival time in Unix nanoseconds (0 or any
// time at or before now for a key with no state), now the current time.
// When the request is allowed, next is the new tat to store; when it is
// refused, nothing must be stored and wait is how long until a request
// would be allowed. The request is allowed when max(tat, now) - now is at
// most Period - Interval (a full burst of N from an idle key).
func (r Rate) Apply(tat, now int64) (next int64, allowed bool, wait time.Duration) {
	t := int64(r.Interval())
	tolerance := int64(r.Period) - t
	base := max(tat, now)
	if over := base - now - tolerance; over > 0 {
		return tat, false, time.Duration(over)
	}
	return base + t, true, 0
}

// Refund is the step that takes back one allowed request: the stored tat
// moves back by one Interval, but not before now (a key whose state has
// run out stays run out). ok is false when there is nothing to take back
// (tat at or before now): nothing needs to be stored.
func (r Rate) Refund(tat, now int64) (next int64, ok bool) {
	if tat <= now {
		return tat, false
	}
	return max(tat-int64(r.Interval()), now), true
}
