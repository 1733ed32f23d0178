package cachekey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/cachekey"
)

// Expected keys from BuildStream's own tests/cachekey/project/sources/*.expected
// (2.x master 97d5e4a5c, 1.6.8), as in shared/conformance/cachekey.
const (
	bst2Local1 = "b1b40e934f8c51256dc37990a290c5c66e2e35e98ef497e48b8cf010d8ef712b"
	bst2Local2 = "8aff46847f26a99612355026d903b7dea1a18422cc1bf08017697501a01d08dc"
	bst2Tar1   = "7813bf80ae77e66fa7736bd8a5c3eb121a797b2e2069ed5cd598db09e86ff84a"
	bst16Tar1  = "f2360a3551f3cc5293cf9939773102bca6b6d0aa261bff78ef5f69aac3265afb"

	// localDirHash is the REAPI Directory digest hash of the fixture's
	// files/local tree: the 2.x local source's unique key. internal/cas
	// tests that DirectoryDigest computes it.
	localDirHash = "b14708535e0cc5cc97cb5b3dd218d176e00051273518d818ff55a5db8bbaee3c"
	tarURL       = "https://example.com/releases/1.4/foo-1.4.5.tar.gz"
	tarRef       = "6c9f6f68a131ec6381da82f2bff978083ed7f4f7991d931bfa767b7965ebc94b"
)

var splitRules16 = cachekey.Dict{
	{"runtime", []string{"/usr/bin/*", "/usr/sbin/*", "/usr/libexec/*", "/usr/lib/lib*.so*"}},
	{"devel", []string{"/usr/include", "/usr/include/**", "/usr/lib/lib*.a", "/usr/lib/lib*.la",
		"/usr/lib/pkgconfig/*.pc", "/usr/share/pkgconfig/*.pc", "/usr/share/aclocal/*.m4"}},
	{"debug", []string{"/usr/lib/debug", "/usr/lib/debug/**"}},
	{"doc", []string{"/usr/share/doc", "/usr/share/doc/**", "/usr/share/info", "/usr/share/info/**",
		"/usr/share/man", "/usr/share/man/**"}},
	{"locale", []string{"/usr/share/locale", "/usr/share/locale/**", "/usr/share/i18n", "/usr/share/i18n/**",
		"/usr/share/zoneinfo", "/usr/share/zoneinfo/**"}},
}

func splitRules2() cachekey.Dict {
	return splitRules16.With("runtime", []string{"/usr/bin", "/usr/bin/*", "/usr/sbin", "/usr/sbin/*",
		"/usr/libexec", "/usr/libexec/*", "/usr/lib/lib*.so*"})
}

var importConfig = cachekey.Dict{{"source", "/"}, {"target", "/"}}

// strictKey2 computes a 2.x import element's weak key, then its strict key
// (no dependencies), the way element.py's _calculate_cache_key does.
func strictKey2(element string, sources []cachekey.Dict) cachekey.Key {
	base := cachekey.Dict{
		{"core-artifact-version", 11},
		{"element-base-key", cachekey.Dict{{"build-root", "/buildstream/cachekey/" + element}}},
		{"element-plugin-key", importConfig},
		{"element-plugin-name", "import"},
		{"element-plugin-version", 0},
		{"public", cachekey.Dict{{"bst", cachekey.Dict{{"split-rules", splitRules2()}}}}},
		{"sources", sources},
		{"fatal-warnings", []string{}},
		{"dependencies", []any{}},
	}
	weak := cachekey.Generate(base)
	return cachekey.Generate(base.With("weak-cache-key", weak))
}

// TestUpstreamKeys reproduces cache keys from BuildStream's test suite, built
// as element code will build them (Dicts in declaration order).
func TestUpstreamKeys(t *testing.T) {
	env16 := map[string]string{"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "SHELL": "/bin/sh", "TERM": "dumb",
		"USER": "tomjon", "USERNAME": "tomjon", "LOGNAME": "tomjon", "LC_ALL": "C", "HOME": "/tmp", "TZ": "UTC",
		"SOURCE_DATE_EPOCH": "1320937200"}
	emptyKey := cachekey.Generate(cachekey.Dict{})
	tar16 := cachekey.Dict{
		{"artifact-version", "('bst-1.2', 5).0"},
		{"context", emptyKey},
		{"project", emptyKey},
		{"element", importConfig},
		{"execution-environment", cachekey.Dict{{"os", "Linux"}, {"arch", "x86_64"}}},
		{"environment", env16},
		{"sources", []cachekey.Dict{{{"directory", nil}, {"unique", []string{tarURL, tarRef, "*"}}}}},
		{"workspace", ""},
		{"public", cachekey.Dict{{"bst", cachekey.Dict{{"split-rules", splitRules16}}}}},
		{"cache", "CASCache"},
		{"fatal-warnings", []string{}},
		{"dependencies", []string{}},
	}
	tests := []struct {
		name, expectedFile, want string
		got                      cachekey.Key
	}{
		{"2.x sources/local1", "bst-2/project/sources/local1.expected", bst2Local1,
			strictKey2("sources/local1.bst", []cachekey.Dict{{{"key", localDirHash}, {"name", "local"}}})},
		{"2.x sources/local2", "bst-2/project/sources/local2.expected", bst2Local2,
			strictKey2("sources/local2.bst", []cachekey.Dict{{{"key", localDirHash}, {"name", "local"}, {"directory", "opt"}}})},
		{"2.x sources/tar1", "bst-2/project/sources/tar1.expected", bst2Tar1,
			strictKey2("sources/tar1.bst", []cachekey.Dict{{{"key", []string{tarURL, tarRef, "*"}}, {"name", "tar"}}})},
		{"1.6 sources/tar1", "bst-1.6/project/sources/tar1.expected", bst16Tar1, cachekey.Generate(tar16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.String(); got != tt.want {
				t.Errorf("key = %s, want %s", got, tt.want)
			}
			// Cross-check the constant against the conformance data when present.
			path := filepath.Join("..", "..", "..", "shared", "conformance", "cachekey", tt.expectedFile)
			if data, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(data)) != tt.want {
				t.Errorf("%s holds %s, test constant is %s", path, strings.TrimSpace(string(data)), tt.want)
			}
		})
	}
}
