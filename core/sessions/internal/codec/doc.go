// Package codec holds what the session serializers share: the size
// limit every decoder enforces before decoding, and the conversions that
// make an int stored read back as an int under every serializer. It is
// internal: core/sessions and its serializer subpackages use it, and
// core/sessions re-exports MaxDataSize and ErrTooLarge.
package codec
