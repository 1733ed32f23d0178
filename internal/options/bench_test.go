package options

import (
	"testing"

	"example.org/bst/internal/yamlnode"
)

// benchElement is a realistic element with a few conditionals, in the style
// of freedesktop-sdk.
const benchElement = `
kind: autotools
build-depends:
- bootstrap-import.bst
- components/perl.bst
depends:
- components/zlib.bst
variables:
  conf-local: >-
    --enable-shared
    --disable-static
  (?):
  - arch in ("x86_64", "aarch64"):
      conf-extra: --enable-lto
  - arch == "aarch64":
      optimize: -O2
  - pony and "horsy" not in farm:
      debug: "yes"
config:
  install-commands:
    (>):
    - rm -f "%{install-root}%{libdir}"/*.la
  (?):
  - not horsy:
      configure-commands:
        (<):
        - autoreconf -fi
public:
  bst:
    split-rules:
      devel:
        (>):
        - '%{libdir}/libfoo.so'
    (?):
    - farm == ["pony"]:
        integration-commands:
        - ldconfig
sources:
- kind: tar
  url: ftp_gnu_org:foo/foo-1.2.tar.xz
  ref: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
`

func BenchmarkProcess(b *testing.B) {
	p := NewPool(Gen2, testHost)
	if err := p.Load(mustParse(processDecls)); err != nil {
		b.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		b.Fatal(err)
	}
	elem, err := yamlnode.Parse([]byte(benchElement), "element.bst")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		node := elem.CloneMapping()
		if err := p.Process(node); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileExpression(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := compileExpression(`(arch == "x86_64" or arch in ["i686", "aarch64"]) and "pony" not in farm`); err != nil {
			b.Fatal(err)
		}
	}
}
