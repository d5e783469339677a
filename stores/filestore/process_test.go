package filestore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"go.uber.org/goleak"
)

// The test binary re-executes itself as a second process sharing a
// directory with the test: FILESTORE_CHILD names what the child does.
const (
	childEnv = "FILESTORE_CHILD"
	dirEnv   = "FILESTORE_DIR"
	idEnv    = "FILESTORE_ID"
	tagEnv   = "FILESTORE_TAG"
)

// childWriters is how many goroutines each process runs in
// TestCrossProcessWriters.
const childWriters = 25

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		goleak.VerifyTestMain(m)
	case "hold":
		os.Exit(childHold())
	case "write":
		os.Exit(childWrite())
	}
	fmt.Fprintln(os.Stderr, "unknown", childEnv)
	os.Exit(2)
}

// childHold takes the lock of FILESTORE_ID's session, says "locked" on
// stdout and keeps it until stdin closes.
func childHold() int {
	b, err := NewFileSessionBackend(os.Getenv(dirEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	name := fileName(sessions.StorageKey(context.Background(), sessions.SessionID(os.Getenv(idEnv))))
	unlock, err := b.lock(context.Background(), name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	unlock()
	return 0
}

// childWrite runs childWriters read-modify-write loops on FILESTORE_ID,
// each appending its marker once.
func childWrite() int {
	b, err := NewFileSessionBackend(os.Getenv(dirEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := writers(b, sessions.SessionID(os.Getenv(idEnv)), os.Getenv(tagEnv)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func marker(tag string, i int) string { return fmt.Sprintf("<%s%02d>", tag, i) }

func writers(b *FileSessionBackend, id sessions.SessionID, tag string) error {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, childWriters)
	for i := range childWriters {
		wg.Go(func() {
			for {
				r, found, err := b.Load(ctx, id)
				if err != nil || !found {
					errs <- fmt.Errorf("Load = %v, %v", found, err)
					return
				}
				data := append(bytes.Clone(r.Data), marker(tag, i)...)
				err = b.Save(ctx, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour), Version: r.Version})
				if err == nil {
					return
				}
				if !errors.Is(err, sessions.ErrConflict) {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func child(t *testing.T, mode, dir string, id sessions.SessionID, tag string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+mode, dirEnv+"="+dir, idEnv+"="+string(id), tagEnv+"="+tag)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestCrossProcessLock: while another process holds a session's lock, a
// save or delete here waits, failing with core.ErrStoreUnavailable when
// its context ends; reads go on; once the other process lets go, the save
// goes through.
func TestCrossProcessLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := NewFileSessionBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("v1"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "hold", dir, id, "")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("child said %q, %v", line, err)
	}

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = b.Save(short, id, sessions.Record{Data: []byte("v2"), Expiry: time.Now().Add(time.Hour), Version: 1})
	if !errors.Is(err, core.ErrStoreUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Save while another process holds the lock = %v; want ErrStoreUnavailable and DeadlineExceeded", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("Save gave up after %v; want about the context's 200ms", d)
	}
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if err := b.Delete(short2, id); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Delete while another process holds the lock = %v", err)
	}
	if r, found, err := b.Load(ctx, id); err != nil || !found || string(r.Data) != "v1" {
		t.Errorf("Load while locked = %q %v %v", r.Data, found, err)
	}

	// Let go: a save waiting for the lock goes through.
	done := make(chan error, 1)
	go func() {
		done <- b.Save(ctx, id, sessions.Record{Data: []byte("v2"), Expiry: time.Now().Add(time.Hour), Version: 1})
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Save returned while the lock was held: %v", err)
	default:
	}
	stdin.Close()
	if err := <-done; err != nil {
		t.Fatalf("Save after the other process let go: %v", err)
	}
	if r, _, _ := b.Load(ctx, id); string(r.Data) != "v2" || r.Version != 2 {
		t.Errorf("after the save: %q version %d", r.Data, r.Version)
	}
}

// TestCrossProcessWriters: this process and two others each run
// childWriters read-modify-write loops on one session in one directory;
// every write lands exactly once.
func TestCrossProcessWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := NewFileSessionBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte{}, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tags := []string{"a", "b"}
	var cmds []*exec.Cmd
	for _, tag := range tags {
		cmd := child(t, "write", dir, id, tag)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	if err := writers(b, id, "p"); err != nil {
		t.Error(err)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child: %v", err)
		}
	}
	final, found, err := b.Load(ctx, id)
	if err != nil || !found {
		t.Fatal(found, err)
	}
	total := childWriters * (len(tags) + 1)
	if final.Version != uint64(total+1) {
		t.Errorf("final version %d; want %d", final.Version, total+1)
	}
	for _, tag := range append(tags, "p") {
		for i := range childWriters {
			if n := bytes.Count(final.Data, []byte(marker(tag, i))); n != 1 {
				t.Errorf("%s is there %d times", marker(tag, i), n)
			}
		}
	}
	t.Logf("%d writes from 3 processes, final size %s bytes", total, strconv.Itoa(len(final.Data)))
}

// TestLockSameProcess: two backends of one process on one directory
// exclude each other too (flock is per open file, and each backend opens
// its own).
func TestLockSameProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := NewFileSessionBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewFileSessionBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	id := sessions.GenerateKey()
	name := fileName(sessions.StorageKey(ctx, id))
	unlock, err := a.lock(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := b.Save(short, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Save while the other backend holds the lock = %v", err)
	}
	// The same backend's own goroutines wait for each other as well.
	short3, cancel3 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel3()
	if err := a.Save(short3, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Save while another goroutine of the backend holds the lock = %v", err)
	}
	unlock()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Errorf("Save after unlock: %v", err)
	}
}
