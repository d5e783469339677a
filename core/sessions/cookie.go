package sessions

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// GenerationStore is the server-side part of CookieSessionBackend: one
// small entry per live cookie session, whose version is the session's
// generation. Any Cache is one (memory.SessionCache here, Redis next), and
// its contract is the Cache's.
type GenerationStore = Cache

// defaultGenerationPrefix is what CookieSessionBackend puts in front of
// the storage keys of its generation entries.
const defaultGenerationPrefix = "sessiongen:"

// cookieFormat is the first byte of every sealed cookie.
const cookieFormat = 1

// Sealed cookie layout, before base64url (no padding):
//
//	format (1) | expiry, Unix ms, big endian (8) | nonce (12) | ciphertext | tag (16)
//
// and the plaintext is
//
//	session id (32) | generation (uvarint) | data
//
// The associated data is cookieAD, the cookie name, the namespace and the
// first 9 bytes (format and expiry), so a cookie is refused under another
// name, in another namespace, or with its expiry changed.
const (
	cookieHeader   = 1 + 8
	cookieNonce    = 12
	cookieTag      = 16
	cookieOverhead = cookieHeader + cookieNonce + cookieTag + keyLength
	cookieAD       = "reinhardt-go/auth session cookie v1"
)

var cookieEncoding = base64.RawURLEncoding.Strict()

// CookieSessionBackend keeps each session in its cookie, encrypted and
// authenticated with AES-256-GCM, and keeps on the server only a
// generation per session (GenerationStore), so that a cookie stops working
// the moment its session ends.
//
// The cookie value is the session's id: Load opens it, and every save
// (SaveClient, through SaveRecord) returns a new one, which the Manager
// sends. The cookie is bound, as associated data, to CookieName, the
// namespace (WithNamespace) and its own expiry, which it carries in clear
// and which Load enforces. Keys rotate: the first of Keys encrypts, all of
// them decrypt, so a new key goes first and an old one stays last until
// the cookies it sealed have expired. GCM's random nonces allow about 2^32
// cookies per key: rotate keys well before that.
//
// The generation check, and its trade-off. Inside each cookie is a random
// session id and a generation; the server keeps the current generation of
// each live session id, and every save advances it atomically
// (Cache.CompareAndSet), so two requests that both modify one session
// cannot both succeed: the later fails with ErrConflict instead of
// silently dropping the earlier's change. Delete (logout, Flush, CycleKey)
// removes the entry, and from then on every cookie of that session —
// copied, stolen, or held by a slow request — is refused: logout really
// logs out, which a purely client-side session cannot do. The price is one
// small read per request and one conditional write per save, against
// GenerationStore, and about 60 bytes of server state per live session
// (never the data, which stays in the cookie). An older cookie of a live
// session still loads (its older data), so that parallel requests of one
// browser do not log each other out; a save from it gets ErrConflict.
// Security-relevant changes (login, logout, password change) cycle or end
// the session, which ends every older cookie.
//
// Values are limited to what fits a 4096-byte cookie, about 2.9 KB of
// serialized session (MaxData); a larger save fails with ErrTooLarge.
// Wrap the backend in compress.Backend (core/sessions/compress) to fit more, keeping in mind
// that compressing attacker-chosen data next to secrets can leak them
// through the cookie's length.
type CookieSessionBackend struct {
	// Generations keeps each live session's generation. Required.
	Generations GenerationStore
	// CookieName is bound into every cookie; set it to the Manager's
	// Cookie.Name. Default "sessionid".
	CookieName string
	// Prefix goes in front of the generation entries' storage keys.
	// Default "sessiongen:".
	Prefix string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	aeads []cipher.AEAD
}

// NewCookieSessionBackend returns a cookie backend keeping generations in
// gens, encrypting with keys[0] and decrypting with any of keys (newest
// first). Each key is 32 bytes (AES-256): random, or DeriveCookieKey of the
// site secret.
func NewCookieSessionBackend(gens GenerationStore, keys ...[]byte) (*CookieSessionBackend, error) {
	if gens == nil {
		return nil, errors.New("sessions: the cookie backend needs a GenerationStore")
	}
	if len(keys) == 0 {
		return nil, errors.New("sessions: the cookie backend needs at least one key")
	}
	b := &CookieSessionBackend{Generations: gens, CookieName: DefaultCookieName, Prefix: defaultGenerationPrefix}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("sessions: cookie key %d is %d bytes, want 32 (AES-256)", i, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		b.aeads = append(b.aeads, aead)
	}
	return b, nil
}

// DeriveCookieKey derives a cookie key from a site secret with HKDF-SHA256
// (crypto/hkdf), so the secret itself never encrypts anything. Derive one
// from each fallback secret too, and pass them after the current one.
func DeriveCookieKey(secret []byte) []byte {
	return codec.Must(hkdf.Key(sha256.New, secret, nil, "github.com/reinhardt-go/auth/core/sessions cookie AES-256-GCM v1", 32))
}

func (b *CookieSessionBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *CookieSessionBackend) genKey(ctx context.Context, sid SessionID) string {
	return prefixedStorageKey(ctx, b.Prefix, sid)
}

func (b *CookieSessionBackend) ad(ctx context.Context, header []byte) []byte {
	name := b.CookieName
	ns := Namespace(ctx)
	ad := make([]byte, 0, len(cookieAD)+len(name)+len(ns)+3+len(header))
	ad = append(ad, cookieAD...)
	ad = append(ad, 0)
	ad = append(ad, name...)
	ad = append(ad, 0)
	ad = append(ad, ns...)
	ad = append(ad, 0)
	return append(ad, header...)
}

// MaxData implements DataLimiter: the largest Record.Data a cookie holds,
// 2993 bytes, so that the cookie stays within 4096 bytes whatever the
// generation.
func (b *CookieSessionBackend) MaxData() int {
	return maxCookieSize*6/8 - cookieOverhead - binary.MaxVarintLen64
}

// open decrypts a sealed cookie: its session id, generation, data and
// expiry; ok is false for anything that is not a cookie this backend
// sealed under this name and namespace.
func (b *CookieSessionBackend) open(ctx context.Context, id SessionID) (sid SessionID, gen uint64, data []byte, exp time.Time, ok bool) {
	if len(id) > maxCookieSize || len(id) < cookieEncoding.EncodedLen(cookieOverhead+1) {
		return "", 0, nil, time.Time{}, false
	}
	raw, err := cookieEncoding.DecodeString(string(id))
	if err != nil || len(raw) < cookieOverhead+1 || raw[0] != cookieFormat {
		return "", 0, nil, time.Time{}, false
	}
	header, nonce, sealed := raw[:cookieHeader], raw[cookieHeader:cookieHeader+cookieNonce], raw[cookieHeader+cookieNonce:]
	ad := b.ad(ctx, header)
	for i, aead := range b.aeads {
		// In place (raw is this call's own) only with the last key: a
		// failed Open clears its output, which the next key needs.
		var dst []byte
		if i == len(b.aeads)-1 {
			dst = sealed[:0]
		}
		plain, err := aead.Open(dst, nonce, sealed, ad)
		if err != nil {
			continue
		}
		sid = SessionID(plain[:keyLength])
		gen, n := binary.Uvarint(plain[keyLength:])
		if !sid.IsKey() || n <= 0 || gen == 0 {
			return "", 0, nil, time.Time{}, false
		}
		exp = time.UnixMilli(int64(binary.BigEndian.Uint64(header[1:])))
		return sid, gen, plain[keyLength+n:], exp, true
	}
	return "", 0, nil, time.Time{}, false
}

// sessionOf returns the session id an id names: the id itself when it is
// a new session's key, else the one sealed in the cookie.
func (b *CookieSessionBackend) sessionOf(ctx context.Context, id SessionID) (SessionID, bool) {
	if id.IsKey() {
		return id, true
	}
	sid, _, _, _, ok := b.open(ctx, id)
	return sid, ok
}

// Load implements SessionBackend: the session sealed in the cookie id,
// found when the cookie is authentic, unexpired, and its session is live
// on the server.
func (b *CookieSessionBackend) Load(ctx context.Context, id SessionID) (Record, bool, error) {
	if err := CheckContext(ctx, "cookie sessions: load"); err != nil {
		return Record{}, false, err
	}
	sid, gen, data, exp, ok := b.open(ctx, id)
	if !ok || !exp.After(b.now()) {
		return Record{}, false, nil
	}
	_, cur, found, err := b.Generations.Get(ctx, b.genKey(ctx, sid))
	if err != nil || !found || gen > cur {
		return Record{}, false, err
	}
	return Record{Data: data, Expiry: exp, Version: gen}, true, nil
}

// Save implements SessionBackend by refusing: a cookie session is saved
// with SaveClient (SaveRecord), which returns the new cookie.
func (b *CookieSessionBackend) Save(ctx context.Context, id SessionID, rec Record) error {
	return fmt.Errorf("cookie sessions: Save cannot give the client its new cookie; use sessions.SaveRecord: %w", errors.ErrUnsupported)
}

// SaveClient implements ClientSideBackend: it advances the session's
// generation from rec.Version (ErrConflict when it moved on or the session
// ended) and returns the new cookie. id is a new session's key (version 0)
// or the cookie the session was loaded from.
func (b *CookieSessionBackend) SaveClient(ctx context.Context, id SessionID, rec Record) (SessionID, error) {
	if err := CheckContext(ctx, "cookie sessions: save"); err != nil {
		return "", err
	}
	sid, ok := b.sessionOf(ctx, id)
	if !ok {
		return "", fmt.Errorf("cookie sessions: save: %w: the id is neither a session key nor a session cookie", core.ErrInvalidInput)
	}
	// The limit does not depend on the generation, so a session that
	// fits keeps fitting as it is saved again.
	if len(rec.Data) > b.MaxData() {
		n := cookieEncoding.EncodedLen(cookieOverhead + binary.MaxVarintLen64 + len(rec.Data))
		return "", fmt.Errorf("cookie sessions: a %d-byte session makes a cookie of up to %d bytes, over the %d-byte limit: %w", len(rec.Data), n, maxCookieSize, ErrTooLarge)
	}
	gen := rec.Version + 1
	var vbuf [binary.MaxVarintLen64]byte
	plainLen := keyLength + binary.PutUvarint(vbuf[:], gen) + len(rec.Data)
	rawLen := cookieHeader + cookieNonce + plainLen + cookieTag
	ok, err := b.Generations.CompareAndSet(ctx, b.genKey(ctx, sid), nil, rec.Expiry.Sub(b.now()), rec.Version)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ConflictError("cookie sessions: save")
	}
	raw := make([]byte, cookieHeader+cookieNonce, rawLen)
	raw[0] = cookieFormat
	binary.BigEndian.PutUint64(raw[1:], uint64(rec.Expiry.UnixMilli()))
	nonce := raw[cookieHeader : cookieHeader+cookieNonce]
	_, _ = rand.Read(nonce)
	plain := make([]byte, 0, plainLen)
	plain = append(plain, sid...)
	plain = binary.AppendUvarint(plain, gen)
	plain = append(plain, rec.Data...)
	raw = b.aeads[0].Seal(raw, nonce, plain, b.ad(ctx, raw[:cookieHeader]))
	return SessionID(cookieEncoding.EncodeToString(raw)), nil
}

// Delete implements SessionBackend: it ends the session the cookie (or
// key) belongs to on the server, so every cookie of it stops working.
func (b *CookieSessionBackend) Delete(ctx context.Context, id SessionID) error {
	if err := CheckContext(ctx, "cookie sessions: delete"); err != nil {
		return err
	}
	sid, ok := b.sessionOf(ctx, id)
	if !ok {
		return nil
	}
	return b.Generations.Delete(ctx, b.genKey(ctx, sid))
}

// Exists implements SessionBackend.
func (b *CookieSessionBackend) Exists(ctx context.Context, id SessionID) (bool, error) {
	_, found, err := b.Load(ctx, id)
	return found, err
}

var (
	_ ClientSideBackend = (*CookieSessionBackend)(nil)
	_ DataLimiter       = (*CookieSessionBackend)(nil)
)
