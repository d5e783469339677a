package passwordreset_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/reinhardt-go/auth/core/passwordreset"
)

// TestReviewTokenSingleUseUnderRace: a reset link is single use (the
// token dies when the password changes), but ConfirmEndpoint checks the
// token against the user it read and then stores the new hash
// unconditionally (Users.SetPasswordHash), so concurrent confirmations of
// one token all succeed, each setting its own password: whoever holds a
// copy of the link (a mail scanner, a shared inbox, a leaked log) and
// submits it at the same moment as the owner may win the last write.
func TestReviewTokenSingleUseUnderRace(t *testing.T) {
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
