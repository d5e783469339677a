package signing

import "errors"

var (
	// ErrBadSignature is Django's BadSignature: the value carries no
	// signature, or one that none of the keys made. Nothing of the value
	// may be trusted.
	ErrBadSignature = errors.New("signing: bad signature")

	// ErrSignatureExpired is Django's SignatureExpired: the signature is
	// good but older than the maximum age. As in Django (where
	// SignatureExpired is a BadSignature), errors.Is(err, ErrBadSignature)
	// is also true for it.
	ErrSignatureExpired = errors.New("signing: signature expired")

	// ErrBadPayload reports a value whose signature is good but whose
	// content does not decode: not URL-safe base64, not zlib, not JSON of
	// the target's shape, or a compressed payload that inflates beyond
	// the limit (ErrTooLarge). Django raises the decoders' own exceptions
	// there; only a holder of a key can make such a value.
	ErrBadPayload = errors.New("signing: bad payload")

	// ErrTooLarge reports a compressed payload that inflates beyond the
	// signer's limit (WithMaxDecompressedSize). errors.Is(err,
	// ErrBadPayload) is also true for it.
	ErrTooLarge = errors.New("signing: decompressed payload too large")
)

// expiredError is ErrSignatureExpired, which also is ErrBadSignature.
type expiredError struct{ msg string }

func (e *expiredError) Error() string { return e.msg }

func (e *expiredError) Is(target error) bool {
	return target == ErrSignatureExpired || target == ErrBadSignature
}

// tooLargeError is ErrTooLarge, which also is ErrBadPayload.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string { return e.msg }

func (e *tooLargeError) Is(target error) bool {
	return target == ErrTooLarge || target == ErrBadPayload
}
