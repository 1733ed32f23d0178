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
			if err := choice("--deps", deps, "none", "plan", "run", "build", "all"); err != nil {
				return err
			}
			if err := choice("--order", order, "stage", "alpha"); err != nil {
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
				Keys: needKeys, Hasher: hasher})
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
	var out strings.Builder
	for i, e := range elems {
		line := format
		line = f.subst(line, "name", e.FullName)
		if strings.Contains(line, "%{key") || strings.Contains(line, "%{full-key") {
			full := strings.Repeat("?", 64)
			if e.Keys.Known {
				full = e.Keys.Strong.String()
			}
			short := full
			if keyLen < len(short) {
				short = short[:keyLen]
			}
			line = f.subst(line, "key", short)
			line = f.subst(line, "full-key", full)
		}
		if strings.Contains(line, "%{state") {
			state := e.State()
			if e.IsJunction {
				state = "junction"
			}
			line = f.subst(line, "state", state)
		}
		if strings.Contains(line, "%{config") {
			line = f.subst(line, "config", yamlnode.Dump(yamlnode.Plain(e.Config, e.Project.Gen == project.Gen2)))
		}
		if strings.Contains(line, "%{vars") {
			vars, err := e.Vars.ResolveAll()
			if err != nil {
				return err
			}
			m := make(map[string]any, len(vars))
			for _, v := range vars {
				m[v.Name] = v.Value
			}
			line = f.subst(line, "vars", yamlnode.Dump(m))
		}
		if strings.Contains(line, "%{env") {
			m := make(map[string]any, len(e.Env))
			for _, kv := range e.Env {
				m[kv.Name] = kv.Value
			}
			line = f.subst(line, "env", yamlnode.Dump(m))
		}
		if strings.Contains(line, "%{public") {
			line = f.subst(line, "public", yamlnode.Dump(yamlnode.Plain(e.Public, e.Project.Gen == project.Gen2)))
		}
		line = f.subst(line, "workspaced", "")
		line = f.subst(line, "workspace-dirs", "")
		line = f.subst(line, "kind", e.Kind)
		line = f.subst(line, "description", e.Description)
		if strings.Contains(line, "%{deps") {
			line = f.subst(line, "deps", depList(pipeline.Dependencies([]*element.Element{e}, pipeline.ScopeAll), e))
		}
		if strings.Contains(line, "%{build-deps") {
			line = f.subst(line, "build-deps", depList(e.BuildDeps, nil))
		}
		if strings.Contains(line, "%{runtime-deps") {
			line = f.subst(line, "runtime-deps", depList(e.RuntimeDeps, nil))
		}
		out.WriteString(line)
		if i < len(elems)-1 {
			out.WriteByte('\n')
		}
	}
	// BuildStream echoes the report with a newline, even when it is empty.
	s := strings.TrimRight(out.String(), "\n") + "\n"
	_, err := a.inv.Stdout.Write([]byte(s))
	return err
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
