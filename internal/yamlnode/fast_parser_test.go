package yamlnode_test

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"example.org/bst/internal/yamlnode"
)

// checkFast asserts the fast path's invariant on data: when it returns a
// tree, the yaml.v3 path returns a deeply equal one (and no error). It
// reports whether the fast path handled data.
func checkFast(t testing.TB, data []byte, file string) bool {
	t.Helper()
	fast, ok := yamlnode.FastParse(data, file)
	if !ok {
		return false
	}
	slow, err := yamlnode.ParseYAML(data, file)
	if err != nil {
		t.Fatalf("%s: fast path returned a tree, yaml.v3 path fails: %v\n%s\nfast tree:\n%s", file, err, data, snapshot(fast))
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: fast and yaml.v3 trees differ\n%s\nfast:\n%s\nyaml.v3:\n%s", file, data, snapshot(fast), snapshot(slow))
	}
	return true
}

// sharedDir returns ../shared/<sub> next to the module root, skipping the
// test when it is missing.
func sharedDir(t *testing.T, sub string) string {
	t.Helper()
	d := findShared(sub)
	if d == "" {
		t.Skipf("../shared/%s not found next to the module root", sub)
	}
	return d
}

// findShared returns ../shared/<sub> next to the module root, or "".
func findShared(sub string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	d := filepath.Join(filepath.Dir(dir), "shared", sub)
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

// yamlFiles lists the YAML files under root that bst reads.
func yamlFiles(t testing.TB, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			switch filepath.Ext(path) {
			case ".bst", ".yml", ".yaml", ".conf", ".refs", ".inc":
				files = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// fallbackReason guesses why the fast path gave up on data, from the
// line it stopped at.
func fallbackReason(data []byte) string {
	switch {
	case bytes.ContainsAny(data, "\r"):
		return "carriage return"
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return "byte order mark"
	}
	stop := yamlnode.FastParseStop(data)
	lines := strings.Split(string(data), "\n")
	if stop < 1 || stop > len(lines) {
		return "end of input"
	}
	l := lines[stop-1]
	s := strings.TrimLeft(l, " -")
	switch {
	case strings.Contains(l, "\t"):
		return "tab"
	case strings.HasPrefix(l, "---") || strings.HasPrefix(l, "..."):
		return "document marker"
	case strings.HasPrefix(s, "&") || strings.Contains(s, ": &"):
		return "anchor"
	case strings.HasPrefix(s, "*") || strings.Contains(s, ": *"):
		return "alias"
	case strings.HasPrefix(s, "<<"):
		return "merge key"
	case strings.HasPrefix(s, "!") || strings.Contains(s, ": !"):
		return "tag"
	case strings.Contains(s, ": [") || strings.Contains(s, ": {") || strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{"):
		return "flow collection"
	case strings.Contains(s, "|") || strings.Contains(s, ">"):
		return "block scalar"
	case strings.Count(s, "'")%2 == 1 || strings.Count(s, "\"")%2 == 1:
		return "multi-line quoted scalar"
	case strings.Contains(s, "\\"):
		return "escape"
	}
	return "other: " + strings.TrimSpace(l)
}

// TestFastParseCorpus runs both paths on every YAML file of the corpus and
// the conformance data: the fast path must agree with yaml.v3 wherever it
// answers, and answer for the vast majority of real project files.
func TestFastParseCorpus(t *testing.T) {
	for _, sub := range []string{"corpus", "conformance"} {
		t.Run(sub, func(t *testing.T) {
			root := sharedDir(t, sub)
			files := yamlFiles(t, root)
			handled := 0
			reasons := map[string]int{}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(root, f)
				if checkFast(t, data, rel) {
					handled++
					continue
				}
				r := fallbackReason(data)
				if _, err := yamlnode.ParseYAML(data, rel); err != nil {
					r = "invalid YAML"
				}
				reasons[r]++
			}
			share := 100 * float64(handled) / float64(max(len(files), 1))
			t.Logf("%s: fast path handled %d of %d files (%.1f%%)", sub, handled, len(files), share)
			type kv struct {
				k string
				v int
			}
			var rs []kv
			for k, v := range reasons {
				rs = append(rs, kv{k, v})
			}
			sort.Slice(rs, func(i, j int) bool { return rs[i].v > rs[j].v || rs[i].v == rs[j].v && rs[i].k < rs[j].k })
			for i, r := range rs {
				if i == 25 {
					break
				}
				t.Logf("  fallback %4d  %s", r.v, r.k)
			}
			if sub == "corpus" && share < 90 {
				t.Errorf("fast path handled only %.1f%% of the corpus", share)
			}
		})
	}
}

// fastSeeds are a few real files of the corpus, for the fuzz target and
// the benchmark: elements of several shapes, project.conf, includes.
var fastSeeds = []string{
	"freedesktop-sdk-25.08.15/project.conf",
	"freedesktop-sdk-25.08.15/include/flags.yml",
	"freedesktop-sdk-25.08.15/elements/bootstrap/binutils.bst",
	"freedesktop-sdk-25.08.15/elements/components/python3.bst",
	"freedesktop-sdk-25.08.15/elements/components/gtk3.bst",
	"freedesktop-sdk-22.08.21/elements/bootstrap/glibc.bst",
}

// FuzzFastParse checks the fast path's invariant: whenever it returns a
// tree, yaml.v3 returns the same one.
func FuzzFastParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	for _, s := range fastTableDocs() {
		f.Add([]byte(s))
	}
	g := &docGen{r: rand.New(rand.NewPCG(3, 4))}
	for range 50 {
		g.b.Reset()
		g.mapping(0, 3, false)
		f.Add([]byte(g.b.String()))
	}
	if root := findShared("corpus"); root != "" {
		for _, name := range fastSeeds {
			if data, err := os.ReadFile(filepath.Join(root, name)); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data, "fuzz.yaml")
	})
}
