package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// benchUsers fills s with n users; each has two permissions of its own and
// is in two of ten groups that have three permissions each.
func benchUsers(b *testing.B, s *sqlstore.Store, n int) {
	ctx := context.Background()
	var perms []int64
	for i := range 40 {
		id, err := s.EnsurePermission(ctx, "app", fmt.Sprintf("model%d", i%8), fmt.Sprintf("perm_%d", i), "p")
		if err != nil {
			b.Fatal(err)
		}
		perms = append(perms, id)
	}
	var groups []int64
	for g := range 10 {
		id, err := s.CreateGroup(ctx, fmt.Sprintf("group%d", g))
		if err != nil {
			b.Fatal(err)
		}
		for k := range 3 {
			if err := s.AddGroupPermission(ctx, id, perms[(g*3+k)%len(perms)]); err != nil {
				b.Fatal(err)
			}
		}
		groups = append(groups, id)
	}
	for i := range n {
		u, err := s.CreateUser(ctx, fmt.Sprintf("user%05d", i), nil, map[string]any{"email": fmt.Sprintf("u%d@example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		for _, err := range []error{
			s.AddUserPermission(ctx, u.ID, perms[i%len(perms)]),
			s.AddUserPermission(ctx, u.ID, perms[(i+7)%len(perms)]),
			s.AddUserToGroup(ctx, u.ID, groups[i%10]),
			s.AddUserToGroup(ctx, u.ID, groups[(i+3)%10]),
		} {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkUserByUsername looks up a user with all its permissions (own
// and through groups, one query) among 1000, serially and from parallel
// goroutines.
func BenchmarkUserByUsername(b *testing.B) {
	const n = 1000
	run := func(b *testing.B, s *sqlstore.Store) {
		benchUsers(b, s, n)
		ctx := context.Background()
		check := func(name string) {
			u, err := s.UserByUsername(ctx, name)
			if err != nil || u == nil {
				b.Fatalf("UserByUsername(%s) = %v, %v", name, u, err)
			}
		}
		b.Run("Serial", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				check(fmt.Sprintf("user%05d", i%n))
				i++
			}
		})
		b.Run("Parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for pb.Next() {
					check(fmt.Sprintf("user%05d", r.IntN(n)))
				}
			})
		})
	}
	b.Run("SQLiteFile", func(b *testing.B) {
		run(b, openURL(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.sqlite3")))
	})
	b.Run("SQLiteMemory", func(b *testing.B) { run(b, openMemory(b)) })
	b.Run("Postgres", func(b *testing.B) {
		if postgresURLOrEmpty() == "" {
			b.Skip("REINHARDT_TEST_POSTGRES is not set")
		}
		run(b, openPostgres(b))
	})
}
