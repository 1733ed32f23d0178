package cas

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/digest"
)

// The helper processes of the multi-process tests: the test binary
// re-executed with CAS_HELPER set.
func TestMain(m *testing.M) {
	switch os.Getenv("CAS_HELPER") {
	case "":
		os.Exit(m.Run())
	case "stress":
		os.Exit(helperStress())
	case "put-stdin":
		os.Exit(helperPutStdin())
	case "import-loop":
		os.Exit(helperImportLoop())
	default:
		fmt.Fprintln(os.Stderr, "unknown CAS_HELPER")
		os.Exit(2)
	}
}

// stressConfig is what a stress worker needs.
type stressConfig struct {
	root    string
	workers []string // ids of all workers, to read each other's refs
	iters   int
	quota   int64
	tmp     string
}

// stressWorker imports trees, points refs at them, checks out other
// workers' refs and deletes and expires, all against a small quota, so
// refs vanish under its feet. It checks what the design promises: a tree
// just imported can always be referenced, a ref read can always be checked
// out, and what is checked out is what the ref names.
func stressWorker(ctx context.Context, cfg stressConfig, id string, l *Local, release bool) error {
	_, err := stressWorkerCounts(ctx, cfg, id, l, release)
	return err
}

// stressCounts says how much a stress worker exercised.
type stressCounts struct{ checkouts, expired int }

func stressWorkerCounts(ctx context.Context, cfg stressConfig, id string, l *Local, release bool) (stressCounts, error) {
	var n stressCounts
	err := stressLoop(ctx, cfg, id, l, release, &n)
	return n, err
}

func stressLoop(ctx context.Context, cfg stressConfig, id string, l *Local, release bool, n *stressCounts) error {
	rng := rand.New(rand.NewPCG(uint64(len(id)), uint64(id[len(id)-1])))
	for i := range cfg.iters {
		files := map[string]string{
			"shared/license": "the same license everywhere",
			"shared/lib/x":   strings.Repeat("x", 3000),
			"own/" + id:      fmt.Sprintf("%s-%d-%s", id, i, strings.Repeat("y", rng.IntN(5000))),
			"own/n":          strconv.Itoa(i % 3),
		}
		src := filepath.Join(cfg.tmp, fmt.Sprintf("%s-src-%d", id, i))
		if err := writeFilesErr(src, files); err != nil {
			return err
		}
		root, err := l.ImportTree(ctx, src, TreeOptions{Workers: 2})
		if err != nil {
			return fmt.Errorf("ImportTree: %w", err)
		}
		ref := fmt.Sprintf("stress/%s/%d", id, rng.IntN(6))
		if err := l.SetRef(ctx, ref, root); err != nil {
			return fmt.Errorf("SetRef of a tree just imported: %w", err)
		}
		other := fmt.Sprintf("stress/%s/%d", cfg.workers[rng.IntN(len(cfg.workers))], rng.IntN(6))
		d, err := l.GetRef(ctx, other)
		switch {
		case bsterr.ReasonOf(err) == RefNotFound:
		case err != nil:
			return fmt.Errorf("GetRef: %w", err)
		default:
			dest := filepath.Join(cfg.tmp, fmt.Sprintf("%s-out-%d", id, i))
			if err := l.Checkout(ctx, d, dest, CheckoutOptions{Hardlinks: rng.IntN(2) == 0}); err != nil {
				return fmt.Errorf("Checkout of %s (%s) just read: %w", other, d, err)
			}
			if got, err := DirectoryDigest(ctx, dest, TreeOptions{}); err != nil || got != d {
				return fmt.Errorf("checkout of %s is %v, %v; want %v", other, got, err, d)
			}
			n.checkouts++
		}
		if rng.IntN(4) == 0 {
			if err := l.DeleteRef(ctx, fmt.Sprintf("stress/%s/%d", id, rng.IntN(6))); err != nil && bsterr.ReasonOf(err) != RefNotFound {
				return fmt.Errorf("DeleteRef: %w", err)
			}
		}
		if rng.IntN(3) == 0 {
			st, err := l.Expire(ctx, nil)
			if err != nil && bsterr.ReasonOf(err) != CacheFull {
				return fmt.Errorf("Expire: %w", err)
			}
			n.expired += st.RefsRemoved
		}
		if release && rng.IntN(5) == 0 {
			if err := l.ReleasePins(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFilesErr(root string, files map[string]string) error {
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// finalCheck closes everything, expires the leftovers and checks that the
// store is exactly consistent and every ref can be checked out.
func finalCheck(t *testing.T, root string) {
	t.Helper()
	ctx := context.Background()
	l := openLocal(t, root, LocalOptions{})
	_, err := l.Expire(ctx, nil)
	must(t, err)
	checkConsistent(t, l)
	refs, err := l.ListRefs(ctx, "stress")
	must(t, err)
	t.Logf("%d refs left", len(refs))
	for _, ref := range refs {
		d, err := l.GetRef(ctx, ref)
		must(t, err)
		if err := l.Checkout(ctx, d, filepath.Join(t.TempDir(), "out"), CheckoutOptions{}); err != nil {
			t.Errorf("ref %s: %v", ref, err)
		}
	}
	if entries, _ := os.ReadDir(l.tmpPath()); len(entries) != 0 {
		t.Errorf("%d temporary files left", len(entries))
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	root := t.TempDir()
	cfg := stressConfig{root: root, workers: []string{"g0", "g1", "g2", "g3", "s0", "s1"}, iters: 25, quota: 150_000, tmp: t.TempDir()}
	if testing.Short() {
		cfg.iters, cfg.quota = 8, 40_000
	}
	shared := openLocal(t, root, LocalOptions{Quota: cfg.quota})
	var wg sync.WaitGroup
	errs := make([]error, len(cfg.workers))
	counts := make([]stressCounts, len(cfg.workers))
	for i, id := range cfg.workers {
		wg.Go(func() {
			l, release := shared, false
			if id[0] == 'g' {
				var err error
				if l, err = NewLocal(root, LocalOptions{Quota: cfg.quota}); err != nil {
					errs[i] = err
					return
				}
				defer l.Close()
				release = true
			}
			counts[i], errs[i] = stressWorkerCounts(context.Background(), cfg, id, l, release)
		})
	}
	wg.Wait()
	var total stressCounts
	for _, c := range counts {
		total.checkouts += c.checkouts
		total.expired += c.expired
	}
	t.Logf("%d checkouts of refs read, %d refs expired", total.checkouts, total.expired)
	if total.checkouts == 0 || total.expired == 0 {
		t.Errorf("the stress test did not exercise checkouts and expiry: %+v", total)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %s: %v", cfg.workers[i], err)
		}
	}
	must(t, shared.Close())
	finalCheck(t, root)
}

func helperStress() int {
	cfg := stressConfig{root: os.Getenv("CAS_ROOT"), workers: strings.Split(os.Getenv("CAS_WORKERS"), ","), tmp: os.Getenv("CAS_TMP")}
	cfg.iters, _ = strconv.Atoi(os.Getenv("CAS_ITERS"))
	cfg.quota, _ = strconv.ParseInt(os.Getenv("CAS_QUOTA"), 10, 64)
	l, err := NewLocal(cfg.root, LocalOptions{Quota: cfg.quota})
	if err == nil {
		err = stressWorker(context.Background(), cfg, os.Getenv("CAS_ID"), l, true)
		l.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// helperCommand returns the test binary re-executed as a helper.
func helperCommand(t *testing.T, helper string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"CAS_HELPER=" + helper}, env...)...)
	return cmd
}

// TestConcurrentProcesses runs stress workers in three processes (this
// one and two helpers) on one cache.
func TestConcurrentProcesses(t *testing.T) {
	root := t.TempDir()
	tmp := t.TempDir()
	iters := 25
	if testing.Short() {
		iters = 8
	}
	workers := []string{"main", "p1", "p2"}
	cfg := stressConfig{root: root, workers: workers, iters: iters, quota: 150_000, tmp: tmp}
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for _, id := range workers[1:] {
		cmd := helperCommand(t, "stress", "CAS_ROOT="+root, "CAS_WORKERS="+strings.Join(workers, ","), "CAS_TMP="+tmp,
			"CAS_ITERS="+strconv.Itoa(iters), "CAS_QUOTA=150000", "CAS_ID="+id)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		must(t, cmd.Start())
		cmds = append(cmds, cmd)
		outs = append(outs, out)
	}
	l, err := NewLocal(root, LocalOptions{Quota: cfg.quota})
	must(t, err)
	if err := stressWorker(context.Background(), cfg, "main", l, true); err != nil {
		t.Errorf("worker main: %v", err)
	}
	l.Close()
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker %s: %v: %s", workers[i+1], err, outs[i])
		}
	}
	finalCheck(t, root)
}

// helperPutStdin stores what arrives on stdin, saying "started" first.
func helperPutStdin() int {
	l, err := NewLocal(os.Getenv("CAS_ROOT"), LocalOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Close()
	fmt.Println("started")
	if _, err := l.Put(context.Background(), os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestKilledPutNeverVisible kills a process in the middle of a Put: the
// half-written blob is never an object, and the next Expire removes its
// temporary file.
func TestKilledPutNeverVisible(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	cmd := helperCommand(t, "put-stdin", "CAS_ROOT="+root)
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "started\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	data := pattern(1 << 20)
	if _, err := stdin.Write(data[:len(data)/2]); err != nil {
		t.Fatal(err)
	}
	// Wait until the half is in the temporary file, then kill.
	l := openLocal(t, root, LocalOptions{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(l.tmpPath())
		var size int64
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				size += info.Size()
			}
		}
		if size >= int64(len(data)/2) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	must(t, cmd.Process.Kill())
	cmd.Wait()
	stdin.Close()
	want := digest.NewFromBlob(data)
	if ok, err := l.Has(ctx, want); ok || err != nil {
		t.Fatalf("Has = %v, %v for a blob whose writer was killed", ok, err)
	}
	if n := len(objectsOnDisk(t, l)); n != 0 {
		t.Fatalf("%d objects after a killed Put, want 0", n)
	}
	st, err := l.Expire(ctx, nil)
	must(t, err)
	if st.SessionsCollected != 1 {
		t.Errorf("Expire collected %d sessions, want the killed one", st.SessionsCollected)
	}
	if entries, _ := os.ReadDir(l.tmpPath()); len(entries) != 0 {
		t.Errorf("temporary files left after Expire: %v", entries)
	}
	checkConsistent(t, l)
}

// helperImportLoop imports trees and sets refs until killed, printing
// "ref <name>" after each SetRef.
func helperImportLoop() int {
	ctx := context.Background()
	l, err := NewLocal(os.Getenv("CAS_ROOT"), LocalOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Close()
	tmp := os.Getenv("CAS_TMP")
	for i := 0; ; i++ {
		files := map[string]string{"shared": "same", fmt.Sprintf("d%d/f", i%7): strconv.Itoa(i), "big": strings.Repeat(strconv.Itoa(i), 40000)}
		for j := range 30 {
			files[fmt.Sprintf("many/%d/%d", j%5, j)] = fmt.Sprint(i, j)
		}
		src := filepath.Join(tmp, strconv.Itoa(i))
		if err := writeFilesErr(src, files); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		root, err := l.ImportTree(ctx, src, TreeOptions{})
		if err == nil {
			err = l.SetRef(ctx, fmt.Sprintf("crash/r%d", i%10), root)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if i%10 == 9 {
			l.DeleteRef(ctx, fmt.Sprintf("crash/r%d", i%4))
		}
		fmt.Printf("ref %d\n", i)
	}
}

// TestKilledImportsLeaveConsistentCache kills a process that imports and
// sets refs in a loop, several times at random moments, then checks that
// every ref can be checked out and gives the tree it names, that Expire
// cleans up after the dead sessions, and that Repair finds at most leaks
// (counts too high, never too low) and leaves an exactly consistent cache.
func TestKilledImportsLeaveConsistentCache(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	for round := range rounds {
		cmd := helperCommand(t, "import-loop", "CAS_ROOT="+root, "CAS_TMP="+t.TempDir())
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		r := bufio.NewReader(stdout)
		for range 3 + round*2 {
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatalf("helper stopped: %v", err)
			}
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		must(t, cmd.Process.Kill())
		io.Copy(io.Discard, r)
		cmd.Wait()
	}
	l := openLocal(t, root, LocalOptions{})
	st, err := l.Expire(ctx, nil)
	must(t, err)
	if st.SessionsCollected != rounds {
		t.Errorf("Expire collected %d sessions, want %d", st.SessionsCollected, rounds)
	}
	refs, err := l.ListRefs(ctx, "crash")
	must(t, err)
	for _, ref := range refs {
		d, err := l.GetRef(ctx, ref)
		must(t, err)
		dest := filepath.Join(t.TempDir(), "out")
		if err := l.Checkout(ctx, d, dest, CheckoutOptions{}); err != nil {
			t.Fatalf("ref %s after crashes: %v", ref, err)
		}
		if got, err := DirectoryDigest(ctx, dest, TreeOptions{}); err != nil || got != d {
			t.Fatalf("ref %s checks out as %v, %v", ref, got, err)
		}
	}
	a, err := l.audit(ctx)
	must(t, err)
	for k, w := range a.want {
		if have := a.records[k]; have.holders < w.holders || (w.dir && !have.dir) {
			t.Errorf("count of %x too low after crashes: have %+v, want %+v", k[:6], have, w)
		}
	}
	if _, err := l.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, l)
}

// TestConcurrentPutsOfTheSameBlobs: goroutines of one Local and of
// separate Locals store the same blobs at once; each blob is stored once
// and counted once.
func TestConcurrentPutsOfTheSameBlobs(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	shared := openLocal(t, root, LocalOptions{})
	blobs := make([][]byte, 200)
	for i := range blobs {
		blobs[i] = []byte(fmt.Sprintf("blob %d %s", i, strings.Repeat("z", i*37)))
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			l := shared
			if w%2 == 0 {
				l = openLocal(t, root, LocalOptions{})
			}
			for i := range blobs {
				b := blobs[(i+w*25)%len(blobs)]
				var err error
				if w%3 == 0 {
					_, err = l.Put(ctx, strings.NewReader(string(b)))
				} else {
					_, err = l.PutBlob(ctx, b)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, b := range blobs {
		if got, err := shared.Get(ctx, digest.NewFromBlob(b)); err != nil || string(got) != string(b) {
			t.Fatalf("Get: %v", err)
		}
	}
	if _, objects, _ := shared.Usage(ctx); objects != int64(len(blobs)) {
		t.Errorf("usage counts %d objects, want %d", objects, len(blobs))
	}
	checkConsistent(t, shared)
}
