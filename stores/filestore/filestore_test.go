package filestore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/registry"
	"github.com/reinhardt-go/auth/stores/filestore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

func open(t testing.TB, dir string) *filestore.FileSessionBackend {
	t.Helper()
	b, err := filestore.NewFileSessionBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestConformance(t *testing.T) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		return open(t, t.TempDir())
	})
}

// TestCompressedConformance: the compression wrapper over files, every
// record compressed (the suite's 1 MiB record then grows by a byte, which
// MaxData allows).
func TestCompressedConformance(t *testing.T) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		w := compress.New(open(t, t.TempDir()), compress.Gzip)
		w.Threshold = 0
		return w
	})
}

func rec(data string, version uint64) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour), Version: version}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".lock-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestLayout: one file per session named from the storage key, mode
// 0600, in a 0700 directory; the session key itself is nowhere; no
// temporary file is left behind; namespaced keys are hashed into the name.
func TestLayout(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a", "sessions")
	b := open(t, dir)
	if b.Dir() != dir {
		t.Errorf("Dir = %q; want %q", b.Dir(), dir)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, rec("hello", 0)); err != nil {
		t.Fatal(err)
	}
	nctx := sessions.WithNamespace(ctx, "tenant:Ü/../x:session:")
	nid := sessions.GenerateKey()
	if err := b.Save(nctx, nid, rec("namespaced", 0)); err != nil {
		t.Fatal(err)
	}
	names := files(t, dir)
	if len(names) != 2 {
		t.Fatalf("files %q; want two", names)
	}
	want := "s_" + sessions.StorageKey(ctx, id)
	var hashed string
	for _, n := range names {
		switch {
		case n == want:
		case strings.HasPrefix(n, "h_") && len(n) == 66:
			hashed = n
		default:
			t.Errorf("unexpected file %q", n)
		}
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", n, fi.Mode().Perm(), err)
		}
		content, _ := os.ReadFile(filepath.Join(dir, n))
		if bytes.Contains(content, []byte(id)) || bytes.Contains(content, []byte(nid)) || strings.Contains(n, string(id)) {
			t.Errorf("%s holds a session key", n)
		}
	}
	if hashed == "" {
		t.Error("no hashed file for the namespaced session")
	}
	if r, found, err := b.Load(nctx, nid); err != nil || !found || string(r.Data) != "namespaced" {
		t.Errorf("namespaced Load = %q %v %v", r.Data, found, err)
	}
}

// TestDirectoryRefused: a directory others may write to, or a file in the
// directory's place, is refused.
func TestDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := filestore.NewFileSessionBackend(dir); err == nil || !strings.Contains(err.Error(), "writable") {
		t.Errorf("a 0777 directory: %v; want a refusal", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := filestore.NewFileSessionBackend(dir); err != nil {
		t.Errorf("a 0755 directory of ours: %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := filestore.NewFileSessionBackend(file); err == nil {
		t.Error("a file as the directory was accepted")
	}
	if os.Geteuid() == 0 {
		other := t.TempDir()
		if err := os.Chown(other, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		if _, err := filestore.NewFileSessionBackend(other); err == nil || !strings.Contains(err.Error(), "belongs to user") {
			t.Errorf("a directory of another user: %v; want a refusal", err)
		}
	}
}

// TestCorruptFiles: files that are not sessions of this backend (cut
// short, a byte changed, too large, another key's) read as absent, never
// as errors, and a new session may replace them.
func TestCorruptFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := open(t, dir)
	for _, tc := range []struct {
		name  string
		spoil func(path string) error
	}{
		{"truncated", func(p string) error { return os.Truncate(p, 20) }},
		{"empty", func(p string) error { return os.Truncate(p, 0) }},
		{"flipped", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[len(b)/2] ^= 1
			return os.WriteFile(p, b, 0o600)
		}},
		{"huge", func(p string) error { return os.Truncate(p, int64(filestore.MaxFileSize)+1) }},
		{"garbage", func(p string) error { return os.WriteFile(p, []byte("not a session"), 0o600) }},
		{"another key's", func(p string) error {
			other := filepath.Join(dir, "s_"+sessions.StorageKey(ctx, "other"))
			return os.Rename(other, p)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := sessions.GenerateKey()
			if err := b.Save(ctx, id, rec("data", 0)); err != nil {
				t.Fatal(err)
			}
			if err := b.Save(ctx, "other", rec("other", 0)); err != nil && !errors.Is(err, sessions.ErrConflict) {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "s_"+sessions.StorageKey(ctx, id))
			if err := tc.spoil(path); err != nil {
				t.Fatal(err)
			}
			if r, found, err := b.Load(ctx, id); err != nil || found || r.Data != nil {
				t.Errorf("Load = %v, %v; want (false, nil)", found, err)
			}
			if err := b.Save(ctx, id, rec("again", 0)); err != nil {
				t.Errorf("a new session over the spoiled file: %v", err)
			}
			if r, found, err := b.Load(ctx, id); err != nil || !found || string(r.Data) != "again" || r.Version != 1 {
				t.Errorf("after the new save: %q %v %v", r.Data, found, err)
			}
		})
	}
}

// TestExpiredRemoved: an expired file is removed when Load meets it, and
// by CleanupExpired, which also removes stale temporary files.
func TestExpiredRemoved(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := open(t, dir)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	b.Now = func() time.Time { return time.Unix(0, now.Load()) }
	short := sessions.Record{Data: []byte("x"), Expiry: b.Now().Add(time.Minute)}
	a, c := sessions.GenerateKey(), sessions.GenerateKey()
	for _, id := range []sessions.SessionID{a, c} {
		if err := b.Save(ctx, id, short); err != nil {
			t.Fatal(err)
		}
	}
	live := sessions.GenerateKey()
	if err := b.Save(ctx, live, sessions.Record{Data: []byte("y"), Expiry: b.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".tmp-crashed")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, ".tmp-writing")
	if err := os.WriteFile(fresh, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	now.Add(int64(2 * time.Minute))
	if _, found, err := b.Load(ctx, a); found || err != nil {
		t.Fatalf("expired Load = %v, %v", found, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "s_"+sessions.StorageKey(ctx, a))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load left the expired file: %v", err)
	}
	n, err := b.CleanupExpired(ctx)
	if err != nil || n != 1 {
		t.Errorf("CleanupExpired = %d, %v; want 1", n, err)
	}
	got := files(t, dir)
	want := []string{".tmp-writing", "s_" + sessions.StorageKey(ctx, live)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after cleanup: %q; want %q", got, want)
	}
	_ = c
}

// TestTwoBackendsOneDir: two backends on one directory (two workers of an
// application) are one store: 100 writers split between them lose
// nothing, and a delete through one is seen by the other.
func TestTwoBackendsOneDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bs := []*filestore.FileSessionBackend{open(t, dir), open(t, dir)}
	id := sessions.GenerateKey()
	if err := bs[0].Save(ctx, id, rec("", 0)); err != nil {
		t.Fatal(err)
	}
	const writers = 100
	var wg sync.WaitGroup
	var conflicts atomic.Int64
	for i := range writers {
		wg.Go(func() {
			b := bs[i%2]
			for {
				r, found, err := b.Load(ctx, id)
				if err != nil || !found {
					t.Errorf("writer %d: Load = %v, %v", i, found, err)
					return
				}
				data := fmt.Appendf(bytes.Clone(r.Data), "<%03d>", i)
				err = b.Save(ctx, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour), Version: r.Version})
				if err == nil {
					return
				}
				if !errors.Is(err, sessions.ErrConflict) {
					t.Errorf("writer %d: %v", i, err)
					return
				}
				conflicts.Add(1)
			}
		})
	}
	wg.Wait()
	final, found, err := bs[1].Load(ctx, id)
	if err != nil || !found || final.Version != writers+1 {
		t.Fatalf("final = version %d, %v, %v; want version %d", final.Version, found, err, writers+1)
	}
	for i := range writers {
		if n := bytes.Count(final.Data, fmt.Appendf(nil, "<%03d>", i)); n != 1 {
			t.Errorf("writer %d's write is there %d times", i, n)
		}
	}
	t.Logf("%d conflicts", conflicts.Load())
	if err := bs[0].Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if ok, err := bs[1].Exists(ctx, id); ok || err != nil {
		t.Errorf("the other backend still sees a deleted session: %v, %v", ok, err)
	}
	if err := bs[1].Save(ctx, id, sessions.Record{Data: []byte("back"), Expiry: time.Now().Add(time.Hour), Version: final.Version}); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("a save through the other backend after Delete = %v; want ErrConflict", err)
	}
}

// TestFailsClosed: when the directory cannot be used (here a file took
// its place), every call fails with an error wrapping
// core.ErrStoreUnavailable.
func TestFailsClosed(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "s")
	b := open(t, dir)
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, rec("x", 0)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, dir+".gone"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s = %v; want an error wrapping core.ErrStoreUnavailable", what, err)
		}
	}
	_, found, err := b.Load(ctx, id)
	check("Load", err)
	if found {
		t.Error("Load found the session")
	}
	_, err = b.Exists(ctx, id)
	check("Exists", err)
	check("Save", b.Save(ctx, sessions.GenerateKey(), rec("y", 0)))
	check("Delete", b.Delete(ctx, id))
	_, err = b.CleanupExpired(ctx)
	check("CleanupExpired", err)
	check("Range", b.Range(ctx, func(string, sessions.Record) bool { return true }))
}

// TestSessionFactory: the backend opened by spec through a
// registry.Registry.
func TestSessionFactory(t *testing.T) {
	ctx := context.Background()
	reg := registry.New()
	reg.Register("file", filestore.SessionFactory)
	dir := t.TempDir()
	for _, spec := range []string{"file:" + dir + "/a", "file://" + dir + "/b", "FILE:" + dir + "/c"} {
		b, err := reg.Open(ctx, spec)
		if err != nil {
			t.Errorf("Open(%q): %v", spec, err)
			continue
		}
		fb, ok := b.(*filestore.FileSessionBackend)
		if !ok || !strings.HasPrefix(fb.Dir(), dir) {
			t.Errorf("Open(%q) = %T in %q", spec, b, fb.Dir())
		}
		_ = fb.Close()
	}
	if _, err := reg.Open(ctx, "file://host/x"); err == nil {
		t.Error("a file URL with a host was accepted")
	}
}
