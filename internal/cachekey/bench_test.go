package cachekey_test

import (
	"fmt"
	"testing"

	"example.org/bst/internal/cachekey"
)

// elementKeyDict is a realistic 2.x build element key dict: autotools-like
// commands, the default public split rules, one source, sandbox, environment
// and 40 dependencies (a mid-sized freedesktop-sdk element).
func elementKeyDict() cachekey.Dict {
	deps := make([][]string, 40)
	for i := range deps {
		deps[i] = []string{"freedesktop-sdk", fmt.Sprintf("components/dep-%02d.bst", i),
			"7813bf80ae77e66fa7736bd8a5c3eb121a797b2e2069ed5cd598db09e86ff84a"}
	}
	return cachekey.Dict{
		{"core-artifact-version", 11},
		{"element-base-key", cachekey.Dict{{"build-root", "/buildstream/freedesktop-sdk/components/glib.bst"}}},
		{"element-plugin-key", cachekey.Dict{
			{"configure-commands", []string{"export NOCONFIGURE=1;\nif [ -x ./configure ]; then true; else ./autogen.sh; fi",
				"./configure --prefix=/usr --exec-prefix=/usr --bindir=/usr/bin --sbindir=/usr/sbin --sysconfdir=/etc --datadir=/usr/share --includedir=/usr/include --libdir=/usr/lib/x86_64-linux-gnu --libexecdir=/usr/libexec --localstatedir=/var --sharedstatedir=/usr/com --mandir=/usr/share/man --infodir=/usr/share/info"}},
			{"build-commands", []string{"make -j${JOBS}"}},
			{"install-commands", []string{"make -j1 DESTDIR=\"/buildstream-install\" install",
				"find \"/buildstream-install\" -name \"*.la\" -print0 | xargs -0 rm -f"}},
			{"strip-commands", []string{"cd \"/buildstream-install\" && find -type f '(' -perm -111 -o -name '*.so*' ')' -print0 | xargs -0 -r strip"}},
		}},
		{"element-plugin-name", "autotools"},
		{"element-plugin-version", 0},
		{"public", cachekey.Dict{{"bst", cachekey.Dict{{"split-rules", splitRules2()}}}}},
		{"sources", []cachekey.Dict{{{"key", []string{"https://download.gnome.org/sources/glib/2.80/glib-2.80.0.tar.xz",
			"8228a92f92a412160b139ae68b6345bd28f24434a7b5af150ebe21ff587a561d", "*"}}, {"name", "tar"}}}},
		{"fatal-warnings", []string{}},
		{"sandbox", cachekey.Dict{{"build-os", "linux"}, {"build-arch", "x86-64"}}},
		{"environment", map[string]string{"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "SHELL": "/bin/sh", "TERM": "dumb",
			"USER": "tomjon", "USERNAME": "tomjon", "LOGNAME": "tomjon", "LC_ALL": "en_US.UTF-8", "HOME": "/tmp",
			"TZ": "UTC", "SOURCE_DATE_EPOCH": "1321009871", "CFLAGS": "-O2 -g -pipe", "LDFLAGS": "-Wl,-z,relro"}},
		{"dependencies", deps},
		{"weak-cache-key", "5f0c2d0a4a9e1b4c7d2e8f3a6b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c"},
	}
}

func BenchmarkGenerate(b *testing.B) {
	d := elementKeyDict()
	enc, err := cachekey.Append(nil, d)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		cachekey.Generate(d)
	}
}

func BenchmarkAppend(b *testing.B) {
	d := elementKeyDict()
	buf, _ := cachekey.Append(nil, d)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = cachekey.Append(buf[:0], d)
	}
}
