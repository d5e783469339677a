package passwordreset_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/reinhardt-go/auth/core/passwordreset"
)

// TestConfirmSingleUseUnderRace: a reset link is single use even when
// it is confirmed several times at once (a mail scanner, a shared inbox,
// a leaked log racing the owner): the new hash is stored only while the
// password is the one the token was checked against
// (Users.ReplacePasswordHash), so exactly one confirmation succeeds.
func TestConfirmSingleUseUnderRace(t *testing.T) {
	f := newResetFixture(t)
	u := f.create(t, "alice", "alice@example.com", pw("old-Passphrase-of-alice-1"), nil)
	f.confirm.PasswordChanged = nil // the fixture's recorder is not safe for concurrent use
	uid, token := passwordreset.EncodeUID(u.GetID()), f.tokens.MakeToken(u)

	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"uid":%q,"token":%q,"new_password":"New-passphrase-number-%d"}`, uid, token, i)
			if rec := post(f.confirm, body); rec.Code == http.StatusNoContent {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d of %d concurrent confirmations of one reset token succeeded; want exactly 1", ok, n)
	}
}
