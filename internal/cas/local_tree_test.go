package cas

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/digest"
)

func fileNode(name string, d digest.Digest, exec bool) *remoteexecution.FileNode {
	return &remoteexecution.FileNode{Name: name, Digest: d.Proto(), IsExecutable: exec}
}

func dirNode(name string, d digest.Digest) *remoteexecution.DirectoryNode {
	return &remoteexecution.DirectoryNode{Name: name, Digest: d.Proto()}
}

func dirOf(files ...*remoteexecution.FileNode) *remoteexecution.Directory {
	return &remoteexecution.Directory{Files: files}
}

var sampleTree = map[string]string{
	"README":               "readme\n",
	"!bin/tool":            "#!/bin/sh\necho hi\n",
	"bin/data":             "#!/bin/sh\necho hi\n", // same content, not executable
	"lib/deep/nested/file": "deep",
	"lib/deep/dup":         "readme\n",
	"empty/":               "",
	"lib/emptier/":         "",
	"lib/link":             "->deep/nested/file",
	"abs":                  "->/etc/passwd",
	"dangling":             "->does/not/exist",
	"big":                  strings.Repeat("0123456789abcdef", 20000),
}

// TestImportCheckoutRoundTrip imports trees, checks the digest against
// DirectoryDigest, checks them out both ways and captures the result
// again: the same digest means same names, contents, executable bits and
// symlinks, and empty directories kept.
func TestImportCheckoutRoundTrip(t *testing.T) {
	ctx := context.Background()
	spec := loadTrees(t)
	trees := map[string]string{}
	base := t.TempDir()
	for _, tree := range spec.Trees {
		if tree.CaptureMtime {
			continue
		}
		root := filepath.Join(base, tree.Name)
		must(t, os.MkdirAll(root, 0o755))
		buildTree(t, root, tree)
		trees[tree.Name] = root
	}
	sample := filepath.Join(base, "sample")
	writeFiles(t, sample, sampleTree)
	trees["sample"] = sample

	l := openLocal(t, t.TempDir(), LocalOptions{})
	for name, root := range trees {
		t.Run(name, func(t *testing.T) {
			want, err := DirectoryDigest(ctx, root, TreeOptions{})
			must(t, err)
			got, err := l.ImportTree(ctx, root, TreeOptions{Workers: 3})
			if err != nil || got != want {
				t.Fatalf("ImportTree = %v, %v; DirectoryDigest %v", got, err, want)
			}
			for _, hardlinks := range []bool{false, true} {
				dest := filepath.Join(t.TempDir(), "out")
				must(t, l.Checkout(ctx, got, dest, CheckoutOptions{Hardlinks: hardlinks}))
				again, err := DirectoryDigest(ctx, dest, TreeOptions{})
				if err != nil || again != want {
					t.Errorf("hardlinks=%v: checkout captures as %v, %v; want %v", hardlinks, again, err, want)
				}
				checkModes(t, dest, hardlinks)
			}
		})
	}
	checkConsistent(t, l)
}

// checkModes checks file modes: copies 0644/0755, hardlinks 0444/0555
// (and, unless we are root, not writable).
func checkModes(t *testing.T, dest string, hardlinks bool) {
	t.Helper()
	must(t, filepath.WalkDir(dest, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		exec := info.Mode()&0o100 != 0
		want := fs.FileMode(0o644)
		if exec {
			want = 0o755
		}
		if hardlinks {
			want &^= 0o222
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), want)
		}
		if hardlinks && os.Geteuid() != 0 {
			if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				f.Close()
				t.Errorf("%s: hardlinked file is writable", path)
			}
		}
		return nil
	}))
}

func TestCheckoutSample(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	writeFiles(t, src, sampleTree)
	l := openLocal(t, t.TempDir(), LocalOptions{})
	root, err := l.ImportTree(ctx, src, TreeOptions{})
	must(t, err)
	dest := filepath.Join(t.TempDir(), "out")
	must(t, l.Checkout(ctx, root, dest, CheckoutOptions{Hardlinks: true}))
	for name, content := range sampleTree {
		exec := name[0] == '!'
		name = strings.TrimPrefix(name, "!")
		path := filepath.Join(dest, name)
		switch {
		case strings.HasSuffix(name, "/"):
			if info, err := os.Lstat(path); err != nil || !info.IsDir() {
				t.Errorf("%s: %v, want a directory", name, err)
			}
		case strings.HasPrefix(content, "->"):
			if target, err := os.Readlink(path); err != nil || target != content[2:] {
				t.Errorf("%s: link to %q, %v; want %q", name, target, err, content[2:])
			}
		default:
			data, err := os.ReadFile(path)
			if err != nil || string(data) != content {
				t.Errorf("%s: %d bytes, %v", name, len(data), err)
			}
			info, _ := os.Lstat(path)
			if got := info.Mode().Perm()&0o111 != 0; got != exec {
				t.Errorf("%s: executable %v, want %v", name, got, exec)
			}
		}
	}
	// bin/tool and bin/data share content but not mode: two inodes.
	tool, _ := os.Stat(filepath.Join(dest, "bin/tool"))
	data, _ := os.Stat(filepath.Join(dest, "bin/data"))
	if os.SameFile(tool, data) {
		t.Error("executable and plain file with the same content share an inode")
	}
	obj, _ := os.Stat(l.objectPath(digest.NewFromBlob([]byte(sampleTree["bin/data"]))))
	if !os.SameFile(obj, data) {
		t.Error("hardlinked checkout did not link the object")
	}
	// A second checkout over the first: directories merge, files clash.
	err = l.Checkout(ctx, root, dest, CheckoutOptions{})
	wantReason(t, err, CheckoutFailed)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("checkout over files: %v, want ErrExist", err)
	}
	checkConsistent(t, l)
}

func TestCheckoutMissingBlob(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	_, err := l.PutDirectory(ctx, dirOf(fileNode("f", digest.NewFromBlob([]byte("nope")), false)))
	wantReason(t, err, InvalidTree)
	err = l.Checkout(ctx, digest.NewFromBlob([]byte("not a dir")), t.TempDir(), CheckoutOptions{})
	wantReason(t, err, BlobNotFound)
}

func TestPutDirectoryValidates(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	a, _ := l.PutBlob(ctx, []byte("a"))
	sub, err := l.PutDirectory(ctx, dirOf(fileNode("a", a, false)))
	must(t, err)
	plain, _ := l.PutBlob(ctx, []byte("not a registered directory"))
	link := func(name string) *remoteexecution.SymlinkNode {
		return &remoteexecution.SymlinkNode{Name: name, Target: "t"}
	}
	tests := []struct {
		name string
		dir  *remoteexecution.Directory
		ok   bool
	}{
		{"ok", &remoteexecution.Directory{Files: []*remoteexecution.FileNode{fileNode("a", a, false)}, Directories: []*remoteexecution.DirectoryNode{dirNode("d", sub)}, Symlinks: []*remoteexecution.SymlinkNode{link("l")}}, true},
		{"unsorted", dirOf(fileNode("b", a, false), fileNode("a", a, false)), false},
		{"duplicate across kinds", &remoteexecution.Directory{Files: []*remoteexecution.FileNode{fileNode("a", a, false)}, Symlinks: []*remoteexecution.SymlinkNode{link("a")}}, false},
		{"dot dot", dirOf(fileNode("..", a, false)), false},
		{"slash", dirOf(fileNode("a/b", a, false)), false},
		{"empty name", dirOf(fileNode("", a, false)), false},
		{"missing digest", dirOf(&remoteexecution.FileNode{Name: "a"}), false},
		{"unregistered subdirectory", &remoteexecution.Directory{Directories: []*remoteexecution.DirectoryNode{dirNode("d", plain)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.PutDirectory(ctx, tt.dir)
			if tt.ok {
				must(t, err)
			} else {
				wantReason(t, err, InvalidTree)
			}
		})
	}
	checkConsistent(t, l)
}

func TestWalk(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"b/x": "1", "!a": "2", "c": "->b", "b/y/": "", "d": "3"})
	l := openLocal(t, t.TempDir(), LocalOptions{})
	root, err := l.ImportTree(ctx, src, TreeOptions{})
	must(t, err)
	var got []string
	must(t, Walk(ctx, l, root, func(e Entry) error {
		s := e.Type.String() + " " + e.Path
		if e.Executable {
			s += " x"
		}
		if e.Target != "" {
			s += " -> " + e.Target
		}
		got = append(got, s)
		if e.Path == "b/y" {
			return fs.SkipDir
		}
		return nil
	}))
	want := "file a x|directory b|file b/x|directory b/y|symlink c -> b|file d"
	if strings.Join(got, "|") != want {
		t.Errorf("Walk:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	stop := errors.New("stop")
	if err := Walk(ctx, l, root, func(Entry) error { return stop }); err != stop {
		t.Errorf("Walk returned %v, want the callback's error", err)
	}
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	importFiles := func(files map[string]string) digest.Digest {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		d, err := l.ImportTree(ctx, dir, TreeOptions{})
		must(t, err)
		return d
	}
	lower := importFiles(map[string]string{"usr/bin/a": "a1", "usr/lib/x": "x", "etc/conf": "c", "swap": "file", "keep": "k"})
	upper := importFiles(map[string]string{"usr/bin/a": "a2", "usr/bin/b": "b", "swap/": "", "new": "->usr"})
	merged, err := Merge(ctx, l, lower, upper)
	must(t, err)
	want := importFiles(map[string]string{"usr/bin/a": "a2", "usr/bin/b": "b", "usr/lib/x": "x", "etc/conf": "c", "swap/": "", "keep": "k", "new": "->usr"})
	if merged != want {
		t.Errorf("Merge = %v, want %v", merged, want)
	}
	if d, err := Merge(ctx, l, lower); err != nil || d != lower {
		t.Errorf("Merge of one = %v, %v", d, err)
	}
	if d, err := Merge(ctx, l); err != nil || d != digest.Empty() {
		t.Errorf("Merge of none = %v, %v", d, err)
	}
	checkConsistent(t, l)
}

// TestImportTreeWithMtime: node properties survive, and copies get the
// recorded mtime back.
func TestImportTreeWithMtime(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"a/b": "x"})
	l := openLocal(t, t.TempDir(), LocalOptions{})
	opts := TreeOptions{CaptureMtime: true}
	want, err := DirectoryDigest(ctx, src, opts)
	must(t, err)
	got, err := l.ImportTree(ctx, src, opts)
	if err != nil || got != want {
		t.Fatalf("ImportTree = %v, %v; want %v", got, err, want)
	}
	dest := filepath.Join(t.TempDir(), "out")
	must(t, l.Checkout(ctx, got, dest, CheckoutOptions{}))
	if again, err := DirectoryDigest(ctx, dest, opts); err != nil || again != want {
		t.Errorf("checkout with mtimes captures as %v, %v; want %v", again, err, want)
	}
}

func TestImportTreeErrors(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	_, err := l.ImportTree(ctx, filepath.Join(t.TempDir(), "missing"), TreeOptions{})
	wantReason(t, err, CaptureFailed)
	checkConsistent(t, l)
}

// TestCheckoutOverwrite stages one tree over another: files and symlinks
// are replaced (both with links and copies), an empty directory is
// replaced, a non-empty one stays; without Overwrite the same checkout is
// an error.
func TestCheckoutOverwrite(t *testing.T) {
	ctx := context.Background()
	l, err := NewLocal(t.TempDir(), LocalOptions{})
	must(t, err)
	mk := func(files map[string]string) digest.Digest { return importFiles(t, l, files) }
	lower := mk(map[string]string{"etc/file": "lower", "etc/link": "->file", "empty/": "", "full/keep": "kept"})
	upper := mk(map[string]string{"etc/file": "upper", "etc/link": "upper", "empty": "now a file", "full": "not staged"})
	for _, hardlinks := range []bool{false, true} {
		dest := t.TempDir()
		must(t, l.Checkout(ctx, lower, dest, CheckoutOptions{Hardlinks: hardlinks}))
		if err := l.Checkout(ctx, upper, dest, CheckoutOptions{Hardlinks: hardlinks}); err == nil {
			t.Errorf("hardlinks=%v: checkout over existing files without Overwrite succeeded", hardlinks)
		}
		dest = t.TempDir()
		must(t, l.Checkout(ctx, lower, dest, CheckoutOptions{Hardlinks: hardlinks}))
		must(t, l.Checkout(ctx, upper, dest, CheckoutOptions{Hardlinks: hardlinks, Overwrite: true}))
		for p, want := range map[string]string{"etc/file": "upper", "etc/link": "upper", "empty": "now a file", "full/keep": "kept"} {
			fi, err := os.Lstat(filepath.Join(dest, p))
			if err != nil || !fi.Mode().IsRegular() {
				t.Errorf("hardlinks=%v: %s is not a file: %v", hardlinks, p, err)
				continue
			}
			if got, _ := os.ReadFile(filepath.Join(dest, p)); string(got) != want {
				t.Errorf("hardlinks=%v: %s = %q, want %q", hardlinks, p, got, want)
			}
		}
	}
}

// TestCheckoutThroughDirectoryLinks stages a tree with lib/ and bin/ over
// a root where lib and bin are symlinks to directories (a merged /usr,
// one link relative and one absolute): the files land in the linked
// directories and the links stay. A link climbing out of the root stops
// at the root.
func TestCheckoutThroughDirectoryLinks(t *testing.T) {
	ctx := context.Background()
	l, err := NewLocal(t.TempDir(), LocalOptions{})
	must(t, err)
	mk := func(files map[string]string) digest.Digest { return importFiles(t, l, files) }
	base := mk(map[string]string{"usr/lib/": "", "usr/bin/": "", "lib": "->usr/lib", "bin": "->/usr/bin"})
	upper := mk(map[string]string{"lib/libx.so": "x", "bin/tool": "t"})
	dest := t.TempDir()
	must(t, l.Checkout(ctx, base, dest, CheckoutOptions{Overwrite: true}))
	must(t, l.Checkout(ctx, upper, dest, CheckoutOptions{Overwrite: true}))
	for p, want := range map[string]string{"usr/lib/libx.so": "x", "usr/bin/tool": "t"} {
		if got, err := os.ReadFile(filepath.Join(dest, p)); err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", p, got, err, want)
		}
	}
	for _, link := range []string{"lib", "bin"} {
		if fi, err := os.Lstat(filepath.Join(dest, link)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink: %v", link, err)
		}
	}
	escape := mk(map[string]string{"up": "->../.."})
	into := mk(map[string]string{"up/file": "f"})
	dest = filepath.Join(t.TempDir(), "root")
	must(t, l.Checkout(ctx, escape, dest, CheckoutOptions{Overwrite: true}))
	// ".." at the root stays at the root, as in a chroot: the file lands
	// in the root, never above it.
	must(t, l.Checkout(ctx, into, dest, CheckoutOptions{Overwrite: true}))
	if _, err := os.Stat(filepath.Join(dest, "file")); err != nil {
		t.Errorf("up/file did not land at the root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(dest)), "file")); err == nil {
		t.Errorf("staging through a link wrote outside the root")
	}
}

// importFiles imports a tree described by path → content ("dir/" for a
// directory, "->target" for a symlink) and returns its digest.
func importFiles(t *testing.T, l *Local, files map[string]string) digest.Digest {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, p)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		switch {
		case strings.HasSuffix(p, "/"):
			must(t, os.MkdirAll(full, 0o755))
		case strings.HasPrefix(content, "->"):
			must(t, os.Symlink(content[2:], full))
		default:
			must(t, os.WriteFile(full, []byte(content), 0o644))
		}
	}
	d, err := l.ImportTree(context.Background(), dir, TreeOptions{})
	must(t, err)
	return d
}

// An adopted tree gives its single-name files to the cache by hard link;
// a file with another name outside the tree is copied and left alone, and
// content already stored is not linked again.
func TestImportTreeAdopt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "tree")
	big := strings.Repeat("adopted big file ", 20000)
	writeFiles(t, src, map[string]string{"small": "adopted small\n", "!bin/big": big, "known": "stored before\n", "shared": "shared\n"})
	outside := filepath.Join(dir, "outside")
	must(t, os.Link(filepath.Join(src, "shared"), outside))
	l := openLocal(t, filepath.Join(dir, "cache"), LocalOptions{})
	known, err := l.Put(ctx, strings.NewReader("stored before\n"))
	must(t, err)
	want, err := DirectoryDigest(ctx, src, TreeOptions{})
	must(t, err)
	got, err := l.ImportTree(ctx, src, TreeOptions{Adopt: true})
	if err != nil || got != want {
		t.Fatalf("ImportTree(Adopt) = %v, %v; want %v", got, err, want)
	}
	sameFile := func(name string, d digest.Digest) bool {
		a, err1 := os.Stat(filepath.Join(src, name))
		b, err2 := os.Stat(l.objectPath(d))
		must(t, err1)
		must(t, err2)
		return os.SameFile(a, b)
	}
	for name, content := range map[string]string{"small": "adopted small\n", "bin/big": big} {
		if !sameFile(name, digest.NewFromBlob([]byte(content))) {
			t.Errorf("%s was copied, not adopted", name)
		}
		if fi, _ := os.Stat(filepath.Join(src, name)); fi.Mode().Perm() != 0o444 {
			t.Errorf("adopted %s has mode %v, want read-only", name, fi.Mode().Perm())
		}
	}
	if sameFile("known", known) {
		t.Errorf("a file whose content was stored became the object")
	}
	if sameFile("shared", digest.NewFromBlob([]byte("shared\n"))) {
		t.Errorf("a file with a name outside the tree became an object")
	}
	if fi, _ := os.Stat(outside); fi.Mode().Perm() != 0o644 {
		t.Errorf("the file outside the tree changed mode to %v", fi.Mode().Perm())
	}
	must(t, os.RemoveAll(src))
	dest := filepath.Join(dir, "out")
	must(t, l.Checkout(ctx, got, dest, CheckoutOptions{}))
	if again, err := DirectoryDigest(ctx, dest, TreeOptions{}); err != nil || again != want {
		t.Errorf("checkout after removing the adopted tree captures as %v, %v; want %v", again, err, want)
	}
	checkConsistent(t, l)
}
