package core_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

func TestAnonymousUserIsZeroSize(t *testing.T) {
	if s := unsafe.Sizeof(core.AnonymousUser{}); s != 0 {
		t.Fatalf("AnonymousUser is %d bytes", s)
	}
	var u core.User = core.AnonymousUser{}
	if u.IsAuthenticated() || u.IsActive() || u.IsAdmin() || u.GetID() != "" {
		t.Fatal("anonymous user claims something")
	}
	if core.AnonymousUser.HasPerm(core.AnonymousUser{}, "a.b") {
		t.Fatal("anonymous user has a permission")
	}
}

func TestNormalizeUsername(t *testing.T) {
	for in, want := range map[string]string{
		"iamthe\u2126": "iamthe\u03a9", // OHM SIGN -> GREEK CAPITAL OMEGA (Django's vector)
		"ｆｕｌｌｗｉｄｔｈ":    "fullwidth",
		"\ufb01":       "fi",
		"alice":        "alice",
	} {
		if got := core.NormalizeUsername(in); got != want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	// Django's UserManagerTestCase vectors and values computed by Django.
	for in, want := range map[string]string{
		"normal@DOMAIN.COM":            "normal@domain.com",
		`Abc\@DEF@EXAMPLE.com`:         `Abc\@DEF@example.com`,
		`email\ with_whitespace@D.COM`: `email\ with_whitespace@d.com`,
		"foo@BAR.com":                  "foo@bar.com",
		"  Foo.Bar@EXAMPLE.COM  ":      "Foo.Bar@example.com",
		"a@b@C.COM":                    "a@b@c.com",
		"no-at-sign":                   "no-at-sign",
		"  no-at-sign ":                "  no-at-sign ",
		"":                             "",
	} {
		if got := core.NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFullUserNames(t *testing.T) {
	u := &core.DefaultUser{FirstName: "Alice", LastName: "Smith"}
	if u.GetFullName() != "Alice Smith" || u.GetShortName() != "Alice" {
		t.Fatalf("%q %q", u.GetFullName(), u.GetShortName())
	}
	if (&core.DefaultUser{LastName: "Smith"}).GetFullName() != "Smith" {
		t.Fatal("full name not trimmed")
	}
}

func TestDefaultUserPermissions(t *testing.T) {
	u := &core.DefaultUser{
		Active:          true,
		UserPermissions: []string{"blog.add_post", "blog.change_post"},
		Groups:          []core.Group{{Name: "editors", Permissions: []string{"blog.delete_post", "blog.add_post"}}, {Name: "shop", Permissions: []string{"shop.view_order"}}},
	}
	for perm, want := range map[string]bool{
		"blog.add_post": true, "blog.delete_post": true, "shop.view_order": true, "blog.view_post": false, "": false,
	} {
		if u.HasPerm(perm) != want {
			t.Errorf("HasPerm(%q) = %v", perm, !want)
		}
	}
	if !u.HasPerms("blog.add_post", "blog.delete_post") || u.HasPerms("blog.add_post", "x.y") || !u.HasPerms() {
		t.Error("HasPerms")
	}
	if !u.HasModulePerms("blog") || !u.HasModulePerms("shop") || u.HasModulePerms("bl") || u.HasModulePerms("auth") {
		t.Error("HasModulePerms")
	}
	want := []string{"blog.add_post", "blog.change_post", "blog.delete_post", "shop.view_order"}
	if got := u.GetAllPermissions(); !slices.Equal(got, want) {
		t.Errorf("GetAllPermissions = %v", got)
	}
	if got := u.GetGroupPermissions(); !slices.Equal(got, []string{"blog.add_post", "blog.delete_post", "shop.view_order"}) {
		t.Errorf("GetGroupPermissions = %v", got)
	}

	inactive := *u
	inactive.Active = false
	inactive.Superuser = true
	if inactive.HasPerm("blog.add_post") || inactive.HasModulePerms("blog") || inactive.GetAllPermissions() != nil {
		t.Error("an inactive user (even a superuser) must have no permissions")
	}
	super := &core.DefaultUser{Active: true, Superuser: true}
	if !super.HasPerm("anything.at_all") || !super.HasModulePerms("any") || !super.HasPerms("a.b", "c.d") {
		t.Error("an active superuser passes every check")
	}
}

func TestDefaultUserJSONLeavesPasswordOut(t *testing.T) {
	u := &core.DefaultUser{ID: 7, Username: "alice", Password: "argon2$secret", Active: true}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "argon2") || !strings.Contains(string(b), `"is_active":true`) {
		t.Fatalf("JSON: %s", b)
	}
	var back core.DefaultUser
	if err := json.Unmarshal(b, &back); err != nil || back.Username != "alice" || back.ID != 7 {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

func TestPasswordHelpers(t *testing.T) {
	ctx := context.Background()
	u := &core.DefaultUser{Active: true}
	if err := core.SetPassword(ctx, u, "securepass123"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.Password, "argon2$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("default hash is not Argon2id: %s", u.Password)
	}
	for pw, want := range map[string]bool{"securepass123": true, "securepass12": false, "": false} {
		ok, err := core.CheckPassword(ctx, u, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	if !core.HasUsablePassword(u) {
		t.Fatal("usable")
	}
	core.SetUnusablePassword(u)
	if core.HasUsablePassword(u) || !strings.HasPrefix(u.Password, "!") || len(u.Password) != 41 {
		t.Fatalf("unusable password %q", u.Password)
	}
	if ok, err := core.CheckPassword(ctx, u, "securepass123"); ok || err != nil {
		t.Fatalf("unusable password verified: %v %v", ok, err)
	}
	// Django: the empty string is a password like any other.
	if err := core.SetPassword(ctx, u, ""); err != nil {
		t.Fatal(err)
	}
	if ok, _ := core.CheckPassword(ctx, u, ""); !ok {
		t.Fatal("empty password")
	}
	if ok, _ := core.CheckPassword(ctx, u, " "); ok {
		t.Fatal("blank accepted for empty")
	}
}

// myUser is the reference README's MyUser: keyed by email, with its own
// choice of hashers.
type myUser struct {
	id, email, hash string
	lastLogin       time.Time
	active          bool
	reg             *hashers.Registry
}

func (u *myUser) GetID() string                      { return u.id }
func (u *myUser) GetUsername() string                { return u.email }
func (u *myUser) IsAuthenticated() bool              { return true }
func (u *myUser) IsActive() bool                     { return u.active }
func (u *myUser) IsAdmin() bool                      { return false }
func (u *myUser) UsernameField() string              { return "email" }
func (u *myUser) PasswordHash() string               { return u.hash }
func (u *myUser) SetPasswordHash(e string)           { u.hash = e }
func (u *myUser) GetLastLogin() time.Time            { return u.lastLogin }
func (u *myUser) SetLastLogin(t time.Time)           { u.lastLogin = t }
func (u *myUser) PasswordHashers() *hashers.Registry { return u.reg }

func TestCustomUserWithOwnHashers(t *testing.T) {
	ctx := context.Background()
	u := &myUser{id: "u1", email: "alice@example.com", active: true, reg: fastHashers()}
	var _ core.BaseUser = u
	if err := core.SetPassword(ctx, u, "securepass123"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.hash, "pbkdf2_sha256$1000$") {
		t.Fatalf("own hasher not used: %s", u.hash)
	}
	if ok, err := core.CheckPassword(ctx, u, "securepass123"); !ok || err != nil {
		t.Fatal("check", err)
	}
	// Without a registry of its own, the user gets Argon2id.
	u.reg = nil
	_ = core.SetPassword(ctx, u, "x")
	if !strings.HasPrefix(u.hash, "argon2$argon2id$") {
		t.Fatalf("default is not Argon2id: %s", u.hash)
	}
}

func TestUserChoosesHasherAndUpgrades(t *testing.T) {
	ctx := context.Background()
	weak := hashers.NewPBKDF2SHA256Hasher()
	weak.Iterations = 1000
	u := &core.DefaultUser{Active: true}
	u.Password = mustEncode(t, weak, "pw", "seasaltseasaltseasalt1")
	// The default registry upgrades a correct PBKDF2 hash to Argon2id.
	ok, err := core.CheckPassword(ctx, u, "pw")
	if !ok || err != nil || !strings.HasPrefix(u.Password, "argon2$argon2id$") {
		t.Fatalf("no upgrade: %v %v %s", ok, err, u.Password)
	}
	// A wrong password never upgrades.
	u.Password = mustEncode(t, weak, "pw", "seasaltseasaltseasalt1")
	before := u.Password
	if ok, _ := core.CheckPassword(ctx, u, "nope"); ok || u.Password != before {
		t.Fatal("wrong password upgraded the hash")
	}
}

func mustEncode(t *testing.T, h hashers.PasswordHasher, pw, salt string) string {
	t.Helper()
	enc, err := h.(hashers.SaltedHasher).Encode(context.Background(), pw, salt)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestGetSessionAuthHash(t *testing.T) {
	// Computed by Django 3.2's salted_hmac with SECRET_KEY
	// "django-insecure-test-key" (see TestGetSessionAuthHashDjango).
	u := &core.DefaultUser{Password: "pbkdf2_sha256$260000$seasalt$abc="}
	const want = "cf4423bf02bbbcf1c0967e58fecaad04e4df22723293a0a40f0a17f73dd7320d"
	if got := core.GetSessionAuthHash(u, []byte("django-insecure-test-key")); got != want {
		t.Fatalf("got %s", got)
	}
	u.Password = "pbkdf2_sha256$260000$seasalt$abd="
	if core.GetSessionAuthHash(u, []byte("django-insecure-test-key")) == want {
		t.Fatal("hash does not depend on the password")
	}
}

func TestGetSessionAuthHashDjango(t *testing.T) {
	py := requireDjango(t)
	u := &core.DefaultUser{Password: "argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}
	secret := "s3cr3t-ünïcode"
	out, err := exec.Command(py, "-c", `
import sys, django
from django.conf import settings
settings.configure(SECRET_KEY=sys.argv[1])
django.setup()
from django.contrib.auth.base_user import AbstractBaseUser
class U(AbstractBaseUser):
    class Meta:
        app_label = "x"
u = U(password=sys.argv[2])
print(u.get_session_auth_hash())
`, secret, u.Password).CombinedOutput()
	if err != nil {
		t.Fatalf("django: %v %s", err, out)
	}
	if got, want := core.GetSessionAuthHash(u, []byte(secret)), strings.TrimSpace(string(out)); got != want {
		t.Fatalf("got %s, Django %s", got, want)
	}
}

func TestDefaultUserManager(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	u, err := m.CreateUser(ctx, "iamthe\u2126", new("pw"), map[string]any{"email": "Me@EXAMPLE.COM", "first_name": "Ohm"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "iamthe\u03a9" || u.Email != "Me@example.com" || !u.Active || u.Staff || u.Superuser || u.ID != 1 || u.DateJoined.IsZero() {
		t.Fatalf("%+v", u)
	}
	if _, err := m.CreateUser(ctx, "iamthe\u03a9", nil, nil); err != core.ErrDuplicateUsername {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := m.CreateUser(ctx, "", nil, nil); err != core.ErrEmptyUsername || err.Error() != "The given username must be set" {
		t.Fatalf("empty: %v", err)
	}
	if _, err := m.CreateUser(ctx, "x", nil, map[string]any{"shoe_size": 9}); err == nil {
		t.Fatal("unknown field accepted")
	}
	nopw, err := m.CreateUser(ctx, "nopw", nil, nil)
	if err != nil || core.HasUsablePassword(nopw) {
		t.Fatalf("nil password must be unusable: %v", err)
	}
	admin, err := m.CreateSuperuser(ctx, "admin", new("adminsecret"), nil)
	if err != nil || !admin.Staff || !admin.Superuser {
		t.Fatalf("%v %+v", err, admin)
	}
	if _, err := m.CreateSuperuser(ctx, "admin2", nil, map[string]any{"is_staff": false}); err == nil || err.Error() != "Superuser must have is_staff=True." {
		t.Fatalf("superuser with is_staff=false: %v", err)
	}
	got, _ := m.GetByUsername(ctx, "admin")
	if got == nil || got.ID != admin.ID {
		t.Fatal("GetByUsername")
	}
	got.Email = "changed" // a copy: the manager is not affected
	again, _ := m.GetByID(ctx, admin.ID)
	if again.Email == "changed" {
		t.Fatal("manager returned its own value")
	}
	if u, _ := m.GetByUsername(ctx, "nobody"); u != nil {
		t.Fatal("unknown user found")
	}
}

func TestDefaultUserManagerConcurrent(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half the goroutines race for the same name.
			name := "shared"
			if i%2 == 0 {
				name = "user" + string(rune('A'+i/2))
			}
			_, err := m.CreateUser(ctx, name, nil, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	dups := 0
	for err := range errs {
		if err == core.ErrDuplicateUsername {
			dups++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if dups != 31 {
		t.Fatalf("%d duplicates refused, want 31", dups)
	}
}

func TestNewSecretKey(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		k := core.NewSecretKey()
		if len(k) != 50 || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)") != "" || seen[k] {
			t.Fatalf("bad key %q", k)
		}
		seen[k] = true
	}
}

// TestFoldUsername: names fold alike exactly when they differ only in
// case, with Unicode's simple folding (not only ASCII).
func TestFoldUsername(t *testing.T) {
	for _, same := range [][2]string{
		{"bob", "BOB"}, {"Bob", "bOb"}, {"émile", "ÉMILE"}, {"σοφία", "ΣΟΦΊΑ"}, {"ςοφία", "σοφία"},
		{"ſam", "SAM"}, {"\u212aate", "kate"}, {"a_b.c@d+e-1", "A_B.C@D+E-1"},
	} {
		if core.FoldUsername(same[0]) != core.FoldUsername(same[1]) {
			t.Errorf("%q and %q fold apart", same[0], same[1])
		}
	}
	for _, other := range [][2]string{{"bob", "bob "}, {"straße", "strasse"}, {"a_b", "axb"}, {"emile", "émile"}, {"ı", "i"}} {
		if core.FoldUsername(other[0]) == core.FoldUsername(other[1]) {
			t.Errorf("%q and %q fold alike", other[0], other[1])
		}
	}
}

// FuzzFoldUsername: FoldUsername(a) == FoldUsername(b) exactly when
// strings.EqualFold(a, b), and folding keeps the number of characters (the
// SQL stores narrow their search by it).
func FuzzFoldUsername(f *testing.F) {
	f.Add("bob", "BOB")
	f.Add("ſ", "s")
	f.Add("\u212a", "k")
	f.Add("ς", "Σ")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		fa, fb := core.FoldUsername(a), core.FoldUsername(b)
		if (fa == fb) != strings.EqualFold(a, b) {
			t.Fatalf("%q %q: folded alike %v, EqualFold %v", a, b, fa == fb, strings.EqualFold(a, b))
		}
		if utf8.RuneCountInString(fa) != utf8.RuneCountInString(a) {
			t.Fatalf("%q folds to %q, another length", a, fa)
		}
	})
}

// TestFoldEmail: Django's _unicode_ci_compare, NFKC then casefold (the
// pairs are Python's answers).
func TestFoldEmail(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Alice@Example.com", "alice@example.COM", true},
		{"straße@example.com", "STRASSE@example.com", true}, // casefold: ß is ss
		{"ﬁsh@example.com", "FISH@example.com", true},       // NFKC: the ligature is fi
		{"ſam@example.com", "sam@example.com", true},        // NFKC: long s is s
		{"\u0455am@example.com", "sam@example.com", false},  // Cyrillic dze is not s
		{"mıke@example.com", "mike@example.com", false},     // dotless i folds to itself
		{"alice@example.com", "alice@example.com ", false},
		{"", "", true},
	} {
		if got := core.FoldEmail(c.a) == core.FoldEmail(c.b); got != c.same {
			t.Errorf("FoldEmail(%q) == FoldEmail(%q) is %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
