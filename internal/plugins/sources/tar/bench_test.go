package tar_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"example.org/bst/internal/plugins/sources/download/downloadtest"
	bsttar "example.org/bst/internal/plugins/sources/tar"
)

// benchTree is a source-release-like tree: 2000 files of 1–32 KiB in 100
// directories (about 33 MB).
func benchTree() []entry {
	r := rand.New(rand.NewSource(1))
	entries := []entry{dir("proj-1.0/", 0o755)}
	for d := 0; d < 100; d++ {
		dn := fmt.Sprintf("proj-1.0/dir%03d/", d)
		entries = append(entries, dir(dn, 0o755))
		for f := 0; f < 20; f++ {
			body := make([]byte, 1024+r.Intn(31*1024))
			for i := range body {
				body[i] = "abcdefghijklmnopqrstuvwxyz \n"[r.Intn(28)]
			}
			entries = append(entries, file(fmt.Sprintf("%sfile%02d.c", dn, f), 0o644, string(body)))
		}
	}
	return entries
}

func BenchmarkStage(b *testing.B) {
	plainTar := buildTar(b, benchTree())
	for _, how := range []string{"plain", "gz", "xz"} {
		b.Run(how, func(b *testing.B) {
			archive := compress(b, plainTar, how)
			srv := downloadtest.Serve(b, map[string][]byte{"/proj.tar": archive})
			env := newEnv(b)
			env.Log = nil
			s, err := bsttar.New(downloadtest.Spec(b, "tar", 1, b.TempDir(), "url: "+srv.URL+"/proj.tar\nref: "+downloadtest.SHA256(archive)+"\n"))
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Fetch(context.Background(), env, ""); err != nil {
				b.Fatal(err)
			}
			root := b.TempDir()
			b.SetBytes(int64(len(plainTar)))
			i := 0
			for b.Loop() {
				out := filepath.Join(root, fmt.Sprint(i))
				i++
				if err := s.Stage(context.Background(), env, out); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				os.RemoveAll(out)
				b.StartTimer()
			}
		})
	}
}
