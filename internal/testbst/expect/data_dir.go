package expect

import (
	"fmt"
	"os"
	"path/filepath"
)

// DataDirEnv names the environment variable that overrides where the
// conformance data lives.
const DataDirEnv = "BST_CONFORMANCE_DIR"

// FindDataDir locates the conformance data: $BST_CONFORMANCE_DIR if set,
// else ../shared/conformance relative to the module root, found by walking
// up from start (a test's working directory) to the directory with go.mod.
// It returns an error saying where it looked if the data is not there.
func FindDataDir(start string) (string, error) {
	if d := os.Getenv(DataDirEnv); d != "" {
		if !isDir(filepath.Join(d, "format")) {
			return "", fmt.Errorf("$%s=%s has no format/ directory", DataDirEnv, d)
		}
		return d, nil
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s; set $%s", start, DataDirEnv)
		}
		dir = parent
	}
	d := filepath.Join(filepath.Dir(dir), "shared", "conformance")
	if !isDir(filepath.Join(d, "format")) {
		return "", fmt.Errorf("conformance data not found at %s; set $%s", d, DataDirEnv)
	}
	return d, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
