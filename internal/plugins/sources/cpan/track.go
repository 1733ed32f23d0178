package cpan

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/httpget"
	"example.org/bst/internal/yamlnode"
)

// Track finds the module in the index, downloads its distribution into
// the source cache and returns the new reference.
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, _ string) (yamlnode.Node, error) {
	indexURL := s.translate(env, s.index) + PackageIndex
	logf(env, "Looking up %s in %s\n", s.name, indexURL)
	c := &httpget.Client{Env: env, Gen: s.gen, Backoff: s.Backoff}
	resp, err := c.Get(ctx, indexURL, nil)
	if err != nil {
		return nil, httpget.Error(s.prov, err, "%s: Error reading %s", s, indexURL)
	}
	defer resp.Body.Close()
	path, err := lookup(resp.Body, s.name)
	if err != nil {
		e := httpget.Error(s.prov, err, "%s: Error reading %s", s, indexURL)
		return nil, e
	}
	if path == "" {
		return nil, s.errorf(NotInIndex, "\"%s\" not found in %s", s.name, s.index)
	}
	var loc string
	switch {
	case s.gen >= 2:
		loc = ByAuthor + path
	case s.scheme != "":
		loc = s.scheme + ":" + ByAuthor + path
	default:
		loc = s.index + ByAuthor + path
	}
	f := s.file(loc, "")
	ref, err := f.Track(ctx, env, "")
	if err != nil {
		return nil, err
	}
	sha := ref.(*yamlnode.Scalar).Str()
	return s.refNode(loc, sha), nil
}

// translate expands the alias of u (the last of SourceEnv.URLs).
func (s *Source) translate(env *plugin.SourceEnv, u string) string {
	if env == nil || env.URLs == nil {
		return u
	}
	if urls := env.URLs(u); len(urls) > 0 {
		return urls[len(urls)-1]
	}
	return u
}

// lookup reads a gzipped 02packages.details.txt: a header ending with an
// empty line, then "package version path" lines. It returns the path of
// the first line for name, "" when there is none.
func lookup(r io.Reader, name string) (string, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	header := true
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if header {
			header = line != ""
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return "", fmt.Errorf("malformed index line %q", line)
		}
		if fields[0] == name {
			return fields[2], nil
		}
	}
	return "", sc.Err()
}
