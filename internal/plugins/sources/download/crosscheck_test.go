package download_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"example.org/bst/internal/plugins/sources/download"
)

// TestCrossCheckBuildStream1 compares URLDirectoryName and Glob with
// BuildStream 1.6.8's utils.url_directory_name and utils.glob.
func TestCrossCheckBuildStream1(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import buildstream.utils").Run(); err != nil {
		t.Skip("BuildStream 1.6 is not installed")
	}
	urls := []string{
		"https://download.gnome.org/sources/glib/2.80/glib-2.80.0.tar.xz",
		"gnome_downloads:glib/2.80/glib-2.80.0.tar.xz",
		"ftp://user@host:21/a%20b/c~d?e=f&g#h",
		"tar:ünïcödé/файл.tar",
		"",
	}
	patterns := []string{"*", "**", "foo-*", "*/src", "?oo*", "[a-f]*", "[!a-f]*", "[]a]*", "[^a]*", "a[b", "*.d", "**/x"}
	paths := []string{"", "foo-1.0", "foo-1.0/src", "bar", "a[b", "]x", "^y", "x.d", "q/r/x", "oops", "/abs"}
	script := `
import json, sys
from buildstream import utils
req = json.load(sys.stdin)
out = {"dirs": [utils.url_directory_name(u) for u in req["urls"]],
       "globs": [[p in set(utils.glob([p], pat)) for p in req["paths"]] for pat in req["patterns"]]}
json.dump(out, sys.stdout)
`
	in, _ := json.Marshal(map[string]any{"urls": urls, "patterns": patterns, "paths": paths})
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Dirs  []string `json:"dirs"`
		Globs [][]bool `json:"globs"`
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, u := range urls {
		if got := download.URLDirectoryName(u); got != want.Dirs[i] {
			t.Errorf("URLDirectoryName(%q) = %q, BuildStream %q", u, got, want.Dirs[i])
		}
	}
	for i, pat := range patterns {
		re, err := download.Glob(pat)
		if err != nil {
			t.Errorf("%q: %v", pat, err)
			continue
		}
		for j, p := range paths {
			try := p
			if len(try) == 0 || try[0] != '/' {
				try = "/" + try
			}
			if got := re.MatchString(try); got != want.Globs[i][j] {
				t.Errorf("glob %q on %q: %v, BuildStream %v", pat, p, got, want.Globs[i][j])
			}
		}
	}
}
