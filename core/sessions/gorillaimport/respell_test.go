package gorillaimport_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions/gorillaimport"
)

// TestRespelledCookieNotImportedAgain: a copy of an imported cookie makes
// no new session however its base64 is spelled: securecookie decodes the
// outer base64 leniently (unused trailing bits are ignored), so Seen is
// keyed by the decoded bytes, not the text.
func TestRespelledCookieNotImportedAgain(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	fw := frameworks[0] // stdhttp
	f := newFixture(t, gorillaimport.Config{})
	var id int
	if _, err := fmt.Sscan(f.aliceID, &id); err != nil {
		t.Fatal(err)
	}
	// A cookie whose base64 ends in padding (its last character then has
	// unused low bits).
	var old string
	for n := 0; n < 3 && !strings.HasSuffix(old, "="); n++ {
		old = gorillaCookie(t, map[any]any{"user_id": id, "theme": "dark" + strings.Repeat("x", n)}, hashKey)
	}
	if !strings.HasSuffix(old, "=") {
		t.Fatal("no padded cookie")
	}
	first := &client{t: t, do: fw.serve(f), cookies: map[string]string{cookieName: old}}
	if got := first.get(); got != "user=alice theme=dark" && !strings.HasPrefix(got, "user=alice") {
		t.Fatalf("first import: %q", got)
	}
	// Respell: flip the lowest (unused) bit of the last data character.
	body := strings.TrimRight(old, "=")
	last := strings.IndexByte(alphabet, body[len(body)-1])
	respelled := body[:len(body)-1] + string(alphabet[last^1]) + old[len(body):]
	replay := &client{t: t, do: first.do, cookies: map[string]string{cookieName: respelled}}
	if got := replay.get(); strings.HasPrefix(got, "user=alice") {
		t.Fatalf("a respelling of the imported cookie logged alice in again (%q); stats %+v", got, f.importer.Stats())
	}
}
