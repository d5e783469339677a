package sessions_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/cbor"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/gob"
	"github.com/reinhardt-go/auth/core/sessions/msgpack"
	"github.com/reinhardt-go/auth/stores/memory"
)

// seedSession is a session with values of every common kind, encoded with
// ser.
func seedSession(t testing.TB, ser sessions.Serializer) [][]byte {
	m := map[string][]byte{}
	for k, v := range map[string]any{
		"n": 42, "neg": -7, "f": 2.5, "s": "héllo", "b": true, "nil": nil,
		"list": []any{"a", 1.0}, "map": map[string]any{"k": "v"}, "cart": cart{Items: []string{"x"}, Total: 1},
		"when": time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
	} {
		b, err := ser.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		m[k] = b
	}
	whole, err := ser.MarshalMap(m)
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{whole, m["n"], m["list"], m["map"], m["cart"], m["when"], {}}
}

// fuzzSerializer checks that ser's decoders never panic, refuse input over
// MaxDataSize, and that what decodes re-encodes.
func fuzzSerializer(f *testing.F, ser sessions.Serializer) {
	for _, s := range seedSession(f, ser) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeAll := func(b []byte) {
			var x any
			if ser.Unmarshal(b, &x) == nil {
				if _, err := ser.Marshal(x); err != nil {
					t.Logf("decoded %#v does not encode again: %v", x, err)
				}
			}
			var n int
			_ = ser.Unmarshal(b, &n)
			var u uint8
			_ = ser.Unmarshal(b, &u)
			var c cart
			_ = ser.Unmarshal(b, &c)
			var s string
			_ = ser.Unmarshal(b, &s)
			var l []string
			_ = ser.Unmarshal(b, &l)
			var tm time.Time
			_ = ser.Unmarshal(b, &tm)
		}
		if m, err := ser.UnmarshalMap(data); err == nil {
			for _, v := range m {
				decodeAll(v)
			}
			if _, err := ser.MarshalMap(m); err != nil {
				t.Errorf("a decoded session does not encode again: %v", err)
			}
		}
		decodeAll(data)
	})
}

func FuzzJSONDecode(f *testing.F)    { fuzzSerializer(f, sessions.JSON) }
func FuzzMsgPackDecode(f *testing.F) { fuzzSerializer(f, msgpack.Serializer) }
func FuzzCBORDecode(f *testing.F)    { fuzzSerializer(f, cbor.Serializer) }
func FuzzGobDecode(f *testing.F)     { fuzzSerializer(f, gob.Serializer) }

// TestDecodersRefuseLargeInput: every decoder refuses input over
// MaxDataSize before decoding it.
func TestDecodersRefuseLargeInput(t *testing.T) {
	big := make([]byte, sessions.MaxDataSize+1)
	for _, tc := range serializers {
		var x any
		if err := tc.s.Unmarshal(big, &x); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("%s: Unmarshal of %d bytes = %v", tc.name, len(big), err)
		}
		if _, err := tc.s.UnmarshalMap(big); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("%s: UnmarshalMap of %d bytes = %v", tc.name, len(big), err)
		}
	}
	// MessagePack headers claiming more elements than there are bytes,
	// and deep nesting, are refused before the library sees them.
	for _, b := range [][]byte{
		{0xdf, 0xff, 0xff, 0xff, 0xff},                      // map32 of 4 billion pairs
		{0xdd, 0x00, 0x10, 0x00, 0x00, 0xc0},                // array32 of a million
		append(make([]byte, 0, 200), bytesOf(0x91, 100)...), // 100 nested arrays
	} {
		var x any
		if err := msgpack.Serializer.Unmarshal(b, &x); err == nil {
			t.Errorf("MessagePack % x accepted", b[:min(len(b), 8)])
		}
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// FuzzCookieDecode: the cookie backend never panics on a client's cookie
// and never loads one it did not seal.
func FuzzCookieDecode(f *testing.F) {
	ctx := context.Background()
	gens := memory.NewGenerationStore(memory.WithSessionCleanupInterval(0))
	b, err := sessions.NewCookieSessionBackend(gens, sessions.DeriveCookieKey(testSecret))
	if err != nil {
		f.Fatal(err)
	}
	valid, err := b.SaveClient(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte(`{"a":1}`), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(valid))
	f.Add(string(valid[:len(valid)-3]))
	f.Add(string(sessions.GenerateKey()))
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		rec, found, err := b.Load(ctx, sessions.SessionID(id))
		if err != nil {
			t.Fatal(err)
		}
		if found && id != string(valid) {
			t.Fatalf("loaded a cookie it did not seal: %q -> %q", id, rec.Data)
		}
		_ = b.Delete(ctx, sessions.SessionID(id+"x"))
	})
}

// FuzzDecompress: stored data never makes the compressed backend panic or
// return more than MaxDataSize.
func FuzzDecompress(f *testing.F) {
	ctx := context.Background()
	inner := memory.NewSessionBackend(memory.WithSessionCleanupInterval(0))
	c := compress.New(inner, compress.Zstd)
	c.Threshold = 0
	for _, algo := range []compress.Algorithm{compress.Zstd, compress.Gzip, compress.Brotli} {
		c.Algorithm = algo
		id := sessions.GenerateKey()
		if err := c.Save(ctx, id, sessions.Record{Data: []byte(`{"compress":"me me me me me me me"}`), Expiry: time.Now().Add(time.Hour)}); err != nil {
			f.Fatal(err)
		}
		stored, _, _ := inner.Load(ctx, id)
		f.Add(stored.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id := sessions.GenerateKey()
		if err := inner.Save(ctx, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		rec, found, err := c.Load(ctx, id)
		if err != nil || (found && len(rec.Data) > sessions.MaxDataSize) {
			t.Fatalf("found %v, %d bytes, %v", found, len(rec.Data), err)
		}
		_ = inner.Delete(ctx, id)
	})
}
