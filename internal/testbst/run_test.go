package testbst

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHomeIsPerTestAndStable(t *testing.T) {
	h := Home(t)
	if h != Home(t) {
		t.Errorf("Home changed between calls")
	}
	if !strings.HasPrefix(h, filepath.Clean(os.TempDir())+string(filepath.Separator)) {
		t.Errorf("Home %q is not in the temporary directory", h)
	}
	var other string
	t.Run("sub", func(t *testing.T) { other = Home(t) })
	if other == h {
		t.Errorf("subtest shares its parent's home %q", h)
	}
}
