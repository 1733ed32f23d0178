package yamlnode_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/yamlnode"
)

func benchElement(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "bench", "gcc.bst"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkParse parses a real element (freedesktop-sdk's bootstrap/gcc.bst:
// 182 lines of variables, environment, block scalars and conditionals), and
// the same body repeated to a 2000-line file.
func BenchmarkParse(b *testing.B) {
	data := benchElement(b)
	b.Run("gcc.bst", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := yamlnode.Parse(data, "elements/bootstrap/gcc.bst"); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Eleven copies of the element, each under its own top-level key.
	var big strings.Builder
	for i := range 11 {
		big.WriteString("copy" + string(rune('a'+i)) + ":\n")
		for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			if l != "" {
				big.WriteString("  ")
			}
			big.WriteString(l + "\n")
		}
	}
	bigData := []byte(big.String())
	b.Run("2000-lines", func(b *testing.B) {
		b.SetBytes(int64(len(bigData)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := yamlnode.Parse(bigData, "big.yaml"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchDefaults is a build element's default configuration, as the
// project's and the plugin's defaults look once merged: variables, the
// command lists the element extends with (<) and (>), environment, public
// split rules.
const benchDefaults = `variables:
  prefix: /usr
  exec_prefix: '%{prefix}'
  bindir: '%{exec_prefix}/bin'
  libdir: '%{prefix}/lib'
  conf-local: ''
  conf-extra: ''
  autogen: |
    export NOCONFIGURE=1;
    if [ -x ./autogen.sh ]; then ./autogen.sh; fi
  conf-cmd: ./configure
  conf-args: --prefix=%{prefix} --libdir=%{libdir} %{conf-extra} %{conf-local}
  make: make
  make-install: make -j1 DESTDIR="%{install-root}" install
environment:
  PATH: /usr/bin:/bin:/usr/sbin:/sbin
  SHELL: /bin/sh
  TERM: dumb
  LC_ALL: en_US.UTF-8
  CFLAGS: -O2 -g
  LDFLAGS: -Wl,-z,relro
config:
  configure-commands:
  - '%{autogen}'
  - '%{conf-cmd} %{conf-args}'
  build-commands:
  - '%{make}'
  install-commands:
  - '%{make-install}'
  strip-commands:
  - '%{strip-binaries}'
public:
  bst:
    split-rules:
      runtime:
      - '%{bindir}/*'
      - '%{libdir}/lib*.so*'
      devel:
      - '%{includedir}'
      - '%{libdir}/lib*.a'
      - '%{libdir}/pkgconfig/*.pc'
      doc:
      - '%{datadir}/doc'
      - '%{mandir}'
sandbox:
  build-uid: 0
  build-gid: 0
`

// benchOverlay extends the defaults the way elements do.
const benchOverlay = `variables:
  conf-local: >-
    --disable-multilib
    --enable-multiarch
  optimize-debug: "false"
environment:
  CFLAGS: -O2 -g -fstack-protector-strong
  PYTHON: python3
config:
  configure-commands:
    (<):
    - mkdir -p build
    (>):
    - echo configured
  install-commands:
    (>):
    - rm -f "%{install-root}%{libdir}"/*.la
    - |
      for f in "%{install-root}%{bindir}"/*; do
        strip "$f" || true
      done
  build-commands:
    (=):
    - '%{make} -j8'
public:
  bst:
    split-rules:
      devel:
        (>):
        - '%{libdir}/cmake/*'
      locale:
      - '%{datadir}/locale'
    integration-commands:
    - ldconfig
`

// BenchmarkComposite composites an element-like overlay with list
// directives onto build element defaults (a fresh copy of them each time,
// as every element gets its own), then checks for trailing directives; and
// the real gcc.bst onto an empty mapping.
func BenchmarkComposite(b *testing.B) {
	defaults := mustParse(b, "defaults.yaml", benchDefaults)
	overlay := mustParse(b, "element.bst", benchOverlay)
	b.Run("defaults+overlay", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			target := defaults.CloneMapping()
			if err := yamlnode.Composite(target, overlay); err != nil {
				b.Fatal(err)
			}
			if err := yamlnode.FinalAssertions(target); err != nil {
				b.Fatal(err)
			}
		}
	})
	gcc, err := yamlnode.Parse(benchElement(b), "elements/bootstrap/gcc.bst")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gcc.bst", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			target := yamlnode.NewMapping(gcc.P)
			if err := yamlnode.Composite(target, gcc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFastParse compares Parse's two paths on real files: a few
// freedesktop-sdk elements, its project.conf and an include (fastSeeds,
// from ../shared/corpus), or testdata/bench/gcc.bst without the corpus.
func BenchmarkFastParse(b *testing.B) {
	type file struct {
		name string
		data []byte
	}
	var files []file
	if root := findShared("corpus"); root != "" {
		for _, name := range fastSeeds {
			if data, err := os.ReadFile(filepath.Join(root, name)); err == nil {
				files = append(files, file{name, data})
			}
		}
	}
	if len(files) == 0 {
		files = append(files, file{"gcc.bst", benchElement(b)})
	}
	size := 0
	for _, f := range files {
		size += len(f.data)
	}
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				if _, ok := yamlnode.FastParse(f.data, f.name); !ok {
					b.Fatalf("%s: fast path gave up", f.name)
				}
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				if _, err := yamlnode.ParseYAML(f.data, f.name); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
