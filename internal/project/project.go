package project

import (
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/options"
	"example.org/bst/internal/yamlnode"
)

// PassConfig is what differs between the first and second loading pass.
type PassConfig struct {
	Options          *options.Pool
	Variables        *yamlnode.Mapping // base variables, with project-name, max-jobs and exported options
	ElementOverrides *yamlnode.Mapping // project.conf `elements:`
	SourceOverrides  *yamlnode.Mapping // project.conf `sources:`
	Aliases          *yamlnode.Mapping
	Mirrors          []Mirror
	DefaultMirror    string
}

// Mirror is one entry of project.conf `mirrors:`.
type Mirror struct {
	Name    string
	Aliases map[string][]string
}

// PluginOrigin records where a project declares a plugin kind comes from.
type PluginOrigin struct {
	Origin  string // core, local, pip, junction
	Kind    string
	Element bool // element (true) or source (false)
	Version string
	// Junction is the junction an `origin: junction` plugin comes from,
	// and Prov where that origin is written.
	Junction string
	Prov     *bsterr.Provenance
}

// Project is a loaded project.conf.
type Project struct {
	Dir         string // absolute project directory
	ConfFile    string // path of project.conf as shown to users
	Name        string
	Gen         Generation
	Format      int    // format-version (Gen1)
	MinVersion  string // min-version (Gen2)
	ElementPath string // absolute element directory
	RefStorage  string // inline or project.refs

	First  PassConfig
	Second PassConfig

	Environment    *yamlnode.Mapping
	EnvNocache     []string
	SplitRules     *yamlnode.Mapping
	Sandbox        *yamlnode.Mapping
	FatalWarnings  []string
	Plugins        []PluginOrigin
	Shell          *yamlnode.Mapping
	Artifacts      yamlnode.Node
	Junction       *JunctionInfo
	TargetsDefault []string      // Gen2 defaults.targets
	Junctions      JunctionRules // Gen2 `junctions:` duplicates and internal

	includes *Includes
	conf     *yamlnode.Mapping // project.conf as loaded, before includes
	defaults *yamlnode.Mapping // builtin defaults
	opts     LoadOptions
	loaded   bool // second pass done
}

// JunctionInfo is set on projects loaded through a junction.
type JunctionInfo struct {
	Name    string   // the junction element's full name in the parent
	Parent  *Project // the project holding the junction
	Options *yamlnode.Mapping
	// Expand substitutes the junction element's variables in option values.
	Expand func(string) string
	// Staging describes how the subproject's directory was staged.
	Staging *Staging
	// Overrides maps subproject element names to elements of the parent
	// project that replace them (2.x junction `config.overrides`).
	Overrides map[string]string
	// OverrideKeys lists the keys of Overrides in the order written.
	OverrideKeys []string
	// OverridePos is where each override's value is written.
	OverridePos map[string]*bsterr.Provenance
}

// Staging describes a junction subproject laid out with symbolic links to
// the junction's local sources instead of copies. Readers see the same
// files; cache keys must see what BuildStream's copy would hold, so they
// follow the staging links and rewrite absolute symlink targets as the
// copy would.
type Staging struct {
	Root  string          // the staged project directory's root
	Links map[string]bool // absolute paths of the staging links
	Roots []string        // absolute staging directory of each junction source
}

// IsLink reports whether path is one of the staging links.
func (s *Staging) IsLink(path string) bool { return s != nil && s.Links[path] }

// RewriteTarget returns the target a staged copy of the symlink at path
// (with the given target) would have: absolute targets become relative to
// the staging directory of the source that brought the link.
func (s *Staging) RewriteTarget(path, target string) string {
	if s == nil || !filepath.IsAbs(target) {
		return target
	}
	root := ""
	for _, r := range s.Roots {
		if (path == r || strings.HasPrefix(path, r+"/")) && len(r) > len(root) {
			root = r
		}
	}
	if root == "" {
		return target
	}
	rel, _ := filepath.Rel(root, path)
	out, err := filepath.Rel(filepath.Join("/", filepath.Dir(rel)), filepath.Join("/", target))
	if err != nil {
		return target
	}
	return out
}

// FatalWarning reports whether warning is fatal in this project.
func (p *Project) FatalWarning(w string) bool {
	for _, f := range p.FatalWarnings {
		if f == w {
			return true
		}
	}
	return false
}

// Options returns the option pool of the second pass.
func (p *Project) Options() *options.Pool { return p.Second.Options }
