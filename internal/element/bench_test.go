package element_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"example.org/bst/internal/element"
	"example.org/bst/internal/plugins"
	"example.org/bst/internal/stream"
	"example.org/bst/internal/userconfig"
)

// writeSynthetic writes a project shaped like ../shared/bench's
// gen-synthetic.py: n manual elements with local sources, variables, an
// environment and public data, each build-depending on base.bst and on up
// to four of the 200 elements before it, and a stack all.bst over them.
func writeSynthetic(tb testing.TB, dir string, n int) {
	tb.Helper()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("files/src/README", "synthetic source\n")
	write("files/base/bin/sh", "#!/bin/true\n")
	write("project.conf", `name: synthetic
format-version: 18
element-path: elements
options:
  debug:
    type: bool
    description: build with debug flags
    default: False
variables:
  common-flags: -O2
  (?):
  - debug:
      common-flags: -O0 -g
`)
	write("elements/base.bst", "kind: import\nsources:\n- kind: local\n  path: files/base\n")
	rng := rand.New(rand.NewSource(1))
	var names []string
	var all strings.Builder
	all.WriteString("kind: stack\ndepends:\n")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("components/c%05d.bst", i)
		deps := map[string]bool{"base.bst": true}
		if len(names) > 0 {
			lo := max(0, len(names)-200)
			for k := rng.Intn(4) + 1; k > 0; k-- {
				deps[names[lo+rng.Intn(len(names)-lo)]] = true
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "kind: manual\ndescription: synthetic component %d\nbuild-depends:\n", i)
		for _, d := range slices.Sorted(maps.Keys(deps)) {
			fmt.Fprintf(&b, "- %s\n", d)
		}
		fmt.Fprintf(&b, "sources:\n- kind: local\n  path: files/src\n")
		fmt.Fprintf(&b, "variables:\n  component-flags: '%%{common-flags} -DCOMP=%d'\n", i)
		fmt.Fprintf(&b, "environment:\n  CFLAGS: '%%{component-flags}'\n")
		fmt.Fprintf(&b, "config:\n  install-commands:\n  - mkdir -p %%{install-root}%%{datadir}/c%d\n", i)
		fmt.Fprintf(&b, "  - echo %%{component-flags} > %%{install-root}%%{datadir}/c%d/flags\n", i)
		fmt.Fprintf(&b, "public:\n  bst:\n    integration-commands:\n    - echo integrated %d\n", i)
		write("elements/"+name, b.String())
		names = append(names, name)
		fmt.Fprintf(&all, "- %s\n", name)
	}
	write("elements/all.bst", all.String())
}

// loadSynthetic loads all.bst of the project in dir and returns every
// element in staging order.
func loadSynthetic(tb testing.TB, dir string) []*element.Element {
	tb.Helper()
	s := &stream.Session{Dir: dir, Env: func(string) string { return "" }, Config: &userconfig.Config{},
		Registry: plugins.Registry()}
	defer s.Close()
	ctx := context.Background()
	if err := s.LoadProject(ctx); err != nil {
		tb.Fatal(err)
	}
	tels, err := s.LoadElements(ctx, []string{"all.bst"})
	if err != nil {
		tb.Fatal(err)
	}
	return element.Dependencies(tels, element.ScopeAll)
}

// BenchmarkCacheKeys measures the keys of a 1000-element synthetic project
// (`bst show --format %{full-key}` minus loading).
func BenchmarkCacheKeys(b *testing.B) {
	dir := b.TempDir()
	writeSynthetic(b, dir, 1000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		elems := loadSynthetic(b, dir)
		b.StartTimer()
		if err := element.CacheKeys(context.Background(), elems, nil); err != nil {
			b.Fatal(err)
		}
	}
}
