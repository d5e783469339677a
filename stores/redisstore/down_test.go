package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa/mfastore"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// TestStoresRedisDown: with Redis unreachable every operation of the
// token, OAuth2 and MFA stores fails with core.ErrStoreUnavailable, and
// none answers a success (fail closed); the MFA store fails so even when
// its durable store answers.
func TestStoresRedisDown(t *testing.T) {
	redis.SetLogger(quiet{})
	client := redis.NewClient(&redis.Options{Addr: closedPort(t), DialerRetries: 1, MaxRetries: -1})
	defer client.Close()
	ctx := context.Background()
	now := time.Now()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s with Redis down = %v; want an error wrapping core.ErrStoreUnavailable", what, err)
		}
	}

	ts := redisstore.NewTokenStore(client)
	check("Blacklist", ts.Blacklist(ctx, "j", now, tokens.Logout))
	bl, err := ts.IsBlacklisted(ctx, "j")
	check("IsBlacklisted", err)
	if bl {
		t.Error("IsBlacklisted answered true")
	}
	_, err = ts.Stats(ctx)
	check("Stats", err)
	_, err = ts.Cleanup(ctx, now)
	check("Cleanup", err)
	check("Issue", ts.Issue(ctx, tokens.RefreshRecord{JTI: "j", Family: "f", UserID: "1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}))
	c, err := ts.Consume(ctx, "j")
	check("Consume", err)
	if c.Result == tokens.Consumed {
		t.Error("Consume answered Consumed")
	}
	_, _, err = ts.Family(ctx, "f")
	check("Family", err)
	check("RevokeFamily", ts.RevokeFamily(ctx, "f", tokens.Logout))
	_, err = ts.RevokeUser(ctx, "1", now, tokens.Logout)
	check("RevokeUser", err)
	check("SetValidAfter", ts.SetValidAfter(ctx, "1", now))
	_, err = ts.ValidAfter(ctx, "1")
	check("ValidAfter", err)
	_, err = ts.TokenState(ctx, "j", "f", "1")
	check("TokenState", err)

	o2 := redisstore.NewOAuth2Store(client, nil)
	check("CreateApplication", o2.CreateApplication(ctx, oauth2store.Application{ClientID: "c"}))
	_, _, err = o2.Application(ctx, "c")
	check("Application", err)
	_, err = o2.DeleteApplication(ctx, "c")
	check("DeleteApplication", err)
	check("SaveCode", o2.SaveCode(ctx, oauth2store.Code{Hash: "h", ClientID: "c", ExpiresAt: now.Add(time.Minute)}))
	_, st, err := o2.ConsumeCode(ctx, "h", now)
	check("ConsumeCode", err)
	if st == oauth2store.CodeValid {
		t.Error("ConsumeCode answered CodeValid")
	}
	check("SaveTokens", o2.SaveTokens(ctx, oauth2store.Token{Hash: "t", Kind: oauth2store.KindRefresh, ClientID: "c", ExpiresAt: now.Add(time.Hour)}))
	_, found, err := o2.Token(ctx, "t", now)
	check("Token", err)
	if found {
		t.Error("Token found a token")
	}
	_, rs, err := o2.RotateRefreshToken(ctx, "t", "c", now)
	check("RotateRefreshToken", err)
	if rs == oauth2store.RotateOK {
		t.Error("RotateRefreshToken answered RotateOK")
	}
	_, err = o2.RevokeToken(ctx, "t", "c")
	check("RevokeToken", err)
	_, err = o2.CleanupExpired(ctx, now)
	check("CleanupExpired", err)

	db := sqliteStoreB(t)
	durable := db.MFA()
	if err := durable.Begin(ctx, mfastore.Record{UserID: "1", Secret: "s", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if ok, err := durable.Confirm(ctx, "1", 10, []string{"h"}); err != nil || !ok {
		t.Fatal("Confirm", ok, err)
	}
	ms := redisstore.NewMFAStore(client, durable)
	_, err = ms.Get(ctx, "1")
	check("MFA Get", err)
	ok, err := ms.AdvanceStep(ctx, "1", 11)
	check("AdvanceStep", err)
	if ok {
		t.Error("AdvanceStep answered true")
	}
	ok, err = ms.ConsumeRecoveryCode(ctx, "1", "h")
	check("ConsumeRecoveryCode", err)
	if ok {
		t.Error("ConsumeRecoveryCode answered true")
	}
	if rec, _ := durable.Get(ctx, "1"); rec.RecoveryCodes != 1 {
		t.Error("a recovery code was consumed in the durable store while Redis was down")
	}
	check("SetRecoveryCodes", ms.SetRecoveryCodes(ctx, "1", []string{"h2"}))
	check("Delete", ms.Delete(ctx, "1"))
}
