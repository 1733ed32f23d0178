package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestStatusArea drives the area through a short session and compares what
// reaches the terminal (escape sequences shown as text) with a golden file.
func TestStatusArea(t *testing.T) {
	var out strings.Builder
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &statusArea{w: &out, width: func() int { return 80 }, now: func() time.Time { return now },
		start: now, held: true}
	s.held = false
	s.plan("fdsdk", 3, 10)
	s.message("START", "fetch", "base.bst", "[--:--:--][1234abcd][fetch:base.bst] START   log\n")
	now = now.Add(1500 * time.Millisecond)
	s.message("SUCCESS", "fetch", "base.bst", "[00:00:01][1234abcd][fetch:base.bst] SUCCESS \n")
	s.message("START", "build", "base.bst", "[--:--:--][1234abcd][build:base.bst] START   log\n")
	s.message("START", "build", "tools/compilers/gcc-stage-one.bst", "[--:--:--][5678abcd][build:tools/compilers/gcc-stage-one.bst] START   log\n")
	s.message("START", "build", "tools/compilers/binutils-stage-one.bst", "[--:--:--][9abcabcd][build:tools/compilers/binutils-stage-one.bst] START   log\n")
	now = now.Add(65 * time.Second)
	s.message("FAILURE", "build", "base.bst", "[00:01:05][1234abcd][build:base.bst] FAILURE oops\n")
	s.hold()
	out.WriteString("<the prompt has the terminal>\n")
	s.release()
	s.message("SUCCESS", "build", "tools/compilers/gcc-stage-one.bst", "[00:01:05][5678abcd][build:tools/compilers/gcc-stage-one.bst] SUCCESS \n")
	s.clear()
	got := strings.NewReplacer("\x1b[", "<ESC>[").Replace(out.String())
	golden := filepath.Join("testdata", "status.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("status area output differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

func TestCentered(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width int
		want  string
	}{
		{"ab", 10, "=== ab ==="},
		{"abc", 10, "== abc ==="},
		{"", 4, "===="},
		{"much too long", 5, "much too long"},
	} {
		if got := centered(tc.text, tc.width, '='); got != tc.want {
			t.Errorf("centered(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}
