package sandbox

import (
	"slices"
	"testing"
)

func TestDirectoriesMounts(t *testing.T) {
	d := NewDirectories("/staged")
	d.MarkDirectory("/buildstream/p/e.bst")
	d.MarkDirectory("buildstream-install/")
	d.SetMountSource("/buildstream/p/e.bst", "/home/me/workspace")
	d.MarkDirectory("/buildstream-install")
	want := []Mount{
		{Path: "/buildstream/p/e.bst", Source: "/home/me/workspace"},
		{Path: "/buildstream-install", Source: "/staged/buildstream-install"},
	}
	if got := d.Mounts(); !slices.Equal(got, want) {
		t.Errorf("Mounts = %v, want %v", got, want)
	}
	if d.Root() != "/staged" {
		t.Errorf("Root = %q", d.Root())
	}
}
