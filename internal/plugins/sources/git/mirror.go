package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/lockedfile"
)

// mirror is a bare repository in the source cache holding what was
// fetched from one URL.
type mirror struct {
	url string // as written in the element (alias not expanded)
	dir string
}

// want is what a reference needs in a mirror.
type want struct {
	obj      string   // object id the ref names ("" when it names none)
	rev      string   // revision to check when obj is "" (the ref as written)
	extra    []string // other object ids needed (2.x tags' commits)
	tags     []string // tags to fetch along
	needTags bool     // the tags must be present (git_repo)
	depth    int      // > 0: history depth to fetch into a new or shallow mirror
	// describeTags: also fetch the remote's tags whose commits the mirror
	// has, so that `git describe` finds them when staging.
	describeTags bool
	full         bool // fetch every branch and tag (full-clone)
}

// lock takes the mirror's lock file (".<name>.lock" next to it, shared
// between the goroutines and processes using the source cache): exclusive
// to change the mirror, shared to read it.
func (m *mirror) lock(ctx context.Context, shared bool) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(m.dir), 0o755); err != nil {
		return nil, bsterr.Source(FetchFailed, nil, "creating %s: %v", filepath.Dir(m.dir), err).Wrap(err)
	}
	mu := lockedfile.MutexAt(filepath.Join(filepath.Dir(m.dir), "."+filepath.Base(m.dir)+".lock"))
	if shared {
		return mu.RLockContext(ctx)
	}
	return mu.LockContext(ctx)
}

func (m *mirror) exists() bool {
	_, err := os.Stat(filepath.Join(m.dir, "HEAD"))
	return err == nil
}

// shallowCommits returns the commits listed in a repository's shallow file.
func shallowCommits(gitDir string) map[string]bool {
	data, err := os.ReadFile(filepath.Join(gitDir, "shallow"))
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, l := range lines(string(data)) {
		out[l] = true
	}
	return out
}

func isShallow(gitDir string) bool {
	fi, err := os.Stat(filepath.Join(gitDir, "shallow"))
	return err == nil && fi.Size() > 0
}

// satisfies reports whether the mirror has what w needs.
func (m *mirror) satisfies(ctx context.Context, g runner, w want) (bool, error) {
	if !m.exists() {
		return false, nil
	}
	return satisfiedIn(ctx, g, m.dir, w)
}

func satisfiedIn(ctx context.Context, g runner, dir string, w want) (bool, error) {
	rev := w.obj
	if rev == "" {
		rev = w.rev
	}
	if rev == "" {
		return false, nil
	}
	if (w.depth == 0 || w.full) && isShallow(dir) {
		// The ref needs history a shallow mirror (fetched for another
		// source) cuts: the commits back to its tags, for describe, or
		// all of it (full-clone).
		return false, nil
	}
	names := append([]string{rev}, w.extra...)
	if w.needTags {
		for _, t := range w.tags {
			names = append(names, "refs/tags/"+t)
		}
	}
	have, err := g.batchCheck(ctx, dir, names)
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if !have[n] {
			return false, nil
		}
	}
	return true, nil
}

// peel returns the commit that rev names in the mirror.
func (m *mirror) peel(ctx context.Context, g runner, rev string) (string, error) {
	c, err := g.line(ctx, m.dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", bsterr.Source(RefNotFound, nil, "'%s' is not a commit in the mirror of %s", rev, m.url).Wrap(err)
	}
	return c, nil
}

// update runs fn on the mirror's repository: in place when the mirror
// exists; otherwise in a new bare repository in a temporary directory next
// to it, moved into place only when fn succeeds. When another process
// created the mirror meanwhile, the new repository is discarded (the
// caller checks what the mirror has afterwards).
func (m *mirror) update(ctx context.Context, g runner, fn func(gitDir string, fresh bool) error) error {
	if m.exists() {
		return fn(m.dir, false)
	}
	parent := filepath.Dir(m.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return bsterr.Source(FetchFailed, nil, "creating %s: %v", parent, err).Wrap(err)
	}
	tmp, err := os.MkdirTemp(parent, ".tmp-"+filepath.Base(m.dir)+"-")
	if err != nil {
		return bsterr.Source(FetchFailed, nil, "creating a temporary repository: %v", err).Wrap(err)
	}
	defer os.RemoveAll(tmp)
	if _, err := g.run(ctx, tmp, "init", "--quiet", "--bare", "--template=", "."); err != nil {
		return err
	}
	if err := fn(tmp, true); err != nil {
		return err
	}
	if err := os.Rename(tmp, m.dir); err != nil {
		if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
			return nil // another fetch was quicker; use its mirror
		}
		return bsterr.Source(FetchFailed, nil, "moving the new mirror of %s into place: %v", m.url, err).Wrap(err)
	}
	return nil
}

// fetchWant brings what w needs from url into the repository at dir.
func fetchWant(ctx context.Context, g runner, dir, url string, fresh bool, w want, logf func(string, ...any)) error {
	if !w.full && w.obj != "" {
		err := fetchTargeted(ctx, g, dir, url, fresh, w)
		if err == nil {
			ok, err := satisfiedIn(ctx, g, dir, w)
			if err != nil {
				return err
			}
			if ok {
				if w.describeTags {
					return fetchDescribeTags(ctx, g, dir, url, w.obj)
				}
				return nil
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		} else {
			logf("Fetching %s from %s failed, fetching all branches and tags: %v", w.obj, url, err)
		}
	}
	if err := fetchAll(ctx, g, dir, url); err != nil {
		return err
	}
	if ok, err := satisfiedIn(ctx, g, dir, w); err != nil || !ok {
		if err != nil {
			return err
		}
		what := w.obj
		if what == "" {
			what = w.rev
		}
		return bsterr.Source(RefNotFound, nil, "'%s' was not found in git repository %s", what, url)
	}
	if w.obj != "" {
		// Keep the object referenced: it may be on no branch or tag.
		if _, err := g.run(ctx, dir, "update-ref", "refs/bst/"+w.obj, w.obj); err != nil {
			return err
		}
	}
	return nil
}

// fetchTargeted fetches only w's object and tags: first the tags (one
// commit deep when the mirror is new or shallow and the ref says how deep
// its history goes), then the object.
func fetchTargeted(ctx context.Context, g runner, dir, url string, fresh bool, w want) error {
	shallowOK := w.depth > 0 && (fresh || isShallow(dir))
	have, err := g.batchCheck(ctx, dir, tagRefs(w.tags))
	if err != nil {
		return err
	}
	var tagSpecs []string
	for _, t := range w.tags {
		if !have["refs/tags/"+t] {
			tagSpecs = append(tagSpecs, "+refs/tags/"+t+":refs/tags/"+t)
		}
	}
	objSpec := w.obj + ":refs/bst/" + w.obj
	if !shallowOK {
		specs := tagSpecs
		objs := append([]string{w.obj}, w.extra...)
		hv, err := g.batchCheck(ctx, dir, objs)
		if err != nil {
			return err
		}
		var opts []string
		if w.depth == 0 && isShallow(dir) {
			// A mirror made shallow for another source: fetch the whole
			// history of the ref's commit, which unshallows it.
			opts = []string{"--unshallow"}
			hv[w.obj] = false
		}
		for _, o := range objs {
			if !hv[o] {
				specs = append(specs, o+":refs/bst/"+o)
			}
		}
		if len(specs) == 0 {
			return nil
		}
		return fetch(ctx, g, dir, url, opts, specs...)
	}
	if len(tagSpecs) > 0 {
		if err := fetch(ctx, g, dir, url, []string{"--depth=1"}, tagSpecs...); err != nil {
			return err
		}
	}
	if hv, err := g.batchCheck(ctx, dir, []string{w.obj}); err != nil {
		return err
	} else if hv[w.obj] {
		_, err := g.run(ctx, dir, "update-ref", "refs/bst/"+w.obj, w.obj)
		return err
	}
	return fetch(ctx, g, dir, url, []string{fmt.Sprintf("--depth=%d", w.depth)}, objSpec)
}

func tagRefs(tags []string) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = "refs/tags/" + t
	}
	return out
}

func fetch(ctx context.Context, g runner, dir, url string, opts []string, specs ...string) error {
	args := append([]string{"fetch", "--quiet", "--no-tags", "--force"}, opts...)
	args = append(args, url)
	args = append(args, specs...)
	_, err := g.run(ctx, dir, args...)
	return temporary(err)
}

// fetchAll fetches every branch and tag (the whole history), pruning the
// ones the remote no longer has.
func fetchAll(ctx context.Context, g runner, dir, url string) error {
	args := []string{"fetch", "--quiet", "--no-tags", "--force", "--prune"}
	if isShallow(dir) {
		args = append(args, "--unshallow")
	}
	args = append(args, url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
	_, err := g.run(ctx, dir, args...)
	return temporary(err)
}

// fetchDescribeTags fetches the remote's tags whose commits the
// repository has, so that describe sees them.
func fetchDescribeTags(ctx context.Context, g runner, dir, url, obj string) error {
	out, err := g.run(ctx, dir, "ls-remote", "--tags", url)
	if err != nil {
		return temporary(err)
	}
	peeled := map[string]string{}
	var names []string
	for _, l := range lines(out) {
		sha, ref, ok := strings.Cut(l, "\t")
		if !ok || !strings.HasPrefix(ref, "refs/tags/") {
			continue
		}
		name := strings.TrimPrefix(ref, "refs/tags/")
		if base, ok := strings.CutSuffix(name, "^{}"); ok {
			peeled[base] = sha
			continue
		}
		if _, seen := peeled[name]; !seen {
			names = append(names, name)
		}
		if _, set := peeled[name]; !set {
			peeled[name] = sha
		}
	}
	if len(names) == 0 {
		return nil
	}
	commits := make([]string, 0, len(names))
	for _, n := range names {
		commits = append(commits, peeled[n])
	}
	have, err := g.batchCheck(ctx, dir, append(commits, tagRefs(names)...))
	if err != nil {
		return err
	}
	var specs strings.Builder
	for _, n := range names {
		if have[peeled[n]] && !have["refs/tags/"+n] {
			fmt.Fprintf(&specs, "+refs/tags/%s:refs/tags/%s\n", n, n)
		}
	}
	if specs.Len() == 0 {
		return nil
	}
	_, err = g.input(ctx, dir, specs.String(), "fetch", "--quiet", "--no-tags", "--force", "--stdin", url)
	return temporary(err)
}

// temporary marks a failed network command as worth retrying.
func temporary(err error) error {
	var be *bsterr.Error
	if errors.As(err, &be) {
		be.Temporary = true
	}
	return err
}
