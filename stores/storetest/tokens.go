package storetest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
)

// Refreshers is how many goroutines race to consume, or refresh with, the
// same refresh token.
const Refreshers = 50

// TestTokenStores checks that a tokens.TokenBlacklist and a
// tokens.RefreshStore keep their contracts, and that a
// tokens.TokenRotationManager over them rotates, detects reuse and logs out
// everywhere: among others, Refreshers goroutines refreshing with one token
// get exactly one new pair, and the family is dead afterwards. open is
// called once per subtest and must return empty stores (they may be one
// value implementing both), which it may close with t.Cleanup. Run it
// under the race detector.
func TestTokenStores(t *testing.T, open func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore)) {
	tests := []struct {
		name string
		f    func(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore)
	}{
		{"BlacklistUnknown", testBlacklistUnknown},
		{"BlacklistIdempotent", testBlacklistIdempotent},
		{"BlacklistStats", testBlacklistStats},
		{"BlacklistCleanup", testBlacklistCleanup},
		{"BlacklistConcurrent", testBlacklistConcurrent},
		{"IssueConsume", testIssueConsume},
		{"IssueIdempotent", testIssueIdempotent},
		{"FamilyMismatch", testFamilyMismatch},
		{"ConsumeRace", testConsumeRace},
		{"RevokeFamily", testRevokeFamily},
		{"RevokeUser", testRevokeUser},
		{"ValidAfter", testValidAfter},
		{"RefreshCleanup", testRefreshCleanup},
		{"ContextCanceled", testTokensContextCanceled},
		{"Manager/RefreshRace", testManagerRefreshRace},
		{"Manager/Rotation", testManagerRotation},
		{"Manager/LogoutAll", testManagerLogoutAll},
		{"Manager/Adoption", testManagerAdoption},
		{"Manager/AdoptionRace", testManagerAdoptionRace},
		{"Manager/Blacklist", testManagerBlacklist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bl, rs := open(t)
			tc.f(t, bl, rs)
		})
	}
}

func jti() string { return jwtauth.NewJTI() }

func record(user string, family string, issued time.Time, ttl time.Duration) tokens.RefreshRecord {
	return tokens.RefreshRecord{JTI: jti(), Family: family, UserID: user, IssuedAt: issued, ExpiresAt: issued.Add(ttl)}
}

func mustIssue(t *testing.T, rs tokens.RefreshStore, rec tokens.RefreshRecord) {
	t.Helper()
	if err := rs.Issue(ctxFor(t), rec); err != nil {
		t.Fatalf("Issue(%+v): %v", rec, err)
	}
}

func consume(t *testing.T, rs tokens.RefreshStore, jti string) tokens.Consumption {
	t.Helper()
	c, err := rs.Consume(ctxFor(t), jti)
	if err != nil {
		t.Fatalf("Consume: %v", err)
	}
	return c
}

func isBlacklisted(t *testing.T, bl tokens.TokenBlacklist, jti string) bool {
	t.Helper()
	ok, err := bl.IsBlacklisted(ctxFor(t), jti)
	if err != nil {
		t.Fatalf("IsBlacklisted: %v", err)
	}
	return ok
}

func family(t *testing.T, rs tokens.RefreshStore, id string) tokens.Family {
	t.Helper()
	f, ok, err := rs.Family(ctxFor(t), id)
	if err != nil || !ok {
		t.Fatalf("Family(%q) = %+v, %v, %v", id, f, ok, err)
	}
	return f
}

func micro(t time.Time) time.Time { return t.Round(0).Truncate(time.Microsecond) }

// testBlacklistUnknown: an unknown jti is not blacklisted and not an error.
func testBlacklistUnknown(t *testing.T, bl tokens.TokenBlacklist, _ tokens.RefreshStore) {
	if isBlacklisted(t, bl, jti()) {
		t.Error("an unknown jti is blacklisted")
	}
	st, err := bl.Stats(ctxFor(t))
	if err != nil || st.Total != 0 || len(st.ByReason) != 0 || !st.Oldest.IsZero() || !st.Newest.IsZero() {
		t.Errorf("Stats of an empty blacklist = %+v, %v", st, err)
	}
}

// testBlacklistIdempotent: blacklisting again is not an error and keeps
// the first entry; a jti of 255 bytes (simplejwt's column) is accepted.
func testBlacklistIdempotent(t *testing.T, bl tokens.TokenBlacklist, _ tokens.RefreshStore) {
	ctx := ctxFor(t)
	id := jti()
	exp := time.Now().Add(time.Hour)
	for _, r := range []tokens.BlacklistReason{tokens.Logout, tokens.Compromised, tokens.Logout} {
		if err := bl.Blacklist(ctx, id, exp, r); err != nil {
			t.Fatalf("Blacklist(%v): %v", r, err)
		}
	}
	if !isBlacklisted(t, bl, id) {
		t.Fatal("not blacklisted")
	}
	long := strings.Repeat("j", 255)
	if err := bl.Blacklist(ctx, long, exp, tokens.ManualRevoke); err != nil {
		t.Fatalf("Blacklist(255 bytes): %v", err)
	}
	if !isBlacklisted(t, bl, long) || isBlacklisted(t, bl, long[:254]) {
		t.Error("the 255-byte jti is not matched exactly")
	}
	st, err := bl.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 2 || st.ByReason[tokens.Logout] != 1 || st.ByReason[tokens.ManualRevoke] != 1 || st.ByReason[tokens.Compromised] != 0 {
		t.Errorf("Stats = %+v; want the first reason kept", st)
	}
}

// testBlacklistStats: counts by reason, the oldest and newest times.
func testBlacklistStats(t *testing.T, bl tokens.TokenBlacklist, _ tokens.RefreshStore) {
	ctx := ctxFor(t)
	start := time.Now().Add(-time.Second)
	exp := time.Now().Add(time.Hour)
	want := map[tokens.BlacklistReason]int{tokens.Logout: 3, tokens.Compromised: 1, tokens.ManualRevoke: 2, tokens.Rotated: 4}
	for r, n := range want {
		for range n {
			if err := bl.Blacklist(ctx, jti(), exp, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	end := time.Now().Add(time.Second)
	st, err := bl.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 10 {
		t.Errorf("Total = %d, want 10", st.Total)
	}
	for r, n := range want {
		if st.ByReason[r] != n {
			t.Errorf("ByReason[%v] = %d, want %d", r, st.ByReason[r], n)
		}
	}
	if st.Oldest.Before(start) || st.Newest.After(end) || st.Newest.Before(st.Oldest) {
		t.Errorf("Oldest %v, Newest %v; want within [%v, %v]", st.Oldest, st.Newest, start, end)
	}
	for _, r := range tokens.Reasons() {
		back, ok := tokens.ParseBlacklistReason(r.String())
		if !ok || back != r {
			t.Errorf("ParseBlacklistReason(%q) = %v, %v", r.String(), back, ok)
		}
	}
}

// testBlacklistCleanup: entries expiring at or before now go, the others
// stay; a second Cleanup removes nothing.
func testBlacklistCleanup(t *testing.T, bl tokens.TokenBlacklist, _ tokens.RefreshStore) {
	ctx := ctxFor(t)
	now := micro(time.Now().Add(time.Hour))
	gone := []string{jti(), jti(), jti()}
	kept := []string{jti(), jti()}
	for i, id := range gone {
		if err := bl.Blacklist(ctx, id, now.Add(-time.Duration(i)*time.Minute), tokens.Logout); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range kept {
		if err := bl.Blacklist(ctx, id, now.Add(time.Microsecond+time.Duration(i)*time.Hour), tokens.Rotated); err != nil {
			t.Fatal(err)
		}
	}
	n, err := bl.Cleanup(ctx, now)
	if err != nil || n != len(gone) {
		t.Fatalf("Cleanup = %d, %v; want %d", n, err, len(gone))
	}
	for _, id := range gone {
		if isBlacklisted(t, bl, id) {
			t.Error("an expired entry survived Cleanup")
		}
	}
	for _, id := range kept {
		if !isBlacklisted(t, bl, id) {
			t.Error("a live entry was cleaned up")
		}
	}
	if n, err := bl.Cleanup(ctx, now); err != nil || n != 0 {
		t.Errorf("Cleanup again = %d, %v", n, err)
	}
	if st, _ := bl.Stats(ctx); st.Total != len(kept) {
		t.Errorf("Stats.Total = %d after Cleanup, want %d", st.Total, len(kept))
	}
}

// testBlacklistConcurrent: racing blacklisters of the same and of
// different jtis, and readers, all succeed.
func testBlacklistConcurrent(t *testing.T, bl tokens.TokenBlacklist, _ tokens.RefreshStore) {
	ctx := ctxFor(t)
	shared := jti()
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 3*Creators)
	for range Creators {
		wg.Go(func() {
			errs <- bl.Blacklist(ctx, shared, exp, tokens.Logout)
			errs <- bl.Blacklist(ctx, jti(), exp, tokens.Rotated)
			_, err := bl.IsBlacklisted(ctx, shared)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := bl.Stats(ctx)
	if err != nil || st.Total != Creators+1 || st.ByReason[tokens.Logout] != 1 {
		t.Errorf("Stats = %+v, %v; want %d entries, one Logout", st, err, Creators+1)
	}
}

// testIssueConsume: a recorded token is consumed once, then reused; an
// unknown one is Unknown; the family is created with its first token.
func testIssueConsume(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	issued := time.Now()
	fam := jti()
	rec := record("7", fam, issued, time.Hour)
	rec.Token = "header.payload.signature"
	mustIssue(t, rs, rec)
	f := family(t, rs, fam)
	if f.ID != fam || f.UserID != "7" || !f.CreatedAt.Equal(micro(issued)) || !f.ExpiresAt.Equal(micro(rec.ExpiresAt)) || f.Revoked() || f.Reason != tokens.ReasonUnspecified {
		t.Errorf("Family = %+v", f)
	}
	c := consume(t, rs, rec.JTI)
	if c.Result != tokens.Consumed || c.Family.ID != fam || c.Family.UserID != "7" {
		t.Errorf("Consume = %v %+v, want consumed in %s", c.Result, c.Family, fam)
	}
	if c := consume(t, rs, rec.JTI); c.Result != tokens.Reused || c.Family.ID != fam {
		t.Errorf("second Consume = %v %+v, want reused", c.Result, c.Family)
	}
	if c := consume(t, rs, jti()); c.Result != tokens.Unknown {
		t.Errorf("Consume(unknown) = %v", c.Result)
	}
	if _, ok, err := rs.Family(ctxFor(t), jti()); ok || err != nil {
		t.Errorf("Family(unknown) = %v, %v", ok, err)
	}
	// A later token extends the family's expiry, never shortens it.
	later := record("7", fam, issued.Add(time.Minute), 2*time.Hour)
	mustIssue(t, rs, later)
	mustIssue(t, rs, record("7", fam, issued.Add(2*time.Minute), time.Minute))
	if f := family(t, rs, fam); !f.ExpiresAt.Equal(micro(later.ExpiresAt)) || !f.CreatedAt.Equal(micro(issued)) {
		t.Errorf("Family after more tokens = %+v; want ExpiresAt %v, CreatedAt unchanged", f, later.ExpiresAt)
	}
	if c := consume(t, rs, later.JTI); c.Result != tokens.Consumed {
		t.Errorf("Consume(second token) = %v", c.Result)
	}
}

// testIssueIdempotent: issuing a recorded jti again changes nothing.
func testIssueIdempotent(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	now := time.Now()
	famA, famB := jti(), jti()
	rec := record("1", famA, now, time.Hour)
	mustIssue(t, rs, rec)
	again := rec
	again.Family = famB
	mustIssue(t, rs, again)
	if c := consume(t, rs, rec.JTI); c.Result != tokens.Consumed || c.Family.ID != famA {
		t.Errorf("Consume = %v in %q, want consumed in the first family", c.Result, c.Family.ID)
	}
	mustIssue(t, rs, rec)
	if c := consume(t, rs, rec.JTI); c.Result != tokens.Reused {
		t.Errorf("Issue again made a spent token consumable: %v", c.Result)
	}
}

// testFamilyMismatch: a family belongs to one user.
func testFamilyMismatch(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	fam := jti()
	mustIssue(t, rs, record("1", fam, time.Now(), time.Hour))
	rec := record("2", fam, time.Now(), time.Hour)
	if err := rs.Issue(ctxFor(t), rec); !errors.Is(err, tokens.ErrFamilyMismatch) || errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Issue into another user's family = %v, want ErrFamilyMismatch", err)
	}
	if c := consume(t, rs, rec.JTI); c.Result != tokens.Unknown {
		t.Errorf("the refused token was recorded: %v", c.Result)
	}
}

// testConsumeRace: of Refreshers concurrent consumers exactly one wins.
func testConsumeRace(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	ctx := ctxFor(t)
	rec := record("1", jti(), time.Now(), time.Hour)
	mustIssue(t, rs, rec)
	var consumed, reused atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range Refreshers {
		wg.Go(func() {
			<-start
			c, err := rs.Consume(ctx, rec.JTI)
			switch {
			case err != nil:
				t.Errorf("Consume: %v", err)
			case c.Result == tokens.Consumed:
				consumed.Add(1)
			case c.Result == tokens.Reused:
				reused.Add(1)
			default:
				t.Errorf("Consume = %v", c.Result)
			}
		})
	}
	close(start)
	wg.Wait()
	if consumed.Load() != 1 || reused.Load() != Refreshers-1 {
		t.Errorf("%d consumed, %d reused; want 1 and %d", consumed.Load(), reused.Load(), Refreshers-1)
	}
}

// testRevokeFamily: a revoked family's tokens are Revoked (a spent one is
// still Reused), other families are untouched, the first revocation is
// kept, and an unknown family is not an error.
func testRevokeFamily(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	ctx := ctxFor(t)
	now := time.Now()
	fam, other := jti(), jti()
	spent, live := record("1", fam, now, time.Hour), record("1", fam, now, time.Hour)
	bystander := record("1", other, now, time.Hour)
	for _, r := range []tokens.RefreshRecord{spent, live, bystander} {
		mustIssue(t, rs, r)
	}
	consume(t, rs, spent.JTI)
	before := time.Now().Add(-time.Second)
	if err := rs.RevokeFamily(ctx, fam, tokens.Compromised); err != nil {
		t.Fatal(err)
	}
	if err := rs.RevokeFamily(ctx, fam, tokens.Logout); err != nil {
		t.Fatal(err)
	}
	if err := rs.RevokeFamily(ctx, jti(), tokens.Logout); err != nil {
		t.Errorf("RevokeFamily(unknown) = %v", err)
	}
	f := family(t, rs, fam)
	if !f.Revoked() || f.Reason != tokens.Compromised || f.RevokedAt.Before(before) || f.RevokedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("revoked family = %+v; want revoked now, reason Compromised", f)
	}
	if c := consume(t, rs, live.JTI); c.Result != tokens.Revoked || c.Family.ID != fam || !c.Family.Revoked() {
		t.Errorf("Consume in a revoked family = %v %+v", c.Result, c.Family)
	}
	if c := consume(t, rs, spent.JTI); c.Result != tokens.Reused {
		t.Errorf("Consume of a spent token in a revoked family = %v, want reused", c.Result)
	}
	if c := consume(t, rs, bystander.JTI); c.Result != tokens.Consumed {
		t.Errorf("another family was affected: %v", c.Result)
	}
}

// testRevokeUser: families created at or before the cut go, later ones
// and other users' stay.
func testRevokeUser(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	ctx := ctxFor(t)
	cut := micro(time.Now())
	old1, old2, atCut, later, others := jti(), jti(), jti(), jti(), jti()
	recs := map[string]tokens.RefreshRecord{
		old1:   record("u1", old1, cut.Add(-time.Hour), 2*time.Hour),
		old2:   record("u1", old2, cut.Add(-time.Microsecond), 2*time.Hour),
		atCut:  record("u1", atCut, cut, 2*time.Hour),
		later:  record("u1", later, cut.Add(time.Microsecond), 2*time.Hour),
		others: record("u2", others, cut.Add(-time.Hour), 2*time.Hour),
	}
	for _, r := range recs {
		mustIssue(t, rs, r)
	}
	if err := rs.RevokeFamily(ctx, old1, tokens.Compromised); err != nil {
		t.Fatal(err)
	}
	n, err := rs.RevokeUser(ctx, "u1", cut, tokens.Logout)
	if err != nil || n != 2 {
		t.Errorf("RevokeUser = %d, %v; want 2 (one family was revoked already)", n, err)
	}
	for id, want := range map[string]tokens.BlacklistReason{old1: tokens.Compromised, old2: tokens.Logout, atCut: tokens.Logout} {
		if f := family(t, rs, id); !f.Revoked() || f.Reason != want {
			t.Errorf("family %+v; want revoked, reason %v", f, want)
		}
	}
	for _, id := range []string{later, others} {
		if f := family(t, rs, id); f.Revoked() {
			t.Errorf("family %+v was revoked", f)
		}
		if c := consume(t, rs, recs[id].JTI); c.Result != tokens.Consumed {
			t.Errorf("Consume = %v", c.Result)
		}
	}
	if n, err := rs.RevokeUser(ctx, "nobody", cut, tokens.Logout); n != 0 || err != nil {
		t.Errorf("RevokeUser(unknown) = %d, %v", n, err)
	}
}

// testValidAfter: none is the zero time; a stamp keeps microseconds and
// never moves back.
func testValidAfter(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	ctx := ctxFor(t)
	if va, err := rs.ValidAfter(ctx, "42"); err != nil || !va.IsZero() {
		t.Errorf("ValidAfter(none) = %v, %v", va, err)
	}
	stamp := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	if err := rs.SetValidAfter(ctx, "42", stamp); err != nil {
		t.Fatal(err)
	}
	if va, err := rs.ValidAfter(ctx, "42"); err != nil || !va.Equal(micro(stamp)) {
		t.Errorf("ValidAfter = %v, %v; want %v", va, err, micro(stamp))
	}
	if err := rs.SetValidAfter(ctx, "42", stamp.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if va, _ := rs.ValidAfter(ctx, "42"); !va.Equal(micro(stamp)) {
		t.Errorf("an earlier stamp moved it back to %v", va)
	}
	later := stamp.Add(1500 * time.Millisecond)
	if err := rs.SetValidAfter(ctx, "42", later); err != nil {
		t.Fatal(err)
	}
	if va, _ := rs.ValidAfter(ctx, "42"); !va.Equal(micro(later)) {
		t.Errorf("ValidAfter = %v, want %v", va, later)
	}
	if va, _ := rs.ValidAfter(ctx, "43"); !va.IsZero() {
		t.Errorf("another user has a stamp: %v", va)
	}
}

// testRefreshCleanup: tokens expired at or before now go with their
// families; live ones stay.
func testRefreshCleanup(t *testing.T, _ tokens.TokenBlacklist, rs tokens.RefreshStore) {
	ctx := ctxFor(t)
	now := micro(time.Now().Add(time.Hour))
	famGone, famKept := jti(), jti()
	gone1 := tokens.RefreshRecord{JTI: jti(), Family: famGone, UserID: "1", IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Minute)}
	gone2 := tokens.RefreshRecord{JTI: jti(), Family: famGone, UserID: "1", IssuedAt: now.Add(-time.Hour), ExpiresAt: now}
	oldOfKept := tokens.RefreshRecord{JTI: jti(), Family: famKept, UserID: "1", IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	kept := tokens.RefreshRecord{JTI: jti(), Family: famKept, UserID: "1", IssuedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}
	for _, r := range []tokens.RefreshRecord{gone1, gone2, oldOfKept, kept} {
		mustIssue(t, rs, r)
	}
	n, err := rs.Cleanup(ctx, now)
	if err != nil || n != 3 {
		t.Fatalf("Cleanup = %d, %v; want 3", n, err)
	}
	if _, ok, _ := rs.Family(ctx, famGone); ok {
		t.Error("a family without tokens survived Cleanup")
	}
	family(t, rs, famKept)
	for _, r := range []tokens.RefreshRecord{gone1, gone2, oldOfKept} {
		if c := consume(t, rs, r.JTI); c.Result != tokens.Unknown {
			t.Errorf("an expired token survived Cleanup: %v", c.Result)
		}
	}
	if c := consume(t, rs, kept.JTI); c.Result != tokens.Consumed {
		t.Errorf("a live token was cleaned up: %v", c.Result)
	}
	if n, err := rs.Cleanup(ctx, now); n != 0 || err != nil {
		t.Errorf("Cleanup again = %d, %v", n, err)
	}
}

// testTokensContextCanceled: every method fails with
// core.ErrStoreUnavailable on a done context.
func testTokensContextCanceled(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	now := time.Now()
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s with a canceled context = %v, want core.ErrStoreUnavailable", name, err)
		}
	}
	check("Blacklist", bl.Blacklist(ctx, jti(), now, tokens.Logout))
	_, err := bl.IsBlacklisted(ctx, jti())
	check("IsBlacklisted", err)
	_, err = bl.Cleanup(ctx, now)
	check("Blacklist.Cleanup", err)
	_, err = bl.Stats(ctx)
	check("Stats", err)
	check("Issue", rs.Issue(ctx, record("1", jti(), now, time.Hour)))
	_, err = rs.Consume(ctx, jti())
	check("Consume", err)
	_, _, err = rs.Family(ctx, jti())
	check("Family", err)
	check("RevokeFamily", rs.RevokeFamily(ctx, jti(), tokens.Logout))
	_, err = rs.RevokeUser(ctx, "1", now, tokens.Logout)
	check("RevokeUser", err)
	check("SetValidAfter", rs.SetValidAfter(ctx, "1", now))
	_, err = rs.ValidAfter(ctx, "1")
	check("ValidAfter", err)
	_, err = rs.Cleanup(ctx, now)
	check("RefreshStore.Cleanup", err)
	if sr, ok := rs.(tokens.StateReader); ok {
		_, err = sr.TokenState(ctx, jti(), jti(), "1")
		check("TokenState", err)
	}
}

// managerSecret is the HS256 secret of the manager tests.
var managerSecret = []byte("storetest-secret-0123456789abcdef")

// testClock is a clock the manager tests move.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// newManager returns a manager over the stores and its JWTAuth, whose clock
// starts now and moves only when told.
func newManager(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) (*tokens.TokenRotationManager, *testClock) {
	t.Helper()
	clk := &testClock{}
	clk.ns.Store(time.Now().UnixNano())
	m := tokens.NewTokenRotationManager(bl, rs)
	j, err := jwtauth.New(managerSecret, jwtauth.WithRevocation(m.Revocation()), jwtauth.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	m.JWT = j
	return m, clk
}

var alice = &core.SimpleUser{ID: "1", Username: "alice", Active: true}

// dead checks that neither token of a pair verifies any more.
func dead(t *testing.T, m *tokens.TokenRotationManager, what string, pair *jwtauth.TokenPair) {
	t.Helper()
	ctx := ctxFor(t)
	if _, err := m.JWT.VerifyAccess(ctx, pair.Access); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("%s: the access token verifies (%v)", what, err)
	}
	if _, err := m.JWT.VerifyRefresh(ctx, pair.Refresh); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("%s: the refresh token verifies (%v)", what, err)
	}
	if _, err := m.Refresh(ctx, pair.Refresh); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("%s: the refresh token refreshes (%v)", what, err)
	}
}

func alive(t *testing.T, m *tokens.TokenRotationManager, what string, pair *jwtauth.TokenPair) {
	t.Helper()
	ctx := ctxFor(t)
	if _, err := m.JWT.VerifyAccess(ctx, pair.Access); err != nil {
		t.Errorf("%s: the access token does not verify: %v", what, err)
	}
	if _, err := m.JWT.VerifyRefresh(ctx, pair.Refresh); err != nil {
		t.Errorf("%s: the refresh token does not verify: %v", what, err)
	}
}

// familyOf reads the family claim of a token without verifying it.
func familyOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	f, _ := claims[tokens.FamilyClaim].(string)
	if f == "" {
		t.Fatalf("the token has no %s claim: %s", tokens.FamilyClaim, payload)
	}
	return f
}

// testManagerRefreshRace: Refreshers concurrent refreshes with one token
// give exactly one new pair; the others are refused with simplejwt's
// messages; afterwards the whole family is dead, the winner's pair too.
func testManagerRefreshRace(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	m, _ := newManager(t, bl, rs)
	ctx := ctxFor(t)
	pair, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	fam := familyOf(t, pair.Refresh)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []*jwtauth.TokenPair
		refused = map[string]int{}
	)
	start := make(chan struct{})
	for range Refreshers {
		wg.Go(func() {
			<-start
			p, err := m.Refresh(ctx, pair.Refresh)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				winners = append(winners, p)
				return
			}
			var te *jwtauth.TokenError
			if !errors.As(err, &te) || !errors.Is(err, jwtauth.ErrRevoked) || !errors.Is(err, core.ErrInvalidToken) {
				t.Errorf("a losing Refresh = %v, want a revoked-token error", err)
				return
			}
			refused[te.Message]++
		})
	}
	close(start)
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d refreshes succeeded, want exactly 1 (refused: %v)", len(winners), refused)
	}
	for msg := range refused {
		if msg != jwtauth.MsgBlacklisted && msg != tokens.MsgFamilyBlacklisted {
			t.Errorf("refused with %q", msg)
		}
	}
	t.Logf("refused: %v", refused)
	if f := family(t, rs, fam); !f.Revoked() || f.Reason != tokens.Compromised {
		t.Errorf("family after the race = %+v; want revoked as compromised", f)
	}
	if got := familyOf(t, winners[0].Access); got != fam {
		t.Errorf("the new pair is in family %s, want %s", got, fam)
	}
	dead(t, m, "the winner's pair", winners[0])
	dead(t, m, "the original pair", pair)
}

// testManagerRotation: a refresh rotates within the family, spends and
// blacklists the old token (reason Rotated), keeps custom claims; the old
// access token stays valid until the family dies; presenting the old
// refresh token again kills the family.
func testManagerRotation(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	m, clk := newManager(t, bl, rs)
	ctx := ctxFor(t)
	first, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	fam := familyOf(t, first.Refresh)
	clk.Advance(2 * time.Second)
	second, err := m.Refresh(ctx, first.Refresh)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if familyOf(t, second.Refresh) != fam || familyOf(t, second.Access) != fam {
		t.Error("the rotated pair left the family")
	}
	if second.RefreshClaims.UserID != "1" || second.RefreshClaims.ID == first.RefreshClaims.ID ||
		!second.RefreshClaims.IssuedAt.After(first.RefreshClaims.IssuedAt.Time) {
		t.Errorf("rotated refresh claims %+v", second.RefreshClaims)
	}
	if !isBlacklisted(t, bl, first.RefreshClaims.ID) {
		t.Error("the spent refresh token is not blacklisted")
	}
	if st, _ := bl.Stats(ctx); st.ByReason[tokens.Rotated] != 1 {
		t.Errorf("Stats = %+v, want one Rotated", st)
	}
	alive(t, m, "the rotated pair", second)
	if _, err := m.JWT.VerifyAccess(ctx, first.Access); err != nil {
		t.Errorf("the first access token died with the rotation: %v", err)
	}
	third, err := m.Refresh(ctx, second.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	// Reuse of the first token.
	_, err = m.Refresh(ctx, first.Refresh)
	var te *jwtauth.TokenError
	if !errors.As(err, &te) || te.Message != jwtauth.MsgBlacklisted {
		t.Fatalf("reusing a spent token = %v, want %q", err, jwtauth.MsgBlacklisted)
	}
	dead(t, m, "the third pair after reuse", third)
	if _, err := m.Refresh(ctx, third.Refresh); !errors.As(err, &te) || te.Message != tokens.MsgFamilyBlacklisted {
		t.Errorf("refreshing in a revoked family = %v, want %q", err, tokens.MsgFamilyBlacklisted)
	}
	// Another login is unaffected.
	other, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	alive(t, m, "another login", other)
}

// testManagerLogoutAll: every token of the user dies, in every family and
// without one; other users and later logins live.
func testManagerLogoutAll(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	m, clk := newManager(t, bl, rs)
	ctx := ctxFor(t)
	bob := &core.SimpleUser{ID: "2", Username: "bob", Active: true}
	a1, _ := m.IssuePair(ctx, alice)
	a2, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	b1, err := m.IssuePair(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := m.JWT.GenerateToken("1", "alice") // no family: the iat rule
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(300 * time.Millisecond) // the same second, most likely
	if err := m.LogoutAll(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	dead(t, m, "alice's first login", a1)
	dead(t, m, "alice's second login", a2)
	if _, err := m.JWT.VerifyToken(plain); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("a family-less token of the same second survived: %v", err)
	}
	alive(t, m, "bob's login", b1)
	clk.Advance(time.Millisecond)
	again, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	alive(t, m, "alice's login after the logout", again)
	if _, err := m.Refresh(ctx, again.Refresh); err != nil {
		t.Errorf("refreshing after the logout: %v", err)
	}
	clk.Advance(time.Second)
	later, err := m.JWT.GenerateToken("1", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.JWT.VerifyToken(later); err != nil {
		t.Errorf("a family-less token of a later second: %v", err)
	}
}

// testManagerAdoption: a refresh token without a family (simplejwt's, or
// minted before the manager) is adopted on its first refresh, and reuse
// is detected for it too.
func testManagerAdoption(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	m, _ := newManager(t, bl, rs)
	ctx := ctxFor(t)
	legacy, err := m.JWT.NewPair("1", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Refresh(ctx, legacy.Refresh)
	if err != nil {
		t.Fatalf("Refresh(legacy) = %v", err)
	}
	fam := familyOf(t, p.Refresh)
	if f := family(t, rs, fam); f.UserID != "1" || f.Revoked() {
		t.Errorf("adopted family = %+v", f)
	}
	if _, err := m.Refresh(ctx, legacy.Refresh); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Fatalf("reusing the legacy token = %v", err)
	}
	dead(t, m, "the adopted family", p)
}

// testManagerAdoptionRace: Refreshers concurrent first refreshes of a
// family-less token adopt it once; exactly one gets a pair.
func testManagerAdoptionRace(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	m, _ := newManager(t, bl, rs)
	ctx := ctxFor(t)
	legacy, err := m.JWT.NewPair("1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var won atomic.Int32
	start := make(chan struct{})
	for range Refreshers {
		wg.Go(func() {
			<-start
			_, err := m.Refresh(ctx, legacy.Refresh)
			switch {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, jwtauth.ErrRevoked):
				t.Errorf("a losing Refresh = %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d refreshes of the legacy token succeeded, want 1", won.Load())
	}
}

// testManagerBlacklist: the blacklist endpoint's operation ends the token
// and its family, idempotently; a token that does not verify is refused.
func testManagerBlacklist(t *testing.T, bl tokens.TokenBlacklist, rs tokens.RefreshStore) {
	m, _ := newManager(t, bl, rs)
	ctx := ctxFor(t)
	pair, err := m.IssuePair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := m.Blacklist(ctx, pair.Refresh); err != nil {
			t.Fatalf("Blacklist: %v", err)
		}
	}
	dead(t, m, "a blacklisted login", pair)
	if st, _ := bl.Stats(ctx); st.ByReason[tokens.Logout] != 1 {
		t.Errorf("Stats = %+v, want one Logout", st)
	}
	if err := m.Blacklist(ctx, pair.Access); !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("Blacklist(access token) = %v, want a token error", err)
	}
	if err := m.Blacklist(ctx, "not.a.token"); !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("Blacklist(garbage) = %v", err)
	}
}
