package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/mfa/mfastore"
)

// MFAStore is an mfastore.Store whose single-use steps happen in Redis —
// the TOTP last-used step (a compare-and-set per code) and the gate of
// each recovery code — over a durable store that keeps the enrollments
// (a SQL store's: sqlstore.Store.MFA()).
//
// The enrollment (the encrypted secret, whether it is confirmed, the
// recovery codes' hashes) stays in the durable store by design: it must
// outlive Redis. Redis is often run without persistence, evicts keys
// under memory pressure and loses acknowledged writes on failover; an
// enrollment lost there would turn MFA off for its user, who would then
// log in with the password alone — a store failure that fails open. A
// lost TOTP step or recovery-code gate only reopens, for the 30 to 90
// seconds a code is valid, the replay of a code used just before the
// loss, and the durable store still spends each recovery code once.
//
// Per user (hash tag {user id}): mfa:{id}:step, a hash holding the last
// accepted step (s) and a marker (on) that a confirmed enrollment stood
// behind it, with a Redis expiry of the retention (WithRetention) renewed
// on every accepted code, long past any code's validity; and
// mfa:{id}:used, the set of recovery-code hashes presented, with the same
// expiry. AdvanceStep is one script, one round trip, when the step key is
// there; when it is not (a first code, or Redis expired or lost it) the
// enrollment is read from the durable store and the script seeds the key
// from its LastStep before the compare-and-set, still atomically.
// ConsumeRecoveryCode adds the hash to the used set first (SADD: of
// concurrent calls exactly one adds it) and only that call consumes it in
// the durable store. Begin, Confirm, SetRecoveryCodes and Delete change the
// durable store, then reset the user's Redis keys. Get reads the durable
// record and the Redis step, and reports the later of the two steps.
//
// Errors (Redis or the durable store unreachable, a timeout, a done ctx)
// wrap core.ErrStoreUnavailable. It is safe for concurrent use and does not
// own the client or the durable store.
type MFAStore struct {
	client  redis.UniversalClient
	durable mfastore.Store
	prefix  string
	ttlMS   int64
}

// NewMFAStore returns an MFAStore over client and durable (required: the
// store of the enrollments) with the options (WithPrefix, WithRetention).
func NewMFAStore(client redis.UniversalClient, durable mfastore.Store, opts ...Option) *MFAStore {
	c := newConfig(opts)
	return &MFAStore{client: client, durable: durable, prefix: c.prefix + "mfa:", ttlMS: c.retention.Milliseconds()}
}

// keys returns the user's step and used keys, which share the hash tag
// {userID}.
func (m *MFAStore) keys(userID string) []string {
	tag := m.prefix + "{" + hashTagOf(userID) + "}:"
	return []string{tag + "step", tag + "used"}
}

// hashTagOf is id as the text of a hash tag: id itself when it is a tag
// Redis honours and cannot be mistaken for another, else "%" and its hex.
// An empty id or one holding a brace would end the tag early or leave it
// empty (which Redis ignores), so the two keys of one user could land in
// different slots of a Cluster; a plain id never holds "%", so the two
// forms never meet.
func hashTagOf(id string) string {
	if id == "" || strings.ContainsAny(id, "{}%") {
		return "%" + hex.EncodeToString([]byte(id))
	}
	return id
}

// Get implements mfastore.Store: the durable record, with the later of
// its LastStep and the one in Redis.
func (m *MFAStore) Get(ctx context.Context, userID string) (mfastore.Record, error) {
	rec, err := m.durable.Get(ctx, userID)
	if err != nil {
		return rec, err
	}
	if !rec.Confirmed {
		return rec, nil
	}
	s, err := m.client.HGet(ctx, m.keys(userID)[0], "s").Int64()
	switch {
	case errors.Is(err, redis.Nil):
	case err != nil:
		return mfastore.Record{}, storeErr("mfa", "get", ctx, err)
	case s > rec.LastStep:
		rec.LastStep = s
	}
	return rec, nil
}

// reset deletes the user's Redis keys.
func (m *MFAStore) reset(ctx context.Context, op, userID string) error {
	if err := m.client.Del(ctx, m.keys(userID)...).Err(); err != nil {
		return storeErr("mfa", op, ctx, err)
	}
	return nil
}

// Begin implements mfastore.Store.
func (m *MFAStore) Begin(ctx context.Context, rec mfastore.Record) error {
	if err := m.durable.Begin(ctx, rec); err != nil {
		return err
	}
	return m.reset(ctx, "begin", rec.UserID)
}

// Confirm implements mfastore.Store: the durable store decides; the
// step it accepted is then the Redis step.
func (m *MFAStore) Confirm(ctx context.Context, userID string, step int64, hashes []string) (bool, error) {
	ok, err := m.durable.Confirm(ctx, userID, step, hashes)
	if err != nil || !ok {
		return ok, err
	}
	if err := m.client.Del(ctx, m.keys(userID)[1]).Err(); err != nil {
		return false, storeErr("mfa", "confirm", ctx, err)
	}
	if _, err := advanceScript.Run(ctx, m.client, m.keys(userID)[:1], step, step, m.ttlMS).Int(); err != nil {
		return false, storeErr("mfa", "confirm", ctx, err)
	}
	return true, nil
}

// advanceScript: KEYS[1] the step key; ARGV the step, the floor to seed
// an absent key with (empty: do not seed), the expiry (ms). 1: the step
// was below and is now set; 0: it was not; -1: there is no key (and no
// floor to seed it).
var advanceScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 's')
if not cur or redis.call('HGET', KEYS[1], 'on') ~= '1' then
  if ARGV[2] == '' then return -1 end
  cur = ARGV[2]
end
if tonumber(cur) >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 's', cur, 'on', 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 0
end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'on', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// AdvanceStep implements mfastore.Store: one script in the steady state;
// see the type's doc for a user without a step in Redis.
func (m *MFAStore) AdvanceStep(ctx context.Context, userID string, step int64) (bool, error) {
	if err := checkCtx("mfa", "advance step", ctx); err != nil {
		return false, err
	}
	key := m.keys(userID)[:1]
	n, err := advanceScript.Run(ctx, m.client, key, step, "", m.ttlMS).Int()
	if err != nil {
		return false, storeErr("mfa", "advance step", ctx, err)
	}
	if n != -1 {
		return n == 1, nil
	}
	rec, err := m.durable.Get(ctx, userID)
	if errors.Is(err, mfastore.ErrNotEnrolled) || err == nil && !rec.Confirmed {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err = advanceScript.Run(ctx, m.client, key, step, rec.LastStep, m.ttlMS).Int()
	if err != nil {
		return false, storeErr("mfa", "advance step", ctx, err)
	}
	return n == 1, nil
}

// SetRecoveryCodes implements mfastore.Store.
func (m *MFAStore) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	if err := m.durable.SetRecoveryCodes(ctx, userID, hashes); err != nil {
		return err
	}
	if err := m.client.Del(ctx, m.keys(userID)[1]).Err(); err != nil {
		return storeErr("mfa", "set recovery codes", ctx, err)
	}
	return nil
}

// gateScript: KEYS[1] the used set; ARGV the hash, the expiry (ms). 1 when
// this call added the hash.
var gateScript = redis.NewScript(`
local n = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
`)

// ConsumeRecoveryCode implements mfastore.Store: the Redis gate (one
// script), then, for the one call that passed it, the durable store.
func (m *MFAStore) ConsumeRecoveryCode(ctx context.Context, userID, hash string) (bool, error) {
	if err := checkCtx("mfa", "consume recovery code", ctx); err != nil {
		return false, err
	}
	used := m.keys(userID)[1:]
	n, err := gateScript.Run(ctx, m.client, used, hash, m.ttlMS).Int()
	if err != nil {
		return false, storeErr("mfa", "consume recovery code", ctx, err)
	}
	if n != 1 {
		return false, nil
	}
	ok, err := m.durable.ConsumeRecoveryCode(ctx, userID, hash)
	if err != nil {
		// Not consumed: open the gate again, on a context of its own.
		_ = m.client.SRem(context.WithoutCancel(ctx), used[0], hash).Err()
		return false, err
	}
	return ok, nil
}

// Delete implements mfastore.Store.
func (m *MFAStore) Delete(ctx context.Context, userID string) error {
	if err := m.durable.Delete(ctx, userID); err != nil {
		return err
	}
	return m.reset(ctx, "delete", userID)
}

var _ mfastore.Store = (*MFAStore)(nil)
