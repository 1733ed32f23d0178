package patch_test

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
)

const helloPatch = `--- a/src/hello.c
+++ b/src/hello.c
@@ -1,3 +1,3 @@
 int main(void) {
-	return 1;
+	return 0;
 }
`

func setup(t *testing.T, patchText string) (proj, staged string, env *plugin.SourceEnv) {
	t.Helper()
	proj = t.TempDir()
	os.MkdirAll(filepath.Join(proj, "patches"), 0o755)
	if err := os.WriteFile(filepath.Join(proj, "patches", "fix.patch"), []byte(patchText), 0o644); err != nil {
		t.Fatal(err)
	}
	staged = t.TempDir()
	os.MkdirAll(filepath.Join(staged, "src"), 0o755)
	if err := os.WriteFile(filepath.Join(staged, "src", "hello.c"), []byte("int main(void) {\n\treturn 1;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env = downloadtest.Env(t)
	env.Exec = hostexec.New(env.Log, nil)
	return proj, staged, env
}

func newPatch(t *testing.T, proj, config string) plugin.Source {
	t.Helper()
	s, err := patch.New(downloadtest.Spec(t, "patch", 1, proj, config))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestApply(t *testing.T) {
	for _, c := range []struct {
		config, text string
	}{
		{"path: patches/fix.patch\n", helloPatch},
		{"path: patches/fix.patch\nstrip-level: 0\n", strings.NewReplacer("a/src", "src", "b/src", "src").Replace(helloPatch)},
		{"path: patches/fix.patch\nstrip-level: 2\n", strings.NewReplacer("a/src", "x/y/src", "b/src", "x/y/src").Replace(helloPatch)},
	} {
		proj, staged, env := setup(t, c.text)
		s := newPatch(t, proj, c.config)
		if !s.Cached(env) || s.Ref() != nil {
			t.Error("a patch source is always cached and has no ref")
		}
		if err := s.Stage(context.Background(), env, staged); err != nil {
			t.Fatalf("%s: %v", c.config, err)
		}
		data, _ := os.ReadFile(filepath.Join(staged, "src", "hello.c"))
		if !strings.Contains(string(data), "return 0;") {
			t.Errorf("%s: not patched:\n%s", c.config, data)
		}
	}
}

func TestFailedPatch(t *testing.T) {
	proj, staged, env := setup(t, strings.Replace(helloPatch, "return 1;", "return 2;", 1))
	s := newPatch(t, proj, "path: patches/fix.patch\n")
	err := s.Stage(context.Background(), env, staged)
	var e *bsterr.Error
	if !errors.As(err, &e) || e.Reason != patch.Failed || e.Domain != bsterr.DomainSource {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(e.Msg, "Failed to apply patch patches/fix.patch") || !strings.Contains(e.Detail, "FAILED") {
		t.Errorf("message %q, detail %q", e.Msg, e.Detail)
	}
	if e.Prov == nil || e.Prov.File != "elements/test.bst" {
		t.Errorf("provenance %v", e.Prov)
	}
}

func TestAlreadyAppliedDoesNotHang(t *testing.T) {
	proj, staged, env := setup(t, helloPatch)
	s := newPatch(t, proj, "path: patches/fix.patch\n")
	if err := s.Stage(context.Background(), env, staged); err != nil {
		t.Fatal(err)
	}
	// patch would ask whether to reverse; without a terminal it takes the
	// default answer and fails.
	if err := s.Stage(context.Background(), env, staged); bsterr.ReasonOf(err) != patch.Failed {
		t.Errorf("got %v", err)
	}
}

func TestNothingToPatch(t *testing.T) {
	proj, _, env := setup(t, helloPatch)
	s := newPatch(t, proj, "path: patches/fix.patch\n")
	if err := s.Stage(context.Background(), env, t.TempDir()); bsterr.ReasonOf(err) != patch.NoFiles {
		t.Errorf("got %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	proj, _, _ := setup(t, helloPatch)
	for _, c := range []struct {
		config string
		reason bsterr.Reason
	}{
		{"path: patches/missing.patch\n", bsterr.MissingFile},
		{"path: patches\n", bsterr.ProjectPathInvalidKind},
		{"path: patches/fix.patch\nstrip-level: one\n", bsterr.InvalidData},
	} {
		if _, err := patch.New(downloadtest.Spec(t, "patch", 1, proj, c.config)); bsterr.ReasonOf(err) != c.reason {
			t.Errorf("%q: got %v, want %s", c.config, err, c.reason)
		}
	}
}
