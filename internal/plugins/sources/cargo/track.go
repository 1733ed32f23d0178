package cargo

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// Track reads the Cargo.lock of the previous sources and returns the new
// crate list, downloading the crates whose checksum it does not give.
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, previous string) (yamlnode.Node, error) {
	path := filepath.Join(previous, s.lock)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || previous == "" {
			return nil, s.errorf(LockNotFound, "Failed to find Cargo.lock file at: %s", s.lock).
				WithDetail("The %s plugin expects to find a Cargo.lock file in\nthe sources staged before it in the source list, but none was found.", s.kind)
		}
		return nil, s.errorf(LockNotFound, "Failed to read Cargo.lock file at %s: %v", s.lock, err).Wrap(err)
	}
	crates, err := s.cratesFromLock(string(data))
	if err != nil {
		return nil, s.errorf(MalformedLock, "Malformed Cargo.lock file at: %s", s.lock).WithDetail("%v", err).Wrap(err)
	}
	for i := range crates {
		cr := &crates[i]
		if cr.kind != KindRegistry || cr.sha != "" {
			continue
		}
		f := s.file(*cr)
		logf(env, "Downloading: %s\n", f.URL)
		ref, err := f.Track(ctx, env, "")
		if err != nil {
			return nil, err
		}
		cr.sha = ref.(*yamlnode.Scalar).Str()
	}
	if len(crates) == 0 {
		return &yamlnode.Sequence{}, nil
	}
	return s.refNode(crates), nil
}

// cratesFromLock makes the ref's entries from a Cargo.lock: every
// package with a source, sorted by name then version.
func (s *Source) cratesFromLock(text string) ([]crate, error) {
	doc, err := parseTOML(text)
	if err != nil {
		return nil, err
	}
	metadata := map[string]string{}
	if md := doc.sub("metadata"); md != nil {
		for _, k := range md.keys {
			if rest, ok := strings.CutPrefix(k, "checksum "); ok {
				metadata[rest] = md.str(k)
			}
		}
	}
	pkgs, _ := doc.vals["package"].([]any)
	var out []crate
	for _, p := range pkgs {
		t, ok := p.(*table)
		if !ok {
			return nil, errors.New("package is not an array of tables")
		}
		src, ok := t.vals["source"].(string)
		if !ok {
			continue
		}
		name, version := t.str("name"), lockString(t.vals["version"])
		if name == "" || version == "" {
			return nil, errors.New("a package has no name or version")
		}
		cr := crate{kind: KindRegistry, name: name, version: version, sha: t.str("checksum")}
		if cr.sha == "" {
			cr.sha = metadata[name+" "+version+" ("+src+")"]
		}
		if s.kind == "cargo2" && strings.HasPrefix(src, "git+") {
			repo, query, commit, err := parseGitSource(src)
			if err != nil {
				return nil, err
			}
			cr = crate{kind: KindGit, name: name, version: version, repo: repo, commit: commit, query: query}
		}
		out = append(out, cr)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return out[i].version < out[j].version
	})
	return out, nil
}

// lockString is a string or a bare value (a version written unquoted
// reads as str(version) in the plugin).
func lockString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case rawValue:
		return string(x)
	}
	return ""
}

// parseGitSource splits "git+<url>?<query>#<commit>".
func parseGitSource(src string) (repo string, query [][2]string, commit string, err error) {
	rest := strings.TrimPrefix(src, "git+")
	rest, commit, ok := strings.Cut(rest, "#")
	if !ok || commit == "" {
		return "", nil, "", errors.New("git source without a commit: " + src)
	}
	repo, q, _ := strings.Cut(rest, "?")
	if q != "" {
		for _, part := range strings.Split(q, "&") {
			k, v, _ := strings.Cut(part, "=")
			k, err1 := url.QueryUnescape(k)
			v, err2 := url.QueryUnescape(v)
			if err := errors.Join(err1, err2); err != nil {
				return "", nil, "", err
			}
			query = append(query, [2]string{k, v})
		}
	}
	return repo, query, commit, nil
}
