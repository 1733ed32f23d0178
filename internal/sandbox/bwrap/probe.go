package bwrap

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"

	"example.org/bst/internal/sandbox"
)

// Probe finds bwrap in PATH and checks what it can do, as BuildStream's
// Linux platform does once per session. A missing bwrap is a SANDBOX error
// with reason sandbox.ToolNotFound.
func Probe(ctx context.Context) (Host, error) {
	path, err := exec.LookPath("bwrap")
	if err != nil {
		return Host{}, sandbox.Errorf(sandbox.ToolNotFound,
			"bubblewrap (bwrap) is not installed or not in PATH; it is needed to run builds (Debian: apt-get install bubblewrap)").Wrap(err)
	}
	h := Host{Bwrap: path}
	out, _ := exec.CommandContext(ctx, path, "--version").Output()
	h.DieWithParent = versionAtLeast(string(out), 0, 1, 8)
	// User namespaces: can bwrap map us to uid 0? (BuildStream runs whoami.)
	c := exec.CommandContext(ctx, path, "--ro-bind", "/", "/", "--unshare-user", "--uid", "0", "--gid", "0", "true")
	c.Env = []string{}
	h.UserNS = c.Run() == nil
	return h, nil
}

var versionRE = regexp.MustCompile(`(\d+)\.(\d+)\.(\d+)`)

func versionAtLeast(s string, want ...int) bool {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	for i, w := range want {
		n, _ := strconv.Atoi(m[i+1])
		if n != w {
			return n > w
		}
	}
	return true
}
