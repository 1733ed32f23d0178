package unpack

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
)

// CrateOptions says how Crate stages a crate tarball.
type CrateOptions struct {
	// Filtered applies tarfile's "tar" filter to modes (BuildStream 2
	// plugins); otherwise members keep their modes.
	Filtered bool
	// TmpParent is where a temporary decompressed copy goes ("" = the
	// system's temporary directory).
	TmpParent string
}

// Crate stages a crate tarball (.crate) into vendorDir as the cargo
// plugins do: every member extracted there, then a .cargo-checksum.json
// holding {"package": sha, "files": {}} written into the directory named
// by the first component of the first member's name (the crate's
// name-version directory), which cargo's directory sources accept.
func Crate(ctx context.Context, env *plugin.SourceEnv, p, vendorDir, sha string, o CrateOptions) error {
	t, err := OpenTarball(ctx, env, p, o.TmpParent)
	if err != nil {
		return err
	}
	defer t.Close()
	opt := TarOptions{}
	if env != nil {
		opt.Log = env.Log
	}
	if o.Filtered {
		opt.Mode = FilteredMode
	}
	if err := ExtractTar(ctx, t, vendorDir, opt); err != nil {
		return err
	}
	first := ""
	err = t.Each(ctx, func(h *tar.Header, _ io.Reader) error {
		first = Name(h)
		return errStop
	})
	if err != nil && err != errStop {
		return err
	}
	if first == "" && err != errStop {
		return nil // an empty archive: nothing to describe
	}
	top, _, _ := strings.Cut(first, "/")
	rel, err := download.CleanMember(top)
	if err != nil {
		return err
	}
	dir := filepath.Join(vendorDir, rel)
	if err := inside(vendorDir, dir); err != nil {
		return err
	}
	return WriteCargoChecksum(dir, sha)
}

// inside checks that p resolves to root or below it.
func inside(root, p string) error {
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return err
	}
	if real != r && !strings.HasPrefix(real, r+string(filepath.Separator)) {
		return fmt.Errorf("%s: %w", p, download.ErrOutside)
	}
	return nil
}

type stopError struct{}

func (stopError) Error() string { return "stop" }

var errStop error = stopError{}

// WriteCargoChecksum writes dir/.cargo-checksum.json as json.dump does
// with Python's default separators: {"package": "<sha>", "files": {}}.
func WriteCargoChecksum(dir, sha string) error {
	pkg, err := json.Marshal(sha)
	if err != nil {
		return err
	}
	data := `{"package": ` + string(pkg) + `, "files": {}}`
	p := filepath.Join(dir, ".cargo-checksum.json")
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return os.WriteFile(p, []byte(data), 0o644)
}
