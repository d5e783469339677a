package cbor_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/sessions/cbor"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
)

var tc = sessiontest.SerializerCase{Name: "cbor", S: cbor.Serializer, Int42: int64(42)}

// TestSerializer runs the serializer suite: typed reads before and after a
// round trip, any key, input over MaxDataSize refused.
func TestSerializer(t *testing.T) {
	t.Run("GetAs", func(t *testing.T) { sessiontest.TestGetAs(t, tc) })
	t.Run("KeysRoundTrip", func(t *testing.T) { sessiontest.TestKeysRoundTrip(t, tc) })
	t.Run("RefusesLargeInput", func(t *testing.T) { sessiontest.TestRefusesLargeInput(t, tc) })
}

// FuzzDecode: the decoders never panic, refuse input over MaxDataSize, and
// what decodes encodes again.
func FuzzDecode(f *testing.F) { sessiontest.FuzzSerializer(f, cbor.Serializer) }
