package artifact

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cas"
)

// The crash test's helper: the test binary re-executed with
// ARTIFACT_HELPER set.
func TestMain(m *testing.M) {
	switch os.Getenv("ARTIFACT_HELPER") {
	case "":
		os.Exit(m.Run())
	case "commit-loop":
		if err := helperCommitLoop(os.Getenv("ARTIFACT_ROOT"), os.Getenv("ARTIFACT_TMP")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	default:
		fmt.Fprintln(os.Stderr, "unknown ARTIFACT_HELPER")
		os.Exit(2)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openCache(t testing.TB, root string, opts cas.LocalOptions) *Cache {
	t.Helper()
	l, err := cas.NewLocal(root, opts)
	must(t, err)
	t.Cleanup(func() { l.Close() })
	return New(l)
}

// writeTree writes files (path → content; a "->target" content makes a
// symlink, a path ending in "*" an executable).
func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(p, "*") {
			p, mode = strings.TrimSuffix(p, "*"), 0o755
		}
		full := filepath.Join(root, p)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if target, ok := strings.CutPrefix(content, "->"); ok {
			must(t, os.Symlink(target, full))
			continue
		}
		must(t, os.WriteFile(full, []byte(content), mode))
		must(t, os.Chmod(full, mode))
	}
}

// readTree is the inverse of writeTree.
func readTree(t testing.TB, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	must(t, filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			got[rel] = "->" + target
			return err
		case e.Type().IsRegular():
			info, err := e.Info()
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if info.Mode()&0o100 != 0 {
				rel += "*"
			}
			got[rel] = string(b)
			return err
		}
		return nil
	}))
	return got
}

var testFiles = map[string]string{
	"usr/bin/hello*":        "#!/bin/sh\necho hello\n",
	"usr/share/doc/README":  "hello docs\n",
	"usr/lib/libhello.so":   "->libhello.so.1",
	"usr/lib/libhello.so.1": strings.Repeat("elf", 1000),
}

const (
	project = "proj"
	element = "base/hello world.bst"
	strong  = "1111111111111111111111111111111111111111111111111111111111111111"
	weak    = "2222222222222222222222222222222222222222222222222222222222222222"
)

func testInfo(t testing.TB, files map[string]string) ArtifactInfo {
	dir := t.TempDir()
	filesDir := filepath.Join(dir, "files")
	must(t, os.MkdirAll(filesDir, 0o755))
	writeTree(t, filesDir, files)
	log := filepath.Join(dir, "build.log")
	must(t, os.WriteFile(log, []byte("building...\nok\n"), 0o644))
	return ArtifactInfo{
		Project: project, Element: element,
		StrongKey: strong, WeakKey: weak, StrictKey: strong,
		BuildSuccess:      true,
		FilesDir:          filesDir,
		LogFiles:          map[string]string{"build.log": log},
		PublicData:        []byte("bst:\n  split-rules: {}\n"),
		LowDiversityMeta:  []byte("environment: {}\nsandbox-config: {}\n"),
		HighDiversityMeta: []byte("variables: {}\n"),
		BuildDeps:         []Dependency{{ProjectName: project, ElementName: "base.bst", CacheKey: strong}},
	}
}

func TestName(t *testing.T) {
	for _, c := range []struct{ element, want string }{
		{"hello.bst", "p/hello/k"},
		{"base/alpine.bst", "p/base-alpine/k"},
		{"a b+c.bst", "p/a_b_c/k"},
		{"x.y.bst", "p/x.y/k"},
		{"noext", "p/noext/k"},
		{".hidden", "p/.hidden/k"},
		{"dir.d/name", "p/dir/k"}, // os.path.splitext("dir.d-name")
	} {
		if got := Name("p", c.element, "k"); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.element, got, c.want)
		}
	}
}

func TestCommitLookupCheckout(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := openCache(t, root, cas.LocalOptions{})
	info := testInfo(t, testFiles)
	name, err := c.Commit(ctx, info)
	must(t, err)
	if want := "proj/base-hello_world/" + strong; name != want {
		t.Errorf("Commit = %q, want %q", name, want)
	}
	// Both refs exist where BuildStream 2 keeps its refs.
	for _, key := range []string{strong, weak} {
		if _, err := os.Stat(filepath.Join(root, "artifacts", "refs", "proj", "base-hello_world", key)); err != nil {
			t.Error(err)
		}
	}
	names, err := c.List(ctx)
	must(t, err)
	if diff := cmp.Diff([]string{"proj/base-hello_world/" + strong, "proj/base-hello_world/" + weak}, names); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	// A fresh process sees the same artifact under both keys.
	c2 := openCache(t, root, cas.LocalOptions{})
	var arts []*Artifact
	for _, key := range []string{strong, weak} {
		a, ok, err := c2.Lookup(ctx, project, element, key)
		must(t, err)
		if !ok {
			t.Fatalf("Lookup %s: not found", key)
		}
		arts = append(arts, a)
	}
	if diff := cmp.Diff(arts[0], arts[1], cmpOpts...); diff != "" {
		t.Errorf("strong and weak artifacts differ:\n%s", diff)
	}
	a := arts[0]
	if a.Version != Version || !a.BuildSuccess || a.StrongKey != strong || a.WeakKey != weak || a.StrictKey != strong {
		t.Errorf("artifact = %+v", a)
	}
	if diff := cmp.Diff(info.BuildDeps, a.BuildDeps); diff != "" {
		t.Errorf("build deps:\n%s", diff)
	}
	if _, ok, err := c2.Lookup(ctx, project, element, "3333"); ok || err != nil {
		t.Errorf("Lookup of another key: %v %v", ok, err)
	}

	for _, hard := range []bool{false, true} {
		dest := filepath.Join(t.TempDir(), "out")
		must(t, c2.Checkout(ctx, a, dest, hard))
		if diff := cmp.Diff(testFiles, readTree(t, dest)); diff != "" {
			t.Errorf("checkout (hardlinks %v) (-want +got):\n%s", hard, diff)
		}
	}
	log, err := c2.Log(ctx, a, "build.log")
	must(t, err)
	if string(log) != "building...\nok\n" {
		t.Errorf("log = %q", log)
	}
	if _, err := c2.Log(ctx, a, "nope.log"); bsterr.ReasonOf(err) != LogNotFound {
		t.Errorf("Log of a missing log: %v", err)
	}
	pub, err := c2.PublicData(ctx, a)
	must(t, err)
	if !bytes.Equal(pub, info.PublicData) {
		t.Errorf("public data = %q", pub)
	}
	entries, err := c2.ListContents(ctx, a)
	must(t, err)
	var paths []string
	for _, e := range entries {
		paths = append(paths, e.Type.String()+" "+e.Path)
	}
	want := []string{
		"directory usr", "directory usr/bin", "file usr/bin/hello", "directory usr/lib",
		"symlink usr/lib/libhello.so", "file usr/lib/libhello.so.1", "directory usr/share",
		"directory usr/share/doc", "file usr/share/doc/README",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("ListContents (-want +got):\n%s", diff)
	}

	// Committing the same thing again is deterministic: same proto.
	again, err := c.Commit(ctx, info)
	must(t, err)
	b, _, err := c.LookupName(ctx, again)
	must(t, err)
	if diff := cmp.Diff(a, b, cmpOpts...); diff != "" {
		t.Errorf("recommit differs:\n%s", diff)
	}
}

func TestFailedBuild(t *testing.T) {
	ctx := context.Background()
	c := openCache(t, t.TempDir(), cas.LocalOptions{})
	info := testInfo(t, nil)
	info.BuildSuccess = false
	info.BuildError = "Command 'make' failed with exitcode 2"
	info.BuildErrorDetails = "make: *** [all] Error 2"
	info.FilesDir = ""
	info.BuildtreeDir = filepath.Dir(info.LogFiles["build.log"])
	info.WeakKey = ""
	name, err := c.Commit(ctx, info)
	must(t, err)
	a, ok, err := c.LookupName(ctx, name)
	must(t, err)
	if !ok {
		t.Fatal("failed artifact not cached")
	}
	if a.BuildSuccess || a.BuildError != info.BuildError || a.BuildErrorDetails != info.BuildErrorDetails || !a.Files.IsZero() || a.Buildtree.IsZero() {
		t.Errorf("artifact = %+v", a)
	}
	log, err := c.Log(ctx, a, "build.log")
	must(t, err)
	if !strings.Contains(string(log), "building") {
		t.Errorf("log = %q", log)
	}
	dest := filepath.Join(t.TempDir(), "out")
	must(t, c.Checkout(ctx, a, dest, false))
	if got := readTree(t, dest); len(got) != 0 {
		t.Errorf("checkout of a failed artifact: %v", got)
	}
	// The build tree is kept and can be checked out like any tree.
	bt := filepath.Join(t.TempDir(), "bt")
	must(t, c.CAS().Checkout(ctx, a.Buildtree, bt, cas.CheckoutOptions{}))
	if _, err := os.Stat(filepath.Join(bt, "build.log")); err != nil {
		t.Error(err)
	}
	names, err := c.List(ctx)
	must(t, err)
	if len(names) != 1 {
		t.Errorf("no weak key: want one ref, got %v", names)
	}
}

func TestInvalidNames(t *testing.T) {
	ctx := context.Background()
	c := openCache(t, t.TempDir(), cas.LocalOptions{})
	for _, mod := range []func(*ArtifactInfo){
		func(i *ArtifactInfo) { i.StrongKey = "" },
		func(i *ArtifactInfo) { i.Project = "" },
		func(i *ArtifactInfo) { i.Project = "a/b" },
		func(i *ArtifactInfo) { i.WeakKey = "x/y" },
		func(i *ArtifactInfo) { i.LogFiles = map[string]string{"a/b": "/dev/null"} },
	} {
		info := testInfo(t, testFiles)
		mod(&info)
		if _, err := c.Commit(ctx, info); bsterr.ReasonOf(err) != InvalidName {
			t.Errorf("Commit(%+v) = %v, want %s", info, err, InvalidName)
		}
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := openCache(t, root, cas.LocalOptions{})
	_, err := c.Commit(ctx, testInfo(t, testFiles))
	must(t, err)
	must(t, c.CAS().Close())

	c2 := openCache(t, root, cas.LocalOptions{})
	must(t, c2.Delete(ctx, project, element, strong))
	if _, ok, err := c2.Lookup(ctx, project, element, strong); ok || err != nil {
		t.Errorf("strong ref after Delete: %v %v", ok, err)
	}
	a, ok, err := c2.Lookup(ctx, project, element, weak)
	if !ok || err != nil {
		t.Fatalf("weak ref after deleting the strong one: %v %v", ok, err)
	}
	must(t, c2.Delete(ctx, project, element, weak))
	if err := c2.Delete(ctx, project, element, weak); bsterr.ReasonOf(err) != NotFound {
		t.Errorf("second Delete = %v, want %s", err, NotFound)
	}
	// Looked up before the delete: still usable by this session.
	dest := filepath.Join(t.TempDir(), "out")
	must(t, c2.Checkout(ctx, a, dest, false))
	must(t, c2.CAS().Close())

	// Once no session uses it, the content goes.
	c3 := openCache(t, root, cas.LocalOptions{})
	if _, err := c3.CAS().Expire(ctx, nil); err != nil {
		t.Fatal(err)
	}
	bytes, objects, err := c3.CAS().Usage(ctx)
	must(t, err)
	if bytes != 0 || objects != 0 {
		t.Errorf("after deleting every artifact: %d bytes, %d objects left", bytes, objects)
	}
}

func TestConcurrentCommits(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := openCache(t, root, cas.LocalOptions{})
	other := openCache(t, root, cas.LocalOptions{}) // a second session on the same cache
	const n = 16
	infos := make([]ArtifactInfo, n)
	for i := range infos {
		files := map[string]string{"common": "shared content", "own": "artifact " + strconv.Itoa(i%4)}
		infos[i] = testInfo(t, files)
		// Four keys, each committed by four goroutines at once.
		infos[i].StrongKey = strings.Repeat(strconv.Itoa(i%4), 64)
		infos[i].WeakKey = strings.Repeat("w", 63) + strconv.Itoa(i%4)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range infos {
		wg.Go(func() {
			cc := c
			if i%2 == 1 {
				cc = other
			}
			_, errs[i] = cc.Commit(ctx, infos[i])
		})
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	for k := range 4 {
		for _, key := range []string{infos[k].StrongKey, infos[k].WeakKey} {
			a, ok, err := c.Lookup(ctx, project, element, key)
			if err != nil || !ok {
				t.Fatalf("Lookup %s: %v %v", key, ok, err)
			}
			dest := filepath.Join(t.TempDir(), "out")
			must(t, c.Checkout(ctx, a, dest, true))
			if got := readTree(t, dest)["own"]; got != "artifact "+strconv.Itoa(k) {
				t.Errorf("key %s: own = %q", key, got)
			}
		}
	}
	names, err := c.List(ctx)
	must(t, err)
	if len(names) != 8 {
		t.Errorf("List = %v", names)
	}
}

// TestExpiry: under a quota, Expire removes the least recently used
// artifacts whole and never the protected ones.
func TestExpiry(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	big := func(i int) map[string]string {
		return map[string]string{"data": strings.Repeat(strconv.Itoa(i), 20_000)}
	}
	clock := time.Unix(1_700_000_000, 0)
	c := openCache(t, root, cas.LocalOptions{Now: func() time.Time { return clock }})
	var names []string
	for i := range 4 {
		info := testInfo(t, big(i))
		info.Element = "e" + strconv.Itoa(i) + ".bst"
		info.WeakKey = ""
		name, err := c.Commit(ctx, info)
		must(t, err)
		names = append(names, name)
		clock = clock.Add(time.Minute) // ref times have whole seconds
	}
	must(t, c.CAS().Close())

	// Room for about two artifacts; the oldest one is protected.
	q := openCache(t, root, cas.LocalOptions{Quota: 50_000, LowWatermark: 0.9, Now: func() time.Time { return clock }})
	st, err := q.CAS().Expire(ctx, Protect(names[0]))
	must(t, err)
	if st.RefsRemoved == 0 {
		t.Fatalf("nothing expired: %v", st)
	}
	var kept []string
	for _, name := range names {
		a, ok, err := q.LookupName(ctx, name)
		must(t, err)
		if !ok {
			continue
		}
		kept = append(kept, name)
		// What is left is whole.
		dest := filepath.Join(t.TempDir(), "out")
		must(t, q.Checkout(ctx, a, dest, false))
		if _, err := q.Log(ctx, a, "build.log"); err != nil {
			t.Error(err)
		}
		if _, err := q.PublicData(ctx, a); err != nil {
			t.Error(err)
		}
	}
	if len(kept) == 0 || kept[0] != names[0] {
		t.Errorf("protected artifact expired; kept %v", kept)
	}
	if len(kept) == len(names) {
		t.Errorf("no artifact expired")
	}
	if kept[len(kept)-1] != names[len(names)-1] {
		t.Errorf("the most recently used artifact expired; kept %v", kept)
	}
}

// helperCommitLoop commits artifacts with fresh keys until killed,
// printing each name once committed.
func helperCommitLoop(root, tmp string) error {
	ctx := context.Background()
	l, err := cas.NewLocal(root, cas.LocalOptions{})
	if err != nil {
		return err
	}
	c := New(l)
	for i := 0; ; i++ {
		dir := filepath.Join(tmp, strconv.Itoa(os.Getpid())+"-"+strconv.Itoa(i))
		for j := range 20 {
			p := filepath.Join(dir, "files", "d"+strconv.Itoa(j%3), "f"+strconv.Itoa(j))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, bytes.Repeat([]byte(fmt.Sprintf("%d.%d.%d ", os.Getpid(), i, j)), 5000), 0o644); err != nil {
				return err
			}
		}
		log := filepath.Join(dir, "build.log")
		if err := os.WriteFile(log, []byte("log "+strconv.Itoa(i)), 0o644); err != nil {
			return err
		}
		key := fmt.Sprintf("%032d%032d", os.Getpid(), i)
		name, err := c.Commit(ctx, ArtifactInfo{
			Project: "crash", Element: "e.bst", StrongKey: key, WeakKey: "w" + key[1:],
			BuildSuccess: true, FilesDir: filepath.Join(dir, "files"),
			LogFiles: map[string]string{"build.log": log}, PublicData: []byte("p: " + strconv.Itoa(i)),
		})
		if err != nil {
			return err
		}
		fmt.Println(name)
		os.RemoveAll(dir)
	}
}

// TestCrashSafety kills committing processes at arbitrary points: every
// ref left names a complete artifact, and the garbage of the killed
// commits is collected.
func TestCrashSafety(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	for r := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ARTIFACT_HELPER=commit-loop", "ARTIFACT_ROOT="+root, "ARTIFACT_TMP="+t.TempDir())
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		must(t, cmd.Start())
		time.Sleep(time.Duration(150+37*r) * time.Millisecond)
		must(t, cmd.Process.Signal(syscall.SIGKILL))
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("helper ended before it was killed: %v: %s", err, out.String())
		}
	}

	c := openCache(t, root, cas.LocalOptions{})
	// Collect the killed sessions' garbage, then check every ref.
	_, err := c.CAS().Expire(ctx, nil)
	must(t, err)
	names, err := c.List(ctx)
	must(t, err)
	if len(names) == 0 {
		t.Fatal("no artifact committed before the kills; make the helper run longer")
	}
	for _, name := range names {
		a, ok, err := c.LookupName(ctx, name)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", name, ok, err)
		}
		dest := filepath.Join(t.TempDir(), "out")
		if err := c.Checkout(ctx, a, dest, false); err != nil {
			t.Fatalf("%s: checkout: %v", name, err)
		}
		if n := len(readTree(t, dest)); n != 20 {
			t.Errorf("%s: %d files", name, n)
		}
		if _, err := c.Log(ctx, a, "build.log"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Deleting everything leaves nothing: killed commits leaked nothing.
	for _, name := range names {
		must(t, c.DeleteName(ctx, name))
	}
	must(t, c.CAS().Close())
	c2 := openCache(t, root, cas.LocalOptions{})
	_, err = c2.CAS().Expire(ctx, nil)
	must(t, err)
	b, o, err := c2.CAS().Usage(ctx)
	must(t, err)
	// A process killed inside the cas's count updates leaves counts too
	// high, never too low (see the cas package documentation): at most
	// what it was committing leaks, and Repair reclaims it.
	if perKill := int64(20*60_000 + 10_000); b > int64(rounds)*perKill {
		t.Errorf("after deleting everything: %d bytes, %d objects leaked", b, o)
	}
	st, err := c2.CAS().Repair(ctx)
	must(t, err)
	if st.Bytes != 0 || st.Objects != 0 {
		t.Errorf("after Repair: %d bytes, %d objects", st.Bytes, st.Objects)
	}
	t.Logf("leaked by the kills: %d bytes, %d objects; Repair removed %d objects", b, o, st.ObjectsRemoved)
	t.Logf("%d artifact refs survived %d kills", len(names), rounds)
}
