package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

// Store is what TestUserStore exercises: a core.UserStore that also creates
// users (core.BaseUserManager) and reads them back as *core.DefaultUser, as
// core.DefaultUserManager does.
type Store interface {
	core.UserStore
	core.PasswordHashReplacer
	core.BaseUserManager[*core.DefaultUser]
	// GetByID returns the user with id, or (nil, nil).
	GetByID(ctx context.Context, id int64) (*core.DefaultUser, error)
	// GetByUsername returns the user with exactly that username, or
	// (nil, nil).
	GetByUsername(ctx context.Context, username string) (*core.DefaultUser, error)
	// UsersByEmail returns the users whose email is the address
	// case-insensitively (core.FoldEmail), ordered by id, active or not;
	// none for "" (the lookup of a password-reset request).
	UsersByEmail(ctx context.Context, email string) ([]core.BaseUser, error)
}

// PermissionAdmin is implemented by stores that keep Django's groups and
// permissions. When the Store given to TestUserStore implements it, the
// suite also checks that users come back with their permissions.
type PermissionAdmin interface {
	// EnsurePermission returns the id of appLabel.codename on model,
	// creating it if needed; calling it again returns the same id.
	EnsurePermission(ctx context.Context, appLabel, model, codename, name string) (int64, error)
	// CreateGroup creates a group; a name that is taken is an error.
	CreateGroup(ctx context.Context, name string) (int64, error)
	// AddGroupPermission grants a permission to a group (again: no error).
	AddGroupPermission(ctx context.Context, groupID, permissionID int64) error
	// AddUserToGroup adds a member (again: no error); an unknown user or
	// group is an error.
	AddUserToGroup(ctx context.Context, userID, groupID int64) error
	// AddUserPermission grants a permission to a user (again: no error).
	AddUserPermission(ctx context.Context, userID, permissionID int64) error
	// RemoveUserPermission takes a direct permission away (none: no error).
	RemoveUserPermission(ctx context.Context, userID, permissionID int64) error
}

// UsernameCollator is implemented by stores whose unique constraint on
// usernames takes more names for one than byte equality does: MariaDB and
// MySQL compare auth_user.username in its collation, which ignores case
// and accents in the usual utf8mb4_general_ci and utf8mb4_unicode_ci (as
// Django creates the table there). The suite then expects a name that
// collates with an existing one to be refused with
// core.ErrDuplicateUsername, and does not ask for what such a database
// cannot hold (two users whose names differ only in case).
type UsernameCollator interface {
	// SameUsername reports whether the store's unique constraint takes
	// a and b for one username.
	SameUsername(ctx context.Context, a, b string) (bool, error)
}

// collides reports whether name is, for s's unique constraint, one of
// existing: never for a store that is not a UsernameCollator (exact
// names are checked by the suite itself).
func collides(t *testing.T, s Store, name string, existing ...string) bool {
	t.Helper()
	c, ok := s.(UsernameCollator)
	if !ok {
		return false
	}
	for _, e := range existing {
		same, err := c.SameUsername(ctxFor(t), name, e)
		if err != nil {
			t.Fatalf("SameUsername(%q, %q): %v", name, e, err)
		}
		if same {
			return true
		}
	}
	return false
}

// Creators is how many goroutines race to create the same username.
const Creators = 32

// TestUserStore checks that a Store keeps the core.UserStore contract and
// creates users as core.DefaultUserManager does. open is called once per
// subtest and must return an empty store, which it may close with
// t.Cleanup. Stores that hash passwords slowly should be given a fast
// hashers registry: the suite creates a few dozen users, most of them
// without a password.
func TestUserStore(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s Store)
	}{
		{"NotFound", testNotFound},
		{"CreateUser", testCreateUser},
		{"CreateSuperuser", testCreateSuperuser},
		{"CreateErrors", testCreateErrors},
		{"UnusablePassword", testUnusablePassword},
		{"NormalizeAtCreationOnly", testNormalize},
		{"ExactUsernameMatch", testExactMatch},
		{"UsersByEmail", testUsersByEmail},
		{"Duplicate", testDuplicate},
		{"ConcurrentDuplicate", testConcurrentDuplicate},
		{"ConcurrentCaseVariants", testConcurrentCaseVariants},
		{"CaseVariantPairsLogIn", testCaseVariantPairs},
		{"PasswordHashRoundTrip", testPasswordHash},
		{"ReplacePasswordHash", testReplacePasswordHash},
		{"ConcurrentReplacePasswordHash", testConcurrentReplacePasswordHash},
		{"LastLoginRoundTrip", testLastLogin},
		{"UnknownIDWrites", testUnknownIDWrites},
		{"ReturnsCopies", testCopies},
		{"ConcurrentPasswordAndRead", testConcurrentPasswordAndRead},
		{"ModelBackend", testModelBackend},
		{"ContextCanceled", testContextCanceled},
		{"Permissions", testPermissions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f(t, open(t))
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ptr(s string) *string { return &s }

// show describes a user for a failure message, without its password hash.
func show(u any) string {
	switch v := u.(type) {
	case nil:
		return "nil"
	case *core.DefaultUser:
		if v == nil {
			return "(*core.DefaultUser)(nil)"
		}
		return fmt.Sprintf("DefaultUser{ID:%d Username:%q Email:%q FirstName:%q LastName:%q Active:%v Staff:%v Superuser:%v DateJoined:%v LastLogin:%v}",
			v.ID, v.Username, v.Email, v.FirstName, v.LastName, v.Active, v.Staff, v.Superuser, v.DateJoined, v.LastLogin)
	case core.User:
		return fmt.Sprintf("%T{id %q, username %q}", v, v.GetID(), v.GetUsername())
	}
	return fmt.Sprintf("%T", u)
}

// mustCreate creates a user without a password.
func mustCreate(t *testing.T, s Store, username string, extra map[string]any) *core.DefaultUser {
	t.Helper()
	u, err := s.CreateUser(ctxFor(t), username, nil, extra)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", username, err)
	}
	if u == nil {
		t.Fatalf("CreateUser(%q) returned nil and no error", username)
	}
	return u
}

// byID reads a user through the UserStore interface and checks its type.
func byID(t *testing.T, s Store, id string) *core.DefaultUser {
	t.Helper()
	u, err := s.UserByID(ctxFor(t), id)
	if err != nil {
		t.Fatalf("UserByID(%q): %v", id, err)
	}
	if u == nil {
		t.Fatalf("UserByID(%q) = nil, want the user", id)
	}
	du, ok := u.(*core.DefaultUser)
	if !ok {
		t.Fatalf("UserByID(%q) returned %T, want *core.DefaultUser", id, u)
	}
	return du
}

func testNotFound(t *testing.T, s Store) {
	ctx := ctxFor(t)
	mustCreate(t, s, "present", nil)
	for _, id := range []string{"987654", "0", "-1", "", "abc", "1.0", " 1", "99999999999999999999"} {
		u, err := s.UserByID(ctx, id)
		if err != nil || u != nil {
			t.Errorf("UserByID(%q) = %s, %v; want nil, nil (an untyped nil interface)", id, show(u), err)
		}
	}
	// Names no store could hold are simply not there (PostgreSQL cannot
	// store NUL or invalid UTF-8; asking must still not be an error).
	for _, name := range []string{"absent", "", "present ", "presen", "pre\x00sent", "\xff\xfe", "present\x00"} {
		u, err := s.UserByUsername(ctx, name)
		if err != nil || u != nil {
			t.Errorf("UserByUsername(%q) = %s, %v; want nil, nil", name, show(u), err)
		}
	}
	if u, err := s.GetByID(ctx, 987654); err != nil || u != nil {
		t.Errorf("GetByID(987654) = %s, %v; want nil, nil", show(u), err)
	}
	if u, err := s.GetByUsername(ctx, "absent"); err != nil || u != nil {
		t.Errorf("GetByUsername(absent) = %s, %v; want nil, nil", show(u), err)
	}
}

func sameUser(t *testing.T, what string, got, want *core.DefaultUser) {
	t.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.Email != want.Email ||
		got.FirstName != want.FirstName || got.LastName != want.LastName ||
		got.Password != want.Password || got.Active != want.Active || got.Staff != want.Staff ||
		got.Superuser != want.Superuser {
		t.Errorf("%s = %s\nwant %s", what, show(got), show(want))
	}
	if !got.DateJoined.Equal(want.DateJoined) {
		t.Errorf("%s: date_joined %v, want %v", what, got.DateJoined, want.DateJoined)
	}
	if (got.LastLogin == nil) != (want.LastLogin == nil) ||
		(got.LastLogin != nil && !got.LastLogin.Equal(*want.LastLogin)) {
		t.Errorf("%s: last_login %v, want %v", what, got.LastLogin, want.LastLogin)
	}
}

func testCreateUser(t *testing.T, s Store) {
	ctx := ctxFor(t)
	before := time.Now().Add(-time.Second)
	u, err := s.CreateUser(ctx, "alice", ptr("correct horse"), map[string]any{
		"email": "  Alice.Smith@EXAMPLE.Com ", "first_name": "Alice", "last_name": "Smith",
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	after := time.Now().Add(time.Second)
	if u.ID == 0 || u.GetID() != strconv.FormatInt(u.ID, 10) {
		t.Errorf("new user has id %d (GetID %q)", u.ID, u.GetID())
	}
	if u.Username != "alice" || u.Email != "Alice.Smith@example.com" || u.FirstName != "Alice" || u.LastName != "Smith" {
		t.Errorf("fields: %s", show(u))
	}
	if !u.Active || u.Staff || u.Superuser {
		t.Errorf("new user: active=%v staff=%v superuser=%v; want true false false", u.Active, u.Staff, u.Superuser)
	}
	if u.LastLogin != nil {
		t.Errorf("new user has last_login %v", u.LastLogin)
	}
	if u.DateJoined.Before(before) || u.DateJoined.After(after) {
		t.Errorf("date_joined %v not between %v and %v", u.DateJoined, before, after)
	}
	if u.Password == "" || u.Password == "correct horse" || !hashers.IsPasswordUsable(u.Password) {
		t.Errorf("password was not hashed into a usable encoding")
	}
	ok, _, err := hashers.Default().VerifyPassword(ctx, "correct horse", u.Password)
	if err != nil || !ok {
		t.Errorf("the stored hash does not verify the password (ok=%v, err=%v)", ok, err)
	}
	sameUser(t, "UserByID", byID(t, s, u.GetID()), u)
	got, err := s.UserByUsername(ctx, "alice")
	if err != nil || got == nil {
		t.Fatalf("UserByUsername(alice) = %s, %v", show(got), err)
	}
	if got.GetID() != u.GetID() || got.GetUsername() != "alice" || got.UsernameField() != "username" {
		t.Errorf("UserByUsername(alice) = id %q username %q", got.GetID(), got.GetUsername())
	}
	g, err := s.GetByID(ctx, u.ID)
	if err != nil || g == nil {
		t.Fatalf("GetByID = %s, %v", show(g), err)
	}
	sameUser(t, "GetByID", g, u)
	g, err = s.GetByUsername(ctx, "alice")
	if err != nil || g == nil {
		t.Fatalf("GetByUsername = %s, %v", show(g), err)
	}
	sameUser(t, "GetByUsername", g, u)

	// A second user gets another id; the first is unchanged.
	b := mustCreate(t, s, "bob", map[string]any{"is_active": false, "is_staff": true})
	if b.ID == u.ID {
		t.Errorf("two users share id %d", b.ID)
	}
	if b.Active || !b.Staff {
		t.Errorf("extra fields not applied: active=%v staff=%v", b.Active, b.Staff)
	}
	sameUser(t, "bob by id", byID(t, s, b.GetID()), b)
	sameUser(t, "alice by id", byID(t, s, u.GetID()), u)
}

func testCreateSuperuser(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u, err := s.CreateSuperuser(ctx, "root", ptr("pw"), map[string]any{"email": "root@Example.ORG"})
	if err != nil {
		t.Fatalf("CreateSuperuser: %v", err)
	}
	if !u.Active || !u.Staff || !u.Superuser {
		t.Errorf("superuser: active=%v staff=%v superuser=%v; want all true", u.Active, u.Staff, u.Superuser)
	}
	got := byID(t, s, u.GetID())
	if !got.Active || !got.Staff || !got.Superuser || got.Email != "root@example.org" {
		t.Errorf("stored superuser: %s", show(got))
	}
	if !got.HasPerm("any.thing") {
		t.Errorf("an active superuser lacks a permission")
	}
	for _, f := range []string{"is_staff", "is_superuser"} {
		name := "bad-" + f
		if _, err := s.CreateSuperuser(ctx, name, nil, map[string]any{f: false}); err == nil {
			t.Errorf("CreateSuperuser with %s=false succeeded", f)
		}
		if u, err := s.UserByUsername(ctx, name); err != nil || u != nil {
			t.Errorf("refused superuser %s was stored: %s, %v", name, show(u), err)
		}
	}
}

func testCreateErrors(t *testing.T, s Store) {
	ctx := ctxFor(t)
	if _, err := s.CreateUser(ctx, "", nil, nil); !errors.Is(err, core.ErrEmptyUsername) {
		t.Errorf("CreateUser(\"\") = %v, want ErrEmptyUsername", err)
	}
	if _, err := s.CreateUser(ctx, "x", nil, map[string]any{"shoe_size": "44"}); !errors.Is(err, core.ErrUnknownField) {
		t.Errorf("CreateUser with an unknown field = %v, want ErrUnknownField", err)
	}
	if _, err := s.CreateUser(ctx, "y", nil, map[string]any{"is_staff": "yes"}); !errors.Is(err, core.ErrUnknownField) {
		t.Errorf("CreateUser with a mistyped field = %v, want ErrUnknownField", err)
	}
	for _, name := range []string{"x", "y"} {
		if u, err := s.UserByUsername(ctx, name); err != nil || u != nil {
			t.Errorf("refused user %q was stored: %s, %v", name, show(u), err)
		}
	}
}

func testUnusablePassword(t *testing.T, s Store) {
	u := mustCreate(t, s, "sso", nil)
	if hashers.IsPasswordUsable(u.Password) || !hashers.IsPasswordUsable("") {
		t.Errorf("nil password gave a usable encoding")
	}
	got := byID(t, s, u.GetID())
	if core.HasUsablePassword(got) || got.Password != u.Password {
		t.Errorf("stored password of a nil-password user is not the unusable one created")
	}
	if ok, _ := core.CheckPassword(ctxFor(t), got, ""); ok {
		t.Errorf("the empty password verifies against an unusable password")
	}
}

func testNormalize(t *testing.T, s Store) {
	ctx := ctxFor(t)
	cases := []struct{ given, stored string }{
		{"ｆｕｌｌｗｉｄｔｈ", "fullwidth"},
		{"iamthe\u2126", "iamthe\u03a9"}, // OHM SIGN -> GREEK CAPITAL OMEGA
		{"\ufb01sh", "fish"},             // ligature fi
	}
	for _, c := range cases {
		u := mustCreate(t, s, c.given, nil)
		if u.Username != c.stored {
			t.Errorf("CreateUser(%q).Username = %q, want %q (NFKC)", c.given, u.Username, c.stored)
		}
		if got, err := s.UserByUsername(ctx, c.stored); err != nil || got == nil || got.GetID() != u.GetID() {
			t.Errorf("UserByUsername(%q) = %s, %v; want the user", c.stored, show(got), err)
		}
		if got, err := s.UserByUsername(ctx, c.given); err != nil || got != nil {
			t.Errorf("UserByUsername(%q) found %s (err %v): lookups must not normalize", c.given, show(got), err)
		}
	}
}

func testExactMatch(t *testing.T, s Store) {
	ctx := ctxFor(t)
	names := []string{"Bob", "straße", "émile", "a_b", "a%b"}
	for _, n := range names {
		mustCreate(t, s, n, nil)
	}
	for _, n := range names {
		u, err := s.UserByUsername(ctx, n)
		if err != nil || u == nil || u.GetUsername() != n {
			t.Errorf("UserByUsername(%q) = %s, %v", n, show(u), err)
		}
	}
	for _, n := range []string{"bob", "BOB", "Bob ", " Bob", "strasse", "STRASSE", "Émile", "e\u0301mile", "axb", "a_", "a%", "Bo_", "B%"} {
		if u, err := s.UserByUsername(ctx, n); err != nil || u != nil {
			t.Errorf("UserByUsername(%q) = %s, %v; want nil, nil (exact match only)", n, show(u), err)
		}
	}
	// A username differing from one only in case is not created (Django
	// 4.2's UserCreationForm), and the lookup stays exact.
	if u, err := s.CreateUser(ctx, "bob", nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
		t.Errorf("CreateUser(bob) after Bob = %s, %v; want ErrDuplicateUsername", show(u), err)
	}
	if u, _ := s.UserByUsername(ctx, "bob"); u != nil {
		t.Errorf("UserByUsername(bob) = %s; want nil", show(u))
	}
}

// testUsersByEmail: every user with the address in any ASCII case, active
// or not, in id order; nobody for another address, a prefix, a LIKE
// pattern, "", or a look-alike (Cyrillic "ѕ" for "s").
func testUsersByEmail(t *testing.T, s Store) {
	ctx := ctxFor(t)
	a := mustCreate(t, s, "mail-a", map[string]any{"email": "Shared@Example.com"})
	b := mustCreate(t, s, "mail-b", map[string]any{"email": "shared@example.com", "is_active": false})
	mustCreate(t, s, "mail-c", map[string]any{"email": "other@example.com"})
	mustCreate(t, s, "mail-d", nil) // no address
	ids := func(us []core.BaseUser) []string {
		out := []string{}
		for _, u := range us {
			out = append(out, u.GetID())
		}
		return out
	}
	for _, q := range []string{"shared@example.com", "SHARED@EXAMPLE.COM", "sHaReD@eXaMpLe.CoM"} {
		got, err := s.UsersByEmail(ctx, q)
		if err != nil || !slices.Equal(ids(got), []string{a.GetID(), b.GetID()}) {
			t.Errorf("UsersByEmail(%q) = %v, %v; want [%s %s]", q, ids(got), err, a.GetID(), b.GetID())
		}
	}
	got, err := s.UsersByEmail(ctx, "other@example.com")
	if err != nil || len(got) != 1 || got[0].GetUsername() != "mail-c" {
		t.Errorf("UsersByEmail(other@example.com) = %v, %v", ids(got), err)
	}
	for _, q := range []string{"", "shared@example", "shared@example.com ", "%@example.com", "_hared@example.com", "nobody@example.com", "\u0455hared@example.com"} {
		if got, err := s.UsersByEmail(ctx, q); err != nil || len(got) != 0 {
			t.Errorf("UsersByEmail(%q) = %v, %v; want nobody", q, ids(got), err)
		}
	}
}

func testDuplicate(t *testing.T, s Store) {
	ctx := ctxFor(t)
	first := mustCreate(t, s, "carol", map[string]any{"email": "first@example.com"})
	_, err := s.CreateUser(ctx, "carol", ptr("pw"), map[string]any{"email": "second@example.com"})
	if !errors.Is(err, core.ErrDuplicateUsername) {
		t.Errorf("second CreateUser(carol) = %v, want ErrDuplicateUsername", err)
	}
	if errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("a duplicate username is reported as a store failure: %v", err)
	}
	// The same name after NFKC normalization.
	if _, err := s.CreateUser(ctx, "ｃａｒｏｌ", nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
		t.Errorf("CreateUser(fullwidth carol) = %v, want ErrDuplicateUsername", err)
	}
	if _, err := s.CreateSuperuser(ctx, "carol", nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
		t.Errorf("CreateSuperuser(carol) = %v, want ErrDuplicateUsername", err)
	}
	// Names that differ only in case (core.FoldUsername: Unicode simple
	// folding, not only ASCII), as Django 4.2's username__iexact check.
	mustCreate(t, s, "Émile", nil)
	mustCreate(t, s, "σοφία", nil)
	mustCreate(t, s, "a_b", nil)
	mustCreate(t, s, "x%y", nil)
	for _, n := range []string{"Carol", "CAROL", "cArOl", "ＣＡＲＯＬ", "émile", "ÉMILE", "ΣΟΦΊΑ", "ςοφία", "A_B", "X%Y"} {
		if u, err := s.CreateUser(ctx, n, nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
			t.Errorf("CreateUser(%q) = %s, %v; want ErrDuplicateUsername (a case variant)", n, show(u), err)
		}
		if _, err := s.CreateSuperuser(ctx, n, nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
			t.Errorf("CreateSuperuser(%q) = %v; want ErrDuplicateUsername (a case variant)", n, err)
		}
	}
	// Same length and shape, other letters: not variants (but a
	// UsernameCollator's collation may still take "emile" for "Émile").
	existing := []string{"carol", "Émile", "σοφία", "a_b", "x%y"}
	for _, n := range []string{"carl", "caro1", "emile", "axb", "a%b", "x_y", "xy%", "σοφίε"} {
		if collides(t, s, n, existing...) {
			if _, err := s.CreateUser(ctx, n, nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
				t.Errorf("CreateUser(%q) = %v; want ErrDuplicateUsername (the store's collation takes it for an existing name)", n, err)
			}
			continue
		}
		mustCreate(t, s, n, nil)
		existing = append(existing, n)
	}
	got := byID(t, s, first.GetID())
	if got.Email != "first@example.com" || got.Superuser {
		t.Errorf("the first carol was changed: %s", show(got))
	}
}

func testConcurrentDuplicate(t *testing.T, s Store) {
	ctx := ctxFor(t)
	winners, dups, others := createConcurrently(Creators, func(i int) (*core.DefaultUser, error) {
		return s.CreateUser(ctx, "dave", nil, map[string]any{"first_name": strconv.Itoa(i)})
	})
	if len(winners) != 1 || dups != Creators-1 || len(others) != 0 {
		t.Fatalf("%d concurrent CreateUser(dave): %d succeeded, %d ErrDuplicateUsername, other errors %v; want 1, %d, none",
			Creators, len(winners), dups, others, Creators-1)
	}
	got := byID(t, s, winners[0].GetID())
	if got.FirstName != winners[0].FirstName {
		t.Errorf("stored dave is %q, the winner was %q", got.FirstName, winners[0].FirstName)
	}
	u, err := s.UserByUsername(ctx, "dave")
	if err != nil || u == nil || u.GetID() != winners[0].GetID() {
		t.Errorf("UserByUsername(dave) = %s, %v; want the winner", show(u), err)
	}
}

// CaseVariantCreators is how many goroutines race to create case variants
// of one username.
const CaseVariantCreators = 20

// testConcurrentCaseVariants: of CaseVariantCreators creators of distinct
// case variants of one name (grace, Grace, gRace, ...) racing, exactly one
// succeeds and the others get ErrDuplicateUsername. Several rounds, so that
// the later ones race on a warm connection pool.
func testConcurrentCaseVariants(t *testing.T, s Store) {
	for _, base := range []string{"grace", "heidi", "ivana", "julia"} {
		raceCaseVariants(t, s, base)
	}
}

func raceCaseVariants(t *testing.T, s Store, base string) {
	ctx := ctxFor(t)
	var names []string
	for bits := range 1 << len(base) {
		b := []byte(base)
		for i := range b {
			if bits&(1<<i) != 0 {
				b[i] -= 'a' - 'A'
			}
		}
		names = append(names, string(b))
	}
	names = names[:CaseVariantCreators]
	winners, dups, others := createConcurrently(len(names), func(i int) (*core.DefaultUser, error) {
		return s.CreateUser(ctx, names[i], nil, nil)
	})
	if len(winners) != 1 || dups != len(names)-1 || len(others) != 0 {
		var won []string
		for _, w := range winners {
			won = append(won, w.Username)
		}
		t.Fatalf("%d concurrent case variants of %s: %d succeeded %q, %d ErrDuplicateUsername, other errors %v; want 1, %d, none",
			len(names), base, len(winners), won, dups, others, len(names)-1)
	}
	for _, n := range names {
		u, err := s.UserByUsername(ctx, n)
		if n == winners[0].Username {
			if err != nil || u == nil || u.GetID() != winners[0].GetID() {
				t.Errorf("UserByUsername(%q) = %s, %v; want the winner", n, show(u), err)
			}
		} else if err != nil || u != nil {
			t.Errorf("UserByUsername(%q) = %s, %v; want nil", n, show(u), err)
		}
	}
}

// createConcurrently runs create(0) … create(n-1) at once (released
// together) and sorts the outcomes: the users created, the number of
// ErrDuplicateUsername refusals, and any other errors.
func createConcurrently(n int, create func(i int) (*core.DefaultUser, error)) (winners []*core.DefaultUser, dups int, others []error) {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
	)
	for i := range n {
		wg.Go(func() {
			<-start
			u, err := create(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, u)
			case errors.Is(err, core.ErrDuplicateUsername):
				dups++
			default:
				others = append(others, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return winners, dups, others
}

// Renamer is implemented by stores that can change a user's username
// (sqlstore's UpdateUser; DefaultUserManager's Update), which, like
// Django's UserChangeForm, does not refuse a case variant. The suite uses
// it to make the pairs a database Django made may hold (bob and Bob).
type Renamer interface {
	UpdateUser(ctx context.Context, u *core.DefaultUser) error
}

// testCaseVariantPairs: users whose usernames differ only in case, made
// before the check (as Django before 4.2 and its admin make them), both
// still log in by their exact names.
func testCaseVariantPairs(t *testing.T, s Store) {
	ctx := ctxFor(t)
	rename := func(u *core.DefaultUser) error {
		switch r := s.(type) {
		case Renamer:
			return r.UpdateUser(ctx, u)
		case interface {
			Update(context.Context, *core.DefaultUser) error
		}:
			return r.Update(ctx, u)
		}
		t.Skip("the store cannot rename users")
		return nil
	}
	fast := hashers.NewPBKDF2SHA256Hasher()
	fast.Iterations = 1000
	b := &core.ModelBackend{Store: s, Hashers: hashers.New(fast)}
	lower, err := s.CreateUser(ctx, "bob", ptr("pw-lower"), nil)
	if err != nil {
		t.Fatal(err)
	}
	upper, err := s.CreateUser(ctx, "robert", ptr("pw-upper"), nil)
	if err != nil {
		t.Fatal(err)
	}
	upper.Username = "Bob"
	if collides(t, s, "Bob", "bob") {
		if err := rename(upper); !errors.Is(err, core.ErrDuplicateUsername) {
			t.Fatalf("renaming robert to Bob = %v; want ErrDuplicateUsername (the store's collation takes Bob for bob)", err)
		}
		t.Skip("the store's unique constraint takes bob and Bob for one name: such a pair cannot exist in it")
	}
	if err := rename(upper); err != nil {
		t.Fatalf("renaming robert to Bob: %v", err)
	}
	for _, c := range []struct{ name, pw, id string }{{"bob", "pw-lower", lower.GetID()}, {"Bob", "pw-upper", upper.GetID()}} {
		got, err := b.Authenticate(ctx, c.name, c.pw)
		if err != nil || got == nil || got.GetID() != c.id {
			t.Errorf("Authenticate(%q) = %s, %v; want user %s", c.name, show(got), err, c.id)
		}
	}
	if got, err := b.Authenticate(ctx, "Bob", "pw-lower"); err != nil || got != nil {
		t.Errorf("Authenticate(Bob, bob's password) = %s, %v; want nil", show(got), err)
	}
	if u, err := s.CreateUser(ctx, "BOB", nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
		t.Errorf("CreateUser(BOB) = %s, %v; want ErrDuplicateUsername", show(u), err)
	}
}

func testPasswordHash(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u := mustCreate(t, s, "erin", nil)
	other := mustCreate(t, s, "frank", nil)
	for _, h := range []string{
		"pbkdf2_sha256$1000$c2FsdA$zXMi6HmrwOjT3Avp1rjtOvWO4jNuCFLqCgAoJ0bK3iY=",
		"argon2$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$9Ko9q7B2g/Tf3TwHtGg6bOc8MMN1GaWl0BW8Jv+0aJU",
		"bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuu0123456789012345678901234567890",
		"!unusable" + "0123456789012345678901234567890123456789",
		"",
		"naïve ☃ $ ' \" ; -- ? $1 trailing", // the store must not interpret the value
	} {
		if err := s.SetPasswordHash(ctx, u.GetID(), h); err != nil {
			t.Fatalf("SetPasswordHash: %v", err)
		}
		if got := byID(t, s, u.GetID()).PasswordHash(); got != h {
			t.Errorf("password hash round trip: got %d bytes, want the %d written", len(got), len(h))
		}
	}
	if got := byID(t, s, other.GetID()); got.Password != other.Password {
		t.Errorf("SetPasswordHash changed another user")
	}
}

func testLastLogin(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u := mustCreate(t, s, "grace", nil)
	zones := []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800), time.FixedZone("Y", -8*3600)}
	times := []time.Time{
		time.Date(2024, 2, 29, 13, 14, 15, 123456000, zones[1]),
		time.Date(1999, 12, 31, 23, 59, 59, 999999000, zones[2]),
		time.Date(2030, 1, 1, 0, 0, 0, 0, zones[0]),
		time.Date(2025, 6, 1, 12, 0, 0, 1000, zones[1]), // one microsecond
	}
	for _, tm := range times {
		if err := s.SetLastLogin(ctx, u.GetID(), tm); err != nil {
			t.Fatalf("SetLastLogin: %v", err)
		}
		got := byID(t, s, u.GetID()).GetLastLogin()
		if !got.Equal(tm) {
			t.Errorf("last_login round trip: got %v, want %v", got, tm)
		}
	}
	// Below a microsecond, stores may round (Django keeps microseconds).
	tm := time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)
	if err := s.SetLastLogin(ctx, u.GetID(), tm); err != nil {
		t.Fatal(err)
	}
	if got := byID(t, s, u.GetID()).GetLastLogin(); got.Sub(tm).Abs() >= time.Microsecond {
		t.Errorf("last_login %v is not within a microsecond of %v", got, tm)
	}
	if got := byID(t, s, u.GetID()); !got.DateJoined.Equal(u.DateJoined) {
		t.Errorf("SetLastLogin changed date_joined")
	}
}

func testUnknownIDWrites(t *testing.T, s Store) {
	ctx := ctxFor(t)
	mustCreate(t, s, "heidi", nil)
	for _, id := range []string{"987654", "abc", ""} {
		if err := s.SetPasswordHash(ctx, id, "x"); !errors.Is(err, core.ErrUserNotFound) {
			t.Errorf("SetPasswordHash(%q) = %v, want an error wrapping ErrUserNotFound", id, err)
		}
		if err := s.SetLastLogin(ctx, id, time.Now()); !errors.Is(err, core.ErrUserNotFound) {
			t.Errorf("SetLastLogin(%q) = %v, want an error wrapping ErrUserNotFound", id, err)
		}
	}
}

func testCopies(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u := mustCreate(t, s, "ivan", map[string]any{"email": "ivan@example.com"})
	orig := *u
	u.Email, u.Superuser, u.Password = "evil@example.com", true, "x"
	got := byID(t, s, u.GetID())
	if got.Email != orig.Email || got.Superuser || got.Password != orig.Password {
		t.Errorf("changing the value CreateUser returned changed the store")
	}
	got.Email = "evil@example.com"
	got.SetPasswordHash("y")
	got.SetLastLogin(time.Now())
	again, _ := s.GetByID(ctx, u.ID)
	if again.Email != orig.Email || again.Password != orig.Password || again.LastLogin != nil {
		t.Errorf("changing a user read from the store changed the store")
	}
}

func testConcurrentPasswordAndRead(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u := mustCreate(t, s, "judy", nil)
	initial := u.Password
	const writers, readers, rounds = 8, 8, 20
	valid := map[string]bool{initial: true}
	for w := range writers {
		for r := range rounds {
			valid[fmt.Sprintf("pbkdf2_sha256$1000$w%dr%d$hash", w, r)] = true
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, writers*rounds+readers*rounds)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				if err := s.SetPasswordHash(ctx, u.GetID(), fmt.Sprintf("pbkdf2_sha256$1000$w%dr%d$hash", w, r)); err != nil {
					errc <- fmt.Errorf("SetPasswordHash: %w", err)
				}
				if err := s.SetLastLogin(ctx, u.GetID(), time.Now()); err != nil {
					errc <- fmt.Errorf("SetLastLogin: %w", err)
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range rounds {
				got, err := s.UserByID(ctx, u.GetID())
				if err != nil || got == nil {
					errc <- fmt.Errorf("UserByID during writes = %v, %w", got, err)
					continue
				}
				if h := got.PasswordHash(); !valid[h] {
					errc <- fmt.Errorf("read a password hash nobody wrote (%d bytes)", len(h))
				}
				if _, err := s.UserByUsername(ctx, "judy"); err != nil {
					errc <- fmt.Errorf("UserByUsername during writes: %w", err)
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if h := byID(t, s, u.GetID()).Password; !valid[h] || h == initial {
		t.Errorf("final hash (%d bytes) is not one of the written ones", len(h))
	}
}

// testModelBackend authenticates through core.ModelBackend: the store's
// hashes check, a weaker hash is upgraded and persisted, inactive users are
// refused.
func testModelBackend(t *testing.T, s Store) {
	ctx := ctxFor(t)
	fast := hashers.NewPBKDF2SHA256Hasher()
	fast.Iterations = 1000
	weak := hashers.NewPBKDF2SHA256Hasher()
	weak.Iterations = 500 // fewer iterations than preferred: upgraded on login
	b := &core.ModelBackend{Store: s, Hashers: hashers.New(fast)}

	u := mustCreate(t, s, "kim", nil)
	old, err := weak.Hash(ctx, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasswordHash(ctx, u.GetID(), old); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Authenticate(ctx, "kim", "wrong"); err != nil || got != nil {
		t.Errorf("wrong password: %s, %v", show(got), err)
	}
	got, err := b.Authenticate(ctx, "kim", "s3cret")
	if err != nil || got == nil || got.GetID() != u.GetID() {
		t.Fatalf("Authenticate(kim) = %s, %v", show(got), err)
	}
	stored := byID(t, s, u.GetID()).Password
	if stored == old || fast.MustUpdate(stored) {
		t.Errorf("the weaker hash was not upgraded in the store")
	}
	if got, err := b.Authenticate(ctx, "kim", "s3cret"); err != nil || got == nil {
		t.Errorf("Authenticate after upgrade = %s, %v", show(got), err)
	}
	if got, err := b.Authenticate(ctx, "nobody", "s3cret"); err != nil || got != nil {
		t.Errorf("unknown user: %s, %v", show(got), err)
	}
	in := mustCreate(t, s, "inactive", map[string]any{"is_active": false})
	if err := s.SetPasswordHash(ctx, in.GetID(), old); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Authenticate(ctx, "inactive", "s3cret"); err != nil || got != nil {
		t.Errorf("inactive user authenticated: %s, %v", show(got), err)
	}
	if got, err := b.GetUser(ctx, in.GetID()); err != nil || got != nil {
		t.Errorf("GetUser(inactive) = %s, %v", show(got), err)
	}
	if got, err := b.GetUser(ctx, u.GetID()); err != nil || got == nil {
		t.Errorf("GetUser(kim) = %s, %v", show(got), err)
	}
	when := time.Date(2024, 5, 6, 7, 8, 9, 10000, time.UTC)
	if err := b.RecordLogin(ctx, byID(t, s, u.GetID()), when); err != nil {
		t.Fatal(err)
	}
	if got := byID(t, s, u.GetID()).GetLastLogin(); !got.Equal(when) {
		t.Errorf("RecordLogin stored %v, want %v", got, when)
	}
}

// testContextCanceled: every method honours ctx. With a context that is
// already done, each returns an error promptly, and the error of a
// UserStore method wraps core.ErrStoreUnavailable, so authentication fails
// closed.
func testContextCanceled(t *testing.T, s Store) {
	u := mustCreate(t, s, "leo", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	check := func(name string, err error, storeErr bool) {
		t.Helper()
		if err == nil {
			t.Errorf("%s with a canceled context returned no error", name)
		} else if storeErr && !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s with a canceled context = %v, want an error wrapping ErrStoreUnavailable", name, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s with a canceled context did not return promptly", name)
		}
	}
	_, err := s.UserByID(ctx, u.GetID())
	check("UserByID", err, true)
	_, err = s.UserByUsername(ctx, "leo")
	check("UserByUsername", err, true)
	check("SetPasswordHash", s.SetPasswordHash(ctx, u.GetID(), "x"), true)
	check("SetLastLogin", s.SetLastLogin(ctx, u.GetID(), time.Now()), true)
	_, err = s.GetByID(ctx, u.ID)
	check("GetByID", err, false)
	_, err = s.GetByUsername(ctx, "leo")
	check("GetByUsername", err, false)
	_, err = s.CreateUser(ctx, "mallory", nil, nil)
	check("CreateUser", err, false)
	_, err = s.CreateSuperuser(ctx, "mallory2", nil, nil)
	check("CreateSuperuser", err, false)

	// None of it happened.
	got := byID(t, s, u.GetID())
	if got.Password != u.Password || got.LastLogin != nil {
		t.Errorf("a write with a canceled context took effect")
	}
	for _, n := range []string{"mallory", "mallory2"} {
		if v, err := s.UserByUsername(ctxFor(t), n); err != nil || v != nil {
			t.Errorf("CreateUser with a canceled context created %s: %s, %v", n, show(v), err)
		}
	}

	// A deadline that passes during a call is honoured as well.
	dctx, dcancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer dcancel()
	<-dctx.Done()
	_, err = s.UserByUsername(dctx, "leo")
	check("UserByUsername after the deadline", err, true)
}

func testPermissions(t *testing.T, s Store) {
	pa, ok := s.(PermissionAdmin)
	if !ok {
		t.Skipf("%T does not implement storetest.PermissionAdmin", s)
	}
	ctx := ctxFor(t)
	mustID := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	publish := mustID(pa.EnsurePermission(ctx, "blog", "article", "publish_article", "Can publish article"))
	if again := mustID(pa.EnsurePermission(ctx, "blog", "article", "publish_article", "Other name")); again != publish {
		t.Errorf("EnsurePermission twice gave ids %d and %d", publish, again)
	}
	edit := mustID(pa.EnsurePermission(ctx, "blog", "article", "change_article", "Can change article"))
	view := mustID(pa.EnsurePermission(ctx, "blog", "comment", "view_comment", "Can view comment"))
	own := mustID(pa.EnsurePermission(ctx, "shop", "order", "refund_order", "Can refund order"))
	if len(map[int64]bool{publish: true, edit: true, view: true, own: true}) != 4 {
		t.Fatalf("distinct permissions share ids: %d %d %d %d", publish, edit, view, own)
	}
	editors := mustID(pa.CreateGroup(ctx, "editors"))
	readers := mustID(pa.CreateGroup(ctx, "readers"))
	empty := mustID(pa.CreateGroup(ctx, "empty"))
	if _, err := pa.CreateGroup(ctx, "editors"); err == nil {
		t.Errorf("CreateGroup(editors) twice succeeded")
	}
	must(pa.AddGroupPermission(ctx, editors, publish))
	must(pa.AddGroupPermission(ctx, editors, edit))
	must(pa.AddGroupPermission(ctx, editors, edit)) // again: no error
	must(pa.AddGroupPermission(ctx, readers, view))
	must(pa.AddGroupPermission(ctx, readers, edit)) // also through editors

	u := mustCreate(t, s, "nina", nil)
	other := mustCreate(t, s, "oscar", nil)
	must(pa.AddUserToGroup(ctx, u.ID, editors))
	must(pa.AddUserToGroup(ctx, u.ID, readers))
	must(pa.AddUserToGroup(ctx, u.ID, empty))
	must(pa.AddUserToGroup(ctx, u.ID, empty)) // again: no error
	must(pa.AddUserPermission(ctx, u.ID, own))
	must(pa.AddUserPermission(ctx, u.ID, own))
	must(pa.AddUserPermission(ctx, other.ID, view))

	if err := pa.AddUserToGroup(ctx, 987654, editors); err == nil {
		t.Errorf("AddUserToGroup(unknown user) succeeded")
	}
	if err := pa.AddUserToGroup(ctx, u.ID, 987654); err == nil {
		t.Errorf("AddUserToGroup(unknown group) succeeded")
	}
	if err := pa.AddUserPermission(ctx, u.ID, 987654); err == nil {
		t.Errorf("AddUserPermission(unknown permission) succeeded")
	}

	want := []string{"blog.change_article", "blog.publish_article", "blog.view_comment", "shop.refund_order"}
	check := func(name string, got *core.DefaultUser) {
		t.Helper()
		if all := got.GetAllPermissions(); !slices.Equal(all, want) {
			t.Errorf("%s: GetAllPermissions = %v, want %v", name, all, want)
		}
		if p := got.GetUserPermissions(); !slices.Equal(p, []string{"shop.refund_order"}) {
			t.Errorf("%s: GetUserPermissions = %v", name, p)
		}
		if p := got.GetGroupPermissions(); !slices.Equal(p, want[:3]) {
			t.Errorf("%s: GetGroupPermissions = %v", name, p)
		}
		groups := map[string][]string{}
		for _, g := range got.Groups {
			p := slices.Clone(g.Permissions)
			slices.Sort(p)
			groups[g.Name] = p
			if g.ID == 0 {
				t.Errorf("%s: group %q has no id", name, g.Name)
			}
		}
		if len(groups) != 3 || !slices.Equal(groups["editors"], []string{"blog.change_article", "blog.publish_article"}) ||
			!slices.Equal(groups["readers"], []string{"blog.change_article", "blog.view_comment"}) ||
			len(groups["empty"]) != 0 {
			t.Errorf("%s: groups = %v", name, groups)
		}
		if !got.HasPerm("blog.publish_article") || !got.HasPerm("shop.refund_order") || got.HasPerm("shop.add_order") {
			t.Errorf("%s: HasPerm wrong", name)
		}
		if !got.HasModulePerms("blog") || got.HasModulePerms("auth") {
			t.Errorf("%s: HasModulePerms wrong", name)
		}
	}
	check("UserByID", byID(t, s, u.GetID()))
	bu, err := s.UserByUsername(ctx, "nina")
	if err != nil || bu == nil {
		t.Fatal(err)
	}
	check("UserByUsername", bu.(*core.DefaultUser))
	gu, _ := s.GetByID(ctx, u.ID)
	check("GetByID", gu)
	if got := byID(t, s, other.GetID()).GetAllPermissions(); !slices.Equal(got, []string{"blog.view_comment"}) {
		t.Errorf("oscar: %v", got)
	}

	must(pa.RemoveUserPermission(ctx, u.ID, own))
	must(pa.RemoveUserPermission(ctx, u.ID, own)) // again: no error
	got := byID(t, s, u.GetID())
	if got.HasPerm("shop.refund_order") || len(got.GetUserPermissions()) != 0 || !got.HasPerm("blog.view_comment") {
		t.Errorf("after RemoveUserPermission: %v", got.GetAllPermissions())
	}
	// Inactive users have no permissions, whatever is stored.
	in := mustCreate(t, s, "inactive", map[string]any{"is_active": false})
	must(pa.AddUserPermission(ctx, in.ID, view))
	if got := byID(t, s, in.GetID()); got.HasPerm("blog.view_comment") || len(got.UserPermissions) != 1 {
		t.Errorf("inactive: HasPerm=%v stored=%v", got.HasPerm("blog.view_comment"), got.UserPermissions)
	}
}

// testReplacePasswordHash: the hash is replaced only while it is the old
// one; an unknown user is (false, nil).
func testReplacePasswordHash(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u := mustCreate(t, s, "replaced", nil)
	if err := s.SetPasswordHash(ctx, u.GetID(), "md5$a$first"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ReplacePasswordHash(ctx, u.GetID(), "md5$a$other", "md5$a$second"); ok || err != nil {
		t.Fatalf("ReplacePasswordHash from a hash that is not stored = %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.ReplacePasswordHash(ctx, u.GetID(), "md5$a$first", "md5$a$second"); !ok || err != nil {
		t.Fatalf("ReplacePasswordHash from the stored hash = %v, %v; want true, nil", ok, err)
	}
	got, err := s.GetByID(ctx, u.ID)
	if err != nil || got == nil || got.PasswordHash() != "md5$a$second" {
		t.Fatalf("after the replacement: %s, %v; want the new hash", show(got), err)
	}
	if ok, err := s.ReplacePasswordHash(ctx, u.GetID(), "md5$a$first", "md5$a$third"); ok || err != nil {
		t.Fatalf("ReplacePasswordHash from the replaced hash = %v, %v; want false, nil", ok, err)
	}
	for _, id := range []string{"999999", "x"} {
		if ok, err := s.ReplacePasswordHash(ctx, id, "md5$a$first", "md5$a$x"); ok || (err != nil && !errors.Is(err, core.ErrUserNotFound)) {
			t.Errorf("ReplacePasswordHash(%q) = %v, %v; want false", id, ok, err)
		}
	}
}

// testConcurrentReplacePasswordHash: of racing replacements of one hash,
// exactly one is stored (a password-reset link confirmed twice at once).
func testConcurrentReplacePasswordHash(t *testing.T, s Store) {
	ctx := ctxFor(t)
	u := mustCreate(t, s, "raced", nil)
	if err := s.SetPasswordHash(ctx, u.GetID(), "md5$a$start"); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	won := make(chan string, n)
	errc := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			h := fmt.Sprintf("md5$a$racer%d", i)
			ok, err := s.ReplacePasswordHash(ctx, u.GetID(), "md5$a$start", h)
			if err != nil {
				errc <- err
			}
			if ok {
				won <- h
			}
		}()
	}
	close(start)
	wg.Wait()
	close(won)
	close(errc)
	for err := range errc {
		t.Errorf("ReplacePasswordHash: %v", err)
	}
	var winners []string
	for h := range won {
		winners = append(winners, h)
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d racing replacements succeeded (%v); want exactly 1", len(winners), n, winners)
	}
	got, err := s.GetByID(ctx, u.ID)
	if err != nil || got == nil || got.PasswordHash() != winners[0] {
		t.Fatalf("stored %s, %v; want the winner's hash %s", show(got), err, winners[0])
	}
}
