package unpack

import (
	"archive/zip"
	"compress/bzip2"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"example.org/bst/internal/plugins/sources/download"
)

// Modes the zip staging gives members, as BuildStream's zip plugin (and
// the bst-external plugins that copied it) chmod them.
const (
	ZipDirMode  = 0o755
	ZipFileMode = 0o644
)

const zipBzip2 = 12 // the zip method number of bzip2

// ExtractZip stages the zip archive at p into dir as Python's zipfile
// extracts it and the plugins then chmod it: every directory 0755, every
// file 0644 (a symbolic link becomes a file holding its target), names
// without empty, "." and ".." components, times not kept. rename (nil =
// keep) maps each member name and may skip it; a name ending in '/' is a
// directory.
func ExtractZip(ctx context.Context, p, dir string, rename func(string) (string, bool)) error {
	r, err := zip.OpenReader(p)
	if err != nil {
		return err
	}
	defer r.Close()
	r.RegisterDecompressor(zipBzip2, func(rd io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(rd)) })
	tree, err := download.NewTree(dir)
	if err != nil {
		return err
	}
	for _, f := range r.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := f.Name
		if rename != nil {
			n, ok := rename(name)
			if !ok {
				continue
			}
			if strings.HasSuffix(name, "/") && !strings.HasSuffix(n, "/") {
				n += "/"
			}
			name = n
		}
		if err := ZipMember(tree, f, name); err != nil {
			return err
		}
	}
	return tree.Finish()
}

// ZipMember stages zip member f under name (relative to the staging
// root) with BuildStream's modes, creating the directories on the way.
func ZipMember(tree *download.Tree, f *zip.File, name string) error {
	rel := sanitizeZipName(name)
	for d := parentOf(rel); d != ""; d = parentOf(d) {
		if err := tree.Dir(d, ZipDirMode, time.Time{}); err != nil {
			return err
		}
	}
	if strings.HasSuffix(name, "/") {
		if rel == "" {
			return nil
		}
		return tree.Dir(rel, ZipDirMode, time.Time{})
	}
	if rel == "" {
		return fmt.Errorf("%s: not a file name", f.Name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	if err := tree.File(rel, rc, ZipFileMode, time.Time{}); err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	return nil
}

// sanitizeZipName drops the empty, "." and ".." components of a member
// name, as zipfile does when extracting.
func sanitizeZipName(name string) string {
	var parts []string
	for _, c := range strings.Split(name, "/") {
		if c != "" && c != "." && c != ".." {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "/")
}

func parentOf(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}
