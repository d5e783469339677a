package core_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

// counting wraps a hasher and counts the expensive operations.
type counting struct {
	hashers.PasswordHasher
	hashes, verifies atomic.Int32
}

func (c *counting) Hash(ctx context.Context, pw string) (string, error) {
	c.hashes.Add(1)
	return c.PasswordHasher.Hash(ctx, pw)
}

func (c *counting) Verify(ctx context.Context, pw, enc string) (bool, error) {
	c.verifies.Add(1)
	return c.PasswordHasher.Verify(ctx, pw, enc)
}

func TestModelBackend(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "alice", "pw", nil)
	mustUser(t, m, "inactive", "pw", map[string]any{"is_active": false})
	b := core.NewModelBackend(m)
	b.Hashers = m.Hashers

	u, err := b.Authenticate(ctx, "alice", "pw")
	if err != nil || u == nil || u.GetUsername() != "alice" {
		t.Fatalf("alice: %v %v", u, err)
	}
	for _, c := range [][2]string{{"alice", "wrong"}, {"Alice", "pw"}, {"nobody", "pw"}, {"inactive", "pw"}, {"", ""}} {
		if u, err := b.Authenticate(ctx, c[0], c[1]); u != nil || err != nil {
			t.Errorf("%q/%q: %v %v", c[0], c[1], u, err)
		}
	}
	if u, _ := b.GetUser(ctx, "1"); u == nil {
		t.Fatal("GetUser(1)")
	}
	if u, _ := b.GetUser(ctx, "2"); u != nil {
		t.Fatal("GetUser returned an inactive user")
	}
	if u, _ := b.GetUser(ctx, "x"); u != nil {
		t.Fatal("GetUser(x)")
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	bu := u.(core.BaseUser)
	if err := b.RecordLogin(ctx, bu, now); err != nil || !bu.GetLastLogin().Equal(now) {
		t.Fatal(err)
	}
	if stored, _ := m.GetByID(ctx, 1); stored.LastLogin == nil || !stored.LastLogin.Equal(now) {
		t.Fatal("last_login not persisted")
	}
}

func TestModelBackendUpgradesAndPersists(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	u := mustUser(t, m, "legacy", "pw", nil)
	// A hash from an old Django: MD5, then PBKDF2-SHA1.
	for _, legacy := range []string{
		"md5$seasalt$" + md5hex("seasalt"+"pw"),
		mustEncode(t, hashers.NewPBKDF2SHA1Hasher(), "pw", "seasaltseasaltseasalt2"),
	} {
		if err := m.SetPasswordHash(ctx, u.GetID(), legacy); err != nil {
			t.Fatal(err)
		}
		b := core.NewModelBackend(m) // default hashers: Argon2id preferred
		got, err := b.Authenticate(ctx, "legacy", "pw")
		if err != nil || got == nil {
			t.Fatalf("legacy %s: %v", legacy[:5], err)
		}
		stored, _ := m.GetByID(ctx, u.ID)
		if !strings.HasPrefix(stored.Password, "argon2$argon2id$") || got.(core.BaseUser).PasswordHash() != stored.Password {
			t.Fatalf("upgrade not persisted: %s", stored.Password)
		}
		if ok, _ := core.CheckPassword(ctx, stored, "pw"); !ok {
			t.Fatal("upgraded hash does not verify")
		}
	}
}

// Unknown users cost the same work as wrong passwords: one hash each.
func TestModelBackendUnknownUserCost(t *testing.T) {
	ctx := context.Background()
	pb := hashers.NewPBKDF2SHA256Hasher()
	pb.Iterations = 1000
	c := &counting{PasswordHasher: pb}
	m := core.NewDefaultUserManager()
	m.Hashers = hashers.New(c)
	mustUser(t, m, "alice", "pw", nil)
	c.hashes.Store(0)
	b := &core.ModelBackend{Store: m, Hashers: m.Hashers}
	_, _ = b.Authenticate(ctx, "alice", "wrong")
	wrong := c.hashes.Load() + c.verifies.Load()
	c.hashes.Store(0)
	c.verifies.Store(0)
	_, _ = b.Authenticate(ctx, "nobody", "wrong")
	unknown := c.hashes.Load() + c.verifies.Load()
	if wrong != 1 || unknown != 1 {
		t.Fatalf("wrong password cost %d hashes, unknown user %d", wrong, unknown)
	}
}

// brokenStore fails every call, as a database that is down.
type brokenStore struct{}

var errDown = fmt.Errorf("dial tcp: connection refused: %w", core.ErrStoreUnavailable)

func (brokenStore) UserByID(context.Context, string) (core.BaseUser, error) { return nil, errDown }
func (brokenStore) UserByUsername(context.Context, string) (core.BaseUser, error) {
	return nil, errDown
}
func (brokenStore) SetPasswordHash(context.Context, string, string) error { return errDown }
func (brokenStore) SetLastLogin(context.Context, string, time.Time) error { return errDown }

func TestFailClosedWhenStoreIsDown(t *testing.T) {
	ctx := context.Background()
	good := core.NewDefaultUserManager()
	good.Hashers = fastHashers()
	mustUser(t, good, "alice", "pw", nil)
	// The broken backend comes first: its failure must not let the next
	// backend decide.
	comp := core.NewCompositeAuthBackend(core.NewModelBackend(brokenStore{}))
	comp.AddBackend(&core.ModelBackend{Store: good, Hashers: good.Hashers})
	if u, err := comp.Authenticate(ctx, "alice", "pw"); u != nil || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("composite: %v %v", u, err)
	}
	e := core.NewEngine(&core.BasicAuthentication{Backend: comp})
	_, err := e.Authenticate(req("GET", "/", "", "Authorization: Basic "+b64("alice:pw")))
	rec, w := recorder()
	_ = e.WriteError(w, err)
	checkStatus(t, rec, 503, `{"detail":"Service temporarily unavailable, try again later."}`)
	if strings.Contains(rec.Body.String(), "refused") {
		t.Fatal("cause leaked to the client")
	}
	remote := core.NewRemoteUserAuthentication("", brokenStore{}, mustPrefixes(t, "127.0.0.1")...)
	if id, err := remote.Authenticate(req("GET", "/", "127.0.0.1:1", "REMOTE_USER: alice")); id != nil || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatal("remote user with a broken store")
	}
}

func TestCompositeAuthBackendOrder(t *testing.T) {
	ctx := context.Background()
	db := core.NewDefaultUserManager()
	db.Hashers = fastHashers()
	mustUser(t, db, "alice", "db-pw", nil)
	ldap := core.NewDefaultUserManager()
	ldap.Hashers = fastHashers()
	mustUser(t, ldap, "alice", "ldap-pw", nil)
	mustUser(t, ldap, "bob", "ldap-pw", nil)
	comp := core.NewCompositeAuthBackend()
	comp.AddBackend(&core.ModelBackend{Store: db, Hashers: db.Hashers})
	comp.AddBackend(&core.ModelBackend{Store: ldap, Hashers: ldap.Hashers})
	for _, c := range []struct {
		user, pw string
		ok       bool
	}{{"alice", "db-pw", true}, {"alice", "ldap-pw", true}, {"bob", "ldap-pw", true}, {"bob", "db-pw", false}, {"carol", "x", false}} {
		u, err := comp.Authenticate(ctx, c.user, c.pw)
		if err != nil || (u != nil) != c.ok {
			t.Errorf("%s/%s: %v %v", c.user, c.pw, u, err)
		}
	}
	if u, _ := comp.GetUser(ctx, "2"); u == nil || u.GetUsername() != "bob" {
		t.Fatalf("GetUser fallback: %v", u)
	}
}

// typedNilStore returns a typed nil for "not found", which a careless
// store might; authentication must not panic on it.
type typedNilStore struct{ brokenStore }

func (typedNilStore) UserByUsername(context.Context, string) (core.BaseUser, error) {
	return (*core.DefaultUser)(nil), nil
}
func (typedNilStore) UserByID(context.Context, string) (core.BaseUser, error) {
	return (*core.DefaultUser)(nil), nil
}

func TestTypedNilFromStore(t *testing.T) {
	b := &core.ModelBackend{Store: typedNilStore{}, Hashers: fastHashers()}
	if u, err := b.Authenticate(context.Background(), "x", "y"); u != nil || err != nil {
		t.Fatalf("%v %v", u, err)
	}
	if u, err := b.GetUser(context.Background(), "1"); u != nil || err != nil {
		t.Fatalf("%v %v", u, err)
	}
}

// A stored hash that cannot be verified is a wrong password (never a 500).
func TestModelBackendUnverifiableHash(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	u := mustUser(t, m, "odd", "pw", nil)
	var logs strings.Builder
	b := &core.ModelBackend{Store: m, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	for _, stored := range []string{
		// Django's H26 (argon2i without v=), a malformed PBKDF2, huge parameters.
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
		"pbkdf2_sha256$garbage",
		"argon2$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		if err := m.SetPasswordHash(ctx, u.GetID(), stored); err != nil {
			t.Fatal(err)
		}
		if got, err := b.Authenticate(ctx, "odd", "secret"); got != nil || err != nil {
			t.Errorf("%.20s: %v %v", stored, got, err)
		}
	}
	if !strings.Contains(logs.String(), "user_id="+u.GetID()) || strings.Contains(logs.String(), "c29tZXNhbHQ") {
		t.Errorf("log: %s", logs.String())
	}
}
