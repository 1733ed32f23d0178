package ostree_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/ostree"
	"example.org/bst/internal/yamlnode"
)

func newMirrorSource(t *testing.T, gen int, project, config string) plugin.Source {
	t.Helper()
	s, err := ostree.NewMirror(downloadtest.Spec(t, "ostree_mirror", gen, project, config))
	if err != nil {
		t.Fatalf("NewMirror: %v", err)
	}
	return s
}

// mirrorRefs reads an ostree_mirror ref back as "ref=checksum" lines.
func mirrorRefs(t *testing.T, n yamlnode.Node) string {
	t.Helper()
	seq, ok := n.(*yamlnode.Sequence)
	if !ok {
		t.Fatalf("ref is %T, want a list", n)
	}
	var out []string
	for _, it := range seq.Items {
		m := it.(*yamlnode.Mapping)
		r, _, _ := m.String("ref")
		c, _, _ := m.String("checksum")
		out = append(out, r+"="+c)
	}
	return strings.Join(out, "\n")
}

// TestMirrorKind: an ostree_mirror source tracks the matching branches of
// a signed repository, fetches their commits once, and stages a
// repository holding them, from which the trees check out.
func TestMirrorKind(t *testing.T) {
	for _, c := range []struct {
		name string
		gen  int
		path bool // the repository is a project directory (`path:`), not served
	}{
		{"bst1 url", 1, false},
		{"bst2 url", 2, false},
		{"bst1 path", 1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			project := t.TempDir()
			served := filepath.Join(project, "ostree-repo")
			r := newRepo(t, served)
			signer := newGPGKey(t, filepath.Join(project, "files", "fdsdk.gpg"))
			a := r.commit("freedesktop-sdk-a-x86_64", sampleTree, signer)
			b := r.commit("freedesktop-sdk-b-x86_64", map[string]file{"b": {content: "b\n", mode: 0o644}}, signer)
			r.commit("other", map[string]file{"o": {content: "o\n", mode: 0o644}}, signer)
			r.summary()
			config := "gpg: files/fdsdk.gpg\nmatch: 'freedesktop-sdk-*'\n"
			var srv *server
			if c.path {
				config += "path: ostree-repo\n"
			} else {
				srv = serve(t, served)
				config += "url: " + srv.URL + "/\n"
			}
			e := env(t)
			s := newMirrorSource(t, c.gen, project, config)
			if s.Ref() != nil || s.Cached(e) {
				t.Fatal("a source without ref has one, or is cached")
			}
			ref, err := s.Track(context.Background(), e, "")
			if err != nil {
				t.Fatalf("Track: %v", err)
			}
			want := "freedesktop-sdk-a-x86_64=" + a + "\nfreedesktop-sdk-b-x86_64=" + b
			if got := mirrorRefs(t, ref); got != want {
				t.Fatalf("Track =\n%s\nwant\n%s", got, want)
			}
			s.SetRef(ref)
			if got := mirrorRefs(t, s.Ref()); got != want {
				t.Fatalf("Ref after SetRef =\n%s", got)
			}

			// A fresh cache: fetch pulls the two commits, then nothing.
			e2 := env(t)
			f := newMirrorSource(t, c.gen, project, config+"ref:\n- ref: freedesktop-sdk-b-x86_64\n  checksum: "+b+
				"\n- ref: freedesktop-sdk-a-x86_64\n  checksum: "+a+"\n")
			if f.Cached(e2) {
				t.Fatal("cached before fetching")
			}
			if err := f.Fetch(context.Background(), e2, ""); err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if !f.Cached(e2) {
				t.Fatal("not cached after fetching")
			}
			if srv != nil {
				before := srv.requests.Load()
				if err := f.Fetch(context.Background(), e2, ""); err != nil {
					t.Fatal(err)
				}
				if n := srv.requests.Load() - before; n != 0 {
					t.Errorf("a second fetch made %d requests", n)
				}
				srv.Close()
			}

			dir := filepath.Join(t.TempDir(), "source-repo")
			if err := f.Stage(context.Background(), e2, dir); err != nil {
				t.Fatalf("Stage: %v", err)
			}
			staged := &repo{t: t, Dir: dir, x: r.x}
			refs := strings.Split(staged.ostree("refs", "--repo="+dir), "\n")
			sort.Strings(refs) // ostree lists them in no particular order
			if got := strings.Join(refs, "\n"); got != "freedesktop-sdk-a-x86_64\nfreedesktop-sdk-b-x86_64" {
				t.Errorf("staged refs:\n%s", got)
			}
			if got := staged.ostree("rev-parse", "--repo="+dir, "freedesktop-sdk-a-x86_64"); got != a {
				t.Errorf("staged ref a = %s, want %s", got, a)
			}
			if has(t, dir, staged.ostree("rev-parse", "--repo="+served, "other")) {
				t.Error("the staged repository holds a commit of a branch that does not match")
			}
			co := filepath.Join(t.TempDir(), "co")
			staged.ostree("checkout", "--repo="+dir, "--user-mode", "freedesktop-sdk-a-x86_64", co)
			if got := downloadtest.Snapshot(t, co); got != sampleSnapshot {
				t.Errorf("tree of the staged commit:\n%s", got)
			}
		})
	}
}

// TestMirrorKindErrors: a commit signed by another key is refused, a
// commit the remote lacks is reported as such, and the configuration is
// checked.
func TestMirrorKindErrors(t *testing.T) {
	project := t.TempDir()
	served := filepath.Join(project, "ostree-repo")
	r := newRepo(t, served)
	signer := newGPGKey(t, filepath.Join(project, "other.gpg"))
	newGPGKey(t, filepath.Join(project, "fdsdk.gpg"))
	signed := r.commit("freedesktop-sdk-x86_64", sampleTree, signer)
	srv := serve(t, served)
	for _, c := range []struct {
		name, checksum string
		reason         bsterr.Reason
	}{
		{"signed by another key", signed, ostree.GPGVerificationFailed},
		{"unknown commit", strings.Repeat("1", 64), ostree.RefNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := env(t)
			s := newMirrorSource(t, 1, project, "gpg: fdsdk.gpg\nurl: "+srv.URL+"\nref:\n- ref: x\n  checksum: "+c.checksum+"\n")
			err := s.Fetch(context.Background(), e, "")
			if bsterr.ReasonOf(err) != c.reason || s.Cached(e) {
				t.Fatalf("Fetch: %v (%s), want %s", err, bsterr.ReasonOf(err), c.reason)
			}
		})
	}
	for _, c := range []struct {
		name, config string
		reason       bsterr.Reason
	}{
		{"no gpg", "url: " + srv.URL + "\n", bsterr.InvalidData},
		{"missing path", "gpg: fdsdk.gpg\npath: no-such-repo\n", bsterr.MissingFile},
		{"bad ref entry", "gpg: fdsdk.gpg\nurl: x\nref:\n- ref: a\n  commit: b\n", bsterr.InvalidData},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ostree.NewMirror(downloadtest.Spec(t, "ostree_mirror", 1, project, c.config))
			if bsterr.ReasonOf(err) != c.reason {
				t.Fatalf("got %v (%s), want %s", err, bsterr.ReasonOf(err), c.reason)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(project, "ostree-repo", "config")); err != nil {
		t.Fatal(err)
	}
}
