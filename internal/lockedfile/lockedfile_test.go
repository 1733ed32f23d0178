package lockedfile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestReadWriteTransform(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := Write(path, strings.NewReader("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    func([]byte) ([]byte, error)
		want string
		err  bool
	}{
		{"grow", func(b []byte) ([]byte, error) { return append(bytes.Clone(b), " world"...), nil }, "hello world", false},
		{"shrink", func(b []byte) ([]byte, error) { return []byte("bye"), nil }, "bye", false},
		{"error keeps contents", func(b []byte) ([]byte, error) { return nil, errors.New("no") }, "bye", true},
		{"empty", func(b []byte) ([]byte, error) { return nil, nil }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Transform(path, tt.f)
			if (err != nil) != tt.err {
				t.Fatalf("Transform err = %v, want error %v", err, tt.err)
			}
			got, err := Read(path)
			if err != nil || string(got) != tt.want {
				t.Fatalf("Read = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTransformCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new")
	if err := Transform(path, func(b []byte) ([]byte, error) {
		if len(b) != 0 {
			t.Errorf("new file has %q", b)
		}
		return []byte("1"), nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "1" {
		t.Errorf("contents %q", got)
	}
}

func TestTryOpenFileConflicts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR} {
		if f, err := TryOpenFile(path, flag, 0); !errors.Is(err, ErrLocked) {
			if f != nil {
				f.Close()
			}
			t.Errorf("TryOpenFile(flag %d) while write-locked: err = %v, want ErrLocked", flag, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	r1, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := TryOpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	r2.Close()
	if f, err := TryOpenFile(path, os.O_RDWR, 0); !errors.Is(err, ErrLocked) {
		if f != nil {
			f.Close()
		}
		t.Errorf("writer while read-locked: err = %v, want ErrLocked", err)
	}
}

// TestMutexExcludes runs goroutines that increment a counter kept in a
// file; without the lock, increments would be lost.
func TestMutexExcludes(t *testing.T) {
	dir := t.TempDir()
	mu := MutexAt(filepath.Join(dir, "lock"))
	counter := filepath.Join(dir, "counter")
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				unlock, err := mu.Lock()
				if err != nil {
					t.Error(err)
					return
				}
				incrementFile(t, counter)
				unlock()
			}
		})
	}
	wg.Wait()
	if got, _ := os.ReadFile(counter); len(got) != workers*rounds {
		t.Errorf("counter = %d, want %d", len(got), workers*rounds)
	}
}

func incrementFile(t *testing.T, path string) {
	old, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(old, 'x'), 0o644); err != nil {
		t.Error(err)
	}
}

func TestMutexReadersShareWritersWait(t *testing.T) {
	mu := MutexAt(filepath.Join(t.TempDir(), "lock"))
	r1, err := mu.RLock()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := mu.RLockContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := mu.TryLock(); !errors.Is(err, ErrLocked) {
		if u != nil {
			u()
		}
		t.Fatalf("TryLock with readers: err = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := mu.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext with readers: err = %v, want deadline", err)
	}
	got := make(chan struct{})
	go func() {
		unlock, err := mu.Lock()
		if err != nil {
			t.Error(err)
		} else {
			unlock()
		}
		close(got)
	}()
	r1()
	select {
	case <-got:
		t.Fatal("writer got the lock while a reader held it")
	case <-time.After(20 * time.Millisecond):
	}
	r2()
	<-got
}

// The helper process takes the lock named by LOCKEDFILE_HELPER_LOCK, says
// "locked" on stdout and waits for its stdin to close (or to be killed).
func TestMain(m *testing.M) {
	if path := os.Getenv("LOCKEDFILE_HELPER_LOCK"); path != "" {
		unlock, err := MutexAt(path).Lock()
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(2)
		}
		os.Stdout.WriteString("locked\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestMutexAcrossProcesses: another process holding the lock excludes us,
// and its death (SIGKILL, no unlock) releases the lock.
func TestMutexAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCKEDFILE_HELPER_LOCK="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	mu := MutexAt(path)
	if u, err := mu.TryLock(); !errors.Is(err, ErrLocked) {
		if u != nil {
			u()
		}
		t.Fatalf("TryLock while the helper holds the lock: err = %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	unlock, err := mu.TryLock()
	if err != nil {
		t.Fatalf("TryLock after the helper died: %v", err)
	}
	unlock()
}

// TestFileLocks exercises the descriptor-level functions: two opens of one
// file conflict, and LockContext gives up when its context ends.
func TestFileLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(), open()
	if err := RLock(a); err != nil {
		t.Fatal(err)
	}
	if err := TryRLock(b); err != nil {
		t.Fatalf("second shared lock: %v", err)
	}
	if err := Unlock(b); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryLock against a shared lock: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := LockContext(ctx, b, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext: %v", err)
	}
	if err := Unlock(a); err != nil {
		t.Fatal(err)
	}
	if err := LockContext(context.Background(), b, false); err != nil {
		t.Fatal(err)
	}
	if err := TryRLock(a); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryRLock against an exclusive lock: %v", err)
	}
	if err := Lock(b); err != nil { // converting one's own lock never waits
		t.Fatal(err)
	}
}
