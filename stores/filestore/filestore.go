package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
)

// DefaultDir is the directory NewFileSessionBackend uses when given "":
// the reference's default. A directory of the application's own (not under
// a shared /tmp, where another user may have made it first, which New
// refuses) is better: pass one explicitly.
const DefaultDir = "/tmp/reinhardt_sessions"

// MaxData is the largest Record.Data a FileSessionBackend stores:
// sessions.MaxDataSize with 64 KiB to spare for the headers of wrappers
// (compression's marker). A larger save fails with sessions.ErrTooLarge.
const MaxData = sessions.MaxDataSize + 64<<10

// maxKey is the longest storage key kept (Import may be given any).
const maxKey = 1<<16 - 1

// MaxFileSize bounds what a read takes from a session file: a larger file
// is not a session this backend wrote, and reads as absent without being
// read.
const MaxFileSize = headerSize + maxKey + MaxData + trailerSize

// File format: magic, version, expiry (Unix ms), key length, key, data
// length, data, CRC-32C of everything before it. All integers big-endian.
const (
	magic       = "RSS1"
	headerSize  = len(magic) + 8 + 8 + 2
	trailerSize = 4 + 4 // data length, CRC
	// Session files are named sessPrefix+storage key when the key is
	// lower-case hex (every key without a namespace), else
	// hashPrefix+hex(SHA-256(key)); the file holds the key either way.
	sessPrefix = "s_"
	hashPrefix = "h_"
	tmpPrefix  = ".tmp-"
	lockPrefix = ".lock-"
	// staleTemp is the age past which CleanupExpired removes a temporary
	// file that a crashed writer left behind.
	staleTemp = time.Hour
	// stripes is how many lock files a directory has: a session's file is
	// locked through the stripe its name hashes to.
	stripes = 64
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// FileSessionBackend keeps sessions as files in a directory, the
// reference's FileSessionBackend: one file per session, named from
// sessions.StorageKey (a hash, never the key the client holds), holding
// the storage key, the data, the expiry and the version, with a CRC-32C.
//
// Writes are atomic and durable: the new content goes to a temporary file
// in the same directory, which is fsynced and renamed over the session's
// file, and then the directory is fsynced; deletes fsync the directory
// too, so a logout survives a crash. Readers never see a partly written
// file and take no lock. Every write (Save, Import, Delete, the removal of
// an expired file) holds an exclusive flock(2) on the session's lock file
// (one of 64 ".lock-NN" files in the directory) while it compares versions
// and renames, so processes sharing the directory — several workers of one
// application on one machine — never both win a version or bring back a
// deleted session. Lock waits honour the context.
//
// Expired files are removed when a Load finds them and by CleanupExpired
// (sessions.Cleaner; Django's clearsessions). A file larger than
// MaxFileSize, or not in this format, reads as absent.
//
// flock is advisory and local: the directory must be on a local file
// system (not NFS) shared only by processes using this backend. The
// backend runs on Linux, the BSDs and macOS; elsewhere
// NewFileSessionBackend fails with errors.ErrUnsupported. It is safe for
// concurrent use.
type FileSessionBackend struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	dir    string
	dirFD  *os.File // for fsync of the directory
	locks  [stripes]stripeLock
	closed sync.Once
}

type stripeLock struct {
	sem  chan struct{} // one holder in the process at a time
	mu   sync.Mutex    // guards f
	f    *os.File      // the lock file, opened on first use
	path string
}

// NewFileSessionBackend returns a backend over dir, creating it (mode
// 0700) if needed; "" means DefaultDir. It refuses a directory owned by
// another user or writable by group or others, where someone else could
// plant or replace session files.
func NewFileSessionBackend(dir string) (*FileSessionBackend, error) {
	if !supported {
		return nil, fmt.Errorf("filestore: file locks are not implemented on this platform: %w", errors.ErrUnsupported)
	}
	if dir == "" {
		dir = DefaultDir
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, sessions.StoreError("filestore: create directory", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, sessions.StoreError("filestore: directory", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("filestore: %s is not a directory", dir)
	}
	if err := checkOwner(dir, fi); err != nil {
		return nil, err
	}
	d, err := os.Open(dir)
	if err != nil {
		return nil, sessions.StoreError("filestore: open directory", err)
	}
	b := &FileSessionBackend{dir: dir, dirFD: d}
	for i := range b.locks {
		b.locks[i].sem = make(chan struct{}, 1)
		b.locks[i].path = filepath.Join(dir, fmt.Sprintf("%s%02x", lockPrefix, i))
	}
	return b, nil
}

// Dir returns the directory the backend keeps its files in.
func (b *FileSessionBackend) Dir() string { return b.dir }

// Close releases the backend's file descriptors (the directory and the
// lock files). Call it after the last use; it always returns nil.
func (b *FileSessionBackend) Close() error {
	b.closed.Do(func() {
		for i := range b.locks {
			l := &b.locks[i]
			l.sem <- struct{}{}
			l.mu.Lock()
			if l.f != nil {
				l.f.Close()
				l.f = nil
			}
			l.mu.Unlock()
			<-l.sem
		}
		b.dirFD.Close()
	})
	return nil
}

func (b *FileSessionBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// fileName is the name of the file of storage key key.
func fileName(key string) string {
	if len(key) > 0 && len(key) <= 128 && isLowerHex(key) {
		return sessPrefix + key
	}
	sum := sha256.Sum256([]byte(key))
	return hashPrefix + hex.EncodeToString(sum[:])
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isSessionFile(name string) bool {
	return strings.HasPrefix(name, sessPrefix) || strings.HasPrefix(name, hashPrefix)
}

func stripeOf(name string) int {
	h := fnv.New32a()
	_, _ = io.WriteString(h, name)
	return int(h.Sum32() % stripes)
}

// fileRecord is a decoded session file.
type fileRecord struct {
	key string
	rec sessions.Record
}

func encode(key string, rec sessions.Record) []byte {
	n := headerSize + len(key) + len(rec.Data) + trailerSize
	out := make([]byte, 0, n)
	out = append(out, magic...)
	out = binary.BigEndian.AppendUint64(out, rec.Version)
	out = binary.BigEndian.AppendUint64(out, uint64(rec.Expiry.UnixMilli()))
	out = binary.BigEndian.AppendUint16(out, uint16(len(key)))
	out = append(out, key...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(rec.Data)))
	out = append(out, rec.Data...)
	return binary.BigEndian.AppendUint32(out, crc32.Checksum(out, crcTable))
}

func decode(b []byte) (fileRecord, bool) {
	if len(b) < headerSize+trailerSize || string(b[:len(magic)]) != magic {
		return fileRecord{}, false
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return fileRecord{}, false
	}
	p := len(magic)
	version := binary.BigEndian.Uint64(body[p:])
	expiry := int64(binary.BigEndian.Uint64(body[p+8:]))
	klen := int(binary.BigEndian.Uint16(body[p+16:]))
	p += 18
	if len(body) < p+klen+4 {
		return fileRecord{}, false
	}
	key := string(body[p : p+klen])
	p += klen
	dlen := int(binary.BigEndian.Uint32(body[p:]))
	p += 4
	if len(body)-p != dlen || dlen > MaxData {
		return fileRecord{}, false
	}
	data := body[p:]
	if len(data) == 0 {
		data = []byte{}
	}
	return fileRecord{key: key, rec: sessions.Record{Data: data, Expiry: time.UnixMilli(expiry), Version: version}}, true
}

// read returns the decoded file name, found=false when it does not exist,
// is too large or is not a session file.
func (b *FileSessionBackend) read(name string) (fileRecord, bool, error) {
	f, err := os.Open(filepath.Join(b.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return fileRecord{}, false, nil
	}
	if err != nil {
		return fileRecord{}, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fileRecord{}, false, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > int64(MaxFileSize) {
		return fileRecord{}, false, nil
	}
	buf := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fileRecord{}, false, nil // replaced meanwhile: not ours to read
		}
		return fileRecord{}, false, err
	}
	fr, ok := decode(buf)
	return fr, ok, nil
}

// lookup reads the live record of key: found=false when it is absent,
// expired (expired=true then), or its file holds another key.
func (b *FileSessionBackend) lookup(name, key string, now time.Time) (rec sessions.Record, found, expired bool, err error) {
	fr, ok, err := b.read(name)
	if err != nil || !ok || fr.key != key {
		return sessions.Record{}, false, false, err
	}
	if !fr.rec.Expiry.After(now) {
		return sessions.Record{}, false, true, nil
	}
	return fr.rec, true, false, nil
}

// lock takes the exclusive lock of name's stripe, in the process and
// across processes, waiting as long as ctx allows.
func (b *FileSessionBackend) lock(ctx context.Context, name string) (func(), error) {
	l := &b.locks[stripeOf(name)]
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	l.mu.Lock()
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			l.mu.Unlock()
			<-l.sem
			return nil, err
		}
		l.f = f
	}
	f := l.f
	l.mu.Unlock()
	if err := flockWait(ctx, f); err != nil {
		<-l.sem
		return nil, err
	}
	return func() {
		_ = funlock(f)
		<-l.sem
	}, nil
}

// flockWait takes an exclusive flock on f, polling so that ctx is
// honoured while another process holds it.
func flockWait(ctx context.Context, f *os.File) error {
	wait := 100 * time.Microsecond
	for {
		ok, err := tryLock(f)
		if err != nil || ok {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 10*time.Millisecond)
	}
}

// write replaces name with content: a temporary file in the directory,
// fsynced, renamed over name, and the directory fsynced.
func (b *FileSessionBackend) write(name string, content []byte) error {
	tmp, err := os.CreateTemp(b.dir, tmpPrefix)
	if err != nil {
		return err
	}
	_, err = tmp.Write(content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(b.dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return b.dirFD.Sync()
}

// remove deletes name (absent is fine) and fsyncs the directory.
func (b *FileSessionBackend) remove(name string) error {
	err := os.Remove(filepath.Join(b.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return b.dirFD.Sync()
}

// Load implements sessions.SessionBackend. An expired file it meets is
// removed.
func (b *FileSessionBackend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if err := sessions.CheckContext(ctx, "file sessions: load"); err != nil {
		return sessions.Record{}, false, err
	}
	key := sessions.StorageKey(ctx, id)
	name := fileName(key)
	rec, found, expired, err := b.lookup(name, key, b.now())
	if err != nil {
		return sessions.Record{}, false, sessions.StoreError("file sessions: load", err)
	}
	if expired {
		// Best effort: a failure here does not fail the request, and
		// CleanupExpired removes what is left.
		_, _ = b.removeExpired(ctx, name, key)
	}
	return rec, found, nil
}

// removeExpired removes name under its lock if it still holds key's
// expired record (a writer may have replaced it since it was read).
func (b *FileSessionBackend) removeExpired(ctx context.Context, name, key string) (bool, error) {
	unlock, err := b.lock(ctx, name)
	if err != nil {
		return false, err
	}
	defer unlock()
	fr, ok, err := b.read(name)
	if err != nil || !ok || fr.key != key || fr.rec.Expiry.After(b.now()) {
		return false, err
	}
	return true, b.remove(name)
}

// Save implements sessions.SessionBackend.
func (b *FileSessionBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	return b.save(ctx, "file sessions: save", sessions.StorageKey(ctx, id), rec)
}

// Import implements sessions.Importer: Save under a storage key another
// backend produced.
func (b *FileSessionBackend) Import(ctx context.Context, storageKey string, rec sessions.Record) error {
	return b.save(ctx, "file sessions: import", storageKey, rec)
}

func (b *FileSessionBackend) save(ctx context.Context, what, key string, rec sessions.Record) error {
	if err := sessions.CheckContext(ctx, what); err != nil {
		return err
	}
	if len(rec.Data) > MaxData {
		return fmt.Errorf("%s: a %d-byte session is over the %d-byte limit: %w", what, len(rec.Data), MaxData, sessions.ErrTooLarge)
	}
	if len(key) > maxKey {
		return fmt.Errorf("%s: a storage key of %d bytes is over the %d-byte limit: %w", what, len(key), maxKey, sessions.ErrTooLarge)
	}
	name := fileName(key)
	unlock, err := b.lock(ctx, name)
	if err != nil {
		return sessions.StoreError(what, err)
	}
	defer unlock()
	now := b.now()
	cur, found, expired, err := b.lookup(name, key, now)
	if err != nil {
		return sessions.StoreError(what, err)
	}
	var have uint64
	if found {
		have = cur.Version
	}
	if have != rec.Version {
		return sessions.ConflictError(what)
	}
	if !rec.Expiry.After(now) {
		if found || expired {
			if err := b.remove(name); err != nil {
				return sessions.StoreError(what, err)
			}
		}
		return nil
	}
	rec.Version++
	if err := b.write(name, encode(key, rec)); err != nil {
		return sessions.StoreError(what, err)
	}
	return nil
}

// Delete implements sessions.SessionBackend. It takes the session's lock,
// so that a save still running cannot bring the session back.
func (b *FileSessionBackend) Delete(ctx context.Context, id sessions.SessionID) error {
	if err := sessions.CheckContext(ctx, "file sessions: delete"); err != nil {
		return err
	}
	name := fileName(sessions.StorageKey(ctx, id))
	unlock, err := b.lock(ctx, name)
	if err != nil {
		return sessions.StoreError("file sessions: delete", err)
	}
	defer unlock()
	if err := b.remove(name); err != nil {
		return sessions.StoreError("file sessions: delete", err)
	}
	return nil
}

// Exists implements sessions.SessionBackend.
func (b *FileSessionBackend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	_, found, err := b.Load(ctx, id)
	return found, err
}

// eachFile calls f with the name of every session file of the directory,
// reading the directory in batches, until f returns false or an error.
func (b *FileSessionBackend) eachFile(ctx context.Context, what string, f func(name string, info func() (fs.FileInfo, error)) (bool, error)) error {
	d, err := os.Open(b.dir)
	if err != nil {
		return sessions.StoreError(what, err)
	}
	defer d.Close()
	for {
		entries, err := d.ReadDir(1024)
		for _, e := range entries {
			if cerr := ctx.Err(); cerr != nil {
				return sessions.StoreError(what, cerr)
			}
			more, ferr := f(e.Name(), e.Info)
			if ferr != nil {
				return sessions.StoreError(what, ferr)
			}
			if !more {
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return sessions.StoreError(what, err)
		}
	}
}

// CleanupExpired implements sessions.Cleaner: it removes every expired
// session file and returns how many, and removes temporary files older
// than an hour (left by a writer that crashed).
func (b *FileSessionBackend) CleanupExpired(ctx context.Context) (int, error) {
	if err := sessions.CheckContext(ctx, "file sessions: cleanup"); err != nil {
		return 0, err
	}
	n := 0
	err := b.eachFile(ctx, "file sessions: cleanup", func(name string, info func() (fs.FileInfo, error)) (bool, error) {
		if strings.HasPrefix(name, tmpPrefix) {
			if fi, err := info(); err == nil && b.now().Sub(fi.ModTime()) > staleTemp {
				_ = os.Remove(filepath.Join(b.dir, name))
			}
			return true, nil
		}
		if !isSessionFile(name) {
			return true, nil
		}
		fr, ok, err := b.read(name)
		if err != nil || !ok || fr.rec.Expiry.After(b.now()) {
			return true, err
		}
		removed, err := b.removeExpired(ctx, name, fr.key)
		if removed {
			n++
		}
		return true, err
	})
	return n, err
}

// Range implements sessions.Lister: it calls f for every live session
// whose storage key starts with sessions.Namespace(ctx), reading every
// session file of the directory. f must not call the backend.
func (b *FileSessionBackend) Range(ctx context.Context, f func(storageKey string, rec sessions.Record) bool) error {
	if err := sessions.CheckContext(ctx, "file sessions: range"); err != nil {
		return err
	}
	ns := sessions.Namespace(ctx)
	return b.eachFile(ctx, "file sessions: range", func(name string, _ func() (fs.FileInfo, error)) (bool, error) {
		if !isSessionFile(name) || (strings.HasPrefix(name, sessPrefix) && !strings.HasPrefix(name[len(sessPrefix):], ns)) {
			return true, nil
		}
		fr, ok, err := b.read(name)
		if err != nil || !ok || !strings.HasPrefix(fr.key, ns) || fileName(fr.key) != name || !fr.rec.Expiry.After(b.now()) {
			return true, err
		}
		return f(fr.key, fr.rec), nil
	})
}

var (
	_ sessions.SessionBackend = (*FileSessionBackend)(nil)
	_ sessions.Cleaner        = (*FileSessionBackend)(nil)
	_ sessions.Lister         = (*FileSessionBackend)(nil)
	_ sessions.Importer       = (*FileSessionBackend)(nil)
)
