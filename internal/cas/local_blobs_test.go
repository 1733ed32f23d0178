package cas

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/digest"
)

func TestPutGet(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"small", []byte("hello, world\n")},
		{"buffer size", pattern(128 << 10)},
		{"large", pattern(300<<10 + 7)},
	}
	puts := []struct {
		name string
		put  func(data []byte) (digest.Digest, error)
	}{
		{"PutBlob", func(data []byte) (digest.Digest, error) { return l.PutBlob(ctx, data) }},
		{"Put", func(data []byte) (digest.Digest, error) { return l.Put(ctx, bytes.NewReader(data)) }},
		{"PutFile", func(data []byte) (digest.Digest, error) {
			path := filepath.Join(dir, "f")
			os.Remove(path)
			must(t, os.WriteFile(path, data, 0o644))
			return l.PutFile(ctx, path)
		}},
	}
	for _, tt := range tests {
		for _, p := range puts {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				want := digest.NewFromBlob(tt.data)
				d, err := p.put(tt.data)
				if err != nil || d != want {
					t.Fatalf("%s = %v, %v; want %v", p.name, d, err, want)
				}
				got, err := l.Get(ctx, d)
				if err != nil || !bytes.Equal(got, tt.data) {
					t.Fatalf("Get = %d bytes, %v", len(got), err)
				}
				r, err := l.Open(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				got, err = io.ReadAll(r)
				r.Close()
				if err != nil || !bytes.Equal(got, tt.data) {
					t.Fatalf("Open: %d bytes, %v", len(got), err)
				}
				if ok, err := l.Has(ctx, d); !ok || err != nil {
					t.Fatalf("Has = %v, %v", ok, err)
				}
				info, err := os.Stat(l.objectPath(d))
				if err != nil || info.Mode().Perm() != 0o444 {
					t.Fatalf("object mode %v, %v; want read-only", info.Mode(), err)
				}
			})
		}
	}
	checkConsistent(t, l)
	if entries, _ := os.ReadDir(l.tmpPath()); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestFindMissing(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	a, _ := l.PutBlob(ctx, []byte("a"))
	b := digest.NewFromBlob([]byte("b"))
	c := digest.NewFromBlob([]byte("c"))
	got, err := l.FindMissing(ctx, []digest.Digest{c, a, b, c, a})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != c || got[1] != b {
		t.Errorf("FindMissing = %v, want [c b]", got)
	}
	if _, err := l.Get(ctx, b); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get(missing) = %v, want ErrNotExist", err)
	}
	_, err = l.Get(ctx, b)
	wantReason(t, err, BlobNotFound)
	_, err = l.Open(ctx, b)
	wantReason(t, err, BlobNotFound)
}

// corruptObject replaces an object's content behind the store's back.
func corruptObject(t *testing.T, l *Local, d digest.Digest, content []byte) {
	t.Helper()
	path := l.objectPath(d)
	must(t, os.Chmod(path, 0o644))
	must(t, os.WriteFile(path, content, 0o444))
}

func TestCorruptBlobIsRemoved(t *testing.T) {
	ctx := context.Background()
	data := []byte("the real content")
	tests := []struct {
		name    string
		content []byte
		read    func(l *Local, d digest.Digest) error
	}{
		{"Get same size", []byte("the fake content"), func(l *Local, d digest.Digest) error { _, err := l.Get(ctx, d); return err }},
		{"Get truncated", []byte("the real"), func(l *Local, d digest.Digest) error { _, err := l.Get(ctx, d); return err }},
		{"Get longer", []byte("the real content and more"), func(l *Local, d digest.Digest) error { _, err := l.Get(ctx, d); return err }},
		{"Open", []byte("the fake content"), func(l *Local, d digest.Digest) error {
			r, err := l.Open(ctx, d)
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.ReadAll(r)
			return err
		}},
		{"Checkout copy", []byte("the fake content"), func(l *Local, d digest.Digest) error {
			root, err := l.PutDirectory(ctx, dirOf(fileNode("f", d, false)))
			if err != nil {
				return err
			}
			return l.Checkout(ctx, root, filepath.Join(t.TempDir(), "out"), CheckoutOptions{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLocal(t, t.TempDir(), LocalOptions{})
			d, err := l.PutBlob(ctx, data)
			must(t, err)
			if tt.name == "Checkout copy" {
				// Register the directory before the damage.
				_, err := l.PutDirectory(ctx, dirOf(fileNode("f", d, false)))
				must(t, err)
			}
			corruptObject(t, l, d, tt.content)
			wantReason(t, tt.read(l, d), BlobCorrupt)
			if ok, _ := exists(l.objectPath(d)); ok {
				t.Fatal("corrupt object still in place")
			}
			if ok, _ := l.Has(ctx, d); ok {
				t.Fatal("Has reports the corrupt blob")
			}
			// Storing it again repairs the store.
			if _, err := l.PutBlob(ctx, data); err != nil {
				t.Fatal(err)
			}
			if got, err := l.Get(ctx, d); err != nil || string(got) != string(data) {
				t.Fatalf("Get after re-put = %q, %v", got, err)
			}
			checkConsistent(t, l)
		})
	}
}

// TestTempFileNeverVisible: a blob being written lives under a temporary
// name in cas/tmp until it is complete; a temporary file that is never
// renamed (its writer died) is never an object, and the collector removes
// it once its session is over.
func TestTempFileNeverVisible(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	l := openLocal(t, root, LocalOptions{})
	data := []byte("complete content")
	d := digest.NewFromBlob(data)
	// What a writer killed after half the content leaves behind.
	dead, err := NewLocal(root, LocalOptions{})
	must(t, err)
	tmp, err := dead.createTemp()
	must(t, err)
	tmp.Write(data[:len(data)/2])
	tmp.Close()
	must(t, dead.Close())
	if ok, err := l.Has(ctx, d); ok || err != nil {
		t.Fatalf("Has = %v, %v for a blob only partly written", ok, err)
	}
	if _, err := l.Get(ctx, d); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get = %v", err)
	}
	st, err := l.Expire(ctx, nil)
	must(t, err)
	if st.SessionsCollected != 1 {
		t.Errorf("Expire collected %d sessions, want 1", st.SessionsCollected)
	}
	if _, err := os.Stat(tmp.Name()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file of the finished session still there: %v", err)
	}
	checkConsistent(t, l)
}

func TestPutFileErrors(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	dir := t.TempDir()
	must(t, os.Symlink("target", filepath.Join(dir, "link")))
	for _, path := range []string{filepath.Join(dir, "missing"), dir, filepath.Join(dir, "link")} {
		_, err := l.PutFile(ctx, path)
		wantReason(t, err, StoreFailed)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Put(cancelled, strings.NewReader("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v", err)
	}
}
