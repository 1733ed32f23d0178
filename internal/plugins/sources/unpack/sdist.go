package unpack

import (
	"context"
	"strings"

	"example.org/bst/internal/plugin"
)

// Sdist stages a source distribution as bst-external's pypi and cpan
// plugins do: its top directory stripped (members directly at the top,
// the top directory included, are left out); a name ending in ".zip" is a
// zip archive (zip plugin modes), anything else a tarball (tarfile modes;
// the plugins open it as gzip only, any compression is accepted here).
func Sdist(ctx context.Context, env *plugin.SourceEnv, p, name, dir, tmpParent string) error {
	if strings.HasSuffix(name, ".zip") {
		return ExtractZip(ctx, p, dir, StripTopDir)
	}
	t, err := OpenTarball(ctx, env, p, tmpParent)
	if err != nil {
		return err
	}
	defer t.Close()
	var log = env.Log
	return ExtractTar(ctx, t, dir, TarOptions{Rename: StripTopDir, Log: log})
}
