package patch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/local"
	"example.org/bst/internal/yamlnode"
)

// Reasons of patch errors.
const (
	// NoFiles: the staging directory is empty (BuildStream's
	// "patch-no-files").
	NoFiles bsterr.Reason = "patch-no-files"
	// Failed: patch did not apply.
	Failed bsterr.Reason = "patch-failed"
)

// Source is a patch source.
type Source struct {
	element string
	prov    *bsterr.Provenance
	path    string // as written
	full    string
	strip   int
}

var _ plugin.Source = (*Source)(nil)

// New configures a patch source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	rel, full, err := local.ProjectPathStaged(spec.Config, "path", spec.ProjectDir, local.FilePath, spec.Staging)
	if err != nil {
		return nil, err
	}
	strip, err := spec.Config.Int("strip-level", 1)
	if err != nil {
		return nil, err
	}
	return &Source{element: spec.Element, prov: spec.Config.Pos(), path: rel, full: full, strip: strip}, nil
}

// Ref is always nil: a patch source has no ref.
func (s *Source) Ref() yamlnode.Node { return nil }

// SetRef does nothing.
func (s *Source) SetRef(yamlnode.Node) {}

// Cached is always true.
func (s *Source) Cached(*plugin.SourceEnv) bool { return true }

// Track has nothing to track.
func (s *Source) Track(context.Context, *plugin.SourceEnv, string) (yamlnode.Node, error) {
	return nil, nil
}

// Fetch has nothing to fetch.
func (s *Source) Fetch(context.Context, *plugin.SourceEnv, string) error { return nil }

// Stage applies the patch to what earlier sources staged in dir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if env.Log != nil {
		fmt.Fprintf(env.Log, "Applying local patch: %s\n", s.path)
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		return bsterr.Source(NoFiles, s.prov, "%s: Nothing to patch in directory '%s'", s.element, dir)
	}
	if env.Exec == nil {
		return bsterr.Source(Failed, s.prov, "%s: no host command runner to apply patch %s", s.element, s.path)
	}
	out, err := env.Exec.Run(ctx, dir, nil, "patch", fmt.Sprintf("-p%d", s.strip), "-i", s.full, "-d", dir)
	if err != nil {
		return Failure(s.prov, s.element, "Failed to apply patch "+s.path, out, err)
	}
	return nil
}

// Failure wraps the error of a patch command: patch reports failed hunks
// on standard output, so its tail joins the standard error in the detail.
func Failure(prov *bsterr.Provenance, element, msg string, stdout []byte, err error) error {
	e := bsterr.Source(Failed, prov, "%s: %s", element, msg).Wrap(err)
	var parts []string
	if t := tail(stdout, 2048); t != "" {
		parts = append(parts, t)
	}
	var be *bsterr.Error
	if errors.As(err, &be) {
		if be.Domain == bsterr.DomainProg {
			e.Domain, e.Reason = be.Domain, be.Reason
		}
		parts = append(parts, be.Msg)
		if be.Detail != "" {
			parts = append(parts, be.Detail)
		}
	}
	e.Detail = strings.Join(parts, "\n")
	return e
}

func tail(b []byte, n int) string {
	b = bytes.TrimRight(b, " \t\r\n")
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
