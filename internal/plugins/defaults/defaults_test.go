package defaults

import (
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// corpusRoot is /work/shared/corpus seen from this package, i.e. shared/
// beside the repository; BST_CORPUS overrides it.
func corpusRoot() string {
	if dir := os.Getenv("BST_CORPUS"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "..", "shared", "corpus")
}

func conformanceRoot() string {
	return filepath.Join(filepath.Dir(corpusRoot()), "conformance")
}

func needDir(t *testing.T, dir string) {
	t.Helper()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("%s not available", dir)
	}
}

// parseYAML parses data, rejecting duplicate mapping keys anywhere.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("not a single YAML document")
	}
	return doc.Content[0], checkDuplicates(doc.Content[0], "")
}

func checkDuplicates(n *yaml.Node, where string) error {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if seen[k] {
				return fmt.Errorf("%s: duplicate key %q at line %d", where, k, n.Content[i].Line)
			}
			seen[k] = true
			if err := checkDuplicates(n.Content[i+1], where+"/"+k); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := checkDuplicates(c, fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	case yaml.AliasNode:
		return fmt.Errorf("%s: alias", where)
	}
	return nil
}

// plain converts a node into map[string]any / []any / string, reading every
// scalar as a string as BuildStream does.
func plain(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, plain(c))
		}
		return l
	case yaml.AliasNode:
		return plain(n.Alias)
	}
	return n.Value
}

func mapping(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// TestEmbeddedYAML parses every embedded file: valid YAML, one mapping, no
// duplicate keys, and every scalar value quoted or a literal block so that
// no YAML reader can take it for a number, boolean or null.
func TestEmbeddedYAML(t *testing.T) {
	count := 0
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		count++
		if path.Ext(name) != ".yaml" {
			t.Errorf("%s: unexpected file", name)
			return nil
		}
		data, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		root, err := parseYAML(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return nil
		}
		if root.Kind != yaml.MappingNode {
			t.Errorf("%s: top level is not a mapping", name)
		}
		checkQuoted(t, name, root, "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count == 0 {
		t.Fatal("no embedded files")
	}
}

func checkQuoted(t *testing.T, file string, n *yaml.Node, where string) {
	t.Helper()
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			checkQuoted(t, file, n.Content[i+1], where+"/"+n.Content[i].Value)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			checkQuoted(t, file, c, fmt.Sprintf("%s[%d]", where, i))
		}
	case yaml.ScalarNode:
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			t.Errorf("%s:%d %s: unquoted scalar %q", file, n.Line, where, n.Value)
		}
	}
}

func TestProject(t *testing.T) {
	for _, gen := range []Generation{Gen1, Gen2} {
		root, err := parseYAML(Project(gen))
		if err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		for _, key := range []string{"variables", "environment", "environment-nocache", "split-rules", "sandbox", "shell"} {
			if mapping(root, key) == nil {
				t.Errorf("gen %d: project defaults lack %q", gen, key)
			}
		}
		env := plain(mapping(root, "environment")).(map[string]any)
		want := map[Generation]string{Gen1: "1320937200", Gen2: "1321009871"}[gen]
		if env["SOURCE_DATE_EPOCH"] != want {
			t.Errorf("gen %d: SOURCE_DATE_EPOCH = %v, want %s", gen, env["SOURCE_DATE_EPOCH"], want)
		}
	}
	if Project(Generation(3)) != nil || Elements(Generation(0)) != nil || Sources(Generation(3)) != nil {
		t.Error("unknown generation must give nil")
	}
}

// wantElements and wantSources list the kinds each table must hold.
var (
	wantElements = map[Generation][]string{
		Gen1: {"autotools", "check_forbidden", "cmake", "collect_initial_scripts", "collect_integration",
			"collect_manifest", "compose", "distutils", "filter", "flatpak_image", "flatpak_repo", "import",
			"junction", "make", "makemaker", "manual", "meson", "modulebuild", "pip", "qmake", "script",
			"snap_image", "stack", "tar_element", "x86image"},
		Gen2: {"autotools", "check_forbidden", "cmake", "collect_initial_scripts", "collect_integration",
			"collect_manifest", "compose", "filter", "flatpak_image", "flatpak_repo", "import", "junction", "link",
			"make", "makemaker", "manual", "meson", "modulebuild", "pip", "pyproject", "script", "setuptools",
			"snap_image", "stack"},
	}
	wantSources = map[Generation][]string{
		Gen1: {"bzr", "cargo", "cpan", "crate", "deb", "docker", "git", "git_module", "git_tag", "local", "ostree",
			"ostree_mirror", "patch", "patch_queue", "pip", "pypi", "remote", "tar", "zip"},
		Gen2: {"bzr", "cargo", "cargo2", "cpan", "docker", "git", "git_module", "git_repo", "go_module", "local",
			"ostree", "ostree_mirror", "patch", "patch_queue", "pip", "pypi", "remote", "tar", "workspace", "zip"},
	}
	knownOrigins = []string{OriginCore, OriginBstExternal, OriginBuildstreamPlugins, OriginCommunity,
		OriginFreedesktopSDKLocal}
)

func TestTables(t *testing.T) {
	for _, gen := range []Generation{Gen1, Gen2} {
		dir := fmt.Sprintf("bst%d/elements", gen)
		embedded := map[string]bool{}
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			embedded[strings.TrimSuffix(e.Name(), ".yaml")] = true
		}

		var names []string
		elements := Elements(gen)
		for i, k := range elements {
			names = append(names, k.Name)
			if i > 0 {
				p := elements[i-1]
				if p.Name > k.Name || p.Name == k.Name && p.Origin >= k.Origin {
					t.Errorf("gen %d elements: %s/%s not after %s/%s", gen, k.Name, k.Origin, p.Name, p.Origin)
				}
			}
			checkKind(t, gen, k.Name, k.Origin, k.ConfigKeys)
			if embedded[k.Name] != (k.Defaults != nil) {
				t.Errorf("gen %d %s/%s: Defaults set = %v, file embedded = %v", gen, k.Name, k.Origin,
					k.Defaults != nil, embedded[k.Name])
			}
			if k.Defaults != nil {
				if want, _ := files.ReadFile(dir + "/" + k.Name + ".yaml"); string(want) != string(k.Defaults) {
					t.Errorf("gen %d %s: Defaults differ from the embedded file", gen, k.Name)
				}
			}
			if k.BuildElement {
				want := buildElementKeys1()
				if gen == Gen2 {
					want = buildElementKeys2()
				}
				if !slices.Equal(k.ConfigKeys, want) {
					t.Errorf("gen %d %s: BuildElement with config keys %v", gen, k.Name, k.ConfigKeys)
				}
			}
			if gen == Gen1 && k.RunCommands {
				t.Errorf("gen 1 %s: RunCommands is a 2.x attribute", k.Name)
			}
		}
		for name := range embedded {
			if !slices.Contains(names, name) {
				t.Errorf("gen %d: %s.yaml embedded but not in the table", gen, name)
			}
		}
		checkSet(t, fmt.Sprintf("gen %d elements", gen), names, wantElements[gen])

		names = nil
		sources := Sources(gen)
		for i, k := range sources {
			names = append(names, k.Name)
			if i > 0 {
				p := sources[i-1]
				if p.Name > k.Name || p.Name == k.Name && p.Origin >= k.Origin {
					t.Errorf("gen %d sources: %s/%s not after %s/%s", gen, k.Name, k.Origin, p.Name, p.Origin)
				}
			}
			checkKind(t, gen, k.Name, k.Origin, k.ConfigKeys)
			if k.Defaults != nil {
				t.Errorf("gen %d source %s: sources ship no defaults", gen, k.Name)
			}
			if k.ConfigKeys != nil && !slices.Contains(k.ConfigKeys, "kind") {
				t.Errorf("gen %d source %s: validated keys lack the common key kind", gen, k.Name)
			}
		}
		checkSet(t, fmt.Sprintf("gen %d sources", gen), names, wantSources[gen])
	}
}

func checkKind(t *testing.T, gen Generation, name, origin string, keys []string) {
	t.Helper()
	if !slices.Contains(knownOrigins, origin) {
		t.Errorf("gen %d %s: unknown origin %q", gen, name, origin)
	}
	if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Errorf("gen %d %s: config keys not sorted and unique: %v", gen, name, keys)
	}
}

func checkSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: missing %s", what, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("%s: unexpected %s (add it to the expected list)", what, g)
		}
	}
}

// testOnlyKinds are kinds of local test plugins in the conformance
// fixtures; they are not BuildStream plugins.
var testOnlyKinds = []string{"bar", "config", "configsupported", "configunsupported", "custom", "foo", "found",
	"horse", "mysource", "noloadref", "pony", "ponyland", "preflighterror", "shareddep", "frob"}

// TestCorpusKindsCovered checks that every element and source kind used by
// the corpus projects and the conformance fixtures is in the table of its
// generation.
func TestCorpusKindsCovered(t *testing.T) {
	trees := []struct {
		dir string
		gen Generation
	}{
		{filepath.Join(corpusRoot(), "freedesktop-sdk-18.08.39"), Gen1},
		{filepath.Join(corpusRoot(), "freedesktop-sdk-22.08.21"), Gen1},
		{filepath.Join(corpusRoot(), "freedesktop-sdk-25.08.15"), Gen2},
		{filepath.Join(conformanceRoot(), "cachekey", "bst-1.6"), Gen1},
		{filepath.Join(conformanceRoot(), "format", "bst-1.6"), Gen1},
		{filepath.Join(conformanceRoot(), "cachekey", "bst-2"), Gen2},
		{filepath.Join(conformanceRoot(), "cachekey", "bst-plugins"), Gen2},
		{filepath.Join(conformanceRoot(), "format", "bst-2"), Gen2},
	}
	needDir(t, corpusRoot())
	for _, tree := range trees {
		if _, err := os.Stat(tree.dir); err != nil {
			t.Logf("skipping %s: %v", tree.dir, err)
			continue
		}
		elements, sources := kindNames(Elements(tree.gen)), sourceNames(Sources(tree.gen))
		err := filepath.WalkDir(tree.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".bst") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil // dangling symlinks are part of the fixtures
			}
			root, err := parseYAML(data)
			if err != nil || root.Kind != yaml.MappingNode {
				return nil // deliberately broken fixtures
			}
			if k := mapping(root, "kind"); k != nil && k.Kind == yaml.ScalarNode {
				if !slices.Contains(elements, k.Value) && !slices.Contains(testOnlyKinds, k.Value) {
					t.Errorf("%s: element kind %q not in the gen %d table", p, k.Value, tree.gen)
				}
			}
			if s := mapping(root, "sources"); s != nil && s.Kind == yaml.SequenceNode {
				for _, src := range s.Content {
					k := mapping(src, "kind")
					if k == nil || k.Kind != yaml.ScalarNode {
						continue
					}
					if !slices.Contains(sources, k.Value) && !slices.Contains(testOnlyKinds, k.Value) {
						t.Errorf("%s: source kind %q not in the gen %d table", p, k.Value, tree.gen)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func kindNames(ks []ElementKind) []string {
	var names []string
	for _, k := range ks {
		names = append(names, k.Name)
	}
	return names
}

func sourceNames(ks []SourceKind) []string {
	var names []string
	for _, k := range ks {
		names = append(names, k.Name)
	}
	return names
}

// TestGolden1Config compares the 1.x default `config` of each kind with what
// BuildStream 1.6.8 printed (%{config}) for every corpus element whose .bst
// has no config (nor include or conditional that could bring one) and whose
// kind has no project.conf override that could touch config.
func TestGolden1Config(t *testing.T) {
	for _, tree := range []string{"freedesktop-sdk-22.08.21", "freedesktop-sdk-18.08.39"} {
		t.Run(tree, func(t *testing.T) { checkGoldenConfig(t, tree) })
	}
}

func checkGoldenConfig(t *testing.T, tree string) {
	dir := filepath.Join(corpusRoot(), tree)
	golden := filepath.Join(corpusRoot(), tree+".golden", "config.yaml.gz")
	needDir(t, dir)
	if _, err := os.Stat(golden); err != nil {
		t.Skipf("%s not available", golden)
	}

	defaults := map[string]any{}
	for _, k := range Elements(Gen1) {
		cfg := any(map[string]any{})
		if k.Defaults != nil {
			root, err := parseYAML(k.Defaults)
			if err != nil {
				t.Fatal(err)
			}
			if c := mapping(root, "config"); c != nil {
				cfg = plain(c)
			}
		}
		if prev, ok := defaults[k.Name]; ok && !reflect.DeepEqual(prev, cfg) {
			t.Fatalf("%s: origins disagree on defaults", k.Name)
		}
		defaults[k.Name] = cfg
	}

	overridden := projectConfigOverrides(t, filepath.Join(dir, "project.conf"))
	configs := readGolden(t, golden)
	checked := map[string]int{}
	for name, got := range configs {
		if strings.Contains(name, ":") {
			continue // reached through a junction
		}
		data, err := os.ReadFile(filepath.Join(dir, "elements", name))
		if err != nil {
			t.Fatal(err)
		}
		root, err := parseYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if mapping(root, "config") != nil || mapping(root, "(@)") != nil || mapping(root, "(?)") != nil {
			continue
		}
		kind := mapping(root, "kind").Value
		if overridden[kind] {
			continue
		}
		want, ok := defaults[kind]
		if !ok {
			t.Errorf("%s: kind %s not in the table", name, kind)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (%s): config\n got (bst 1.6.8) %#v\nwant (defaults) %#v", name, kind, got, want)
		}
		checked[kind]++
	}
	if len(checked) == 0 {
		t.Fatal("no element checked")
	}
	t.Logf("checked per kind: %v", checked)
}

// projectConfigOverrides returns the kinds whose project.conf `elements:`
// entry sets config or includes a file that might.
func projectConfigOverrides(t *testing.T, file string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	if els := mapping(root, "elements"); els != nil {
		for i := 0; i < len(els.Content); i += 2 {
			o := els.Content[i+1]
			if mapping(o, "config") != nil || mapping(o, "(@)") != nil || mapping(o, "(?)") != nil {
				out[els.Content[i].Value] = true
			}
		}
	}
	return out
}

func readGolden(t *testing.T, file string) map[string]any {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(zr).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	m, ok := plain(&doc).(map[string]any)
	if !ok {
		t.Fatal("golden is not a mapping")
	}
	return m
}
