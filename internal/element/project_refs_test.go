package element

import (
	"errors"
	"path/filepath"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/options"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// TestRefsFile: refs are written to the top-level project's file whenever
// it uses project.refs, whatever the element's own project uses, and
// junction elements' refs to its junction.refs (Source._set_ref and
// _project_refs); otherwise inline ("").
func TestRefsFile(t *testing.T) {
	top := &project.Project{Name: "top", Dir: "/top", RefStorage: ProjectRefsStorage}
	inlineTop := &project.Project{Name: "top", Dir: "/inline", RefStorage: "inline"}
	sub := func(parent *project.Project, storage string) *project.Project {
		return &project.Project{Name: "sub", Dir: parent.Dir + "/sub", RefStorage: storage,
			Junction: &project.JunctionInfo{Name: "junction.bst", Parent: parent}}
	}
	nested := sub(sub(top, "inline"), "inline")
	tests := []struct {
		name     string
		p        *project.Project
		junction bool
		want     string
	}{
		{"top-level element", top, false, "/top/project.refs"},
		{"top-level junction", top, true, "/top/junction.refs"},
		{"subproject element, inline subproject", sub(top, "inline"), false, "/top/project.refs"},
		{"subproject element, subproject with project.refs", sub(top, ProjectRefsStorage), false, "/top/project.refs"},
		{"junction in a subproject", sub(top, "inline"), true, "/top/junction.refs"},
		{"element two junctions down", nested, false, "/top/project.refs"},
		{"inline top-level project", inlineTop, false, ""},
		{"subproject of an inline project", sub(inlineTop, ProjectRefsStorage), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Element{Name: "e.bst", Project: tt.p, IsJunction: tt.junction}
			if got := RefsFile(e); filepath.ToSlash(got) != tt.want {
				t.Errorf("RefsFile = %q, want %q", got, tt.want)
			}
		})
	}
	if Toplevel(nested) != top {
		t.Errorf("Toplevel of a project two junctions down is not the top-level project")
	}
}

func flavourPool(t *testing.T, value string) *options.Pool {
	t.Helper()
	decls, err := yamlnode.Parse([]byte("flavour:\n  type: enum\n  description: f\n  values: [a, b]\n  default: a\n"), "project.conf")
	if err != nil {
		t.Fatal(err)
	}
	p := options.NewPool(options.Gen1, options.Host{Arch: "x86_64", OS: "Linux"})
	if err := p.Load(decls); err != nil {
		t.Fatal(err)
	}
	if err := p.LoadCLIValues([][2]string{{"flavour", value}}, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestParseRefs: project.refs is processed as ProjectRefs.load does:
// conditionals with the project's options (an entry keeps the place it is
// written at, in the fragment), assertions, no leftover list directive,
// `projects` as the only key.
func TestParseRefs(t *testing.T) {
	const refs = "projects:\n  p:\n    e.bst:\n    - ref: base\n  (?):\n  - flavour == \"b\":\n      p:\n        e.bst:\n        - ref: in-b\n"
	tests := []struct {
		name, text, flavour string
		ref                 string
		line                int32
		reason              bsterr.Reason
	}{
		{"condition false", refs, "a", "base", 4, ""},
		{"condition true: the fragment's entry", refs, "b", "in-b", 9, ""},
		{"empty file", "", "a", "", 0, ""},
		{"assertion", "projects: {}\n(!): no refs here\n", "a", "", 0, bsterr.UserAssertion},
		{"unknown key", "projects: {}\nother: 1\n", "a", "", 0, bsterr.InvalidData},
		{"trailing list directive", "projects:\n  p:\n    e.bst:\n      (>):\n      - ref: x\n", "a", "", 0, bsterr.TrailingListDirective},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := ParseRefs([]byte(tt.text), "project.refs", flavourPool(t, tt.flavour))
			if tt.reason != "" {
				var be *bsterr.Error
				if !errors.As(err, &be) || be.Reason != tt.reason {
					t.Fatalf("error %v, want reason %s", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entry, err := RefEntry(root, "p", "e.bst", 0)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ref == "" {
				if entry != nil {
					t.Errorf("entry %v, want none", entry)
				}
				return
			}
			if entry == nil {
				t.Fatal("no entry")
			}
			if got, _, _ := entry.String("ref"); got != tt.ref {
				t.Errorf("ref %q, want %q", got, tt.ref)
			}
			if entry.P.Line != tt.line {
				t.Errorf("entry at line %d, want %d (where it is written)", entry.P.Line, tt.line)
			}
		})
	}
}
