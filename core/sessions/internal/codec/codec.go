package codec

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
)

// MaxDataSize caps a serialized session: 1 MiB (sessions.MaxDataSize).
const MaxDataSize = 1 << 20

// ErrTooLarge is sessions.ErrTooLarge.
var ErrTooLarge = errors.New("sessions: session too large")

// MaxDepth bounds the nesting of decoded values.
const MaxDepth = 64

// TooLarge is the error of a decoder given n bytes, over MaxDataSize.
func TooLarge(n int) error {
	return fmt.Errorf("sessions: %d bytes to decode, over the %d-byte limit: %w", n, MaxDataSize, ErrTooLarge)
}

// SortedKeys returns the keys of m, sorted, so that encodings are
// deterministic.
func SortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NumberTarget reports whether v points to a number.
func NumberTarget(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && t.Kind() == reflect.Pointer && isNumber(t.Elem().Kind())
}

// NormalizeInts turns the uint64 integers a MessagePack or CBOR decoder
// gives for non-negative numbers into int64 when they fit, so that every
// integer reads as int64 through Get.
func NormalizeInts(v any, depth int) any {
	if depth > MaxDepth {
		return v
	}
	switch x := v.(type) {
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = NormalizeInts(e, depth+1)
		}
	case []any:
		for i, e := range x {
			x[i] = NormalizeInts(e, depth+1)
		}
	}
	return v
}

// Assign stores src in the value dst points to: directly when its type is
// assignable, converted when both are numbers and the value survives the
// conversion.
func Assign(dst, src any) error {
	d := reflect.ValueOf(dst)
	if d.Kind() != reflect.Pointer || d.IsNil() {
		return errors.New("sessions: Unmarshal needs a non-nil pointer")
	}
	d = d.Elem()
	if src == nil {
		d.SetZero()
		return nil
	}
	s := reflect.ValueOf(src)
	if s.Type().AssignableTo(d.Type()) {
		d.Set(s)
		return nil
	}
	if isNumber(s.Kind()) && isNumber(d.Kind()) && s.CanConvert(d.Type()) {
		c := s.Convert(d.Type())
		if back := c.Convert(s.Type()); back.Equal(s) && sameSign(s, c) {
			d.Set(c)
			return nil
		}
	}
	return fmt.Errorf("sessions: a %s cannot be read as a %s", s.Type(), d.Type())
}

func isNumber(k reflect.Kind) bool {
	return (k >= reflect.Int && k <= reflect.Uint64) || k == reflect.Float32 || k == reflect.Float64
}

func sameSign(a, b reflect.Value) bool { return negative(a) == negative(b) }

func negative(v reflect.Value) bool {
	switch {
	case v.CanInt():
		return v.Int() < 0
	case v.CanFloat():
		return v.Float() < 0
	}
	return false
}

// Must returns v, and panics if err is not nil: for encoders and decoders
// built once from constant options, which cannot fail.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
