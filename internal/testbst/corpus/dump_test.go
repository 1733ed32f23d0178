package corpus

import (
	"fmt"
	"strings"
)

// elementMarker starts each element's block in the --format runs:
// $'@@@BST-ELEMENT@@@ %{name}\n%{vars}'.
const elementMarker = "@@@BST-ELEMENT@@@ "

// fieldFormat is the --format string that prints field (vars, env, config
// or public) for every element, as the goldens were made.
func fieldFormat(field string) string {
	return elementMarker + "%{name}\n%{" + field + "}"
}

// dump is one element -> value listing, in bst's order.
type dump struct {
	names  []string
	values map[string]any
}

// parseDump splits the stdout of a marker run into element blocks and
// parses each as a string tree, the way the golden tool did: lines before
// the first marker must be blank, a name may appear once, an empty block is
// an empty mapping, and vars lose bst's internal __bst_provenance_info.
func parseDump(text, field string) (dump, error) {
	d := dump{values: map[string]any{}}
	blocks := map[string][]string{}
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, elementMarker); ok {
			if _, dup := blocks[name]; dup {
				return d, fmt.Errorf("element %s printed twice", name)
			}
			cur = name
			blocks[name] = []string{}
			d.names = append(d.names, name)
			continue
		}
		if cur == "" {
			if strings.TrimSpace(line) != "" {
				return d, fmt.Errorf("text before the first element marker: %q", line)
			}
			continue
		}
		blocks[cur] = append(blocks[cur], line)
	}
	for _, name := range d.names {
		v, err := parseStringTree([]byte(strings.Join(blocks[name], "\n")))
		if err != nil {
			return d, fmt.Errorf("element %s: %s does not parse as YAML: %v", name, field, err)
		}
		if m, ok := v.(map[string]any); ok && field == "vars" {
			delete(m, "__bst_provenance_info")
		}
		d.values[name] = v
	}
	return d, nil
}

// keyListing is the output of `--format '%{name} %{full-key}'`.
type keyListing struct {
	names []string
	keys  map[string]string
}

// parseKeys reads `name key` lines; a line without a space is a name with an
// empty key.
func parseKeys(text string) (keyListing, error) {
	l := keyListing{keys: map[string]string{}}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, key, _ := strings.Cut(line, " ")
		if _, dup := l.keys[name]; dup {
			return l, fmt.Errorf("element %s printed twice", name)
		}
		l.names = append(l.names, name)
		l.keys[name] = key
	}
	return l, nil
}
