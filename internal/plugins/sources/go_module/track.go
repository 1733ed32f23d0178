package gomodule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/httpget"
	"example.org/bst/internal/yamlnode"
)

// versionRE is a Go module version (https://go.dev/ref/mod#versions) as
// the plugin reads it: the clean version, its major and a +suffix.
var versionRE = regexp.MustCompile(`^((v\d+)\.\d+\.\d+(?:-[a-z]+)?)(\+[a-z]+)?$`)

// pseudoRE is a pseudo-version: its major and the short commit.
var pseudoRE = regexp.MustCompile(`^(v\d+)\.\d+\.\d+-(?:[a-z]+\.)?(?:0\.)?(?:\d+)-([a-z0-9]+)$`)

// goImportRE finds go-import meta tags.
var goImportRE = regexp.MustCompile(`(?is)<meta\s[^>]*>`)

// Track resolves the module's version in go.sum to a ref.
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, previous string) (yamlnode.Node, error) {
	goMod, err := os.ReadFile(filepath.Join(previous, "go.mod"))
	if err != nil {
		return nil, s.errorf(bsterr.MissingFile, "cannot read go.mod of the previous sources: %v", err).Wrap(err)
	}
	goSum, err := os.ReadFile(filepath.Join(previous, "go.sum"))
	if err != nil {
		return nil, s.errorf(bsterr.MissingFile, "cannot read go.sum of the previous sources: %v", err).Wrap(err)
	}
	explicit := strings.Contains(string(goMod), s.module)
	version, err := s.versionInGoSum(string(goSum))
	if err != nil {
		return nil, err
	}
	subdir, err := s.moduleSubdirectory(ctx, env)
	if err != nil {
		return nil, err
	}
	var resolved string
	if m := pseudoRE.FindStringSubmatch(version); m != nil {
		if resolved, err = s.fullCommit(ctx, env, m[2]); err != nil {
			return nil, err
		}
	} else {
		m := versionRE.FindStringSubmatch(version)
		if m == nil {
			return nil, s.errorf(BadVersion, "version string %s not recognized", version)
		}
		clean, major := m[1], m[2]
		// The files may or may not be in a major version subdirectory:
		// drop it here, staging handles it.
		subdir = strings.TrimSuffix(strings.TrimSuffix(subdir, major), "/")
		lookup := path.Join(subdir, clean)
		g, err := s.gitSource(map[string]string{"track": "refs/tags/" + lookup, "ref-format": "git-describe"})
		if err != nil {
			return nil, err
		}
		n, err := g.Track(ctx, env, "")
		if err != nil {
			return nil, err
		}
		sc, ok := n.(*yamlnode.Scalar)
		if !ok || sc.Str() == "" {
			return nil, s.errorf(BadVersion, "no tag %s in %s", lookup, s.url)
		}
		resolved = sc.Str()
	}
	r := &ref{goVersion: version, gitRef: resolved, explicit: explicit}
	if subdir != "" {
		r.subdirectory, r.hasSubdir = subdir, true
	}
	return r.node(), nil
}

// versionInGoSum is the version of the first go.sum line for the module
// that is not about a go.mod file.
func (s *Source) versionInGoSum(goSum string) (string, error) {
	for _, line := range strings.Split(goSum, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return "", s.errorf(NotInGoSum, "malformed go.sum line %q", line)
		}
		if strings.HasSuffix(f[1], "/go.sum") || strings.HasSuffix(f[1], "/go.mod") {
			continue
		}
		if f[0] == s.module {
			return f[1], nil
		}
	}
	return "", s.errorf(NotInGoSum, "go.mod did not contain %s", s.module)
}

// moduleSubdirectory is the module's directory in its repository.
func (s *Source) moduleSubdirectory(ctx context.Context, env *plugin.SourceEnv) (string, error) {
	if strings.HasPrefix(s.module, "github.com") {
		parts := strings.Split(s.module, "/")
		if len(parts) <= 3 {
			return "", nil
		}
		return strings.Join(parts[3:], "/"), nil
	}
	u := s.ImportURL(s.module)
	c := &httpget.Client{Env: env, Gen: 2}
	resp, err := c.Get(ctx, u, nil)
	if err != nil {
		return "", httpget.Error(s.prov, err, "%s: Error reading %s", s, u)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", httpget.Error(s.prov, err, "%s: Error reading %s", s, u)
	}
	base := goImportBase(string(page))
	if base == "" || !strings.HasPrefix(s.module, base) {
		return "", nil
	}
	return strings.TrimPrefix(strings.TrimPrefix(s.module, base), "/"), nil
}

// goImportBase is the module path of the last go-import meta tag.
func goImportBase(page string) string {
	base := ""
	for _, tag := range goImportRE.FindAllString(page, -1) {
		if attr(tag, "name") != "go-import" {
			continue
		}
		if f := strings.Fields(attr(tag, "content")); len(f) == 3 {
			base = f[0]
		}
	}
	return base
}

// attr reads one attribute of an HTML tag.
func attr(tag, name string) string {
	re := regexp.MustCompile(`(?i)\s` + name + `\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))`)
	m := re.FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return m[2] + m[3] + m[4]
}

// fullCommit resolves a short commit in the repository: it fetches the
// branches and tags of url (each URL SourceEnv.URLs gives, in turn) into
// a temporary repository and asks git.
func (s *Source) fullCommit(ctx context.Context, env *plugin.SourceEnv, short string) (string, error) {
	if env == nil || env.Exec == nil {
		return "", s.errorf(bsterr.Unknown, "go_module sources need a host command executor")
	}
	parent := os.TempDir()
	if env.SourceDir != "" {
		parent = filepath.Join(env.SourceDir, ".tmp")
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", err
		}
	}
	tmp, err := os.MkdirTemp(parent, "go_module-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if _, err := env.Exec.Run(ctx, tmp, nil, "git", "init", "--quiet", "--bare", "--template=", "."); err != nil {
		return "", err
	}
	urls := []string{s.url}
	if env.URLs != nil {
		if l := env.URLs(s.url); len(l) > 0 {
			urls = l
		}
	}
	var errs []error
	for _, u := range urls {
		_, err := env.Exec.Run(ctx, tmp, nil, "git", "fetch", "--quiet", "--force", u,
			"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
		if err == nil {
			out, err := env.Exec.Run(ctx, tmp, nil, "git", "rev-parse", "--verify", "--quiet", short+"^{commit}")
			if err != nil {
				return "", s.errorf(BadVersion, "commit %s is not in %s", short, s.url).Wrap(err)
			}
			return strings.TrimSpace(string(out)), nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		errs = append(errs, fmt.Errorf("%s: %w", u, err))
	}
	e := s.errorf(bsterr.Reason("fetch-failed"), "cannot fetch %s to resolve %s", s.url, short).Wrap(errors.Join(errs...))
	e.Temporary = true
	return "", e
}
