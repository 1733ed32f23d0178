package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/project"
	"example.org/bst/internal/stream"
	"example.org/bst/internal/yamlnode"
)

func (a *app) showCmd() *cobra.Command {
	var except []string
	var deps, order, format string
	cmd := &cobra.Command{
		Use:   "show [ELEMENTS]...",
		Short: "Show elements in the pipeline",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "none", "plan", "run", "build", "all"); err != nil {
				return err
			}
			if err := choice(cmd, "--order", order, "stage", "alpha"); err != nil {
				return err
			}
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			scope := map[string]pipeline.Scope{"none": pipeline.ScopeNone, "plan": pipeline.ScopeAll,
				"run": pipeline.ScopeRun, "build": pipeline.ScopeBuild, "all": pipeline.ScopeAll}[deps]
			if format == "" {
				format = s.Config.ElementFormat
			}
			var hasher *cachekey.Hasher
			if cachekey.DebugEnabled(a.inv.Env("BST_DEBUG")) {
				hasher = cachekey.NewHasher(a.inv.Stderr)
			}
			needKeys := strings.Contains(format, "%{key") || strings.Contains(format, "%{full-key") || strings.Contains(format, "%{state")
			elems, err := s.Show(a.ctx, stream.ShowOptions{Targets: args, Deps: scope, Except: except, Alpha: order == "alpha",
				Keys: needKeys, States: strings.Contains(format, "%{state"), Hasher: hasher})
			if err != nil {
				return err
			}
			if deps == "plan" && s.Project.Gen == project.Gen2 {
				return bsterr.App(bsterr.InvalidData, "Invalid value for '--deps': 'plan' is not one of 'none', 'run', 'build', 'all'")
			}
			return a.printShow(elems, format, s.Config.KeyLength, s.Project.Gen == project.Gen2)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&except, "except", nil, "Except certain dependencies")
	f.StringVarP(&deps, "deps", "d", "all", "The dependencies to show [none|plan|run|build|all]")
	f.StringVar(&order, "order", "stage", "Staging or alphabetic ordering of dependencies [stage|alpha]")
	f.StringVarP(&format, "format", "f", "", "Format string for each element")
	return cmd
}

var showSymbols = []string{"name", "key", "full-key", "state", "config", "vars", "env", "public",
	"workspaced", "workspace-dirs", "kind", "description", "deps", "build-deps", "runtime-deps"}

func (a *app) printShow(elems []*element.Element, format string, keyLen int, gen2 bool) error {
	f := newFormatter(showSymbols, gen2)
	tmpl := f.compile(format)
	values := map[string]string{}
	var out strings.Builder
	for i, e := range elems {
		clear(values)
		safe := true
		for _, sym := range tmpl.symbols {
			v, err := showValue(e, sym, keyLen)
			if err != nil {
				return err
			}
			values[sym] = v
			if strings.Contains(v, "%{") {
				safe = false
			}
		}
		if safe {
			tmpl.render(&out, values)
		} else {
			// A value holding "%{" could be matched by a later symbol, as
			// in BuildStream's sequential substitution: do it the slow way.
			line := format
			for _, sym := range showSymbols {
				if v, ok := values[sym]; ok {
					line = f.subst(line, sym, v)
				} else if strings.Contains(line, "%{"+sym) {
					v, err := showValue(e, sym, keyLen)
					if err != nil {
						return err
					}
					line = f.subst(line, sym, v)
				}
			}
			out.WriteString(line)
		}
		if i < len(elems)-1 {
			out.WriteByte('\n')
		}
	}
	// BuildStream echoes the report with a newline, even when it is empty.
	s := strings.TrimRight(out.String(), "\n") + "\n"
	_, err := a.inv.Stdout.Write([]byte(s))
	return err
}

// showValue renders one %{symbol} of bst show for e.
func showValue(e *element.Element, sym string, keyLen int) (string, error) {
	gen2 := e.Project.Gen == project.Gen2
	switch sym {
	case "name":
		return e.FullName, nil
	case "key", "full-key":
		full := strings.Repeat("?", 64)
		if e.Keys.Known {
			full = e.Keys.Strong.String()
		}
		if sym == "key" && keyLen < len(full) {
			return full[:keyLen], nil
		}
		return full, nil
	case "state":
		if e.IsJunction {
			return "junction", nil
		}
		return e.State(), nil
	case "config":
		return yamlnode.Dump(yamlnode.Plain(e.Config, gen2)), nil
	case "vars":
		vars, err := e.Vars.ResolveAll()
		if err != nil {
			return "", err
		}
		m := make(map[string]any, len(vars))
		for _, v := range vars {
			m[v.Name] = v.Value
		}
		return yamlnode.Dump(m), nil
	case "env":
		m := make(map[string]any, len(e.Env))
		for _, kv := range e.Env {
			m[kv.Name] = kv.Value
		}
		return yamlnode.Dump(m), nil
	case "public":
		return yamlnode.Dump(yamlnode.Plain(e.Public, gen2)), nil
	case "workspaced":
		if e.Workspace != nil {
			return "(workspaced)", nil
		}
		return "", nil
	case "workspace-dirs":
		if e.Workspace != nil {
			return "Workspace: " + e.Workspace.Dir, nil
		}
		return "", nil
	case "kind":
		return e.Kind, nil
	case "description":
		return e.Description, nil
	case "deps":
		return depList(pipeline.Dependencies([]*element.Element{e}, pipeline.ScopeAll), e), nil
	case "build-deps":
		return depList(e.BuildDeps, nil), nil
	case "runtime-deps":
		return depList(e.RuntimeDeps, nil), nil
	}
	return "", nil
}

// depList renders a dependency list as a YAML sequence of names.
func depList(list []*element.Element, self *element.Element) string {
	names := make([]any, 0, len(list))
	for _, d := range list {
		if d != self {
			names = append(names, d.FullName)
		}
	}
	return strings.TrimRight(yamlnode.Dump(names), "\n")
}
