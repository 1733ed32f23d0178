package ostree

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// probeTimeout bounds the request that tells why a pull failed.
const probeTimeout = 10 * time.Second

// pull runs `ostree pull` into the mirror from the remote name (which
// serves url) for refs (branches or commit checksums), with the extra
// flags. what says what was pulled, for the error ("ref 'X'").
func (m *mirror) pull(ctx context.Context, env *plugin.SourceEnv, t tool, name, url, what string, flags []string, refs ...string) error {
	args := append([]string{"pull", "--repo=" + m.dir}, flags...)
	args = append(append(args, name), refs...)
	_, err := t.run(ctx, args...)
	if err == nil {
		return nil
	}
	return pullError(ctx, env, t, url, what, err)
}

// pullError explains a failed pull. ostree's own messages do not tell an
// unknown ref from a URL that serves no repository (both are "HTTP 404"),
// so the URL is probed for the repository's config file.
func pullError(ctx context.Context, env *plugin.SourceEnv, t tool, u, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if e := t.notFound(err); e != nil {
		return e
	}
	stderr := stderrOf(err)
	prefix := fmt.Sprintf("%s: Failed to fetch %s from %s", t.name, what, u)
	var e *bsterr.Error
	switch probe(ctx, env, u) {
	case unreachable:
		e = bsterr.Source(FetchFailed, t.prov, "%s: the server cannot be reached", prefix)
		e.Temporary = true
	case notRepository:
		e = bsterr.Source(NotARepository, t.prov, "%s: it is not an OSTree repository (it has no config file)", prefix)
	default:
		switch {
		case strings.Contains(stderr, "GPG") || strings.Contains(stderr, "signature"):
			e = bsterr.Source(GPGVerificationFailed, t.prov, "%s: GPG verification failed", prefix)
		case strings.Contains(stderr, "404") || strings.Contains(stderr, "No such file") ||
			strings.Contains(stderr, "not found") || strings.Contains(stderr, "Couldn't find"):
			e = bsterr.Source(RefNotFound, t.prov, "%s: the repository has no such ref or commit", prefix)
		default:
			e = bsterr.Source(FetchFailed, t.prov, "%s", prefix)
			e.Temporary = true
		}
	}
	e.Detail = commandDetail(err)
	return e.Wrap(err)
}

// probeResult is what a look at a repository's URL found.
type probeResult int

const (
	unknown       probeResult = iota // a repository, or cannot tell
	unreachable                      // no connection to the server
	notRepository                    // the server answers, without a repository config
)

// probe looks for the config file every OSTree repository has at its
// root, over HTTP(S) with the environment's client, or in a file:// path.
func probe(ctx context.Context, env *plugin.SourceEnv, raw string) probeResult {
	pu, err := url.Parse(raw)
	if err != nil {
		return unknown
	}
	switch pu.Scheme {
	case "file":
		fi, err := os.Stat(filepath.Join(pu.Path, "config"))
		if err != nil || !fi.Mode().IsRegular() {
			if _, err := os.Stat(pu.Path); err != nil {
				return unreachable
			}
			return notRepository
		}
		return unknown
	case "http", "https":
	default:
		return unknown
	}
	client := http.DefaultClient
	if env != nil && env.HTTP != nil {
		client = env.HTTP
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(raw, "/")+"/config", nil)
	if err != nil {
		return unknown
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return unreachable
		}
		return unknown
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return notRepository
	case resp.StatusCode >= 500:
		return unreachable
	}
	return unknown
}
