package downloadtest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Snapshot describes every entry under dir, one line each, sorted:
// "path dir 0755", "path file 0644 <content>" (content quoted, or its
// sha256 past 64 bytes), "path link -> target".
func Snapshot(t testing.TB, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("%s link -> %s", rel, target))
		case fi.IsDir():
			lines = append(lines, fmt.Sprintf("%s dir %04o", rel, fi.Mode()&os.ModePerm))
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			c := fmt.Sprintf("%q", data)
			if len(data) > 64 {
				c = "sha256:" + SHA256(data)
			}
			lines = append(lines, fmt.Sprintf("%s file %04o %s", rel, fi.Mode()&os.ModePerm, c))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
