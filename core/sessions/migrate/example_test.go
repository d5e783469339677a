package migrate_test

import (
	"context"
	"fmt"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/migrate"
	"github.com/reinhardt-go/auth/stores/memory"
)

// Moving live sessions to another backend (authctl migratesessions):
// clients keep their cookies.
func ExampleCopy() {
	ctx := context.Background()
	from, to := memory.NewSessionBackend(), memory.NewSessionBackend()
	defer from.Close()
	defer to.Close()

	s := sessions.New(from)
	s.Set("user", "alice")
	_ = s.Save(ctx)

	copied, err := migrate.Copy(ctx, from, to, func(done, total int) {
		fmt.Printf("%d/%d\n", done, total)
	})
	fmt.Println(copied, err)

	moved, _ := sessions.Open(ctx, to, s.Key())
	user, _ := sessions.GetAs[string](moved, "user")
	fmt.Println(user)
	// Output:
	// 0/1
	// 1/1
	// 1 <nil>
	// alice
}
