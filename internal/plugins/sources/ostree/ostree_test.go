package ostree_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/ostree"
)

func TestNotImplemented(t *testing.T) {
	bin := t.TempDir()
	for _, withCommand := range []bool{false, true} {
		if withCommand {
			if err := os.WriteFile(filepath.Join(bin, "ostree"), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("PATH", bin)
		for kind, ctor := range map[string]func() error{
			"ostree": func() error {
				_, err := ostree.New(downloadtest.Spec(t, "ostree", 1, t.TempDir(), "url: flathub:repo/\nref: abc\n"))
				return err
			},
			"ostree_mirror": func() error {
				_, err := ostree.NewMirror(downloadtest.Spec(t, "ostree_mirror", 1, t.TempDir(), "path: ostree-repo\n"))
				return err
			},
		} {
			err := ctor()
			if bsterr.ReasonOf(err) != bsterr.NotImplemented {
				t.Fatalf("%s: got %v", kind, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "'"+kind+"'") || strings.Contains(msg, "not installed") == withCommand {
				t.Errorf("%s (ostree installed: %v): %s", kind, withCommand, msg)
			}
		}
	}
}
