package stream

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"

	"example.org/bst/internal/artifact"
	"example.org/bst/internal/digest"
	"example.org/bst/internal/sandbox"
	"example.org/bst/internal/sandbox/bwrap"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/loader"
	"example.org/bst/internal/options"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/project"
	"example.org/bst/internal/userconfig"
	"example.org/bst/internal/yamlnode"
)

// Session is one bst command's view of the world.
type Session struct {
	Dir           string              // working directory
	ProjectDir    string              // -C; "" means search from Dir
	Env           func(string) string // environment lookup
	Config        *userconfig.Config
	Registry      *plugin.Registry
	CLIOptions    [][2]string
	DefaultMirror string
	// Executor makes the host-tool runner sources use (git, patch, ...).
	Executor ExecutorFactory
	// Messages receives progress lines; nil means silent.
	Messages Messages
	// Strict, if not nil, is --strict (true) or --no-strict (false).
	Strict *bool

	Project *project.Project
	Loader  *loader.Loader
	Factory *element.Factory
	// ws is the toplevel project's workspaces file.
	ws *workspaces

	tmpMu   sync.Mutex
	tmpDirs []string

	casOnce sync.Once
	cas     *sourceCache
	casErr  error

	// The sandbox host is probed once per session, as BuildStream's
	// platform does: two bwrap runs that every sandbox would repeat.
	hostOnce sync.Once
	host     bwrap.Host
	hostErr  error

	// jobs are the running sandboxes' process groups, suspended while
	// the user answers a failure prompt.
	jobs sandbox.Jobs

	// ahead resolves elements while the loader links them (resolveAhead).
	ahead aheadResolver

	// Artifacts found while building, and the file lists of artifact
	// trees: each dependency is staged by many elements of a build.
	artMu    sync.Mutex
	artFound map[string]*artifact.Artifact
	artFiles map[digest.Digest][]string
}

// sandboxOptions returns bwrap options with the session's probed host.
func (s *Session) sandboxOptions(ctx context.Context, log io.Writer) (bwrap.Options, error) {
	s.hostOnce.Do(func() { s.host, s.hostErr = bwrap.Probe(ctx) })
	if s.hostErr != nil {
		return bwrap.Options{}, s.hostErr
	}
	h := s.host
	return bwrap.Options{Host: &h, Log: log, Jobs: &s.jobs}, nil
}

// Close removes temporary directories (staged junction subprojects).
func (s *Session) Close() {
	if s.cas != nil {
		_ = s.cas.store.Close()
	}
	s.tmpMu.Lock()
	defer s.tmpMu.Unlock()
	for _, d := range s.tmpDirs {
		_ = os.RemoveAll(d)
	}
	s.tmpDirs = nil
}

// hostInfo reads uname.
func hostInfo() (osName, arch string) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "Linux", runtime.GOARCH
	}
	return unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Machine[:])
}

// findProject searches upward from dir for project.conf.
func findProject(dir string) (string, error) {
	d := dir
	for {
		if _, err := os.Stat(filepath.Join(d, "project.conf")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", bsterr.Load(bsterr.MissingProjectConf, nil,
				"project.conf not found in current directory or any of its parent directories")
		}
		d = parent
	}
}

// LoadProject finds and loads the toplevel project.
func (s *Session) LoadProject(ctx context.Context) error {
	// Like BuildStream, search upward from -C DIR or the working directory.
	start := s.Dir
	if s.ProjectDir != "" {
		start = s.ProjectDir
		if !filepath.IsAbs(start) {
			start = filepath.Join(s.Dir, start)
		}
	}
	dir, err := findProject(start)
	if err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	osName, arch := hostInfo()
	s.Factory = element.NewFactory(s.Registry, element.Host{OS: osName, Arch: arch})
	ls := &loader.Session{Opener: s, Prefetched: s.resolveAhead}
	inc := project.NewIncludes(nil)
	ls.Includes = inc
	cpus := runtime.NumCPU()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		cpus = set.Count()
	}
	opts := project.LoadOptions{
		Defaults:      func(g project.Generation) []byte { return s.Registry.ProjectDefaults(int(g)) },
		CLIOptions:    s.CLIOptions,
		UserProject:   s.Config.Project,
		MaxJobs:       s.Config.MaxJobs,
		CPUs:          cpus,
		Host:          options.Host{Arch: arch, OS: osName},
		Includes:      inc,
		DefaultMirror: s.DefaultMirror,
	}
	ls.ProjectOpts = opts
	// The loader resolves junction includes, so it must exist before the
	// project's second pass: load the first pass, then the rest.
	p, err := project.LoadFirstPass(dir, opts)
	if err != nil {
		return err
	}
	s.Project = p
	if s.ws, err = loadWorkspaces(p); err != nil {
		return err
	}
	s.Loader = loader.New(p, ls)
	return p.LoadSecondPass()
}

// OpenJunction implements loader.JunctionOpener: it stages the junction's
// sources (local sources are linked, not copied) and returns the
// subproject's directory and option values.
func (s *Session) OpenJunction(ctx context.Context, parent *project.Project, le *loader.LoadElement) (*project.JunctionInfo, string, error) {
	e, err := s.Factory.New(le)
	if err != nil {
		return nil, "", err
	}
	path, err := e.Config.StringDefault("path", "")
	if err != nil {
		return nil, "", err
	}
	if path != "" {
		if path, err = e.Vars.Expand(path, *e.Config.Get("path").Pos()); err != nil {
			return nil, "", err
		}
	}
	opts, err := e.Config.MappingAt("options")
	if err != nil {
		return nil, "", err
	}
	if len(e.Sources) == 0 {
		return nil, "", bsterr.Load(bsterr.InvalidJunction, &le.Prov, "%s: Junctions must have exactly one source or more, found none", le.FullName)
	}
	overrides := map[string]string{}
	overridePos := map[string]*bsterr.Provenance{}
	var overrideKeys []string
	if ov, err := e.Config.MappingAt("overrides"); err != nil {
		return nil, "", err
	} else if ov != nil {
		for i, k := range ov.Keys {
			sc, ok := ov.Vals[i].(*yamlnode.Scalar)
			if !ok {
				return nil, "", bsterr.Load(bsterr.InvalidData, ov.Vals[i].Pos(), "Value of '%s' is not of the expected type 'str'", k)
			}
			if sc.Str() == le.Name {
				return nil, "", bsterr.Element("override-junction-with-self", sc.Pos(),
					"Junction '%s' cannot override its subproject's junction '%s' with itself", le.FullName, k)
			}
			overrides[k] = sc.Str()
			overridePos[k] = sc.Pos()
			overrideKeys = append(overrideKeys, k)
		}
	}
	if ws := s.ws.get(le.FullName); ws != nil {
		// The subproject is the workspace's directory, as BuildStream's
		// workspace source gives its path to the junction.
		e.Workspace = &element.Workspace{Dir: ws.Directory}
	}
	staging, err := s.stageJunction(e)
	if err != nil {
		return nil, "", err
	}
	info := &project.JunctionInfo{Name: le.FullName, Parent: parent, Options: opts, Staging: staging,
		Overrides: overrides, OverrideKeys: overrideKeys, OverridePos: overridePos,
		Expand: func(v string) string {
			x, err := e.Vars.Expand(v, bsterr.Provenance{File: le.Name})
			if err != nil {
				return v
			}
			return x
		}}
	return info, filepath.Join(staging.Root, path), nil
}

func (s *Session) mkTemp(prefix string) (string, error) {
	base := s.Config.BuildDir
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", bsterr.Stream(bsterr.Unknown, "cannot create build directory %s: %v", base, err)
	}
	d, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return "", bsterr.Stream(bsterr.Unknown, "cannot create temporary directory: %v", err)
	}
	s.tmpMu.Lock()
	s.tmpDirs = append(s.tmpDirs, d)
	s.tmpMu.Unlock()
	return d, nil
}

var _ loader.JunctionOpener = (*Session)(nil)
