package project

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/options"
	"example.org/bst/internal/yamlnode"
)

// LoadOptions carries everything project loading needs from outside.
type LoadOptions struct {
	// Defaults returns the builtin project configuration of a generation.
	Defaults func(Generation) []byte
	// CLIOptions are the -o NAME VALUE pairs (toplevel project only).
	CLIOptions [][2]string
	// UserProject returns the user configuration's `projects.<name>` mapping, or nil.
	UserProject func(name string) *yamlnode.Mapping
	// MaxJobs is the build.max-jobs user setting (0 = automatic).
	MaxJobs int
	// CPUs is the number of usable CPUs, for automatic max-jobs.
	CPUs int
	// Host is the machine's uname, for arch and os options.
	Host options.Host
	// Includes is the shared include processor.
	Includes *Includes
	// Junction is set when loading a subproject.
	Junction *JunctionInfo
	// DefaultMirror is the --default-mirror CLI option.
	DefaultMirror string
}

// Load loads the project in dir (which must hold project.conf) through both
// passes.
func Load(dir string, opts LoadOptions) (*Project, error) {
	p, err := LoadFirstPass(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := p.LoadSecondPass(); err != nil {
		return nil, err
	}
	return p, nil
}

// LoadFirstPass loads the project up to its first pass (enough for
// junctions); LoadSecondPass completes it. The split lets the caller set up
// the junction resolver that the second pass's includes may need.
func LoadFirstPass(dir string, opts LoadOptions) (*Project, error) { return loadFirst(dir, opts) }

// LoadSecondPass completes a project loaded with LoadFirstPass.
func (p *Project) LoadSecondPass() error { return p.loadSecond() }

func loadFirst(dir string, opts LoadOptions) (*Project, error) {
	conffile := filepath.Join(dir, "project.conf")
	conf, err := yamlnode.LoadFile(conffile, conffile)
	if err != nil {
		if bsterr.ReasonOf(err) == bsterr.MissingFile {
			return nil, bsterr.Load(bsterr.MissingProjectConf, nil, "Could not find file at %s", conffile)
		}
		return nil, err
	}
	p := &Project{Dir: dir, ConfFile: conffile, conf: conf, opts: opts, includes: opts.Includes, Junction: opts.Junction}
	p.Gen = Gen1
	if conf.Has("min-version") {
		p.Gen = Gen2
	}
	defaults, err := yamlnode.Parse(opts.Defaults(p.Gen), "projectconfig.yaml")
	if err != nil {
		return nil, err
	}
	p.defaults = defaults
	pre := defaults.CloneMapping()
	if err := yamlnode.Composite(pre, conf); err != nil {
		return nil, err
	}
	if err := p.checkVersion(pre); err != nil {
		return nil, err
	}
	if !conf.Has("name") {
		return nil, bsterr.Load(bsterr.InvalidData, nil, "%s: project.conf does not contain expected key 'name'", conffile)
	}
	name, err := pre.RequiredString("name")
	if err != nil {
		return nil, err
	}
	if err := yamlnode.AssertSymbolName(pre.Get("name").Pos(), name, "project name", true); err != nil {
		return nil, err
	}
	p.Name = name
	ep, err := projectPath(pre, "element-path", dir, true)
	if err != nil {
		return nil, err
	}
	p.ElementPath = ep

	first := conf.CloneMapping()
	if err := p.includes.Process(first, p, true, false); err != nil {
		return nil, err
	}
	cfg := defaults.CloneMapping()
	if err := yamlnode.Composite(cfg, first); err != nil {
		return nil, err
	}
	if err := p.loadPass(cfg, &p.First, true); err != nil {
		return nil, err
	}
	rs, err := pre.StringDefault("ref-storage", "inline")
	if err != nil {
		return nil, err
	}
	if rs != "inline" && rs != "project.refs" {
		return nil, bsterr.Load(bsterr.InvalidData, pre.Get("ref-storage").Pos(), "Invalid value '%s' specified for ref-storage", rs)
	}
	p.RefStorage = rs
	if p.Gen == Gen2 {
		if p.Junctions, err = loadJunctionRules(pre); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Project) checkVersion(pre *yamlnode.Mapping) error {
	if p.Gen == Gen2 {
		mv, err := pre.RequiredString("min-version")
		if err != nil {
			return err
		}
		major, minor, ok := parseVersion(mv)
		if !ok {
			return bsterr.Load(bsterr.UnsupportedProject, pre.Get("min-version").Pos(),
				"Malformed version string in min-version field, expected 'MAJOR.MINOR': %s", mv)
		}
		if major != 2 {
			return bsterr.Load(bsterr.UnsupportedProject, pre.Get("min-version").Pos(),
				"Version mismatch, project requires BuildStream %d.%d but this is BuildStream 2", major, minor)
		}
		if minor > MaxMinorVersion {
			return bsterr.Load(bsterr.UnsupportedProject, pre.Get("min-version").Pos(),
				"Version mismatch, project requires BuildStream 2.%d but this bst supports up to 2.%d", minor, MaxMinorVersion)
		}
		p.MinVersion = mv
		return nil
	}
	fv, err := pre.Int("format-version", 0)
	if err != nil {
		return err
	}
	if fv > MaxFormatVersion {
		return bsterr.Load(bsterr.UnsupportedProject, nil,
			"Project requested format version %d, but BuildStream 1.6 only supports up until format version %d", fv, MaxFormatVersion)
	}
	p.Format = fv
	return nil
}

func parseVersion(s string) (int, int, bool) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, false
	}
	if i := strings.IndexByte(b, '.'); i >= 0 {
		b = b[:i]
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return major, minor, true
}

// projectPath reads a project-relative directory path from key and checks it.
func projectPath(m *yamlnode.Mapping, key, dir string, mustBeDir bool) (string, error) {
	rel, err := m.StringDefault(key, ".")
	if err != nil {
		return "", err
	}
	prov := &m.P
	if v := m.Get(key); v != nil {
		prov = v.Pos()
	}
	full := filepath.Join(dir, rel)
	if filepath.IsAbs(rel) || (full != dir && !strings.HasPrefix(full, dir+string(filepath.Separator))) {
		return "", bsterr.Load(bsterr.ProjectPathInvalid, prov, "Specified path '%s' must not lead outside of the project directory", rel)
	}
	st, err := os.Lstat(full)
	if err != nil {
		return "", bsterr.Load(bsterr.MissingFile, prov, "Specified path '%s' does not exist", rel)
	}
	if st.Mode()&os.ModeSymlink != 0 {
		if st2, err := os.Stat(full); err == nil && st2.IsDir() {
			st = st2
		}
	}
	if mustBeDir && !st.IsDir() {
		return "", bsterr.Load(bsterr.ProjectPathInvalidKind, prov, "Specified path '%s' is not a directory", rel)
	}
	return full, nil
}
