package elementkey

import (
	"fmt"
	"reflect"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

func parse(t *testing.T, text string) *yamlnode.Mapping {
	t.Helper()
	m, err := yamlnode.Parse([]byte(text), "test.bst")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// expanded stands for a 2.x configuration after expansion: values stripped
// when loaded, then expanded (here: %{empty} is "").
func expanded(t *testing.T, text string, vals map[string]string) *yamlnode.Mapping {
	m := parse(t, text)
	for i, k := range m.Keys {
		switch v := m.Vals[i].(type) {
		case *yamlnode.Scalar:
			if s, ok := vals[k]; ok {
				v.Value = s
			}
		case *yamlnode.Sequence:
			for j, it := range v.Items {
				if s, ok := vals[fmt.Sprintf("%s/%d", k, j)]; ok {
					it.(*yamlnode.Scalar).Value = s
				}
			}
		}
	}
	return m
}

func TestBuildElementKey2(t *testing.T) {
	cfg := expanded(t, "configure-commands: [x]\nbuild-commands: []\ninstall-commands: []\nstrip-commands: ['']\n",
		map[string]string{"configure-commands/0": "./configure --a  "})
	vars := map[string]string{"command-subdir": "src", "notparallel": "False"}
	in := Input{Gen: 2, Kind: "autotools", Plugin: &plugin.ElementKind{BuildElement: true}, Config: cfg,
		Var: func(n string) string { return vars[n] },
		Deps: []Dep{
			{Path: "a.bst", Config: expanded(t, "digest-environment: D\n", nil)},
			{Path: "j.bst:b.bst", Config: expanded(t, "location: x\n", map[string]string{"location": "/opt"})},
		},
	}
	got, err := Key(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		// Trailing blanks of an expansion stay (buildelement.py does not strip).
		"configure-commands": []string{"./configure --a  "},
		"build-commands":     []string{}, "install-commands": []string{}, "strip-commands": []string{""},
		"command-subdir":     "src",
		"notparallel":        true, // any non-empty value
		"layout":             map[string]any{"/": []string{"a.bst"}, "/opt": []string{"j.bst:b.bst"}},
		"digest-enviornment": map[string]any{"D": []string{"a.bst"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}

	// Only "/" (or an empty location, which Python finds falsy) leaves the
	// layout out of the key.
	in.Deps = []Dep{{Path: "a.bst"}, {Path: "b.bst", Config: expanded(t, "location: x\n", map[string]string{"location": ""})}}
	got, _ = Key(in)
	if _, ok := got.(map[string]any)["layout"]; ok {
		t.Errorf("layout keyed for locations / and \"\": %#v", got)
	}
	if _, ok := got.(map[string]any)["digest-enviornment"]; ok {
		t.Errorf("digest-enviornment keyed without digest-environment: %#v", got)
	}
}

func TestBuildElementKey1(t *testing.T) {
	cfg := parse(t, "configure-commands: []\nbuild-commands: ['  make %{x}  ']\ninstall-commands: []\nstrip-commands: []\n")
	in := Input{Gen: 1, Kind: "manual", Plugin: &plugin.ElementKind{BuildElement: true}, Config: cfg,
		Subst: func(s string, _ bsterr.Provenance) (string, error) {
			if s == "make %{x}" {
				return "make y", nil
			}
			return s, nil
		},
		Var: func(string) string { return "" },
	}
	got, err := Key(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"bootstrap-commands": []string{}, "configure-commands": []string{}, "build-commands": []string{"make y"},
		"test-commands": []string{}, "install-commands": []string{}, "strip-commands": []string{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestScriptKey2(t *testing.T) {
	cfg := expanded(t, "commands: [x]\nroot-read-only: true\n", map[string]string{"commands/0": "echo  "})
	vars := map[string]string{"cwd": "", "install-root": "/buildstream-install"}
	got, err := Key(Input{Gen: 2, Kind: "script", Plugin: &plugin.ElementKind{}, Config: cfg,
		Var: func(n string) string { return vars[n] }})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"commands": map[string]any{"commands": []string{"echo  "}}, "cwd": "/",
		"install-root": "/buildstream-install", "layout": map[string]any{}, "root-read-only": true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestComposeImportFilter2(t *testing.T) {
	for _, tc := range []struct {
		kind, config string
		want         any
	}{
		{"compose", "integrate: 'false'\ninclude: [b, a]\nexclude: []\ninclude-orphans: 'true'\n",
			map[string]any{"integrate": false, "include": []string{"a", "b"}, "orphans": true}},
		{"compose", "integrate: 'true'\ninclude: []\nexclude: [z, y]\ninclude-orphans: 'false'\n",
			map[string]any{"integrate": true, "include": []string{}, "orphans": false, "exclude": []string{"y", "z"}}},
		{"filter", "include: [b, a]\nexclude: []\ninclude-orphans: 'false'\npass-integration: 'true'\n",
			map[string]any{"include": []string{"a", "b"}, "exclude": []string{}, "orphans": false}},
		{"import", "source: /usr\ntarget: /\n", map[string]any{"source": "/usr", "target": "/"}},
		{"stack", "", 1},
	} {
		got, err := Key(Input{Gen: 2, Kind: tc.kind, Plugin: &plugin.ElementKind{}, Config: parse(t, tc.config)})
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v\nwant %#v", tc.kind, got, tc.want)
		}
	}
}

func TestDependencyConfigErrors(t *testing.T) {
	in := Input{Gen: 2, Kind: "manual", Plugin: &plugin.ElementKind{BuildElement: true},
		Config: parse(t, "build-commands: []\n"), Var: func(string) string { return "" },
		Deps: []Dep{{Path: "a.bst", Config: parse(t, "flatpak-image: true\n")}}}
	if _, err := Key(in); err == nil {
		t.Error("BuildElement accepted dependency config key flatpak-image")
	}
	in.Kind, in.Plugin = "script", &plugin.ElementKind{}
	in.Deps[0].Config = parse(t, "digest-environment: X\n")
	if _, err := Key(in); err == nil {
		t.Error("script accepted dependency config key digest-environment")
	}
}

func TestFlatpakRepoKey2(t *testing.T) {
	cfg := parse(t, "repo-mode: archive-z2\narch: x86_64\nbranch: '23.08'\n"+
		"copy-refs:\n- {src: app/a/x86_64/23.08, dest: app/a/x86_64/stable}\n")
	in := Input{Gen: 2, Kind: "flatpak_repo", Plugin: &plugin.ElementKind{}, Config: cfg,
		Var: func(string) string { return "" },
		Deps: []Dep{
			{Path: "deps.bst"},
			{Path: "flatpak/app.bst", Name: "flatpak/app.bst", Config: parse(t, "flatpak-image: true\nbranch: beta\n")},
			{Path: "j.bst:stack.bst", Name: "stack.bst", Runtime: []string{"img/one.bst"},
				Config: parse(t, "flatpak-stack: true\n")},
		}}
	got, err := Key(in)
	if err != nil {
		t.Fatal(err)
	}
	export := "flatpak build-export --files=files --arch=x86_64 /buildstream/repo "
	want := map[string]any{
		"commands": map[string]any{
			"init repository":                      []string{"ostree init --repo=/buildstream/repo --mode=archive-z2"},
			"export flatpak/app.bst":               []string{export + "/buildstream/input/flatpak-app beta"},
			"export j.bst:stack.bst (img/one.bst)": []string{export + "/buildstream/input/img-one 23.08"},
			"copy ref app/a/x86_64/23.08 -> app/a/x86_64/stable": []string{
				"flatpak build-commit-from --src-ref=app/a/x86_64/23.08 /buildstream/repo app/a/x86_64/stable"},
		},
		"cwd": "/", "install-root": "/buildstream/repo", "root-read-only": true,
		"layout": map[string]any{
			"/":                              []string{"deps.bst"},
			"/buildstream/input/flatpak-app": []string{"flatpak/app.bst"},
			"/buildstream/input/img-one":     []string{"j.bst:stack.bst (img/one.bst)"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	in.Deps = in.Deps[:1]
	if _, err := Key(in); err == nil {
		t.Error("flatpak_repo without images: no error")
	}
}
