package gorillaimport

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

// DefaultMaxAge is how old a gorilla cookie may be, by the timestamp
// securecookie signs into it: 30 days, the MaxAge of gorilla's
// NewCookieStore.
const DefaultMaxAge = 30 * 24 * time.Hour

// SeenPrefix is what the Importer puts in front of the keys it records
// imported cookies under in Config.Seen.
const SeenPrefix = "gorillaimport:"

// Format is how the gorilla store serialized its session values.
type Format int

const (
	// Gob is securecookie's default serializer (securecookie.GobEncoder),
	// what gorilla's CookieStore uses unless told otherwise. Types beyond
	// gob's basic ones that the old service stored must be registered with
	// encoding/gob's Register in the importing program too, as they were
	// in the old one; a cookie holding an unregistered type is not
	// imported.
	Gob Format = iota
	// JSON is securecookie.JSONEncoder, for cookies written with codecs
	// given SetSerializer(securecookie.JSONEncoder{}) (by a store of the
	// service's own: gorilla's CookieStore cannot serialize its
	// map[interface{}]interface{} as JSON). Numbers are read as int64 when
	// integral and as float64 otherwise, nested or not.
	JSON
)

// MapFunc puts the values of an authentic gorilla session into s, a new
// session of this library without a key: with s.Set, and for a
// logged-in user with SessionAuthentication.Login (LoginUser does both).
// values is the gorilla session's Values with string keys, which MapFunc
// may change. Returning ErrSkip leaves the cookie alone without importing
// it; an error wrapping core.ErrStoreUnavailable fails the request (503);
// any other error is logged and the cookie is not imported. Whatever
// MapFunc put into s before an error is dropped.
type MapFunc func(ctx context.Context, values map[string]any, s *sessions.Session) error

// ErrSkip is what a MapFunc returns for a gorilla session it does not
// want imported (say, no user in it): the cookie is left alone, quietly.
var ErrSkip = errors.New("gorillaimport: not imported")

// Config configures an Importer. CookieName, KeyPairs and Seen are
// required; every other field has the default its comment gives.
type Config struct {
	// CookieName is the gorilla session's name, which is its cookie's name
	// (store.Get(r, "session-name")). Required.
	CookieName string
	// KeyPairs are the old store's keys exactly as they were given to
	// gorilla's NewCookieStore(keyPairs...): a hash key (HMAC-SHA256),
	// then its block key (AES-128, -192 or -256: 16, 24 or 32 bytes; nil
	// for a store that only signed), then the next pair for a rotated
	// key, and so on. A cookie is imported when any pair authenticates
	// it. Required.
	KeyPairs [][]byte
	// Format is the old store's serializer. Default Gob.
	Format Format
	// MaxAge is how old a cookie may be (the old store's MaxAge): an
	// older one is not imported. Default DefaultMaxAge (30 days); also how
	// long Seen remembers an imported cookie.
	MaxAge time.Duration
	// Seen remembers the cookies imported, by the SHA-256 of their
	// decoded bytes (whatever the spelling of their base64), for MaxAge,
	// so that each is imported once: a copy of the old cookie, replayed
	// after its owner logged out here, makes no new session. Use a cache
	// every instance of the service shares (Redis, with
	// redisstore's Cache); memory.NewSessionCache is for one process.
	// Required.
	Seen sessions.Cache
	// Map turns the gorilla session into this library's. Default: each
	// value copied under its key, except the keys this library reserves
	// (those starting with "_auth_" or "_session_": who is logged in, and
	// how), nobody logged in; see LoginUser for a gorilla login.
	Map MapFunc
	// CookiePath and CookieDomain are the old cookie's Path and Domain
	// (the old store's Options), which the cookie that expires it must
	// repeat for the browser to drop it. Default "/" and "" (gorilla's).
	CookiePath, CookieDomain string
	// InsecureCookie drops the Secure attribute from the cookie that
	// expires the old one; set it when the old store's Options.Secure was
	// false. Default false: Secure, as gorilla's NewCookieStore sets it.
	InsecureCookie bool
	// Logger receives a line per import at Info level and the authentic
	// cookies that could not be imported at Warn; nil means
	// slog.Default(). Cookies that fail authentication are counted in
	// Stats, not logged: anybody can send them.
	Logger *slog.Logger
}

// Stats counts what an Importer did since it was made.
type Stats struct {
	// Imported cookies became sessions. (The Manager may still refuse to
	// store one whose values its serializer or backend cannot hold; it
	// logs that at Warn, and the cookie, already marked in Seen, is not
	// imported again.)
	Imported uint64
	// Rejected cookies failed authentication with every key pair, were
	// older than MaxAge, or were malformed.
	Rejected uint64
	// Unimportable cookies were authentic, but their values could not be
	// imported (not decodable: a type not registered with gob; a key that
	// is not a string; an error or ErrSkip from Map).
	Unimportable uint64
	// Replayed cookies were authentic and imported before.
	Replayed uint64
}

// Importer imports gorilla/sessions CookieStore cookies: set its Adopt
// method as the Manager's Adopt hook. Make it with New. It is safe for
// concurrent use.
type Importer struct {
	cfg    Config
	codecs []securecookie.Codec

	imported, rejected, unimportable, replayed atomic.Uint64
}

// New returns an Importer for the gorilla cookies cfg describes. It fails
// when a required field is missing, a hash key is empty or a block key is
// not an AES key.
func New(cfg Config) (*Importer, error) {
	if cfg.CookieName == "" {
		return nil, errors.New("gorillaimport: Config.CookieName is required")
	}
	if len(cfg.KeyPairs) == 0 {
		return nil, errors.New("gorillaimport: Config.KeyPairs is required")
	}
	if cfg.Seen == nil {
		return nil, errors.New("gorillaimport: Config.Seen is required (it makes each cookie import once)")
	}
	if cfg.Format != Gob && cfg.Format != JSON {
		return nil, fmt.Errorf("gorillaimport: unknown Format %d", cfg.Format)
	}
	for i, k := range cfg.KeyPairs {
		switch {
		case i%2 == 0 && len(k) == 0:
			return nil, fmt.Errorf("gorillaimport: hash key %d is empty", i/2)
		case i%2 == 1 && k != nil:
			if _, err := aes.NewCipher(k); err != nil {
				return nil, fmt.Errorf("gorillaimport: block key %d: %w", i/2, err)
			}
		}
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.CookiePath == "" {
		cfg.CookiePath = "/"
	}
	if cfg.Map == nil {
		cfg.Map = copyValues
	}
	// The codecs authenticate and decrypt only (NopEncoder); the values
	// are decoded apart, so that a cookie that is not authentic is told
	// from an authentic one that cannot be decoded.
	codecs := securecookie.CodecsFromPairs(cfg.KeyPairs...)
	for _, c := range codecs {
		c.(*securecookie.SecureCookie).MaxAge(int(cfg.MaxAge / time.Second)).SetSerializer(securecookie.NopEncoder{})
	}
	return &Importer{cfg: cfg, codecs: codecs}, nil
}

// Stats returns the counts so far; export them as metrics (a Prometheus
// CounterFunc each) to watch the migration.
func (i *Importer) Stats() Stats {
	return Stats{
		Imported:     i.imported.Load(),
		Rejected:     i.rejected.Load(),
		Unimportable: i.unimportable.Load(),
		Replayed:     i.replayed.Load(),
	}
}

func (i *Importer) logger() *slog.Logger {
	if i.cfg.Logger != nil {
		return i.cfg.Logger
	}
	return slog.Default()
}

// Adopt is the Manager's Adopt hook (see sessions.Manager.Adopt): the
// request's gorilla cookie, when it is authentic, no older than MaxAge,
// holds values that can be imported and was not imported before, becomes
// session s, and the old cookie is expired. Any other cookie is left
// alone, so that a wrong key in the configuration logs nobody out: fix it
// and deploy again.
func (i *Importer) Adopt(ctx context.Context, r core.Request, s *sessions.Session) ([]*http.Cookie, bool, error) {
	raw := r.Cookie(i.cfg.CookieName)
	if raw == "" {
		return nil, false, nil
	}
	b, err := i.authenticate(raw)
	if err != nil {
		i.rejected.Add(1)
		return nil, false, nil
	}
	values, err := i.deserialize(b)
	if err != nil {
		i.unimportable.Add(1)
		i.logger().WarnContext(ctx, "gorillaimport: an authentic gorilla session cannot be decoded (are its types registered with gob?)", "error", err)
		return nil, false, nil
	}
	vals, err := stringKeys(values)
	if err != nil {
		i.unimportable.Add(1)
		i.logger().WarnContext(ctx, "gorillaimport: an authentic gorilla session was not imported", "error", err)
		return nil, false, nil
	}
	if len(vals) == 0 {
		return nil, false, nil // nothing to keep
	}
	if err := i.cfg.Map(ctx, vals, s); err != nil {
		switch {
		case errors.Is(err, core.ErrStoreUnavailable):
			return nil, false, err
		case !errors.Is(err, ErrSkip):
			i.logger().WarnContext(ctx, "gorillaimport: an authentic gorilla session was not imported", "error", err)
		}
		i.unimportable.Add(1)
		return nil, false, nil
	}
	// Keyed by the cookie's decoded bytes, not its text: the outer base64
	// is decoded leniently (unused trailing bits are ignored), so one
	// authentic cookie has several spellings, and each must count as the
	// same cookie. authenticate succeeded, so it decodes.
	decoded, err := base64.URLEncoding.DecodeString(raw)
	if err != nil {
		i.rejected.Add(1)
		return nil, false, nil
	}
	sum := sha256.Sum256(decoded)
	first, err := i.cfg.Seen.CompareAndSet(ctx, SeenPrefix+base64.RawURLEncoding.EncodeToString(sum[:]), []byte{1}, i.cfg.MaxAge, 0)
	if err != nil {
		return nil, false, err
	}
	if !first {
		i.replayed.Add(1)
		return nil, false, nil
	}
	i.imported.Add(1)
	i.logger().InfoContext(ctx, "gorillaimport: imported a gorilla/sessions cookie", "cookie", i.cfg.CookieName, "values", len(vals))
	return []*http.Cookie{i.expiredCookie()}, true, nil
}

// authenticate checks a cookie value with the configured key pairs and
// its signed timestamp against MaxAge, and returns its serialized values,
// decrypted.
func (i *Importer) authenticate(raw string) ([]byte, error) {
	var b []byte
	err := securecookie.DecodeMulti(i.cfg.CookieName, raw, &b, i.codecs...)
	return b, err
}

// deserialize decodes the serialized values of an authentic cookie as
// the old store's serializer wrote them.
func (i *Importer) deserialize(b []byte) (any, error) {
	if i.cfg.Format == JSON {
		return decodeJSON(b)
	}
	var m map[any]any
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// stringKeys returns the values of a decoded gorilla session under string
// keys, or an error when a key is not a string.
func stringKeys(values any) (map[string]any, error) {
	switch v := values.(type) {
	case map[string]any:
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("gorillaimport: a key of type %T; only string keys are imported", k)
			}
			out[ks] = val
		}
		return out, nil
	}
	return nil, fmt.Errorf("gorillaimport: values of type %T", values)
}

// expiredCookie ends the old cookie in the browser.
func (i *Importer) expiredCookie() *http.Cookie {
	return &http.Cookie{
		Name:     i.cfg.CookieName,
		Value:    "",
		Path:     i.cfg.CookiePath,
		Domain:   i.cfg.CookieDomain,
		Secure:   !i.cfg.InsecureCookie,
		HttpOnly: true,
		MaxAge:   -1,
		Expires:  time.Unix(0, 0).UTC(),
	}
}

// copyValues is the default MapFunc: every value under its key, but for
// the reserved ones (reservedKey).
func copyValues(_ context.Context, values map[string]any, s *sessions.Session) error {
	for k, v := range values {
		if !reservedKey(k) {
			s.Set(k, v)
		}
	}
	return nil
}

// reservedKey: a session key this library keeps for itself (the login:
// sessions.SessionKey and its kin, the creation time). An imported value
// never sets one: a login is LoginUser's decision.
func reservedKey(k string) bool {
	return strings.HasPrefix(k, "_auth_") || strings.HasPrefix(k, "_session_")
}

// LoginUser returns a MapFunc for a gorilla session that recorded its
// logged-in user's id under key (say "user_id"): the user with that id (a
// string or an integer) is logged in to the new session with
// auth.Login (backend names the authentication backend; "" for the only
// one), as if they had just logged in here, and every other value is
// copied. A gorilla session without the key, or naming a user
// auth.GetUser does not know or who is inactive, is not imported
// (ErrSkip): its owner logs in again.
func LoginUser(auth *sessions.SessionAuthentication, key, backend string) MapFunc {
	return func(ctx context.Context, values map[string]any, s *sessions.Session) error {
		id, ok := userID(values[key])
		if !ok {
			return ErrSkip
		}
		u, err := auth.GetUser(ctx, id)
		if err != nil {
			return err
		}
		bu, ok := u.(core.BaseUser)
		if !ok || !bu.IsActive() {
			return ErrSkip
		}
		for k, v := range values {
			switch k {
			case key, sessions.SessionKey, sessions.BackendSessionKey, sessions.HashSessionKey, sessions.LoginAtKey:
				// The login is Login's to write; and an imported
				// session is no fresh login (LoginAtKey stays unset).
			default:
				s.Set(k, v)
			}
		}
		return auth.Login(ctx, s, bu, backend)
	}
}

// userID is a user id as SessionAuthentication.GetUser takes it.
func userID(v any) (string, bool) {
	switch id := v.(type) {
	case string:
		return id, id != ""
	case int:
		return strconv.FormatInt(int64(id), 10), true
	case int8:
		return strconv.FormatInt(int64(id), 10), true
	case int16:
		return strconv.FormatInt(int64(id), 10), true
	case int32:
		return strconv.FormatInt(int64(id), 10), true
	case int64:
		return strconv.FormatInt(id, 10), true
	case uint:
		return strconv.FormatUint(uint64(id), 10), true
	case uint8:
		return strconv.FormatUint(uint64(id), 10), true
	case uint16:
		return strconv.FormatUint(uint64(id), 10), true
	case uint32:
		return strconv.FormatUint(uint64(id), 10), true
	case uint64:
		return strconv.FormatUint(id, 10), true
	}
	return "", false
}

// decodeJSON decodes what securecookie.JSONEncoder wrote, numbers kept
// exact: an integral number decodes as an int64, any other as a float64.
func decodeJSON(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		m[k] = numbers(v)
	}
	return m, nil
}

// numbers replaces the json.Numbers in v.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64() // json.Decoder only makes valid numbers
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}
