package remote

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
)

// FilenameContainsDirectory: `filename` has a '/'.
const FilenameContainsDirectory bsterr.Reason = "filename-contains-directory"

// Source is a remote source.
type Source struct {
	*download.File
	filename   string // "" = the basename of the translated URL
	executable bool
}

var _ plugin.Source = (*Source)(nil)

// New configures a remote source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	f, err := download.Configure(spec)
	if err != nil {
		return nil, err
	}
	s := &Source{File: f}
	if s.filename, err = spec.Config.StringDefault("filename", ""); err != nil {
		return nil, err
	}
	if strings.Contains(s.filename, "/") {
		return nil, f.Errorf(FilenameContainsDirectory, "filename parameter cannot contain directories")
	}
	if spec.Gen >= 2 {
		if s.executable, err = spec.Config.Bool("executable", false); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Filename is the name the file is staged under.
func (s *Source) Filename(env *plugin.SourceEnv) string {
	if s.filename != "" {
		return s.filename
	}
	u := s.TranslatedURL(env)
	return u[strings.LastIndexByte(u, '/')+1:]
}

// Stage copies the cached file into dir.
func (s *Source) Stage(_ context.Context, env *plugin.SourceEnv, dir string) error {
	src := s.Path(env)
	if src == "" {
		return s.Errorf(download.NoRef, "Cannot stage %s: the source has no ref", s.URL)
	}
	name := s.Filename(env)
	if name == "" || name == "." || name == ".." {
		return s.Errorf(download.StageFailed, "Cannot stage %s: no file name (set `filename`)", s.URL)
	}
	dest := filepath.Join(dir, name)
	if env.Log != nil {
		io.WriteString(env.Log, "Staging remote file to "+dest+"\n")
	}
	mode := os.FileMode(0o644)
	if s.executable {
		mode = 0o755
	}
	if err := copyFile(src, dest, mode); err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	return nil
}

// copyFile copies src to a new file dest (replacing whatever was there)
// with mode, keeping src's modification time, as utils.safe_copy does.
func copyFile(src, dest string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.Remove(dest); err != nil && !os.IsNotExist(err) {
		return err
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Chmod(dest, mode); err != nil {
		return err
	}
	return os.Chtimes(dest, fi.ModTime(), fi.ModTime())
}
