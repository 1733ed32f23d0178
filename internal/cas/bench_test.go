package cas

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchTree writes the tree BenchmarkDirectoryDigest uses: 2,000 4 KiB
// files in 40 directories plus four 1 MiB files.
func benchTree(b *testing.B) (root string, total int64) {
	root = b.TempDir()
	for i := range 2000 {
		dir := filepath.Join(root, fmt.Sprintf("dir%02d", i%40))
		must(b, os.MkdirAll(dir, 0o755))
		data := pattern(4 << 10)
		binary.LittleEndian.PutUint64(data, uint64(i)) // distinct contents
		must(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%04d", i)), data, 0o644))
		total += int64(len(data))
	}
	for i := range 4 {
		data := pattern(1 << 20)
		data[0] = byte(i)
		must(b, os.WriteFile(filepath.Join(root, fmt.Sprintf("big%d", i)), data, 0o755))
		total += 1 << 20
	}
	return root, total
}

// BenchmarkImportTree imports that tree into an empty store ("new", every
// file written) and into a store that has it ("existing", every file only
// read and hashed).
func BenchmarkImportTree(b *testing.B) {
	ctx := context.Background()
	src, total := benchTree(b)
	b.Run("new", func(b *testing.B) { benchImportNew(b, src, total) })
	b.Run("existing", func(b *testing.B) {
		l, err := NewLocal(b.TempDir(), LocalOptions{})
		must(b, err)
		defer l.Close()
		if _, err := l.ImportTree(ctx, src, TreeOptions{}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := l.ImportTree(ctx, src, TreeOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchImportNew imports into a new store each time (not timed: creating
// and removing the store).
func benchImportNew(b *testing.B, src string, total int64) {
	ctx := context.Background()
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		root := b.TempDir()
		l, err := NewLocal(root, LocalOptions{})
		must(b, err)
		b.StartTimer()
		if _, err := l.ImportTree(ctx, src, TreeOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		l.Close()
		os.RemoveAll(root)
		b.StartTimer()
	}
}

// BenchmarkPut stores 4 KiB blobs that are new (PutBlob), already stored
// (PutBlob), and new 1 MiB blobs streamed through Put.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name   string
		size   int
		exists bool
		stream bool
	}{
		{"new-4KiB", 4 << 10, false, false},
		{"existing-4KiB", 4 << 10, true, false},
		{"new-1MiB-stream", 1 << 20, false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := NewLocal(b.TempDir(), LocalOptions{})
			must(b, err)
			defer l.Close()
			data := pattern(bc.size)
			b.SetBytes(int64(bc.size))
			b.ReportAllocs()
			i := uint64(0)
			for b.Loop() {
				if !bc.exists {
					i++
					binary.LittleEndian.PutUint64(data, i)
				}
				if bc.stream {
					_, err = l.Put(ctx, bytes.NewReader(data))
				} else {
					_, err = l.PutBlob(ctx, data)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckout checks the benchmark tree out by hardlinks and by
// copies.
func BenchmarkCheckout(b *testing.B) {
	ctx := context.Background()
	src, total := benchTree(b)
	l, err := NewLocal(b.TempDir(), LocalOptions{})
	must(b, err)
	defer l.Close()
	root, err := l.ImportTree(ctx, src, TreeOptions{})
	must(b, err)
	for _, hardlinks := range []bool{true, false} {
		b.Run(fmt.Sprintf("hardlinks=%v", hardlinks), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				dest := filepath.Join(b.TempDir(), "out")
				if err := l.Checkout(ctx, root, dest, CheckoutOptions{Hardlinks: hardlinks}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				os.RemoveAll(dest)
				b.StartTimer()
			}
		})
	}
}
