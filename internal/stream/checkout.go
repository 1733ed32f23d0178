package stream

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/plugin"
)

// stageSources stages srcs of e in order into root (each at its directory).
func stageSources(ctx context.Context, e *element.Element, srcs []plugin.Source, env *plugin.SourceEnv, root string) error {
	for i, src := range srcs {
		dir := filepath.Join(root, e.Sources[i].Directory)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return bsterr.Stream(bsterr.Unknown, "staging %s: %v", e.FullName, err)
		}
		if !src.Cached(env) {
			return bsterr.Source(bsterr.Reason("fetch-needed"), &e.Sources[i].Prov,
				"%s: source is not cached; fetch it first with `bst source fetch %s`", e.FullName, e.FullName)
		}
		if err := src.Stage(ctx, env, dir); err != nil {
			return err
		}
	}
	return nil
}

// CheckoutOptions are the arguments of `bst source checkout`.
type CheckoutOptions struct {
	Target      string
	Deps        pipeline.Scope
	Except      []string
	Directory   string // destination directory
	Tar         string // tar file ("-" = Stdout), instead of a directory
	Compression string // "", gz, xz, bz2
	Force       bool
	Fetch       bool // fetch missing sources first
	Stdout      io.Writer
}

// SourceCheckout stages the sources of the selected elements, each into a
// directory named after the element, as a directory or a tarball.
func (s *Session) SourceCheckout(ctx context.Context, o CheckoutOptions) error {
	var targets []string
	if o.Target != "" {
		targets = []string{o.Target}
	}
	sel, err := s.selectElements(ctx, targets, o.Except, o.Deps)
	if err != nil {
		return err
	}
	if o.Fetch {
		if err := runEach(ctx, sel, s.Config.Fetchers, s.fetchElement); err != nil {
			return err
		}
	}
	dest := o.Directory
	if o.Tar != "" {
		tmp, err := s.mkTemp("source-checkout-")
		if err != nil {
			return err
		}
		dest = tmp
	} else {
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(s.Dir, dest)
		}
		if ents, err := os.ReadDir(dest); err == nil && len(ents) > 0 && !o.Force {
			return bsterr.Stream(bsterr.Reason("checkout-exists"),
				"Checkout directory '%s' is not empty; use --force to overwrite", dest)
		}
	}
	for _, e := range sel {
		srcs, err := s.sources(e)
		if err != nil {
			return err
		}
		env := s.sourceEnv(e, io.Discard)
		dir := filepath.Join(dest, strings.TrimSuffix(strings.ReplaceAll(e.Name, "/", "-"), ".bst"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return bsterr.Stream(bsterr.Unknown, "cannot create %s: %v", dir, err)
		}
		if err := s.stageCached(ctx, e, srcs, env, dir); err != nil {
			return err
		}
	}
	if o.Tar == "" {
		return nil
	}
	return writeTar(dest, o.Tar, o.Compression, o.Stdout, s.Dir)
}

// writeTar writes the tree at root as a tarball to path ("-" = stdout).
func writeTar(root, path, compression string, stdout io.Writer, cwd string) (err error) {
	var w io.Writer = stdout
	if path != "-" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(cwd, path)
		}
		tmp := path + ".part"
		f, ferr := os.Create(tmp)
		if ferr != nil {
			return bsterr.Stream(bsterr.Unknown, "cannot write %s: %v", path, ferr)
		}
		defer func() {
			cerr := f.Close()
			if err == nil && cerr == nil {
				err = os.Rename(tmp, path)
			} else {
				os.Remove(tmp)
			}
		}()
		w = f
	}
	var closer io.Closer
	switch compression {
	case "", "none":
	case "gz":
		gw := gzip.NewWriter(w)
		w, closer = gw, gw
	default:
		return bsterr.Stream(bsterr.NotImplemented, "compression '%s' is not supported yet (use gz or none)", compression)
	}
	tw := tar.NewWriter(w)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, werr error) error {
		if werr != nil {
			return werr
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = rel
		if info.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uname, hdr.Gname, hdr.Uid, hdr.Gid = "", "", 0, 0
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		}
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil && closer != nil {
		err = closer.Close()
	}
	if err != nil {
		return bsterr.Stream(bsterr.Unknown, "writing tarball: %v", err)
	}
	return nil
}
