package msgpack_test

import (
	"bytes"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/core/sessions/msgpack"
)

var tc = sessiontest.SerializerCase{Name: "msgpack", S: msgpack.Serializer, Int42: int64(42)}

// TestSerializer runs the serializer suite: typed reads before and after a
// round trip, any key, input over MaxDataSize refused.
func TestSerializer(t *testing.T) {
	t.Run("GetAs", func(t *testing.T) { sessiontest.TestGetAs(t, tc) })
	t.Run("KeysRoundTrip", func(t *testing.T) { sessiontest.TestKeysRoundTrip(t, tc) })
	t.Run("RefusesLargeInput", func(t *testing.T) { sessiontest.TestRefusesLargeInput(t, tc) })
}

// TestRefusesHostileHeaders: headers claiming more elements than there
// are bytes, and deep nesting, are refused before the library sees them.
func TestRefusesHostileHeaders(t *testing.T) {
	for _, b := range [][]byte{
		{0xdf, 0xff, 0xff, 0xff, 0xff},                // map32 of 4 billion pairs
		{0xdd, 0x00, 0x10, 0x00, 0x00, 0xc0},          // array32 of a million
		append(bytes.Repeat([]byte{0x91}, 100), 0xc0), // 100 nested arrays
	} {
		var x any
		if err := msgpack.Serializer.Unmarshal(b, &x); err == nil {
			t.Errorf("MessagePack % x accepted", b[:min(len(b), 8)])
		}
	}
}

// FuzzDecode: the decoders never panic, refuse input over MaxDataSize, and
// what decodes encodes again.
func FuzzDecode(f *testing.F) { sessiontest.FuzzSerializer(f, msgpack.Serializer) }
