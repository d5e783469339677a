package signing

import "time"

// EncodeBase62 exposes Django's base62 timestamp encoding to the tests.
var EncodeBase62 = encodeBase62

// SetNow sets the clock of t (tests only).
func (t *TimestampSigner) SetNow(now func() int64) {
	t.now = func() time.Time { return time.Unix(now(), 0) }
}
