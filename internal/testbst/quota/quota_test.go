package quota

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/cas"
	"example.org/bst/internal/testbst"
)

func TestSourceCacheQuota(t *testing.T) {
	const n, size = 12, 64 << 10
	bodies := map[string][]byte{}
	for i := 0; i < n; i++ {
		bodies[fmt.Sprintf("/f%02d.bin", i)] = bytes.Repeat([]byte{byte('a' + i)}, size)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := bodies[r.URL.Path]; ok {
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	root := t.TempDir()
	proj := filepath.Join(root, "project")
	os.MkdirAll(filepath.Join(proj, "elements"), 0o755)
	os.WriteFile(filepath.Join(proj, "project.conf"), []byte("name: quota\nformat-version: 18\nelement-path: elements\n"), 0o644)
	for i := 0; i < n; i++ {
		sum := sha256.Sum256(bodies[fmt.Sprintf("/f%02d.bin", i)])
		os.WriteFile(filepath.Join(proj, "elements", fmt.Sprintf("e%02d.bst", i)), []byte(fmt.Sprintf(
			"kind: import\nsources:\n- kind: remote\n  url: %s/f%02d.bin\n  ref: %s\n", srv.URL, i, hex.EncodeToString(sum[:]))), 0o644)
	}
	cacheDir := filepath.Join(root, "cache")
	conf := filepath.Join(root, "bst.conf")
	// Room for about four staged sources; expire down to half of it.
	os.WriteFile(filepath.Join(conf), []byte("cachedir: "+cacheDir+"\nsourcedir: "+filepath.Join(root, "sources")+
		"\ncache:\n  quota: 256K\n  low-watermark: 50%\n  reserved-disk-space: 0\n"), 0o644)

	for i := 0; i < n; i++ {
		el := fmt.Sprintf("e%02d.bst", i)
		testbst.Run(t, proj, nil, "-c", conf, "source", "fetch", el).AssertSuccess(t)
		co := filepath.Join(root, "co", el)
		testbst.Run(t, proj, nil, "-c", conf, "source", "checkout", "--directory", co, el).AssertSuccess(t)
		got, err := os.ReadFile(filepath.Join(co, strings.TrimSuffix(el, ".bst"), fmt.Sprintf("f%02d.bin", i)))
		if err != nil || !bytes.Equal(got, bodies[fmt.Sprintf("/f%02d.bin", i)]) {
			t.Fatalf("%s: staged file wrong (%v)", el, err)
		}
	}

	store, err := cas.NewLocal(cacheDir, cas.LocalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	used, _, err := store.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if used > 256<<10 {
		t.Errorf("cache usage %d bytes is over the 256 KiB quota", used)
	}
	refs, err := store.ListRefs(ctx, "sources")
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) == 0 || len(refs) >= n {
		t.Errorf("%d source trees kept of %d staged: expiry did not run or removed everything", len(refs), n)
	}
	// The last command's sources must have survived.
	last := filepath.Join(root, "co2")
	res := testbst.Run(t, proj, nil, "-c", conf, "source", "checkout", "--directory", last, fmt.Sprintf("e%02d.bst", n-1))
	res.AssertSuccess(t)
	t.Logf("cache usage %d bytes, %d source trees kept of %d", used, len(refs), n)
}
