package compress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// Algorithm is a compression algorithm of Backend; its
// value is the header byte of the records it compressed.
type Algorithm byte

// The algorithms. Records are read whatever algorithm compressed them, so
// changing it keeps the stored sessions.
const (
	// Zstd (klauspost/compress): the best balance of speed and ratio.
	Zstd Algorithm = 1
	// Gzip (klauspost/compress): the widest compatibility.
	Gzip Algorithm = 2
	// Brotli (andybalholm/brotli, level 5): the best ratio.
	Brotli Algorithm = 3
)

// rawHeader marks a record stored uncompressed.
const rawHeader = 0

// String returns the algorithm's name.
func (c Algorithm) String() string {
	switch c {
	case Zstd:
		return "zstd"
	case Gzip:
		return "gzip"
	case Brotli:
		return "brotli"
	}
	return fmt.Sprintf("Algorithm(%d)", byte(c))
}

// DefaultThreshold is the size below which session data is
// stored as it is: 512 bytes, the reference's default.
const DefaultThreshold = 512

// Backend compresses the data of the sessions it passes to
// Inner: data of Threshold bytes or more is compressed with Algorithm, and
// kept compressed only when that makes it smaller. One header byte tells
// how each record is stored (0: raw, else the Algorithm), so records
// written with any algorithm, or none, read back. Decompression stops at
// MaxDataSize, so a crafted record (a zip bomb) cannot exhaust memory: it
// reads as not found, as does a record with an unknown header.
//
// It works over every backend, the cookie backend included (it then also
// forwards SaveClient), and forwards Cleaner, Lister and Importer when
// Inner implements them (errors.ErrUnsupported otherwise).
type Backend struct {
	// Inner keeps the compressed records. Required.
	Inner sessions.SessionBackend
	// Algorithm compresses new records. Default Zstd.
	Algorithm Algorithm
	// Threshold is the smallest data that is compressed. Default
	// DefaultThreshold (512 bytes), set by
	// New; 0 compresses everything.
	Threshold int
}

// New returns inner compressed with algo above the
// default threshold.
func New(inner sessions.SessionBackend, algo Algorithm) *Backend {
	return &Backend{Inner: inner, Algorithm: algo, Threshold: DefaultThreshold}
}

func (c *Backend) algorithm() Algorithm {
	if c.Algorithm == 0 {
		return Zstd
	}
	return c.Algorithm
}

// compress returns data with its header byte.
func (c *Backend) compress(data []byte) ([]byte, error) {
	if len(data) >= c.Threshold && len(data) > 0 {
		algo := c.algorithm()
		out, err := compressWith(algo, data)
		if err != nil {
			return nil, err
		}
		if len(out) < len(data) {
			return out, nil
		}
	}
	out := make([]byte, 1+len(data))
	out[0] = rawHeader
	copy(out[1:], data)
	return out, nil
}

var (
	zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
		return codec.Must(zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true)))
	})
	zstdDecoder = sync.OnceValue(func() *zstd.Decoder {
		return codec.Must(zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(sessions.MaxDataSize),
			zstd.WithDecoderMaxWindow(sessions.MaxDataSize), zstd.WithDecoderLowmem(true)))
	})
	gzipWriters = sync.Pool{New: func() any { return codec.Must(gzip.NewWriterLevel(nil, gzip.DefaultCompression)) }}
)

func compressWith(algo Algorithm, data []byte) ([]byte, error) {
	out := []byte{byte(algo)}
	switch algo {
	case Zstd:
		return zstdEncoder().EncodeAll(data, out), nil
	case Gzip:
		buf := bytes.NewBuffer(out)
		w := gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(w)
		w.Reset(buf)
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case Brotli:
		buf := bytes.NewBuffer(out)
		w := brotli.NewWriterLevel(buf, 5)
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("sessions: unknown compression %v", algo)
}

var errCorrupt = errors.New("sessions: corrupt compressed session")

// decompress undoes compress, refusing output over MaxDataSize.
func decompress(stored []byte) ([]byte, error) {
	if len(stored) == 0 || len(stored) > sessions.MaxDataSize+1 {
		return nil, errCorrupt
	}
	body := stored[1:]
	var r io.Reader
	switch Algorithm(stored[0]) {
	case rawHeader:
		return body, nil
	case Zstd:
		out, err := zstdDecoder().DecodeAll(body, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		return out, nil
	case Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		zr.Multistream(false)
		r = zr
	case Brotli:
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		return nil, errCorrupt
	}
	out, err := io.ReadAll(io.LimitReader(r, sessions.MaxDataSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if len(out) > sessions.MaxDataSize {
		return nil, fmt.Errorf("%w: over %d bytes decompressed", errCorrupt, sessions.MaxDataSize)
	}
	return out, nil
}

// Load implements SessionBackend; a record that does not decompress reads
// as not found.
func (c *Backend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	rec, found, err := c.Inner.Load(ctx, id)
	if err != nil || !found {
		return sessions.Record{}, false, err
	}
	if rec.Data, err = decompress(rec.Data); err != nil {
		return sessions.Record{}, false, nil
	}
	return rec, true, nil
}

// Save implements SessionBackend.
func (c *Backend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	var err error
	if rec.Data, err = c.compress(rec.Data); err != nil {
		return err
	}
	return c.Inner.Save(ctx, id, rec)
}

// SaveClient implements ClientSideBackend over either kind of Inner.
func (c *Backend) SaveClient(ctx context.Context, id sessions.SessionID, rec sessions.Record) (sessions.SessionID, error) {
	var err error
	if rec.Data, err = c.compress(rec.Data); err != nil {
		return "", err
	}
	return sessions.SaveRecord(ctx, c.Inner, id, rec)
}

// Delete implements SessionBackend.
func (c *Backend) Delete(ctx context.Context, id sessions.SessionID) error {
	return c.Inner.Delete(ctx, id)
}

// Exists implements SessionBackend.
func (c *Backend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	_, found, err := c.Load(ctx, id)
	return found, err
}

// MaxData implements DataLimiter: Inner's limit less the header byte (for
// data that does not compress), or MaxDataSize.
func (c *Backend) MaxData() int {
	if l, ok := c.Inner.(sessions.DataLimiter); ok {
		return l.MaxData() - 1
	}
	return sessions.MaxDataSize
}

// CleanupExpired implements Cleaner when Inner does.
func (c *Backend) CleanupExpired(ctx context.Context) (int, error) {
	if cl, ok := c.Inner.(sessions.Cleaner); ok {
		return cl.CleanupExpired(ctx)
	}
	return 0, fmt.Errorf("compressed sessions: %T has no CleanupExpired: %w", c.Inner, errors.ErrUnsupported)
}

// Range implements Lister when Inner does, with the data decompressed.
func (c *Backend) Range(ctx context.Context, f func(string, sessions.Record) bool) error {
	l, ok := c.Inner.(sessions.Lister)
	if !ok {
		return fmt.Errorf("compressed sessions: %T has no Range: %w", c.Inner, errors.ErrUnsupported)
	}
	return l.Range(ctx, func(key string, rec sessions.Record) bool {
		data, err := decompress(rec.Data)
		if err != nil {
			return true
		}
		rec.Data = data
		return f(key, rec)
	})
}

// Import implements Importer when Inner does, compressing the data.
func (c *Backend) Import(ctx context.Context, key string, rec sessions.Record) error {
	im, ok := c.Inner.(sessions.Importer)
	if !ok {
		return fmt.Errorf("compressed sessions: %T has no Import: %w", c.Inner, errors.ErrUnsupported)
	}
	var err error
	if rec.Data, err = c.compress(rec.Data); err != nil {
		return err
	}
	return im.Import(ctx, key, rec)
}

var (
	_ sessions.ClientSideBackend = (*Backend)(nil)
	_ sessions.Cleaner           = (*Backend)(nil)
	_ sessions.Lister            = (*Backend)(nil)
	_ sessions.Importer          = (*Backend)(nil)
)

// Unwrap returns the wrapped backend, so wrappers that look for the kind
// of backend underneath (replication refuses cookie backends) see through
// compression.
func (c *Backend) Unwrap() sessions.SessionBackend { return c.Inner }
