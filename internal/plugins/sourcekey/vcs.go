package sourcekey

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// gitKey covers git (both generations) and the git_tag, git_module and
// git_repo variants.
func gitKey(in Input) (any, error) {
	c := in.Config
	url, err := c.RequiredString("url")
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
	var refv any = ref
	if in.Kind == "git_tag" && ref == "" {
		refv = nil
	}
	if in.Gen == 2 && in.Kind == "git" {
		if i := strings.LastIndex(ref, "-g"); i >= 0 {
			refv = ref[i+2:]
		}
	}
	key := []any{url, refv}
	if in.Gen == 2 && in.Kind == "git" {
		tags, err := c.SequenceAt("tags")
		if err != nil {
			return nil, err
		}
		if tags != nil && len(tags.Items) > 0 {
			tm, err := gitTags(tags)
			if err != nil {
				return nil, err
			}
			key = append(key, map[string]any{"tags": tm})
		}
	}
	if in.Kind == "git" {
		co, err := c.Bool("checkout-submodules", true)
		if err != nil {
			return nil, err
		}
		if !co {
			key = append(key, map[string]any{"checkout_submodules": false})
		}
	}
	if in.Kind == "git" || in.Kind == "git_tag" {
		subs, err := c.MappingAt("submodules")
		if err != nil {
			return nil, err
		}
		if subs != nil && subs.Len() > 0 {
			urls := map[string]any{}
			overrides := map[string]any{}
			for i, path := range subs.Keys {
				m, ok := subs.Vals[i].(*yamlnode.Mapping)
				if !ok {
					return nil, bsterr.Load(bsterr.InvalidData, subs.Vals[i].Pos(), "Value of '%s' is not of the expected type 'dict'", path)
				}
				if u, ok, _ := m.String("url"); ok {
					urls[path] = u
				} else {
					urls[path] = nil
				}
				if m.Has("checkout") {
					b, err := m.Bool("checkout", true)
					if err != nil {
						return nil, err
					}
					overrides[path] = b
				}
			}
			key = append(key, urls)
			if len(overrides) > 0 {
				key = append(key, map[string]any{"submodule_checkout_overrides": overrides})
			}
		}
	}
	if in.Kind == "git_tag" || in.Kind == "git_module" {
		lfs, err := c.Bool("use-lfs", false)
		if err != nil {
			return nil, err
		}
		if lfs {
			key = append(key, "use-lfs")
		}
	}
	if in.Gen == 2 && in.Kind == "git" {
		if v, ok, _ := c.String("version"); ok {
			key = append(key, v)
		} else if v, ok, _ := c.String("version-guess-pattern"); ok {
			key = append(key, v)
		}
	}
	return key, nil
}

// gitTags is buildstream-plugins' {tag: (commit, annotated)} for the key:
// each entry needs its three keys (get_str, get_bool without defaults), a
// later entry for a tag replaces an earlier one.
func gitTags(tags *yamlnode.Sequence) (map[string]any, error) {
	tm := map[string]any{}
	for _, it := range tags.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'tags' is not of the expected type 'dict'")
		}
		tag, err := m.RequiredString("tag")
		if err != nil {
			return nil, err
		}
		commit, err := m.RequiredString("commit")
		if err != nil {
			return nil, err
		}
		ann, err := bool2(m, "annotated")
		if err != nil {
			return nil, err
		}
		tm[tag] = []any{commit, ann}
	}
	return tm, nil
}

// bool2 reads a required boolean as BuildStream 2's ScalarNode.as_bool
// does: True, true and 1; False, false and 0.
func bool2(m *yamlnode.Mapping, key string) (bool, error) {
	v, err := m.RequiredString(key)
	if err != nil {
		return false, err
	}
	switch v {
	case "True", "true", "1":
		return true, nil
	case "False", "false", "0":
		return false, nil
	}
	return false, bsterr.Load(bsterr.InvalidData, m.Get(key).Pos(), "Value of '%s' is not of the expected type 'boolean'", key)
}

// cargoKey is [url, cargo-lock, vendor-dir, ref] with ref the crates as
// {name, version, sha}. Both generations call a source without crates, or
// with a crate lacking its sha, unresolved (1.x INCONSISTENT, 2.x
// is_resolved false): it has no key.
func cargoKey(in Input) (any, error) {
	c := in.Config
	url, err := c.StringDefault("url", "https://static.crates.io/crates")
	if err != nil {
		return nil, err
	}
	lock, err := c.StringDefault("cargo-lock", "Cargo.lock")
	if err != nil {
		return nil, err
	}
	vendor, err := c.StringDefault("vendor-dir", "crates")
	if err != nil {
		return nil, err
	}
	seq, err := c.SequenceAt("ref")
	if err != nil {
		return nil, err
	}
	if seq == nil || len(seq.Items) == 0 {
		return nil, errNoRef
	}
	crates := make([]any, 0, len(seq.Items))
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'ref' is not of the expected type 'dict'")
		}
		name, err := m.RequiredString("name")
		if err != nil {
			return nil, err
		}
		ver, err := m.RequiredString("version")
		if err != nil {
			return nil, err
		}
		sha, ok, err := m.String("sha")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoRef
		}
		crates = append(crates, map[string]any{"name": name, "version": ver, "sha": sha})
	}
	return []any{url, lock, vendor, crates}, nil
}

// dockerKey is [url, digest] (2.x with url) or [registry-url, image,
// digest], plus the 2.x version; without a ref the source is unresolved.
func dockerKey(in Input) (any, error) {
	c := in.Config
	ref, ok, err := c.String("ref")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoRef
	}
	digest := "sha256:" + ref
	var key []any
	if url, ok, err := c.String("url"); err != nil {
		return nil, err
	} else if ok && in.Gen == 2 {
		key = []any{url, digest}
	} else {
		reg, err := c.StringDefault("registry-url", "https://registry.hub.docker.com")
		if err != nil {
			return nil, err
		}
		image, err := c.RequiredString("image")
		if err != nil {
			return nil, err
		}
		key = []any{reg, image, digest}
	}
	if in.Gen == 2 {
		if v, ok, err := c.String("version"); err != nil {
			return nil, err
		} else if ok {
			key = append(key, v)
		}
	}
	return key, nil
}

func patchQueueKey(in Input) (any, error) {
	c := in.Config
	path, err := c.RequiredString("path")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(in.ProjectDir, path)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, bsterr.Source(bsterr.MissingFile, c.Get("path").Pos(), "Could not read patch directory %s: %v", path, err)
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	out := make([]any, 0, len(names))
	for _, n := range names {
		sum, err := sha256File(filepath.Join(dir, n), c.Get("path").Pos())
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

func ostreeMirrorKey(in Input) (any, error) {
	c := in.Config
	url, ok, err := c.String("url")
	if err != nil {
		return nil, err
	}
	if !ok {
		if p, ok, _ := c.String("path"); ok {
			url = "file://" + filepath.Join(in.ProjectDir, p)
		}
	}
	seq, err := c.SequenceAt("ref")
	if err != nil {
		return nil, err
	}
	if seq == nil {
		return nil, errNoRef
	}
	type entry struct{ ref, checksum string }
	var refs []entry
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			continue
		}
		r, _ := m.StringDefault("ref", "")
		cs, _ := m.StringDefault("checksum", "")
		refs = append(refs, entry{r, cs})
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].ref < refs[j].ref })
	out := []any{url}
	for _, r := range refs {
		out = append(out, map[string]any{"ref": r.ref, "checksum": r.checksum})
	}
	return out, nil
}

// goModuleKey is the community go_module key {"ref", "module", "bugfix": 1}
// with ref {"go-version", "git-ref", "explicit"[, "subdirectory"]}. The
// revision read has bugfix 1 and accepts a subdirectory in the ref (which
// freedesktop-sdk 25.08 uses; an older revision had bugfix 0 and no
// subdirectory): community 2.3.1 itself is not in the reference store.
// Without a ref the source is unresolved.
func goModuleKey(in Input) (any, error) {
	c := in.Config
	module, err := c.RequiredString("module")
	if err != nil {
		return nil, err
	}
	ref, err := c.MappingAt("ref")
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, errNoRef
	}
	if err := ref.ValidateKeys("go-version", "git-ref", "explicit", "subdirectory"); err != nil {
		return nil, err
	}
	gv, err := ref.RequiredString("go-version")
	if err != nil {
		return nil, err
	}
	gr, err := ref.RequiredString("git-ref")
	if err != nil {
		return nil, err
	}
	if !ref.Has("explicit") {
		return nil, bsterr.Load(bsterr.InvalidData, &ref.P, "Dictionary did not contain expected key 'explicit'")
	}
	explicit, err := ref.Bool("explicit", false)
	if err != nil {
		return nil, err
	}
	r := map[string]any{"go-version": gv, "git-ref": gr, "explicit": explicit}
	if ref.Has("subdirectory") {
		sub, err := ref.RequiredString("subdirectory")
		if err != nil {
			return nil, err
		}
		r["subdirectory"] = sub
	}
	return map[string]any{"ref": r, "module": module, "bugfix": 1}, nil
}
