package artifact

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cas"
	"example.org/bst/internal/digest"
)

// Namespace is the cas ref namespace of artifacts: the ref of artifact
// name "<project>/<normal_name>/<key>" is "artifacts/<project>/<normal_name>/<key>",
// the file <cachedir>/artifacts/refs/<project>/<normal_name>/<key>.
const Namespace = "artifacts"

// bsterr reasons of this package's errors (domain bsterr.DomainArtifact).
const (
	// InvalidName: a project, element name, key or log name that cannot
	// name an artifact.
	InvalidName bsterr.Reason = "INVALID_ARTIFACT_NAME"
	// CommitFailed: storing an artifact's content failed.
	CommitFailed bsterr.Reason = "ARTIFACT_COMMIT_FAILED"
	// Corrupt: an artifact ref's tree is not an artifact (no proto, or a
	// proto that does not decode).
	Corrupt bsterr.Reason = "ARTIFACT_CORRUPT"
	// LogNotFound: the artifact has no log of that name.
	LogNotFound bsterr.Reason = "ARTIFACT_LOG_NOT_FOUND"
	// NotFound: Delete of an artifact that is not cached.
	NotFound bsterr.Reason = "ARTIFACT_NOT_FOUND"
)

func artifactError(reason bsterr.Reason, err error, format string, args ...any) *bsterr.Error {
	msg := fmt.Sprintf(format, args...)
	if err != nil {
		msg += ": " + err.Error()
	}
	return &bsterr.Error{Domain: bsterr.DomainArtifact, Reason: reason, Msg: msg, Err: err}
}

// Names inside the artifact's root Directory (see the package
// documentation). protoName is the serialized Artifact.
const (
	protoName        = "artifact.proto"
	filesName        = "files"
	buildtreeName    = "buildtree"
	buildrootName    = "buildroot"
	sourcesName      = "sources"
	logsName         = "logs"
	metaName         = "meta"
	subsandboxesName = "subsandboxes"
	publicName       = "public.yaml"
	lowName          = "low-diversity.yaml"
	highName         = "high-diversity.yaml"
)

// NormalName is BuildStream's _get_normal_name: the element name with "/"
// turned into "-" and its extension (".bst") removed.
func NormalName(element string) string {
	n := strings.ReplaceAll(element, "/", "-")
	// os.path.splitext: the last dot, unless the basename starts with dots only.
	i := strings.LastIndexByte(n, '.')
	if i <= 0 || strings.Trim(n[:i], ".") == "" {
		return n
	}
	return n[:i]
}

// Name is BuildStream's artifact name (_compose_artifact_name) of an
// element (its name as loaded, "base/alpine.bst"):
// "<project>/<normal name, characters outside [0-9A-Za-z-._] turned into
// '_'>/<key>".
func Name(project, element, key string) string {
	n := []byte(NormalName(element))
	for i, c := range n {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '.' || c == '_') {
			n[i] = '_'
		}
	}
	return project + "/" + string(n) + "/" + key
}

// Ref is the cas ref of an artifact name.
func Ref(name string) string { return Namespace + "/" + name }

func checkName(project, element, key string) (string, error) {
	name := Name(project, element, key)
	for _, c := range strings.Split(name, "/") {
		if c == "" || c == "." || c == ".." || strings.ContainsAny(c, "\x00\n\r") {
			return "", artifactError(InvalidName, nil, "invalid artifact name %q (project %q, element %q, key %q)", name, project, element, key)
		}
	}
	if strings.Count(name, "/") != 2 {
		return "", artifactError(InvalidName, nil, "invalid artifact name %q: project names and keys cannot contain '/'", name)
	}
	return name, nil
}

// Cache stores artifacts in a local CAS. It is safe for concurrent use,
// by goroutines and processes sharing the cache directory.
type Cache struct {
	cas *cas.Local
}

// New returns the artifact cache over l (BuildStream 2's cachedir: refs go
// to <cachedir>/artifacts/refs).
func New(l *cas.Local) *Cache { return &Cache{cas: l} }

// CAS returns the store the cache uses.
func (c *Cache) CAS() *cas.Local { return c.cas }

// ArtifactInfo is what Commit stores: BuildStream 2's Artifact.cache
// arguments, as paths and values.
type ArtifactInfo struct {
	Project string // project name
	Element string // element name as loaded ("base/alpine.bst"); Name derives the normal name

	StrongKey string // required
	WeakKey   string // optional; a ref is written for it too
	StrictKey string

	BuildSuccess      bool
	BuildError        string // short message of a failed build
	BuildErrorDetails string

	// WasWorkspaced: the element was built from a workspace; trees are
	// then captured with their files' mtimes, as BuildStream 2 does.
	WasWorkspaced bool

	// FilesDir is the collected output (install root); "" for none (a
	// build that failed before collecting).
	FilesDir string
	// GiveFiles says FilesDir is given away: its files may become cache
	// objects by hard link (cas.TreeOptions.Adopt), so it must only be
	// removed afterwards.
	GiveFiles bool
	// BuildtreeDir and BuildrootDir are the build directory and the
	// sandbox root to keep; "" for none.
	BuildtreeDir string
	BuildrootDir string
	// Sources is the staged sources, a Directory already stored in the
	// CAS (by the source cache); zero for none.
	Sources digest.Digest

	// LogFiles maps log names (file names, as BuildStream keeps the
	// basename of the log) to the files to store.
	LogFiles map[string]string

	// PublicData, LowDiversityMeta ({environment, sandbox-config}) and
	// HighDiversityMeta ({variables}) are YAML documents; nil for none.
	PublicData        []byte
	LowDiversityMeta  []byte
	HighDiversityMeta []byte

	BuildDeps []Dependency

	// Buildsandbox, if not nil, is recorded as is; its subsandbox digests
	// must be Directories stored in the CAS.
	Buildsandbox *SandboxState
}

// Commit stores an artifact and returns its name under the strong key.
// The content goes in first and the refs (strong key, then weak key) last,
// each replaced atomically: a commit interrupted at any point leaves no
// ref, or refs to a complete artifact.
func (c *Cache) Commit(ctx context.Context, info ArtifactInfo) (string, error) {
	if info.StrongKey == "" {
		return "", artifactError(InvalidName, nil, "cannot commit %s: no strong key", info.Element)
	}
	names := []string{}
	for _, key := range []string{info.StrongKey, info.WeakKey} {
		if key == "" {
			continue
		}
		name, err := checkName(info.Project, info.Element, key)
		if err != nil {
			return "", err
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	fail := func(err error, format string, args ...any) (string, error) {
		return "", artifactError(CommitFailed, err, "cannot cache artifact %s: %s", names[0], fmt.Sprintf(format, args...))
	}

	a := &Artifact{
		Version:           Version,
		BuildSuccess:      info.BuildSuccess,
		BuildError:        info.BuildError,
		BuildErrorDetails: info.BuildErrorDetails,
		StrongKey:         info.StrongKey,
		WeakKey:           info.WeakKey,
		StrictKey:         info.StrictKey,
		WasWorkspaced:     info.WasWorkspaced,
		BuildDeps:         slices.Clone(info.BuildDeps),
		Sources:           info.Sources,
		Buildsandbox:      info.Buildsandbox,
	}
	root := &remoteexecution.Directory{}
	addDir := func(name string, d digest.Digest) {
		root.Directories = append(root.Directories, &remoteexecution.DirectoryNode{Name: name, Digest: d.Proto()})
	}
	topts := cas.TreeOptions{CaptureMtime: info.WasWorkspaced}
	trees := []struct {
		dir, name string
		dst       *digest.Digest
	}{
		{info.FilesDir, filesName, &a.Files},
		{info.BuildtreeDir, buildtreeName, &a.Buildtree},
		{info.BuildrootDir, buildrootName, &a.Buildroot},
	}
	for _, t := range trees {
		if t.dir == "" {
			continue
		}
		topts.Adopt = t.name == filesName && info.GiveFiles
		d, err := c.cas.ImportTree(ctx, t.dir, topts)
		if err != nil {
			return fail(err, "cannot store %s", t.name)
		}
		*t.dst = d
		addDir(t.name, d)
	}
	if !info.Sources.IsZero() {
		addDir(sourcesName, info.Sources)
	}
	if s := info.Buildsandbox; s != nil && len(s.SubsandboxDigests) > 0 {
		sub := &remoteexecution.Directory{}
		for i, d := range s.SubsandboxDigests {
			sub.Directories = append(sub.Directories, &remoteexecution.DirectoryNode{Name: fmt.Sprintf("%06d", i), Digest: d.Proto()})
		}
		d, err := c.cas.PutDirectory(ctx, sub)
		if err != nil {
			return fail(err, "cannot store subsandboxes")
		}
		addDir(subsandboxesName, d)
	}

	// Logs, sorted by name for a deterministic artifact.
	if len(info.LogFiles) > 0 {
		logs := &remoteexecution.Directory{}
		for _, name := range slices.Sorted(mapKeys(info.LogFiles)) {
			if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
				return "", artifactError(InvalidName, nil, "invalid log name %q", name)
			}
			d, err := c.cas.PutFile(ctx, info.LogFiles[name])
			if err != nil {
				return fail(err, "cannot store log %s", name)
			}
			a.Logs = append(a.Logs, LogFile{Name: name, Digest: d})
			logs.Files = append(logs.Files, &remoteexecution.FileNode{Name: name, Digest: d.Proto()})
		}
		d, err := c.cas.PutDirectory(ctx, logs)
		if err != nil {
			return fail(err, "cannot store logs")
		}
		addDir(logsName, d)
	}

	// Metadata files.
	meta := &remoteexecution.Directory{}
	for _, m := range []struct {
		name string
		data []byte
		dst  *digest.Digest
	}{
		{highName, info.HighDiversityMeta, &a.HighDiversityMeta},
		{lowName, info.LowDiversityMeta, &a.LowDiversityMeta},
		{publicName, info.PublicData, &a.PublicData},
	} {
		if m.data == nil {
			continue
		}
		d, err := c.cas.PutBlob(ctx, m.data)
		if err != nil {
			return fail(err, "cannot store %s", m.name)
		}
		*m.dst = d
		meta.Files = append(meta.Files, &remoteexecution.FileNode{Name: m.name, Digest: d.Proto()})
	}
	if len(meta.Files) > 0 {
		d, err := c.cas.PutDirectory(ctx, meta)
		if err != nil {
			return fail(err, "cannot store metadata")
		}
		addDir(metaName, d)
	}

	// The proto itself, then the root that holds everything.
	pd, err := c.cas.PutBlob(ctx, a.Marshal())
	if err != nil {
		return fail(err, "cannot store the artifact proto")
	}
	root.Files = []*remoteexecution.FileNode{{Name: protoName, Digest: pd.Proto()}}
	slices.SortFunc(root.Directories, func(x, y *remoteexecution.DirectoryNode) int { return strings.Compare(x.Name, y.Name) })
	rd, err := c.cas.PutDirectory(ctx, root)
	if err != nil {
		return fail(err, "cannot store the artifact root")
	}

	// Refs last.
	for _, name := range names {
		if err := c.cas.SetRef(ctx, Ref(name), rd); err != nil {
			return fail(err, "cannot set ref %s", name)
		}
	}
	return names[0], nil
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Lookup returns the artifact of an element under a key (strong or weak),
// and false if it is not cached. A found artifact's content stays in the
// cache (pinned by the cas session) while the process uses it, even if
// another process deletes or expires it.
func (c *Cache) Lookup(ctx context.Context, project, element, key string) (*Artifact, bool, error) {
	name, err := checkName(project, element, key)
	if err != nil {
		return nil, false, err
	}
	return c.LookupName(ctx, name)
}

// LookupName is Lookup by artifact name ("<project>/<normal_name>/<key>").
func (c *Cache) LookupName(ctx context.Context, name string) (*Artifact, bool, error) {
	root, err := c.cas.GetRef(ctx, Ref(name))
	if bsterr.ReasonOf(err) == cas.RefNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return c.load(ctx, name, root)
}

// ID names an artifact by its element and key, as Lookup takes them.
type ID struct{ Project, Element, Key string }

// LookupAll is Lookup of each of ids, with one lock of the cache for all
// the refs: a nil artifact is one that is not cached.
func (c *Cache) LookupAll(ctx context.Context, ids []ID) ([]*Artifact, error) {
	names, refs := make([]string, len(ids)), make([]string, len(ids))
	for i, id := range ids {
		n, err := checkName(id.Project, id.Element, id.Key)
		if err != nil {
			return nil, err
		}
		names[i], refs[i] = n, Ref(n)
	}
	roots, found, err := c.cas.GetRefs(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make([]*Artifact, len(ids))
	for i, n := range names {
		if !found[i] {
			continue
		}
		if out[i], _, err = c.load(ctx, n, roots[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// load reads the Artifact message of the artifact name, whose ref points
// at root.
func (c *Cache) load(ctx context.Context, name string, root digest.Digest) (*Artifact, bool, error) {
	dir, err := c.cas.GetDirectory(ctx, root)
	if err != nil {
		return nil, false, artifactError(Corrupt, err, "artifact %s", name)
	}
	for _, f := range dir.GetFiles() {
		if f.GetName() != protoName {
			continue
		}
		d, err := digest.NewFromProto(f.GetDigest())
		if err != nil {
			return nil, false, artifactError(Corrupt, err, "artifact %s", name)
		}
		b, err := c.cas.Get(ctx, d)
		if err != nil {
			return nil, false, artifactError(Corrupt, err, "artifact %s", name)
		}
		a, err := Unmarshal(b)
		if err != nil {
			return nil, false, artifactError(Corrupt, err, "artifact %s", name)
		}
		return a, true, nil
	}
	return nil, false, artifactError(Corrupt, nil, "artifact %s: no %s in its tree %s", name, protoName, root)
}

// Checkout writes the artifact's files into dest (see cas.Local.Checkout;
// with hardlinks, files are read-only links into the cache). An artifact
// without files (a failed build) checks out as an empty directory.
func (c *Cache) Checkout(ctx context.Context, a *Artifact, dest string, hardlinks bool) error {
	return c.Stage(ctx, a, dest, hardlinks, nil)
}

// Stage is Checkout over what is already staged in dest: files of a that
// would replace non-empty directories are not staged, and ignored (if not
// nil) is told their paths.
func (c *Cache) Stage(ctx context.Context, a *Artifact, dest string, hardlinks bool, ignored func(rel string)) error {
	if a.Files.IsZero() {
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return artifactError(CommitFailed, err, "cannot create %s", dest)
		}
		return nil
	}
	return c.cas.Checkout(ctx, a.Files, dest, cas.CheckoutOptions{Hardlinks: hardlinks, Overwrite: true, Ignored: ignored})
}

// Log returns the content of the artifact's log called name.
func (c *Cache) Log(ctx context.Context, a *Artifact, name string) ([]byte, error) {
	for _, l := range a.Logs {
		if l.Name == name {
			return c.cas.Get(ctx, l.Digest)
		}
	}
	return nil, artifactError(LogNotFound, nil, "artifact %s has no log %q", a.StrongKey, name)
}

// PublicData returns the artifact's public data (YAML), nil if none.
func (c *Cache) PublicData(ctx context.Context, a *Artifact) ([]byte, error) {
	if a.PublicData.IsZero() {
		return nil, nil
	}
	return c.cas.Get(ctx, a.PublicData)
}

// ListContents returns the entries of the artifact's files tree, depth
// first in name order, as `bst artifact list-contents` lists them.
func (c *Cache) ListContents(ctx context.Context, a *Artifact) ([]cas.Entry, error) {
	if a.Files.IsZero() {
		return nil, nil
	}
	var entries []cas.Entry
	err := cas.Walk(ctx, c.cas, a.Files, func(e cas.Entry) error {
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

// Delete removes the artifact ref of an element under one key; the
// content goes when nothing else holds it. A ref for the artifact's other
// key (strong or weak) stays: call Delete for each.
func (c *Cache) Delete(ctx context.Context, project, element, key string) error {
	name, err := checkName(project, element, key)
	if err != nil {
		return err
	}
	return c.DeleteName(ctx, name)
}

// DeleteName is Delete by artifact name.
func (c *Cache) DeleteName(ctx context.Context, name string) error {
	err := c.cas.DeleteRef(ctx, Ref(name))
	if bsterr.ReasonOf(err) == cas.RefNotFound {
		return artifactError(NotFound, err, "artifact %s is not cached", name)
	}
	return err
}

// List returns the names of all cached artifacts, sorted.
func (c *Cache) List(ctx context.Context) ([]string, error) {
	refs, err := c.cas.ListRefs(ctx, Namespace)
	if err != nil {
		return nil, err
	}
	for i, r := range refs {
		refs[i] = strings.TrimPrefix(r, Namespace+"/")
	}
	return refs, nil
}

// Protect returns a function for cas.Local.Expire that protects the
// artifacts of the given names (those the current command uses) and
// nothing else.
func Protect(names ...string) func(ref string) bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[Ref(n)] = true
	}
	return func(ref string) bool { return set[ref] }
}
