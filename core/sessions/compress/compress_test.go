package compress_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/internal/extratest"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestConformance runs the session-backend conformance suite on the
// compressed wrapper over server-side and cookie backends, with every
// algorithm.
func TestConformance(t *testing.T) {
	for _, bc := range []sessiontest.BackendCase{
		{Name: "zstd(memory)", Open: extratest.Compressed(compress.Zstd, 0, sessiontest.OpenMemory)},
		{Name: "gzip(cache)", Open: extratest.Compressed(compress.Gzip, 0, sessiontest.OpenCache)},
		{Name: "brotli(memory)", Open: extratest.Compressed(compress.Brotli, 0, sessiontest.OpenMemory)},
		{Name: "zstd(cookie)", Open: extratest.Compressed(compress.Zstd, compress.DefaultThreshold, sessiontest.OpenCookie)},
	} {
		t.Run(bc.Name, func(t *testing.T) {
			t.Parallel()
			storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend { return bc.Open(t, nil) })
		})
	}
}

// TestCompression checks thresholds, mixed algorithms and bounds.
func TestCompression(t *testing.T) {
	ctx := context.Background()
	inner := memory.NewSessionBackend()
	defer inner.Close()
	small := []byte("short")
	large := bytes.Repeat([]byte(`{"k":"a repeated value"},`), 100)
	for _, algo := range []compress.Algorithm{compress.Zstd, compress.Gzip, compress.Brotli} {
		c := compress.New(inner, algo)
		for _, data := range [][]byte{small, large} {
			id := sessions.GenerateKey()
			if err := c.Save(ctx, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			stored, _, _ := inner.Load(ctx, id)
			switch {
			case len(data) < compress.DefaultThreshold && (stored.Data[0] != 0 || !bytes.Equal(stored.Data[1:], data)):
				t.Errorf("%v: data under the threshold was not stored raw", algo)
			case len(data) >= compress.DefaultThreshold && (stored.Data[0] != byte(algo) || len(stored.Data) >= len(data)/4):
				t.Errorf("%v: %d bytes stored as %d with header %d", algo, len(data), len(stored.Data), stored.Data[0])
			}
			// Any algorithm reads what another wrote.
			reader := compress.New(inner, compress.Gzip)
			if got, found, err := reader.Load(ctx, id); err != nil || !found || !bytes.Equal(got.Data, data) {
				t.Errorf("%v: read back by another algorithm: %v, %v", algo, found, err)
			}
		}
		if algo.String() == "" {
			t.Error("String")
		}
	}

	// Zip bombs, unknown headers and garbage read as not found.
	bomb := make([]byte, sessions.MaxDataSize+1)
	for _, algo := range []compress.Algorithm{compress.Zstd, compress.Gzip, compress.Brotli} {
		c := compress.New(inner, algo)
		c.Threshold = 0
		id := sessions.GenerateKey()
		// Write the bomb through a wrapper without the size check.
		if err := c.Save(ctx, id, sessions.Record{Data: bomb, Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		stored, _, _ := inner.Load(ctx, id)
		if len(stored.Data) > 10000 {
			t.Fatalf("%v: the bomb is %d bytes compressed", algo, len(stored.Data))
		}
		if _, found, err := c.Load(ctx, id); found || err != nil {
			t.Errorf("%v: a record decompressing past MaxDataSize: found %v, %v", algo, found, err)
		}
	}
	for _, data := range [][]byte{{}, {9, 1, 2}, {byte(compress.Zstd), 1, 2, 3}, {byte(compress.Gzip), 1}, {byte(compress.Brotli), 0xff, 0xff}} {
		id := sessions.GenerateKey()
		if err := inner.Save(ctx, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, found, err := compress.New(inner, compress.Zstd).Load(ctx, id); found || err != nil {
			t.Errorf("stored %v: found %v, %v", data, found, err)
		}
	}
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
