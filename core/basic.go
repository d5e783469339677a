package core

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/hashers"
)

// MaxPasswordBytes is the longest password the library hashes: longer ones
// are refused before any hashing, so a huge password cannot be used to burn
// CPU.
const MaxPasswordBytes = 4096

// DRF's BasicAuthentication messages.
const (
	msgBasicNoCredentials = "Invalid basic header. No credentials provided."
	msgBasicSpaces        = "Invalid basic header. Credentials string should not contain spaces."
	msgBasicEncoding      = "Invalid basic header. Credentials not correctly base64 encoded."
	msgBasicInvalid       = "Invalid username/password."
	msgBasicInactive      = "User inactive or deleted."
)

// ErrMalformedBasic is the cause of every Basic header decoding failure.
var ErrMalformedBasic = errors.New("malformed basic credentials")

// ParseBasicAuth decodes an Authorization header value of the Basic scheme
// (RFC 7617) as DRF does. ok is false when the scheme is not Basic
// (matched case-insensitively): the header is someone else's. When ok is
// true and err is nil, username and password are the credentials: the
// base64 payload is decoded as UTF-8, or as Latin-1 when it is not valid
// UTF-8, and split at the first colon. A Basic header that cannot be
// decoded gives an *AuthenticationError with DRF's message.
func ParseBasicAuth(header string) (username, password string, ok bool, err error) {
	scheme, cred, n := splitAuthorization(header)
	if n == 0 || !strings.EqualFold(scheme, "basic") {
		return "", "", false, nil
	}
	switch {
	case n == 1:
		return "", "", true, basicError(msgBasicNoCredentials)
	case n > 2:
		return "", "", true, basicError(msgBasicSpaces)
	}
	raw, derr := base64.StdEncoding.DecodeString(cred)
	if derr != nil {
		return "", "", true, basicError(msgBasicEncoding)
	}
	decoded := string(raw)
	if !utf8.ValidString(decoded) {
		decoded = latin1(raw)
	}
	username, password, found := strings.Cut(decoded, ":")
	if !found {
		return "", "", true, basicError(msgBasicEncoding)
	}
	return username, password, true, nil
}

func basicError(msg string) error {
	return &AuthenticationError{Kind: ErrInvalidCredentials, Detail: msg, Code: "authentication_failed", Err: ErrMalformedBasic}
}

func latin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// splitAuthorization splits an Authorization value on ASCII whitespace the
// way Python's bytes.split() does, returning the first two fields and the
// number of fields, without allocating.
func splitAuthorization(h string) (first, second string, n int) {
	i := 0
	for i < len(h) {
		for i < len(h) && isASCIISpace(h[i]) {
			i++
		}
		if i == len(h) {
			break
		}
		j := i
		for j < len(h) && !isASCIISpace(h[j]) {
			j++
		}
		switch n {
		case 0:
			first = h[i:j]
		case 1:
			second = h[i:j]
		}
		n++
		i = j
	}
	return first, second, n
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// BasicAuthentication is DRF's BasicAuthentication over an AuthBackend:
// credentials from the Authorization header (RFC 7617), checked by the
// backend. Its challenge is `Basic realm="api"` unless Realm says
// otherwise.
//
// Guard, when set, limits password guessing through Basic as on every
// other login path (PasswordLogin). A user with SecondFactor on is
// refused with ErrBasicMFA: a Basic header cannot carry a one-time
// password, so Basic must not be a way around it.
type BasicAuthentication struct {
	Backend      AuthBackend
	Guard        LoginGuard
	SecondFactor SecondFactor
	// Realm of the challenge; "" means "api", DRF's default.
	Realm string
	// AdvertiseUTF8 adds `charset="UTF-8"` to the challenge (RFC 7617
	// section 2.1). Credentials are decoded as UTF-8 either way.
	AdvertiseUTF8 bool
	// Events receives an events.LoginFailed for each refused password
	// (PasswordLogin.Events); nil: none. A Basic request that succeeds is
	// not a login (it authenticates one request) and emits nothing.
	Events *events.Dispatcher
}

// Challenge implements Challenger.
func (b *BasicAuthentication) Challenge() string {
	realm := b.Realm
	if realm == "" {
		realm = "api"
	}
	c := `Basic realm="` + realm + `"`
	if b.AdvertiseUTF8 {
		c += `, charset="UTF-8"`
	}
	return c
}

// Authenticate implements Authenticator.
func (b *BasicAuthentication) Authenticate(r Request) (*Identity, error) {
	username, password, ok, err := ParseBasicAuth(r.Header("Authorization"))
	if !ok || err != nil {
		return nil, err
	}
	if len(password) > MaxPasswordBytes {
		return nil, NewAuthError(ErrInvalidCredentials, msgBasicInvalid)
	}
	login := PasswordLogin{Backend: b.Backend, Guard: b.Guard, SecondFactor: b.SecondFactor, Events: b.Events, Method: events.MethodBasic}
	u, err := login.Authenticate(r, username, password, "")
	switch {
	case errors.Is(err, ErrMFARequired):
		return nil, ErrBasicMFA
	case errors.Is(err, ErrUserInactive):
		return nil, NewAuthError(ErrInvalidCredentials, msgBasicInactive)
	}
	if err != nil {
		return nil, err
	}
	if isNil(u) {
		return nil, NewAuthError(ErrInvalidCredentials, msgBasicInvalid)
	}
	return &Identity{User: u, Method: "basic"}, nil
}

// ErrBasicMFA refuses Basic authentication of a user with a second factor
// on: 401 with the code "mfa_required".
var ErrBasicMFA = &APIError{Status: http.StatusUnauthorized, Detail: "This account has two-factor authentication on, which Basic authentication cannot carry: log in with a session or a token.", Code: "mfa_required", RenderCode: true}

// HTTPBasicAuth is the reference's HttpBasicAuth: Basic authentication with
// its own small table of users, for tests, internal tools and prototypes.
// AddUser stores an Argon2id hash, never the password. It is safe for
// concurrent use.
type HTTPBasicAuth struct {
	BasicAuthentication
	users *basicUsers
}

// NewHTTPBasicAuth returns an HTTPBasicAuth with no users and realm "api".
func NewHTTPBasicAuth() *HTTPBasicAuth {
	users := &basicUsers{users: map[string]basicUser{}}
	return &HTTPBasicAuth{BasicAuthentication: BasicAuthentication{Backend: users}, users: users}
}

// SetHashers replaces the hashers used for new users and checks
// (hashers.Default() unless set).
func (h *HTTPBasicAuth) SetHashers(r *hashers.Registry) {
	h.users.mu.Lock()
	h.users.hashers = r
	h.users.mu.Unlock()
}

// AddUser adds (or replaces) a user with the given password, hashed. The
// user is a SimpleUser whose ID is the username.
func (h *HTTPBasicAuth) AddUser(ctx context.Context, username, password string) error {
	encoded, err := h.users.registry().MakePassword(ctx, password)
	if err != nil {
		return err
	}
	h.users.mu.Lock()
	h.users.users[username] = basicUser{hash: encoded, user: &SimpleUser{ID: username, Username: username, Active: true}}
	h.users.mu.Unlock()
	return nil
}

type basicUser struct {
	hash string
	user *SimpleUser
}

type basicUsers struct {
	mu      sync.RWMutex
	users   map[string]basicUser
	hashers *hashers.Registry
}

func (b *basicUsers) registry() *hashers.Registry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return registryFor(nil, b.hashers)
}

func (b *basicUsers) Authenticate(ctx context.Context, username, password string) (User, error) {
	b.mu.RLock()
	bu, found := b.users[username]
	b.mu.RUnlock()
	reg := b.registry()
	if !found {
		return nil, reg.SimulateCheck(ctx, password)
	}
	ok, err := reg.CheckPassword(ctx, password, bu.hash, nil)
	if errors.Is(err, hashers.ErrUnverifiable) {
		return nil, nil // costs a real check; counts as a wrong password
	}
	if err != nil || !ok {
		return nil, err
	}
	return bu.user, nil
}

func (b *basicUsers) GetUser(_ context.Context, id string) (User, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if bu, ok := b.users[id]; ok {
		return bu.user, nil
	}
	return nil, nil
}
