package passwordreset_test

import (
	"context"
	"encoding/json"
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

// FuzzConfirmEndpoint: the confirm endpoint reads arbitrary uid and
// token strings (the untrusted part of a reset link) without a panic or
// a 5xx, and sets a password only for the genuine pair.
func FuzzConfirmEndpoint(f *testing.F) {
	fx := newResetFixture(f)
	u := fx.create(f, "alice", "alice@example.com", pw("old-password-1"), nil)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fx.tokens.Now = func() time.Time { return now }
	uid, token := passwordreset.EncodeUID(u.GetID()), fx.tokens.MakeToken(u)
	old := u.Password
	for _, s := range [][2]string{{uid, token}, {uid, token + "0"}, {"", ""}, {"MQ==", token}, {"\x00", "-"},
		{uid, "zzzzzzzzzzzzz-" + strings.Repeat("f", 20)}, {strings.Repeat("M", 300), token}, {"w7w", "1-2-3"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, uid2, token2 string) {
		body, err := json.Marshal(map[string]string{"uid": uid2, "token": token2, "new_password": "N3w-long-passphrase"})
		if err != nil {
			return
		}
		rec := post(fx.confirm, string(body))
		switch {
		case rec.Code == 204 && (uid2 != uid || token2 != token):
			t.Fatalf("uid %q token %q set the password", uid2, token2)
		case rec.Code == 204:
			// The genuine pair: put the old password back for the next input.
			if err := fx.users.SetPasswordHash(context.Background(), u.GetID(), old); err != nil {
				t.Fatal(err)
			}
		case rec.Code != 400:
			t.Fatalf("uid %q token %q: %d %s", uid2, token2, rec.Code, rec.Body)
		}
	})
}
