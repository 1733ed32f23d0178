package corpus

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// golden is what BuildStream 1.6.8 printed for one tree (<tree>.golden/).
type golden struct {
	targets []string
	keys    keyListing       // keys.txt, in bst's order
	fields  map[string]dump  // vars, env, config, public
	errs    map[string]error // per field, when its file cannot be read
}

// readGolden reads a golden directory, parsing the four YAML files in
// parallel. A missing or broken targets.txt or keys.txt is an error; a
// broken field file only fails that field's checks.
func readGolden(dir string) (*golden, error) {
	g := &golden{fields: map[string]dump{}, errs: map[string]error{}}
	var err error
	if g.targets, err = readLines(filepath.Join(dir, "targets.txt")); err != nil {
		return nil, err
	}
	keys, err := os.ReadFile(filepath.Join(dir, "keys.txt"))
	if err != nil {
		return nil, err
	}
	if g.keys, err = parseKeys(string(keys)); err != nil {
		return nil, fmt.Errorf("keys.txt: %v", err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, field := range fieldChecks {
		wg.Go(func() {
			d, err := readGoldenField(filepath.Join(dir, field+".yaml.gz"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				g.errs[field] = err
				return
			}
			g.fields[field] = d
		})
	}
	wg.Wait()
	return g, nil
}

// readGoldenField reads one gzipped `element -> value` mapping.
func readGoldenField(path string) (dump, error) {
	d := dump{values: map[string]any{}}
	f, err := os.Open(path)
	if err != nil {
		return d, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return d, fmt.Errorf("%s: %v", path, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return d, fmt.Errorf("%s: %v", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return d, fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return d, fmt.Errorf("%s: not a mapping of elements", path)
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		name := m.Content[i].Value
		d.names = append(d.names, name)
		d.values[name] = stringTree(m.Content[i+1])
	}
	return d, nil
}

// readLines returns the non-blank lines of a file, trimmed.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, s.Err()
}
