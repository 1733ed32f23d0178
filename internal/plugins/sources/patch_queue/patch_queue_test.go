package patchqueue_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/plugins/sources/patch"
	patchqueue "example.org/bst/internal/plugins/sources/patch_queue"
)

// Two patches that only apply in order: 0001 changes line one, 0002
// changes the line 0001 wrote.
const (
	p1 = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n-one\n+ONE\n two\n"
	p2 = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n-ONE\n+uno\n two\n"
)

func setup(t *testing.T, patches map[string]string) (proj, staged string, env *plugin.SourceEnv) {
	t.Helper()
	proj = t.TempDir()
	os.MkdirAll(filepath.Join(proj, "patches", "queue"), 0o755)
	for name, text := range patches {
		if err := os.WriteFile(filepath.Join(proj, "patches", "queue", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	staged = t.TempDir()
	if err := os.WriteFile(filepath.Join(staged, "f.txt"), []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env = downloadtest.Env(t)
	env.Exec = hostexec.New(env.Log, nil)
	return proj, staged, env
}

func TestApplyInOrder(t *testing.T) {
	for _, gen := range []int{1, 2} {
		// Named so that directory order and sorted order may differ.
		proj, staged, env := setup(t, map[string]string{"0002-second.patch": p2, "0001-first.patch": p1})
		s, err := patchqueue.New(downloadtest.Spec(t, "patch_queue", gen, proj, "path: patches/queue\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !s.Cached(env) || s.Ref() != nil {
			t.Error("always cached, no ref")
		}
		if err := s.Stage(context.Background(), env, staged); err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		if data, _ := os.ReadFile(filepath.Join(staged, "f.txt")); string(data) != "uno\ntwo\n" {
			t.Errorf("gen %d: f.txt = %q", gen, data)
		}
	}
}

func TestStripLevel(t *testing.T) {
	for _, gen := range []int{1, 2} {
		proj, staged, env := setup(t, map[string]string{"1.patch": strings.NewReplacer("a/f.txt", "f.txt", "b/f.txt", "f.txt").Replace(p1)})
		s, err := patchqueue.New(downloadtest.Spec(t, "patch_queue", gen, proj, "path: patches/queue\nstrip: 0\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Stage(context.Background(), env, staged); err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		if data, _ := os.ReadFile(filepath.Join(staged, "f.txt")); string(data) != "ONE\ntwo\n" {
			t.Errorf("gen %d: f.txt = %q", gen, data)
		}
	}
}

func TestFailure(t *testing.T) {
	for _, gen := range []int{1, 2} {
		proj, staged, env := setup(t, map[string]string{"1.patch": p2})
		s, err := patchqueue.New(downloadtest.Spec(t, "patch_queue", gen, proj, "path: patches/queue\n"))
		if err != nil {
			t.Fatal(err)
		}
		err = s.Stage(context.Background(), env, staged)
		var e *bsterr.Error
		if !errors.As(err, &e) || e.Reason != patch.Failed || !strings.Contains(e.Msg, "Failed to apply patches from patches/queue") {
			t.Errorf("gen %d: got %v", gen, err)
		}
		if data, _ := os.ReadFile(filepath.Join(staged, "f.txt")); string(data) != "one\ntwo\n" {
			t.Errorf("gen %d: f.txt changed: %q", gen, data)
		}
	}
}

func TestStopsAtFirstFailure(t *testing.T) {
	// The second patch cannot apply after the first: the error names the
	// queue.
	for _, gen := range []int{1, 2} {
		proj, staged, env := setup(t, map[string]string{"1.patch": p1, "2.patch": p1})
		s, err := patchqueue.New(downloadtest.Spec(t, "patch_queue", gen, proj, "path: patches/queue\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Stage(context.Background(), env, staged); bsterr.ReasonOf(err) != patch.Failed {
			t.Fatalf("gen %d: got %v", gen, err)
		}
	}
}

func TestPathMustBeADirectory(t *testing.T) {
	proj, _, _ := setup(t, map[string]string{"1.patch": p1})
	_, err := patchqueue.New(downloadtest.Spec(t, "patch_queue", 1, proj, "path: patches/queue/1.patch\n"))
	if bsterr.ReasonOf(err) != bsterr.ProjectPathInvalidKind {
		t.Errorf("got %v", err)
	}
}
