package usersessions_test

import (
	"context"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// Example: two sessions of user 7 saved (as Session.Save does after a
// login), listed, and one ended by its handle.
func Example() {
	ctx := context.Background()
	backend := memory.NewSessionBackend(memory.WithSessionCleanupInterval(0))
	var lister usersessions.Lister = backend

	phone, laptop := sessions.GenerateKey(), sessions.GenerateKey()
	for id, ua := range map[sessions.SessionID]string{phone: "Phone", laptop: "Laptop"} {
		rec := sessions.Record{Data: []byte("{}"), Expiry: time.Now().Add(time.Hour), UserID: "7", UserAgent: ua, IP: "192.0.2.1"}
		if err := backend.Save(ctx, id, rec); err != nil {
			fmt.Println(err)
		}
	}
	list, _ := lister.UserSessions(ctx, "7")
	fmt.Println(len(list), "sessions")

	ended, _ := lister.EndUserSession(ctx, "7", usersessions.HandleOf(ctx, phone))
	list, _ = lister.UserSessions(ctx, "7")
	fmt.Println(ended, len(list), list[0].UserAgent)
	// Output:
	// 2 sessions
	// true 1 Laptop
}
