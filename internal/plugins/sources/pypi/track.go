package pypi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/httpget"
	"example.org/bst/internal/yamlnode"
)

// maxIndexAnswer bounds the JSON API answer read (large projects answer a
// few megabytes).
const maxIndexAnswer = 256 << 20

// distFile is one file of a release in the JSON API.
type distFile struct {
	PackageType string            `json:"packagetype"`
	URL         string            `json:"url"`
	Digests     map[string]string `json:"digests"`
	UploadTime  string            `json:"upload_time_iso_8601"`
}

// release is one entry of `releases`, in the order the API lists them.
type release struct {
	version string
	files   []distFile
}

// Track reads the project's JSON API and returns the chosen sdist's ref.
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, _ string) (yamlnode.Node, error) {
	api := s.Index + url.PathEscape(s.name) + "/json"
	logf(env, "Tracking %s from %s\n", s.name, api)
	c := &httpget.Client{Env: env, Gen: s.gen, Backoff: s.Backoff}
	data, _, err := c.Bytes(ctx, api, nil, maxIndexAnswer)
	if err != nil {
		return nil, httpget.Error(s.prov, err, "%s: Error reading %s", s, api)
	}
	latest, releases, err := parseProject(data)
	if err != nil {
		return nil, s.errorf(BadIndex, "Malformed answer from %s: %v", api, err)
	}
	if len(releases) == 0 {
		return nil, s.errorf(NoMatchingRelease, "Cannot find any tracking for %s", s.name)
	}
	var files []distFile
	if len(s.include) > 0 || len(s.exclude) > 0 {
		r, err := s.latestMatching(releases)
		if err != nil {
			return nil, err
		}
		files = r.files
	} else {
		found := false
		for _, r := range releases {
			if r.version == latest {
				files, found = r.files, true
				break
			}
		}
		if !found {
			return nil, s.errorf(NoMatchingRelease, "The index lists no release %s (info.version) for %s", latest, s.name)
		}
	}
	for _, f := range files {
		if f.PackageType != "sdist" {
			continue
		}
		sha := f.Digests["sha256"]
		if sha == "" {
			return nil, s.errorf(BadIndex, "The index gives no sha256 for %s", f.URL)
		}
		suffix := strings.ReplaceAll(f.URL, StorageRoot, "")
		if t := s.translatedURL(env); t != StorageRoot && strings.HasPrefix(suffix, t) {
			suffix = suffix[len(t):]
		}
		if suffix != s.suffix && s.suffix != "" {
			logf(env, "%s: new ref %s (was %s)\n", s, suffix, s.suffix)
		}
		return refNode(sha, suffix), nil
	}
	return nil, s.errorf(NoMatchingRelease, "Did not find any sdist for %s", s.name)
}

// translatedURL is the configured url with its alias expanded.
func (s *Source) translatedURL(env *plugin.SourceEnv) string {
	if env == nil || env.URLs == nil {
		return s.url
	}
	urls := env.URLs(s.url)
	if len(urls) == 0 {
		return s.url
	}
	return urls[len(urls)-1]
}

// latestMatching is the plugin's _calculate_latest: releases sorted by
// the upload time of their sdist, newest first (stable: the API's order
// among equal times), the first not excluded and included.
func (s *Source) latestMatching(releases []release) (release, error) {
	sorted := append([]release(nil), releases...)
	keys := make(map[string]time.Time, len(sorted))
	for _, r := range sorted {
		k, err := sdistTime(r.files)
		if err != nil {
			return release{}, s.errorf(BadIndex, "release %s: %v", r.version, err)
		}
		keys[r.version] = k
	}
	sort.SliceStable(sorted, func(i, j int) bool { return keys[sorted[i].version].After(keys[sorted[j].version]) })
	for _, r := range sorted {
		excluded := false
		for _, re := range s.exclude {
			if re.MatchString(r.version) {
				excluded = true
				break
			}
		}
		if excluded {
			continue
		}
		if len(s.include) == 0 {
			return r, nil
		}
		for _, re := range s.include {
			if re.MatchString(r.version) {
				return r, nil
			}
		}
	}
	return release{}, s.errorf(NoMatchingRelease, "No matching release")
}

// sdistTime is the upload time of a release's first sdist, the epoch
// when it has none.
func sdistTime(files []distFile) (time.Time, error) {
	for _, f := range files {
		if f.PackageType != "sdist" {
			continue
		}
		for _, layout := range []string{"2006-01-02T15:04:05.999999Z", "2006-01-02T15:04:05Z"} {
			if t, err := time.Parse(layout, f.UploadTime); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("time data %q does not match format '%%Y-%%m-%%dT%%H:%%M:%%S.%%fZ'", f.UploadTime)
	}
	return time.Unix(0, 0).UTC(), nil
}

// parseProject reads info.version and releases (keeping their order) from
// the JSON API's answer.
func parseProject(data []byte) (string, []release, error) {
	var doc struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
		Releases json.RawMessage `json:"releases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", nil, err
	}
	if len(doc.Releases) == 0 || string(doc.Releases) == "null" {
		return doc.Info.Version, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc.Releases))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", nil, fmt.Errorf("releases is not an object")
	}
	var out []release
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", nil, err
		}
		var r release
		r.version, _ = t.(string)
		if err := dec.Decode(&r.files); err != nil {
			return "", nil, fmt.Errorf("release %s: %w", r.version, err)
		}
		out = append(out, r)
	}
	return doc.Info.Version, out, nil
}
