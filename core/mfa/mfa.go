package mfa

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
)

// Defaults of an MFAAuthentication made by New.
const (
	DefaultPeriod     = 30 * time.Second
	DefaultDigits     = 6
	DefaultPastSteps  = 1
	DefaultSecretSize = 20
	DefaultQRSize     = 256
	RecoveryCodes     = 10
	maxSteps          = 10 // the most PastSteps+FutureSteps VerifyCode checks
)

// MFAAuthentication enrolls users in TOTP and checks their codes. Set its
// fields before first use; it is safe for concurrent use afterwards.
type MFAAuthentication struct {
	// Issuer names the application in authenticator apps.
	Issuer string
	// Store keeps the enrollments.
	Store Store
	// Digits is the code length, 6 (DefaultDigits) or 8.
	Digits otp.Digits
	// Algorithm is the HMAC hash, otp.AlgorithmSHA1 by default (the only
	// one every authenticator app supports).
	Algorithm otp.Algorithm
	// Period is the time step, DefaultPeriod (30 seconds); whole seconds.
	Period time.Duration
	// PastSteps and FutureSteps are how many steps before and after the
	// current one VerifyCode also accepts: DefaultPastSteps (1) and 0.
	PastSteps, FutureSteps int
	// QRSize is the side of the QR code image in pixels, DefaultQRSize.
	QRSize int
	// Now is the clock, time.Now when nil.
	Now func() time.Time
	// Events receives an events.MFAEnabled from ConfirmEndpoint and an
	// events.MFADisabled from DisableEndpoint; nil: none.
	Events *events.Dispatcher

	keys *keyRing
}

// New returns an MFAAuthentication with the defaults, keeping its
// enrollments in store, with the secret keys keys (each at least MinKeyLen
// bytes): the first encrypts the TOTP secrets, all decrypt (see the
// package doc on rotation).
func New(issuer string, store Store, keys ...[]byte) (*MFAAuthentication, error) {
	if issuer == "" {
		return nil, errors.New("mfa: empty issuer")
	}
	if store == nil {
		return nil, errors.New("mfa: nil store")
	}
	ring, err := newKeyRing(keys)
	if err != nil {
		return nil, err
	}
	return &MFAAuthentication{
		Issuer:    issuer,
		Store:     store,
		Digits:    DefaultDigits,
		Algorithm: otp.AlgorithmSHA1,
		Period:    DefaultPeriod,
		PastSteps: DefaultPastSteps,
		QRSize:    DefaultQRSize,
		keys:      ring,
	}, nil
}

// Enrollment is what RegisterUser gives the user to set up an
// authenticator app.
type Enrollment struct {
	// Secret is the TOTP secret in base32, for typing in by hand.
	Secret string
	// URL is the otpauth:// URL with the issuer and account name.
	URL string
	// QRCodePNG is URL as a QR code, a PNG image.
	QRCodePNG []byte
}

func (m *MFAAuthentication) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *MFAAuthentication) period() uint {
	return uint(m.Period / time.Second)
}

func (m *MFAAuthentication) check() error {
	if m.keys == nil {
		return errors.New("mfa: MFAAuthentication not made by New")
	}
	if m.Period < time.Second || m.Period%time.Second != 0 {
		return fmt.Errorf("mfa: period %v is not a whole number of seconds", m.Period)
	}
	if m.PastSteps < 0 || m.FutureSteps < 0 || m.PastSteps+m.FutureSteps > maxSteps {
		return fmt.Errorf("mfa: window of %d past and %d future steps", m.PastSteps, m.FutureSteps)
	}
	if m.Digits != otp.DigitsSix && m.Digits != otp.DigitsEight {
		return fmt.Errorf("mfa: %d digits", m.Digits)
	}
	return nil
}

// RegisterUser begins the enrollment of the user userID, named account in
// authenticator apps: a new secret (DefaultSecretSize random bytes), its
// otpauth:// URL and QR code. MFA is not on until Confirm; registering
// again before that replaces the secret. A user with MFA on gets
// ErrAlreadyEnrolled.
func (m *MFAAuthentication) RegisterUser(ctx context.Context, userID, account string) (*Enrollment, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if userID == "" || account == "" {
		return nil, errors.New("mfa: empty user id or account")
	}
	secret := make([]byte, DefaultSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      m.Issuer,
		AccountName: account,
		Period:      m.period(),
		Secret:      secret,
		Digits:      m.Digits,
		Algorithm:   m.Algorithm,
	})
	if err != nil {
		return nil, fmt.Errorf("mfa: %w", err)
	}
	img, err := key.Image(m.QRSize, m.QRSize)
	if err != nil {
		return nil, fmt.Errorf("mfa: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("mfa: QR code: %w", err)
	}
	sealed, err := m.keys.seal(userID, secret)
	if err != nil {
		return nil, err
	}
	rec := Record{UserID: userID, Secret: sealed, CreatedAt: m.now().UTC()}
	if err := m.Store.Begin(ctx, rec); err != nil {
		return nil, err
	}
	return &Enrollment{Secret: key.Secret(), URL: key.URL(), QRCodePNG: buf.Bytes()}, nil
}

// matchStep returns the time step in the window whose code is code, or
// ok false. Every step of the window is computed and compared in constant
// time.
func (m *MFAAuthentication) matchStep(rec Record, code string) (step int64, ok bool, err error) {
	secret, err := m.keys.open(rec.UserID, rec.Secret)
	if err != nil {
		return 0, false, err
	}
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	p := int64(m.period())
	now := m.now().Unix() / p
	opts := totp.ValidateOpts{Period: m.period(), Digits: m.Digits, Algorithm: m.Algorithm}
	for s := now - int64(m.PastSteps); s <= now+int64(m.FutureSteps); s++ {
		if s <= 0 {
			continue
		}
		want, err := totp.GenerateCodeCustom(b32, time.Unix(s*p, 0), opts)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true // the latest matching step wins
		}
	}
	return step, ok, nil
}

// Confirm completes the enrollment begun by RegisterUser with the first
// code of the user's app; the code is consumed. MFA is on afterwards, and
// Confirm returns the user's RecoveryCodes recovery codes, to show once.
// A wrong code is ErrInvalidCode, no enrollment ErrNotEnrolled, a
// confirmed one ErrAlreadyEnrolled.
func (m *MFAAuthentication) Confirm(ctx context.Context, userID, code string) ([]string, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	rec, err := m.Store.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	if rec.Confirmed {
		return nil, ErrAlreadyEnrolled
	}
	kind, code, err := ParseOTP(code, int(m.Digits))
	if err != nil || kind != KindTOTP {
		return nil, ErrInvalidCode
	}
	step, ok, err := m.matchStep(rec, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrInvalidCode
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	done, err := m.Store.Confirm(ctx, userID, step, hashes)
	if err != nil {
		return nil, err
	}
	if !done {
		return nil, ErrInvalidCode
	}
	return codes, nil
}

func newRecoveryCodes() (codes, hashes []string, err error) {
	codes, hashes = make([]string, RecoveryCodes), make([]string, RecoveryCodes)
	for i := range codes {
		if codes[i], hashes[i], err = newRecoveryCode(); err != nil {
			return nil, nil, err
		}
	}
	return codes, hashes, nil
}

// Enabled reports whether MFA is on for the user (a confirmed enrollment).
func (m *MFAAuthentication) Enabled(ctx context.Context, userID string) (bool, error) {
	rec, err := m.Store.Get(ctx, userID)
	if errors.Is(err, ErrNotEnrolled) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return rec.Confirmed, nil
}

// VerifyCode reports whether code is the user's TOTP code for a step of
// the window not used before, and consumes it: the same code, or an
// older one, is refused afterwards. A user without MFA on is
// ErrNotEnrolled; a code that is not digits of the right length is false.
func (m *MFAAuthentication) VerifyCode(ctx context.Context, userID, code string) (bool, error) {
	if err := m.check(); err != nil {
		return false, err
	}
	rec, err := m.confirmed(ctx, userID)
	if err != nil {
		return false, err
	}
	kind, code, err := ParseOTP(code, int(m.Digits))
	if err != nil || kind != KindTOTP {
		return false, nil
	}
	return m.verifyTOTP(ctx, rec, code)
}

func (m *MFAAuthentication) confirmed(ctx context.Context, userID string) (Record, error) {
	rec, err := m.Store.Get(ctx, userID)
	if err != nil {
		return Record{}, err
	}
	if !rec.Confirmed {
		return Record{}, ErrNotEnrolled
	}
	return rec, nil
}

func (m *MFAAuthentication) verifyTOTP(ctx context.Context, rec Record, code string) (bool, error) {
	step, ok, err := m.matchStep(rec, code)
	if err != nil || !ok || step <= rec.LastStep {
		return false, err
	}
	return m.Store.AdvanceStep(ctx, rec.UserID, step)
}

// VerifyRecoveryCode reports whether code is one of the user's unused
// recovery codes, and uses it up.
func (m *MFAAuthentication) VerifyRecoveryCode(ctx context.Context, userID, code string) (bool, error) {
	if _, err := m.confirmed(ctx, userID); err != nil {
		return false, err
	}
	kind, code, err := ParseOTP(code, int(m.Digits))
	if err != nil || kind != KindRecovery {
		return false, nil
	}
	return m.Store.ConsumeRecoveryCode(ctx, userID, hashRecovery(code))
}

// VerifyOTP checks the otp field of a login: a TOTP code (VerifyCode) or a
// recovery code (VerifyRecoveryCode), telling them apart with ParseOTP.
func (m *MFAAuthentication) VerifyOTP(ctx context.Context, userID, otpValue string) (bool, error) {
	if err := m.check(); err != nil {
		return false, err
	}
	rec, err := m.confirmed(ctx, userID)
	if err != nil {
		return false, err
	}
	kind, v, err := ParseOTP(otpValue, int(m.Digits))
	switch {
	case err != nil:
		return false, nil
	case kind == KindTOTP:
		return m.verifyTOTP(ctx, rec, v)
	default:
		return m.Store.ConsumeRecoveryCode(ctx, userID, hashRecovery(v))
	}
}

// NewRecoveryCodes replaces the user's recovery codes with RecoveryCodes
// new ones and returns them, to show once. The caller decides what proof
// it asks for first (a fresh login, a code).
func (m *MFAAuthentication) NewRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	if _, err := m.confirmed(ctx, userID); err != nil {
		return nil, err
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	if err := m.Store.SetRecoveryCodes(ctx, userID, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// Disable turns MFA off for the user after checking otpValue, a TOTP or
// recovery code (consumed either way): ErrInvalidCode when it is not
// valid, ErrNotEnrolled without MFA on.
func (m *MFAAuthentication) Disable(ctx context.Context, userID, otpValue string) error {
	ok, err := m.VerifyOTP(ctx, userID, otpValue)
	if err != nil {
		return err
	}
	if !ok {
		return ErrInvalidCode
	}
	return m.Store.Delete(ctx, userID)
}

// Required implements core.SecondFactor: whether u has MFA on.
func (m *MFAAuthentication) Required(ctx context.Context, u core.User) (bool, error) {
	return m.Enabled(ctx, u.GetID())
}

// Verify implements core.SecondFactor: VerifyOTP for u, a TOTP code or a
// recovery code, used up when it is accepted. A user whose MFA was turned
// off since Required is refused (false), never let through.
func (m *MFAAuthentication) Verify(ctx context.Context, u core.User, otpValue string) (bool, error) {
	ok, err := m.VerifyOTP(ctx, u.GetID(), otpValue)
	if errors.Is(err, ErrNotEnrolled) {
		return false, nil
	}
	return ok, err
}

var _ core.SecondFactor = (*MFAAuthentication)(nil)
