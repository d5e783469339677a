package gob_test

import (
	"context"
	stdgob "encoding/gob"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions/gob"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
)

func init() {
	stdgob.Register(sessiontest.Cart{})
}

var tc = sessiontest.SerializerCase{Name: "gob", S: gob.Serializer, Int42: 42}

// TestSerializer runs the serializer suite: typed reads before and after a
// round trip, any key, input over MaxDataSize refused.
func TestSerializer(t *testing.T) {
	t.Run("GetAs", func(t *testing.T) { sessiontest.TestGetAs(t, tc) })
	t.Run("KeysRoundTrip", func(t *testing.T) { sessiontest.TestKeysRoundTrip(t, tc) })
	t.Run("RefusesLargeInput", func(t *testing.T) { sessiontest.TestRefusesLargeInput(t, tc) })
}

// TestUnregisteredType: gob refuses to save a type nobody registered.
func TestUnregisteredType(t *testing.T) {
	s := sessiontest.NewManager(t, gob.Serializer).New()
	type unregistered struct{ X int }
	s.Set("u", unregistered{1})
	if err := s.Save(context.Background()); err == nil {
		t.Error("gob saved a type that was not registered")
	}
}

// FuzzDecode: the decoders never panic, refuse input over MaxDataSize, and
// what decodes encodes again.
func FuzzDecode(f *testing.F) { sessiontest.FuzzSerializer(f, gob.Serializer) }
