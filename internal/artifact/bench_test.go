package artifact

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"example.org/bst/internal/cas"
)

// BenchmarkCommitSmall commits the artifact of a trivial element (two small
// files, a log and public data), as each element of the synthetic build
// benchmark does.
func BenchmarkCommitSmall(b *testing.B) {
	ctx := context.Background()
	l, err := cas.NewLocal(b.TempDir(), cas.LocalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c := New(l)
	files := b.TempDir()
	os.MkdirAll(filepath.Join(files, "usr/share/c1"), 0o755)
	log := filepath.Join(b.TempDir(), "build.log")
	os.WriteFile(log, []byte("Running install-commands\n"), 0o644)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		os.WriteFile(filepath.Join(files, "usr/share/c1/flags"), []byte(fmt.Sprintf("-O2 %d\n", i)), 0o644)
		key := fmt.Sprintf("%064x", i+1)
		if _, err := c.Commit(ctx, ArtifactInfo{Project: "p", Element: "c.bst", StrongKey: key, WeakKey: fmt.Sprintf("%064x", i+1<<40),
			BuildSuccess: true, FilesDir: files, PublicData: []byte("bst: {}\n"), LogFiles: map[string]string{"build.log": log}}); err != nil {
			b.Fatal(err)
		}
	}
}
