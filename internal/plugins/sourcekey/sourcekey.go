package sourcekey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cas"
	"example.org/bst/internal/digest"
	"example.org/bst/internal/yamlnode"
)

// Input is what a source key needs.
type Input struct {
	Gen        int               // 1 or 2
	Kind       string            // source kind
	Config     *yamlnode.Mapping // composited source configuration (without kind, directory)
	ProjectDir string            // directory of the element's project
	// Cache, if set, shares keys of file-based sources between elements.
	Cache *Cache
	// Staging is set for projects staged behind a junction with links.
	Staging StagedTree
	// Alias returns the value of a project URL alias, if defined; keys use
	// URLs as written, but a remote source's default filename is the
	// basename of the translated URL.
	Alias func(name string) (string, bool)
}

// translateURL is Project.translate_url: "alias:body" becomes the alias's
// value followed by body when the alias is defined.
func (in Input) translateURL(url string) string {
	name, body, ok := strings.Cut(url, ":")
	if !ok || in.Alias == nil {
		return url
	}
	if v, ok := in.Alias(name); ok && v != "" {
		return v + body
	}
	return url
}

// StagedTree describes a junction subproject staged with symbolic links
// (see project.Staging): keys follow the staging links and see absolute
// symlink targets as a copy would hold them.
type StagedTree interface {
	IsLink(path string) bool
	RewriteTarget(path, target string) string
}

type noStaging struct{}

func (noStaging) IsLink(string) bool                    { return false }
func (noStaging) RewriteTarget(_, target string) string { return target }

// copyBufs recycles file hashing buffers.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// Cache memoizes keys of sources that read project files (local, patch,
// patch_queue), which many elements often share. It is safe for concurrent
// use; the zero value is ready.
type Cache struct{ m sync.Map }

// cacheKey identifies a file-based source: the key depends on the files
// under the project directory and on the configuration as written.
type cacheKey struct {
	gen                    int
	kind, dir, path, strip string
}

type cacheEntry struct {
	once sync.Once
	key  any
	err  error
}

// ErrNoRef is returned (wrapped in a bsterr) when a source has no ref and so
// no key.
var errNoRef = bsterr.Source(bsterr.Reason("NO_REFERENCE"), nil, "source has no reference")

// IsNoRef reports whether err means the source has no reference.
func IsNoRef(err error) bool { return bsterr.ReasonOf(err) == "NO_REFERENCE" }

// Key returns the unique key of a source.
func Key(ctx context.Context, in Input) (any, error) {
	if in.Cache != nil && (in.Kind == "local" || in.Kind == "patch" || in.Kind == "patch_queue") {
		path, _, _ := in.Config.String("path")
		strip, _, _ := in.Config.String("strip-level")
		ck := cacheKey{gen: in.Gen, kind: in.Kind, dir: in.ProjectDir, path: path, strip: strip}
		v, ok := in.Cache.m.Load(ck)
		if !ok {
			v, _ = in.Cache.m.LoadOrStore(ck, &cacheEntry{})
		}
		e := v.(*cacheEntry)
		e.once.Do(func() { e.key, e.err = key(ctx, in) })
		return e.key, e.err
	}
	return key(ctx, in)
}

func key(ctx context.Context, in Input) (any, error) {
	c := in.Config
	str := func(key, def string) (string, error) { return c.StringDefault(key, def) }
	switch in.Kind {
	case "local":
		return localKey(ctx, in)
	case "patch":
		path, err := c.RequiredString("path")
		if err != nil {
			return nil, err
		}
		sum, err := sha256File(filepath.Join(in.ProjectDir, path), c.Get("path").Pos())
		if err != nil {
			return nil, err
		}
		strip, err := c.Int("strip-level", 1)
		if err != nil {
			return nil, err
		}
		return []any{path, sum, strip}, nil
	case "tar", "zip", "deb":
		url, ref, err := urlRef(c)
		if err != nil {
			return nil, err
		}
		def := "*"
		if in.Kind == "deb" && in.Gen == 1 {
			def = ""
		}
		base, ok, err := c.String("base-dir")
		if err != nil {
			return nil, err
		}
		var bd any = base
		if !ok {
			if def == "" {
				bd = nil
			} else {
				bd = def
			}
		}
		if in.Gen == 1 && bd == "" {
			bd = nil
		}
		if in.Gen == 2 {
			return append(downloadable2(url, ref, c), bd), nil
		}
		return []any{url, ref, bd}, nil
	case "remote":
		url, ref, err := urlRef(c)
		if err != nil {
			return nil, err
		}
		fn, ok, err := c.String("filename")
		if err != nil {
			return nil, err
		}
		if !ok {
			// os.path.basename of the translated URL.
			t := in.translateURL(url)
			fn = t[strings.LastIndexByte(t, '/')+1:]
		}
		if in.Gen == 2 {
			exe, err := c.Bool("executable", false)
			if err != nil {
				return nil, err
			}
			return append(downloadable2(url, ref, c), fn, exe), nil
		}
		return []any{url, ref, fn}, nil
	case "crate":
		return urlRefPair(c)
	case "ostree":
		return urlRefPair(c)
	case "bzr":
		url, err := c.RequiredString("url")
		if err != nil {
			return nil, err
		}
		track, err := str("track", "")
		if err != nil {
			return nil, err
		}
		ref, ok, err := c.String("ref")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoRef
		}
		k := []any{url, track, ref}
		if in.Gen == 2 {
			// buildstream-plugins bzr appends version when set.
			if v, ok, err := c.String("version"); err != nil {
				return nil, err
			} else if ok {
				k = append(k, v)
			}
		}
		return k, nil
	case "git", "git_tag", "git_module", "git_repo":
		return gitKey(in)
	case "pip":
		url, err := str("url", "https://pypi.org/simple/")
		if err != nil {
			return nil, err
		}
		ref, ok, err := c.String("ref")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoRef
		}
		return []any{url, ref}, nil
	case "cargo":
		return cargoKey(in)
	case "cpan":
		url, ok, err := c.String("url")
		if err != nil {
			return nil, err
		}
		sum, ok2, err := c.String("sha256sum")
		if err != nil {
			return nil, err
		}
		if !ok || !ok2 {
			return nil, errNoRef
		}
		return []any{url, sum}, nil
	case "docker":
		return dockerKey(in)
	case "patch_queue":
		return patchQueueKey(in)
	case "pypi":
		ref, err := c.MappingAt("ref")
		if err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, errNoRef
		}
		suffix, _ := ref.StringDefault("suffix", "")
		sum, _ := ref.StringDefault("sha256sum", "")
		return []any{suffix, sum}, nil
	case "ostree_mirror":
		return ostreeMirrorKey(in)
	case "go_module":
		return goModuleKey(in)
	}
	return nil, bsterr.Source(bsterr.NotImplemented, c.Pos(), "bst cannot compute the key of '%s' sources yet", in.Kind)
}

func urlRef(c *yamlnode.Mapping) (string, string, error) {
	url, err := c.RequiredString("url")
	if err != nil {
		return "", "", err
	}
	ref, ok, err := c.String("ref")
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", errNoRef
	}
	return url, ref, nil
}

func urlRefPair(c *yamlnode.Mapping) (any, error) {
	url, ref, err := urlRef(c)
	if err != nil {
		return nil, err
	}
	return []any{url, ref}, nil
}

// downloadable2 is the 2.x DownloadableFileSource key prefix.
func downloadable2(url, ref string, c *yamlnode.Mapping) []any {
	k := []any{url, ref}
	if v, ok, _ := c.String("version"); ok {
		k = append(k, v)
	} else if v, ok, _ := c.String("version-guess-pattern"); ok {
		k = append(k, v)
	}
	return k
}

func sha256File(path string, prov *bsterr.Provenance) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", bsterr.Source(bsterr.MissingFile, prov, "Could not read %s: %v", path, err)
	}
	defer f.Close()
	h := sha256.New()
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	// Hide *os.File's WriterTo, which would ignore the buffer and
	// allocate one per file.
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *bp); err != nil {
		return "", bsterr.Source(bsterr.MissingFile, prov, "Could not read %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func localKey(ctx context.Context, in Input) (any, error) {
	c := in.Config
	st := in.Staging
	if st == nil {
		st = noStaging{}
	}
	path, err := c.RequiredString("path")
	if err != nil {
		return nil, err
	}
	full := filepath.Join(in.ProjectDir, path)
	prov := c.Get("path").Pos()
	if in.Gen == 2 {
		capture := cas.DirectoryDigest
		if st, err := os.Stat(full); err == nil && !st.IsDir() {
			capture = func(ctx context.Context, p string, _ cas.TreeOptions) (digest.Digest, error) {
				return cas.SingleFileDirectoryDigest(ctx, p)
			}
		}
		d, err := capture(ctx, full, cas.TreeOptions{})
		if err != nil {
			return nil, bsterr.Source(bsterr.MissingFile, prov, "Specified path '%s' could not be read: %v", path, err)
		}
		return d.Hash(), nil
	}
	fi, err := os.Stat(full)
	if err != nil {
		return nil, bsterr.Source(bsterr.MissingFile, prov, "Specified path '%s' does not exist", path)
	}
	if !fi.IsDir() {
		k, err := fileKey(full, prov, st)
		if err != nil {
			return nil, err
		}
		return []any{[]any{path, k}}, nil
	}
	var out []any
	err = listRelativePaths(full, st, func(rel string) error {
		k, err := fileKey(filepath.Join(full, rel), prov, st)
		if err != nil {
			return err
		}
		out = append(out, []any{rel, k})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// fileKey is BuildStream 1's per-file key: "0" for a directory, the target
// for a symlink, else the sha256 of the content.
func fileKey(path string, prov *bsterr.Provenance, staging StagedTree) (string, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return "0", nil
	}
	if lst, err := os.Lstat(path); err == nil && lst.Mode()&os.ModeSymlink != 0 && !staging.IsLink(path) {
		t, err := os.Readlink(path)
		if err != nil {
			return "", bsterr.Source(bsterr.MissingFile, prov, "Could not read link %s: %v", path, err)
		}
		return staging.RewriteTarget(path, t), nil
	}
	return sha256File(path, prov)
}

// listRelativePaths walks dir as BuildStream's utils.list_relative_paths:
// os.walk order with sorted names; symlinks to directories are listed (not
// followed); a directory without files is listed itself.
func listRelativePaths(dir string, staging StagedTree, yield func(string) error) error {
	isLink := func(p string) bool {
		lst, err := os.Lstat(p)
		return err == nil && lst.Mode()&os.ModeSymlink != 0 && !staging.IsLink(p)
	}
	var walk func(abs, rel string) error
	walk = func(abs, rel string) error {
		ents, err := os.ReadDir(abs)
		if err != nil {
			return bsterr.Source(bsterr.MissingFile, nil, "Could not list %s: %v", abs, err)
		}
		var dirs, files []string
		for _, e := range ents {
			full := filepath.Join(abs, e.Name())
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				if st, err := os.Stat(full); err == nil && st.IsDir() {
					isDir = true
				}
			}
			if isDir {
				dirs = append(dirs, e.Name())
			} else {
				files = append(files, e.Name())
			}
		}
		sort.Strings(dirs)
		sort.Strings(files)
		join := func(n string) string {
			if rel == "" {
				return n
			}
			return rel + "/" + n
		}
		for _, d := range dirs {
			if isLink(filepath.Join(abs, d)) {
				if err := yield(join(d)); err != nil {
					return err
				}
			}
		}
		if len(files) == 0 {
			r := rel
			if r == "" {
				r = "."
			}
			if err := yield(r); err != nil {
				return err
			}
		}
		for _, f := range files {
			if err := yield(join(f)); err != nil {
				return err
			}
		}
		for _, d := range dirs {
			if isLink(filepath.Join(abs, d)) {
				continue
			}
			if err := walk(filepath.Join(abs, d), join(d)); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(dir, "")
}
