package git

import (
	"path"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// newSource reads spec.Config for the kind's flavor. Which keys are
// accepted at all is the registry's business (plugin.SourceKind); this
// checks types and values.
func newSource(spec plugin.SourceSpec, fl flavor) (*Source, error) {
	c := spec.Config
	if c == nil {
		c = yamlnode.NewMapping(bsterr.Provenance{})
	}
	s := &Source{
		kind: spec.Kind, gen: spec.Gen, flavor: fl, element: spec.Element, prov: c.P,
		refFormat: "sha1", checkoutSubmodules: true,
	}
	if s.gen == 0 {
		s.gen = 1
	}
	var err error
	if s.url, err = c.RequiredString("url"); err != nil {
		return nil, err
	}
	if s.ref, _, err = c.String("ref"); err != nil {
		return nil, err
	}
	if s.track, _, err = c.String("track"); err != nil {
		return nil, err
	}
	switch fl {
	case flavorGit:
		err = s.configureGit(c)
	case flavorGitTag:
		err = s.configureGitTag(c)
	case flavorGitModule:
		err = s.configureGitModule(c)
	case flavorGitRepo:
		err = s.configureGitRepo(c)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Source) configureGit(c *yamlnode.Mapping) error {
	if err := s.configureRefFormat(c); err != nil {
		return err
	}
	if s.gen == 2 {
		var err error
		if s.trackTags, err = c.Bool("track-tags", false); err != nil {
			return err
		}
		if s.tags, err = loadTags(c); err != nil {
			return err
		}
	}
	if s.ref == "" && s.track == "" {
		return bsterr.Source(MissingTrackAndRef, nil, "%s: Git sources require a ref and/or track", s)
	}
	return s.configureSubmodules(c)
}

func (s *Source) configureGitTag(c *yamlnode.Mapping) error {
	var err error
	if err = s.configureCommon(c); err != nil {
		return err
	}
	if s.trackExtra, err = c.StringList("track-extra"); err != nil {
		return err
	}
	if s.trackTags, err = c.Bool("track-tags", false); err != nil {
		return err
	}
	if s.match, err = c.StringList("match"); err != nil {
		return err
	}
	if s.exclude, err = c.StringList("exclude"); err != nil {
		return err
	}
	if s.ref == "" && s.track == "" {
		return bsterr.Source(MissingTrackAndRef, nil, "%s: Git sources require a ref and/or track", s)
	}
	return s.configureSubmodules(c)
}

func (s *Source) configureGitModule(c *yamlnode.Mapping) error {
	if err := s.configureCommon(c); err != nil {
		return err
	}
	p, ok, err := c.String("path")
	if err != nil {
		return err
	}
	if !ok || p == "" {
		return bsterr.Load(bsterr.InvalidData, &c.P, "%s: 'path' is required", s)
	}
	if path.IsAbs(p) {
		p = strings.TrimLeft(path.Clean(p), "/")
	}
	s.path = path.Clean(p)
	return nil
}

func (s *Source) configureGitRepo(c *yamlnode.Mapping) error {
	if err := s.configureRefFormat(c); err != nil {
		return err
	}
	var err error
	if s.exclude, err = c.StringList("exclude"); err != nil {
		return err
	}
	if s.ref != "" && gitRepoRefRE.FindStringSubmatch(s.ref) == nil {
		return bsterr.Source(bsterr.InvalidData, nil, "ref %s is not in the expected format", s.ref)
	}
	for _, p := range append([]string{s.track}, s.exclude...) {
		if p == "" {
			continue
		}
		if _, err := refPattern(p); err != nil {
			return bsterr.Load(bsterr.InvalidData, &c.P, "%s: invalid pattern '%s': %v", s, p, err)
		}
	}
	return nil
}

// configureCommon reads bst-external's shared keys (full-clone, use-lfs);
// an empty ref is no ref.
func (s *Source) configureCommon(c *yamlnode.Mapping) error {
	var err error
	if s.fullClone, err = c.Bool("full-clone", false); err != nil {
		return err
	}
	s.useLFS, err = c.Bool("use-lfs", false)
	return err
}

func (s *Source) configureRefFormat(c *yamlnode.Mapping) error {
	f, err := c.StringDefault("ref-format", "sha1")
	if err != nil {
		return err
	}
	if f != "sha1" && f != "git-describe" {
		prov := c.Get("ref-format").Pos()
		if s.gen == 2 {
			return bsterr.Load(bsterr.InvalidData, prov,
				"Value of 'ref-format' should be one of: sha1, git-describe")
		}
		return bsterr.Source(bsterr.InvalidData, prov, "%s: Unexpected value for ref-format: %s", prov, f)
	}
	s.refFormat = f
	return nil
}

// configureSubmodules reads checkout-submodules and submodules.
func (s *Source) configureSubmodules(c *yamlnode.Mapping) error {
	var err error
	if s.checkoutSubmodules, err = c.Bool("checkout-submodules", true); err != nil {
		return err
	}
	mods, err := c.MappingAt("submodules")
	if err != nil || mods == nil {
		return err
	}
	s.submodules = make(map[string]submoduleConfig, mods.Len())
	for i, p := range mods.Keys {
		m, ok := mods.Vals[i].(*yamlnode.Mapping)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, mods.Vals[i].Pos(),
				"Value of '%s' is not of the expected type 'dict'", p)
		}
		var sc submoduleConfig
		if sc.url, _, err = m.String("url"); err != nil {
			return err
		}
		if m.Has("checkout") {
			b, err := m.Bool("checkout", true)
			if err != nil {
				return err
			}
			sc.checkout = &b
		}
		s.submodules[p] = sc
		s.submodulePaths = append(s.submodulePaths, p)
	}
	return nil
}

// loadTags reads a 2.x git `tags` list.
func loadTags(c *yamlnode.Mapping) ([]Tag, error) {
	seq, err := c.SequenceAt("tags")
	if err != nil || seq == nil {
		return nil, err
	}
	tags := make([]Tag, 0, len(seq.Items))
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'tags' is not of the expected type 'dict'")
		}
		if err := m.ValidateKeys("tag", "commit", "annotated"); err != nil {
			return nil, err
		}
		var t Tag
		if t.Name, err = m.RequiredString("tag"); err != nil {
			return nil, err
		}
		if t.Commit, err = m.RequiredString("commit"); err != nil {
			return nil, err
		}
		ann, err := m.RequiredString("annotated")
		if err != nil {
			return nil, err
		}
		// BuildStream 2's as_bool: True, true, 1; False, false, 0.
		switch ann {
		case "True", "true", "1":
			t.Annotated = true
		case "False", "false", "0":
		default:
			return nil, bsterr.Load(bsterr.InvalidData, m.Get("annotated").Pos(), "Value of 'annotated' is not of the expected type 'boolean'")
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// ignoreSubmodule reports whether the submodule at path (relative to the
// top repository) is not to be checked out.
func (s *Source) ignoreSubmodule(p string) bool {
	if sc, ok := s.submodules[p]; ok && sc.checkout != nil {
		return !*sc.checkout
	}
	return !s.checkoutSubmodules
}

// hasSubmodules reports whether the kind handles submodules and some may
// be checked out.
func (s *Source) hasSubmodules() bool {
	if s.flavor != flavorGit && s.flavor != flavorGitTag {
		return false
	}
	if s.checkoutSubmodules {
		return true
	}
	for _, sc := range s.submodules {
		if sc.checkout != nil && *sc.checkout {
			return true
		}
	}
	return false
}
