package elementkey

import (
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// externalKey covers the bst-external, community and freedesktop-sdk
// local element kinds.
func externalKey(in Input) (any, error) {
	c := in.Config
	switch in.Kind {
	case "check_forbidden":
		l, err := rawList(c, "forbidden")
		if err != nil {
			return nil, err
		}
		return map[string]any{"forbidden": sortedSet(l)}, nil
	case "collect_integration":
		sp, err := in.substKey("script-path", "")
		if err != nil {
			return nil, err
		}
		l, err := rawList(c, "ignore")
		if err != nil {
			return nil, err
		}
		return map[string]any{"script-path": sp, "ignore": sortedSet(l)}, nil
	case "collect_manifest":
		var path any
		if c.Has("path") {
			s, err := in.substKey("path", "")
			if err != nil {
				return nil, err
			}
			path = s
		}
		if in.Gen == 1 {
			return map[string]any{"path": path, "version": 2}, nil
		}
		key := map[string]any{"path": path}
		if prov, err := c.Bool("use-source-provenance", true); err != nil {
			return nil, err
		} else if prov {
			key["source_provenance"] = true
		}
		return key, nil
	case "collect_initial_scripts":
		p, err := in.substKey("path", "")
		if err != nil {
			return nil, err
		}
		return map[string]any{"path": p}, nil
	case "flatpak_image":
		return flatpakImageKey(in)
	case "snap_image":
		return snapImageKey(in)
	case "tar_element":
		fn, err := in.substKey("filename", "")
		if err != nil {
			return nil, err
		}
		comp, _ := c.StringDefault("compression", "")
		return map[string]any{"filename": fn, "compression": comp}, nil
	case "flatpak_repo":
		if in.Gen == 2 {
			return flatpakRepoKey(in)
		}
		if in.Gen == 1 {
			env, err := rawList(c, "environment")
			if err != nil {
				return nil, err
			}
			var refs []any
			seq, err := c.SequenceAt("copy-refs")
			if err != nil {
				return nil, err
			}
			if seq != nil {
				for _, it := range seq.Items {
					m, ok := it.(*yamlnode.Mapping)
					if !ok {
						continue
					}
					sub := Input{Gen: 1, Config: m, Subst: in.Subst}
					src, err := sub.substKey("src", "")
					if err != nil {
						return nil, err
					}
					dst, err := sub.substKey("dest", "")
					if err != nil {
						return nil, err
					}
					refs = append(refs, []any{src, dst})
				}
			}
			if refs == nil {
				refs = []any{}
			}
			mode, err := in.substKey("repo-mode", "")
			if err != nil {
				return nil, err
			}
			arch, err := in.substKey("arch", "")
			if err != nil {
				return nil, err
			}
			branch, err := in.substKey("branch", "")
			if err != nil {
				return nil, err
			}
			return map[string]any{"environment": env, "copy-refs": refs, "repo-mode": mode, "arch": arch, "branch": branch}, nil
		}
	case "x86image":
		return x86imageKey(in)
	}
	return nil, bsterr.Plugin(bsterr.NotImplemented, in.Config.Pos(),
		"bst cannot compute the cache key of '%s' elements yet", in.Kind)
}

func flatpakImageKey(in Input) (any, error) {
	c := in.Config
	dir, err := in.substKey("directory", "")
	if err != nil {
		return nil, err
	}
	inc, err := sortedRaw(c, "include")
	if err != nil {
		return nil, err
	}
	exc, err := sortedRaw(c, "exclude")
	if err != nil {
		return nil, err
	}
	md, err := c.MappingAt("metadata")
	if err != nil {
		return nil, err
	}
	meta := map[string]any{}
	if in.Gen == 1 {
		meta["DEFAULT"] = map[string]any{}
	}
	if md != nil {
		for i, section := range md.Keys {
			if strings.HasPrefix(section, "__bst") {
				continue
			}
			pairs, ok := md.Vals[i].(*yamlnode.Mapping)
			if !ok {
				return nil, bsterr.Load(bsterr.InvalidData, md.Vals[i].Pos(), "Value of '%s' is not of the expected type 'dict'", section)
			}
			sec := map[string]string{}
			sub := Input{Gen: in.Gen, Config: pairs, Subst: in.Subst}
			for _, k := range pairs.Keys {
				if strings.HasPrefix(k, "__bst") {
					continue
				}
				v, err := sub.substKey(k, "")
				if err != nil {
					return nil, err
				}
				sec[k] = v
			}
			out := map[string]any{}
			for k, v := range sec {
				if in.Gen == 1 {
					v = interpolate(v, sec)
				}
				out[k] = v
			}
			meta[section] = out
		}
	}
	return map[string]any{"directory": dir, "include": inc, "exclude": exc, "metadata": meta, "version": 2}, nil
}

// interpolate applies configparser's BasicInterpolation: %% is %, and
// %(name)s is the value of name in the same section.
func interpolate(v string, sec map[string]string) string {
	if !strings.Contains(v, "%") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' || i+1 >= len(v) {
			b.WriteByte(v[i])
			continue
		}
		switch v[i+1] {
		case '%':
			b.WriteByte('%')
			i++
		case '(':
			end := strings.Index(v[i:], ")s")
			if end < 0 {
				b.WriteByte(v[i])
				continue
			}
			name := v[i+2 : i+end]
			b.WriteString(interpolate(sec[name], sec))
			i += end + 1
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

func snapImageKey(in Input) (any, error) {
	c := in.Config
	dir, err := in.substKey("directory", "")
	if err != nil {
		return nil, err
	}
	inc, err := sortedRaw(c, "include")
	if err != nil {
		return nil, err
	}
	exc, err := sortedRaw(c, "exclude")
	if err != nil {
		return nil, err
	}
	orphans, err := c.Bool("include-orphans", false)
	if err != nil {
		return nil, err
	}
	md, err := c.MappingAt("metadata")
	if err != nil {
		return nil, err
	}
	meta, err := in.metadataTree(md)
	if err != nil {
		return nil, err
	}
	key := map[string]any{"directory": dir, "include": inc, "exclude": exc, "include-orphans": orphans, "metadata": meta}
	if in.Gen == 1 {
		key["version"] = 7
	}
	return key, nil
}

// metadataTree substitutes a nested metadata mapping: lists with
// node_subst_list (unstripped), scalars with node_subst_member.
func (in Input) metadataTree(m *yamlnode.Mapping) (any, error) {
	out := map[string]any{}
	if m == nil {
		return out, nil
	}
	for i, k := range m.Keys {
		switch v := m.Vals[i].(type) {
		case *yamlnode.Mapping:
			sub, err := in.metadataTree(v)
			if err != nil {
				return nil, err
			}
			out[k] = sub
		case *yamlnode.Sequence:
			l, err := (Input{Gen: in.Gen, Config: m, Subst: in.Subst}).substList(k, false)
			if err != nil {
				return nil, err
			}
			out[k] = l
		default:
			s, err := (Input{Gen: in.Gen, Config: m, Subst: in.Subst}).substKey(k, "")
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
	}
	return out, nil
}

func x86imageKey(in Input) (any, error) {
	groups := []string{"filesystem-tree-setup-commands", "filesystem-image-creation-commands", "partition-commands", "final-commands"}
	cmds := map[string]any{}
	for _, g := range groups {
		l, err := in.substList(g, false)
		if err != nil {
			return nil, err
		}
		cmds[g] = l
	}
	base, err := in.substKey("base", "")
	if err != nil {
		return nil, err
	}
	input, err := in.substKey("input", "")
	if err != nil {
		return nil, err
	}
	layout := []any{
		map[string]any{"element": base, "destination": "/"},
		map[string]any{"element": nil, "destination": "/buildstream"},
		map[string]any{"element": input, "destination": in.Var("build-root")},
	}
	return map[string]any{
		"commands":       cmds,
		"cwd":            orSlash(in.Var("cwd")),
		"install-root":   in.Var("install-root"),
		"layout":         layout,
		"root-read-only": true,
	}, nil
}
