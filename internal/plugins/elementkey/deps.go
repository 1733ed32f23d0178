package elementkey

import (
	"fmt"
	"path"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// Dep is one entry of what BuildStream 2 hands to an element's
// configure_dependencies(): a build dependency with one of its
// configuration nodes, one entry per node (Config nil when it has none).
type Dep struct {
	Path string // the dependency as written: "name" or "junction.bst:name"
	// Name is the resolved element's name in its project, and Runtime the
	// names of its direct runtime dependencies (what the element's
	// dependencies(recurse=False) yields), for flatpak_repo stacks.
	Name    string
	Runtime []string
	Config  *yamlnode.Mapping // variables expanded; nil without configuration
}

// UsesDependencies reports whether a 2.x kind implements
// configure_dependencies() in a way that reaches its key.
func UsesDependencies(kind string, buildElement bool) bool {
	return buildElement || kind == "script" || kind == "flatpak_repo"
}

// configString returns the string at key of an expanded dependency
// configuration (stripped when loaded, then expanded: not stripped again).
func configString(m *yamlnode.Mapping, key, def string) (string, error) {
	if _, ok, err := m.String(key); err != nil || !ok {
		return def, err
	}
	return m.Get(key).(*yamlnode.Scalar).Value, nil
}

// buildLayout is BuildElement.configure_dependencies(): the dependency
// paths per staging location and per digest-environment variable.
func buildLayout(deps []Dep) (layout, digestEnv map[string][]string, err error) {
	layout, digestEnv = map[string][]string{}, map[string][]string{}
	for _, d := range deps {
		loc := "/"
		if d.Config != nil {
			if err := d.Config.ValidateKeys("digest-environment", "location"); err != nil {
				return nil, nil, err
			}
			if loc, err = configString(d.Config, "location", "/"); err != nil {
				return nil, nil, err
			}
			if _, ok, err := d.Config.String("digest-environment"); err != nil {
				return nil, nil, err
			} else if ok {
				v := d.Config.Get("digest-environment").(*yamlnode.Scalar).Value
				digestEnv[v] = append(digestEnv[v], d.Path)
			}
		}
		layout[loc] = append(layout[loc], d.Path)
	}
	return layout, digestEnv, nil
}

// scriptLayout is the script element's configure_dependencies().
func scriptLayout(deps []Dep) (map[string][]string, error) {
	layout := map[string][]string{}
	for _, d := range deps {
		loc := "/"
		if d.Config != nil {
			if err := d.Config.ValidateKeys("location"); err != nil {
				return nil, err
			}
			var err error
			if loc, err = configString(d.Config, "location", "/"); err != nil {
				return nil, err
			}
		}
		layout[loc] = append(layout[loc], d.Path)
	}
	return layout, nil
}

// normalName is Element.normal_name: the name with "/" as "-" and without
// its extension.
func normalName(name string) string {
	n := strings.ReplaceAll(name, "/", "-")
	if ext := path.Ext(n); ext != "" && ext != n {
		n = strings.TrimSuffix(n, ext)
	}
	return n
}

// flatpakRepoKey is the community flatpak_repo element (a ScriptElement,
// BST_ARTIFACT_VERSION 2): a command group initialising the repository,
// one exporting each flatpak image dependency (a flatpak-stack dependency
// stands for its direct runtime dependencies), then one per copy-refs
// entry; each image is laid out under /buildstream/input/<normal name>,
// other dependencies at /.
func flatpakRepoKey(in Input) (any, error) {
	c := in.Config
	get := func(m *yamlnode.Mapping, key string) (string, error) {
		if _, err := m.RequiredString(key); err != nil {
			return "", err
		}
		return m.Get(key).(*yamlnode.Scalar).Value, nil
	}
	mode, err := get(c, "repo-mode")
	if err != nil {
		return nil, err
	}
	arch, err := get(c, "arch")
	if err != nil {
		return nil, err
	}
	branch, err := get(c, "branch")
	if err != nil {
		return nil, err
	}
	type copyRef struct{ src, dest string }
	var copies []copyRef
	seq, err := c.SequenceAt("copy-refs")
	if err != nil {
		return nil, err
	}
	if seq == nil {
		return nil, bsterr.Load(bsterr.InvalidData, &c.P, "Dictionary did not contain expected key 'copy-refs'")
	}
	for i, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'copy-refs[%d]' is not of the expected type 'dict'", i)
		}
		if err := m.ValidateKeys("src", "dest"); err != nil {
			return nil, err
		}
		src, err := get(m, "src")
		if err != nil {
			return nil, err
		}
		dest, err := get(m, "dest")
		if err != nil {
			return nil, err
		}
		copies = append(copies, copyRef{src, dest})
	}

	commands := map[string]any{
		"init repository": []string{"ostree init --repo=/buildstream/repo --mode=" + mode},
	}
	layout := map[string][]string{}
	images := 0
	addImage := func(name, p, br string) {
		staging := "/buildstream/input/" + normalName(name)
		images++
		layout[staging] = append(layout[staging], p)
		commands["export "+p] = []string{fmt.Sprintf(
			"flatpak build-export --files=files --arch=%s /buildstream/repo %s %s", arch, staging, br)}
	}
	for _, d := range in.Deps {
		if d.Config == nil {
			layout["/"] = append(layout["/"], d.Path)
			continue
		}
		if err := d.Config.ValidateKeys("flatpak-image", "flatpak-stack", "branch"); err != nil {
			return nil, err
		}
		image, err := d.Config.Bool("flatpak-image", false)
		if err != nil {
			return nil, err
		}
		stack, err := d.Config.Bool("flatpak-stack", false)
		if err != nil {
			return nil, err
		}
		br, err := configString(d.Config, "branch", branch)
		if err != nil {
			return nil, err
		}
		switch {
		case image && stack:
			return nil, bsterr.Element("", &d.Config.P, "Dependency specified as both a flatpak image and a stack")
		case image:
			addImage(d.Name, d.Path, br)
		case stack:
			for _, r := range d.Runtime {
				addImage(r, fmt.Sprintf("%s (%s)", d.Path, r), br)
			}
		default:
			return nil, bsterr.Element("", &d.Config.P, "Dependency specified as neither a flatpak image and a stack")
		}
	}
	if images == 0 {
		return nil, bsterr.Element("", &c.P, "No flatpak images specified for this repo")
	}
	for _, cr := range copies {
		commands[fmt.Sprintf("copy ref %s -> %s", cr.src, cr.dest)] = []string{
			fmt.Sprintf("flatpak build-commit-from --src-ref=%s /buildstream/repo %s", cr.src, cr.dest)}
	}
	return map[string]any{
		"commands":       commands,
		"cwd":            orSlash(in.Var("cwd")),
		"install-root":   "/buildstream/repo",
		"layout":         listMap(layout),
		"root-read-only": true,
	}, nil
}
