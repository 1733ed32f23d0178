package userconfig

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// Config is the resolved user configuration.
type Config struct {
	File      string // the file loaded, "" for defaults only
	CacheDir  string
	SourceDir string
	LogDir    string
	BuildDir  string
	// WorkspaceDir is 2.x `workspacedir`, where `workspace open` puts a
	// workspace without --directory ("." = the working directory).
	WorkspaceDir   string
	Fetchers       int
	Builders       int
	Pushers        int
	NetworkRetries int
	OnError        string
	MaxJobs        int
	ElementFormat  string
	MessageFormat  string
	KeyLength      int
	Strict         bool
	// Cache quota settings as written (cache.quota, cache.low-watermark,
	// cache.reserved-disk-space): sizes ("10G") or percentages of the disk.
	Quota, LowWatermark, ReservedDiskSpace string
	// FetchSource and TrackSource are the 2.x source policies (fetch.source,
	// track.source): all, aliases, mirrors or user.
	FetchSource, TrackSource string
	projects                 *yamlnode.Mapping
}

// Env is how the configuration reads the environment (injected for tests).
type Env func(string) string

// Load reads path (or, when path is "", $XDG_CONFIG_HOME/buildstream.conf if
// it exists) over the builtin defaults.
func Load(path string, env Env) (*Config, error) {
	home := env("HOME")
	xdg := func(name, def string) string {
		if v := env(name); v != "" {
			return v
		}
		return filepath.Join(home, def)
	}
	cacheHome := xdg("XDG_CACHE_HOME", ".cache")
	c := &Config{
		CacheDir:          filepath.Join(cacheHome, "buildstream"),
		SourceDir:         filepath.Join(cacheHome, "buildstream", "sources"),
		LogDir:            filepath.Join(cacheHome, "buildstream", "logs"),
		BuildDir:          filepath.Join(cacheHome, "buildstream", "build"),
		WorkspaceDir:      ".",
		Fetchers:          10,
		Builders:          4,
		Pushers:           4,
		NetworkRetries:    2,
		OnError:           "quit",
		ElementFormat:     "%{state: >12} %{full-key} %{name} %{workspace-dirs}",
		MessageFormat:     "[%{elapsed}][%{key}][%{element}] %{action} %{message}",
		KeyLength:         8,
		Strict:            true,
		Quota:             "infinity",
		LowWatermark:      "80%",
		ReservedDiskSpace: "5%",
		FetchSource:       "all",
		TrackSource:       "all",
	}
	if path == "" {
		cand := filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "buildstream.conf")
		if _, err := os.Stat(cand); err == nil {
			path = cand
		}
	}
	if path == "" {
		return c, nil
	}
	node, err := yamlnode.LoadFile(path, path)
	if err != nil {
		return nil, err
	}
	c.File = path
	expand := func(s string) string {
		s = os.Expand(s, func(k string) string {
			switch k {
			case "XDG_CACHE_HOME":
				return cacheHome
			case "XDG_CONFIG_HOME":
				return xdg("XDG_CONFIG_HOME", ".config")
			case "XDG_DATA_HOME":
				return xdg("XDG_DATA_HOME", ".local/share")
			}
			return env(k)
		})
		if strings.HasPrefix(s, "~/") {
			s = filepath.Join(home, s[2:])
		}
		return s
	}
	if err := c.apply(node, expand); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) apply(node *yamlnode.Mapping, expand func(string) string) error {
	for _, d := range []struct {
		key string
		dst *string
	}{{"cachedir", &c.CacheDir}, {"sourcedir", &c.SourceDir}, {"logdir", &c.LogDir}, {"builddir", &c.BuildDir}, {"workspacedir", &c.WorkspaceDir}} {
		v, ok, err := node.String(d.key)
		if err != nil {
			return err
		}
		if ok {
			*d.dst = expand(v)
		}
	}
	sched, err := node.MappingAt("scheduler")
	if err != nil {
		return err
	}
	if sched != nil {
		for _, d := range []struct {
			key string
			dst *int
		}{{"fetchers", &c.Fetchers}, {"builders", &c.Builders}, {"pushers", &c.Pushers}, {"network-retries", &c.NetworkRetries}} {
			if *d.dst, err = sched.Int(d.key, *d.dst); err != nil {
				return err
			}
		}
		if c.OnError, err = sched.StringDefault("on-error", c.OnError); err != nil {
			return err
		}
	}
	cache, err := node.MappingAt("cache")
	if err != nil {
		return err
	}
	if cache != nil {
		for _, d := range []struct {
			key string
			dst *string
		}{{"quota", &c.Quota}, {"low-watermark", &c.LowWatermark}, {"reserved-disk-space", &c.ReservedDiskSpace}} {
			if *d.dst, err = cache.StringDefault(d.key, *d.dst); err != nil {
				return err
			}
		}
	}
	for _, d := range []struct {
		section string
		dst     *string
	}{{"fetch", &c.FetchSource}, {"track", &c.TrackSource}} {
		m, err := node.MappingAt(d.section)
		if err != nil {
			return err
		}
		if m == nil {
			continue
		}
		v, err := m.StringDefault("source", *d.dst)
		if err != nil {
			return err
		}
		switch v {
		case "all", "aliases", "mirrors", "user":
		default:
			return bsterr.Load(bsterr.InvalidData, m.Get("source").Pos(),
				"Invalid value '%s' for %s.source: expected one of all, aliases, mirrors, user", v, d.section)
		}
		*d.dst = v
	}
	build, err := node.MappingAt("build")
	if err != nil {
		return err
	}
	if build != nil {
		if c.MaxJobs, err = build.Int("max-jobs", 0); err != nil {
			return err
		}
	}
	logging, err := node.MappingAt("logging")
	if err != nil {
		return err
	}
	if logging != nil {
		if c.ElementFormat, err = logging.StringDefault("element-format", c.ElementFormat); err != nil {
			return err
		}
		if c.MessageFormat, err = logging.StringDefault("message-format", c.MessageFormat); err != nil {
			return err
		}
		if c.KeyLength, err = logging.Int("key-length", c.KeyLength); err != nil {
			return err
		}
	}
	if c.projects, err = node.MappingAt("projects"); err != nil {
		return err
	}
	// Each project's overrides must be a mapping: BuildStream 2 checks
	// this when it reads the configuration, before any project is loaded.
	if c.projects != nil {
		for _, k := range c.projects.Keys {
			if _, err := c.projects.MappingAt(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// Project returns the `projects.<name>` overrides, or nil.
func (c *Config) Project(name string) *yamlnode.Mapping {
	if c.projects == nil {
		return nil
	}
	m, _ := c.projects.MappingAt(name)
	return m
}

// ProjectStrict returns the strict setting for project name.
func (c *Config) ProjectStrict(name string) (bool, error) {
	m := c.Project(name)
	if m == nil {
		return c.Strict, nil
	}
	return m.Bool("strict", c.Strict)
}

// ParseSize parses a quota such as 800M, 10G, 1T or "infinity" (-1).
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return -1, nil
	}
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K', 'k':
			mult = 1 << 10
		case 'M', 'm':
			mult = 1 << 20
		case 'G', 'g':
			mult = 1 << 30
		case 'T', 't':
			mult = 1 << 40
		}
		if mult > 1 {
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, bsterr.Load(bsterr.InvalidData, nil, "Invalid size: %s", s)
	}
	return int64(v * float64(mult)), nil
}

// Size resolves a size setting: "infinity" (0, meaning none), "N%" of
// total, or a number of bytes with an optional K, M, G or T suffix.
func Size(s string, total int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" || s == "" {
		return 0, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || v > 100 {
			return 0, bsterr.Load(bsterr.InvalidData, nil, "Invalid percentage: %s", s)
		}
		return int64(v / 100 * float64(total)), nil
	}
	n, err := ParseSize(s)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, nil
	}
	return n, nil
}
