package crosscheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// needBusyboxSandbox skips the test unless bubblewrap runs here and
// busybox-static is installed; it returns the busybox binary.
func needBusyboxSandbox(t *testing.T) []byte {
	t.Helper()
	if err := exec.Command("bwrap", "--bind", "/", "/", "true").Run(); err != nil {
		t.Skipf("bubblewrap cannot run here: %v", err)
	}
	busybox, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("busybox-static is not installed")
	}
	return busybox
}

// writeBusyboxBase writes files/base/bin of a test project: busybox and
// links to it named tools.
func writeBusyboxBase(dir string, busybox []byte, tools ...string) {
	os.MkdirAll(filepath.Join(dir, "files/base/bin"), 0o755)
	os.WriteFile(filepath.Join(dir, "files/base/bin/busybox"), busybox, 0o755)
	for _, tool := range tools {
		os.Symlink("busybox", filepath.Join(dir, "files/base/bin", tool))
	}
}
