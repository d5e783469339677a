package passwordreset_test

import (
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/passwordreset"
)

// FuzzCheckToken: CheckToken of arbitrary strings never panics and accepts
// only the tokens made with the secret (the fuzzer has only the seeds).
func FuzzCheckToken(f *testing.F) {
	g, _ := passwordreset.New([]byte("reset-secret"))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	g.Now = func() time.Time { return now }
	u := alice()
	good, legacy := g.MakeToken(u), g.MakeTokenAt(u, 800000000, true)
	for _, s := range []string{good, legacy, "", "-", "0-", "zzzzzzzzzzzzz-0", "1-2-3", "7n-" + strings.Repeat("a", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if g.CheckToken(u, token) && token != good && token != legacy {
			t.Fatalf("CheckToken accepted %q", token)
		}
	})
}

// FuzzDecodeUID: DecodeUID never panics, returns UTF-8, and what it
// accepts encodes back to the same uid.
func FuzzDecodeUID(f *testing.F) {
	for _, s := range []string{"NDI", "MQ", "w7wtMTIz", "", "NDI=", "_w", "M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uid string) {
		pk, err := passwordreset.DecodeUID(uid)
		if err != nil {
			return
		}
		if back := passwordreset.EncodeUID(pk); back != uid {
			t.Fatalf("DecodeUID(%q) = %q, which encodes to %q", uid, pk, back)
		}
	})
}
