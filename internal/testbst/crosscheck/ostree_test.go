package crosscheck

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"example.org/bst/internal/plugins/sources/ostree"
	"example.org/bst/internal/testbst"
)

// ostreeCmd runs the ostree command and returns its trimmed output.
func ostreeCmd(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("ostree", args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ostree %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// signingKey makes a GnuPG home with an ed25519 signing key and writes its
// public key to pub; it returns the home and the key's fingerprint.
func signingKey(t *testing.T, pub string) (home, fpr string) {
	t.Helper()
	home, err := os.MkdirTemp("", "gnupg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(home, 0o700)
	gpg := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command("gpg", append([]string{"--batch", "--quiet"}, args...)...)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gpg %v: %v", args, err)
		}
		return out
	}
	t.Cleanup(func() {
		cmd := exec.Command("gpgconf", "--kill", "gpg-agent")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		cmd.Run()
		os.RemoveAll(home)
	})
	gpg("--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "Test <test@example.org>", "ed25519", "sign", "never")
	for _, l := range strings.Split(string(gpg("--with-colons", "--list-keys")), "\n") {
		if f := strings.Split(l, ":"); len(f) > 9 && f[0] == "fpr" {
			fpr = f[9]
			break
		}
	}
	write(t, pub, string(gpg("--export", fpr)))
	return home, fpr
}

// ostreeProject writes a format-version 18 project whose elements import
// commits of the OSTree repository served at repoURL (alias upstream):
// one unsigned branch, one signed branch verified with keys/test.gpg.
// The two URLs differ: BuildStream 1.6.8 keeps one mirror per URL and
// configures its remote only once (--if-not-exists), so with the same URL
// the remote of whichever element came first, verifying or not, would
// serve both (bst reconfigures the remote before each pull).
func ostreeProject(t *testing.T, dir, repoURL string, key []byte) {
	write(t, filepath.Join(dir, "project.conf"), "name: ostreecheck\nformat-version: 18\nelement-path: elements\naliases:\n  upstream: "+repoURL+"\n")
	write(t, filepath.Join(dir, "keys/test.gpg"), string(key))
	write(t, filepath.Join(dir, "elements/plain.bst"), "kind: import\n# kept as is\nsources:\n- kind: ostree\n  url: upstream:repo/\n  track: sdk/x86_64/stable   # the branch\n")
	write(t, filepath.Join(dir, "elements/signed.bst"), "kind: import\nsources:\n- kind: ostree\n  url: upstream:repo\n  track: sdk/x86_64/signed\n  gpg-key: keys/test.gpg\n")
	write(t, filepath.Join(dir, "elements/all.bst"), "kind: stack\ndepends:\n- plain.bst\n- signed.bst\n")
}

// TestOstreeAgreesWithBuildStream: for `ostree` sources on a repository
// served on 127.0.0.1, bst writes the refs BuildStream 1.6.8 writes and
// computes the same keys; bst then fetches (once), and stages the tree
// BuildStream 1.6.8 builds into an import element's artifact. A wrong
// ref fails clearly.
func TestOstreeAgreesWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	if _, err := exec.LookPath("ostree"); err != nil {
		t.Skip("the ostree command is not installed (Debian package ostree)")
	}
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg is not installed")
	}
	root := t.TempDir()
	served := filepath.Join(root, "served")
	repo := filepath.Join(served, "repo")
	os.MkdirAll(repo, 0o755)
	ostreeCmd(t, nil, "init", "--repo="+repo, "--mode=archive")
	treeDir := filepath.Join(root, "tree")
	write(t, filepath.Join(treeDir, "usr/bin/hello"), "#!/bin/sh\necho hello\n")
	os.Chmod(filepath.Join(treeDir, "usr/bin/hello"), 0o755)
	os.Symlink("hello", filepath.Join(treeDir, "usr/bin/hi"))
	write(t, filepath.Join(treeDir, "usr/share/doc/README"), "read me\n")
	plain := ostreeCmd(t, nil, "commit", "--repo="+repo, "--branch=sdk/x86_64/stable", "--subject=plain",
		"--owner-uid=0", "--owner-gid=0", treeDir)
	key := filepath.Join(root, "test.gpg")
	home, fpr := signingKey(t, key)
	signed := ostreeCmd(t, nil, "commit", "--repo="+repo, "--branch=sdk/x86_64/signed", "--subject=signed",
		"--owner-uid=0", "--owner-gid=0", "--gpg-sign="+fpr, "--gpg-homedir="+home, treeDir)
	var requests atomic.Int64
	files := http.FileServer(http.Dir(served))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	keyData, _ := os.ReadFile(key)

	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	ostreeProject(t, ours, srv.URL+"/", keyData)
	ostreeProject(t, theirs, srv.URL+"/", keyData)
	bsHome := filepath.Join(root, "bs-home")
	run16 := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bs, append([]string{"--no-colors", "--no-interactive"}, args...)...)
		cmd.Dir = theirs
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + bsHome, "XDG_CACHE_HOME=" + bsHome + "/cache",
			"XDG_CONFIG_HOME=" + bsHome + "/config", "XDG_DATA_HOME=" + bsHome + "/data", "LC_ALL=C.UTF-8"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("BuildStream 1.6.8 %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}

	// Tracking writes the same refs, the branches' commits.
	run16("track", "--deps", "all", "all.bst")
	testbst.Run(t, ours, nil, "--no-colors", "source", "track", "--deps", "all", "all.bst").AssertSuccess(t)
	for el, commit := range map[string]string{"plain": plain, "signed": signed} {
		a, _ := os.ReadFile(filepath.Join(ours, "elements", el+".bst"))
		b, _ := os.ReadFile(filepath.Join(theirs, "elements", el+".bst"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s.bst after tracking differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", el, a, b)
		}
		if !strings.Contains(string(a), "ref: "+commit) {
			t.Errorf("%s.bst does not record commit %s:\n%s", el, commit, a)
		}
	}
	format := "%{name} %{full-key}"
	want := run16("show", "--deps", "all", "--format", format, "all.bst")
	got := testbst.Run(t, ours, nil, "--no-colors", "show", "--deps", "all", "--format", format, "all.bst")
	got.AssertSuccess(t)
	if strings.TrimSpace(got.Stdout) != strings.TrimSpace(want) {
		t.Errorf("keys differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", got.Stdout, want)
	}

	// Fetch with a fresh source cache (tracking filled the first one), then
	// again: the second fetch asks the server nothing.
	fresh := map[string]string{"XDG_CACHE_HOME": filepath.Join(root, "fresh-cache")}
	testbst.Run(t, ours, fresh, "--no-colors", "source", "fetch", "--deps", "all", "all.bst").AssertSuccess(t)
	before := requests.Load()
	testbst.Run(t, ours, fresh, "--no-colors", "source", "fetch", "--deps", "all", "all.bst").AssertSuccess(t)
	if n := requests.Load() - before; n != 0 {
		t.Errorf("the second fetch made %d requests", n)
	}
	states := testbst.Run(t, ours, fresh, "--no-colors", "show", "--deps", "all", "--format", "%{name} %{state}", "all.bst")
	states.AssertSuccess(t)
	if strings.Contains(states.Stdout, "fetch needed") {
		t.Errorf("after fetch:\n%s", states.Stdout)
	}

	// Staging gives the tree BuildStream 1.6.8 puts in the artifact.
	co := filepath.Join(root, "checkout")
	testbst.Run(t, ours, fresh, "--no-colors", "source", "checkout", "--deps", "all", "--directory", co, "all.bst").AssertSuccess(t)
	wantTree := []string{
		"usr/", "usr/bin/", `usr/bin/hello exec=true "#!/bin/sh\necho hello\n"`, "usr/bin/hi -> hello",
		"usr/share/", "usr/share/doc/", `usr/share/doc/README exec=false "read me\n"`,
	}
	for _, el := range []string{"plain", "signed"} {
		if got := tree(t, filepath.Join(co, el)); strings.Join(got, "\n") != strings.Join(wantTree, "\n") {
			t.Errorf("%s staged:\n  %s", el, strings.Join(got, "\n  "))
		}
	}
	if err := exec.Command("bwrap", "--bind", "/", "/", "true").Run(); err == nil {
		run16("build", "plain.bst")
		bsCo := filepath.Join(root, "bs-checkout")
		run16("checkout", "plain.bst", bsCo)
		if a, b := tree(t, filepath.Join(co, "plain")), tree(t, bsCo); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("staged trees differ:\nbst:\n  %s\nBuildStream 1.6.8:\n  %s", strings.Join(a, "\n  "), strings.Join(b, "\n  "))
		}
	} else {
		t.Logf("bubblewrap cannot run here (%v): not comparing with BuildStream 1.6.8's artifact", err)
	}

	// A commit the repository does not have fails with the reason.
	write(t, filepath.Join(ours, "elements/wrong.bst"), "kind: import\nsources:\n- kind: ostree\n  url: upstream:repo/\n  ref: "+
		strings.Repeat("0", 64)+"\n")
	res := testbst.Run(t, ours, fresh, "--no-colors", "source", "fetch", "wrong.bst")
	res.AssertMainError(t, "SOURCE", ostree.RefNotFound)
	if !strings.Contains(res.Stderr, "wrong.bst [line 3 column 2]") || !strings.Contains(res.Stderr, "no such ref or commit") {
		t.Errorf("the error does not say where and what:\n%s", res.Stderr)
	}
}
