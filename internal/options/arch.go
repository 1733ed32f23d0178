package options

import (
	"strings"

	"example.org/bst/internal/bsterr"
)

// DomainPlatform is the error domain of BuildStream's PlatformError.
const DomainPlatform bsterr.Domain = "PLATFORM"

// archAliases maps lower-case architecture names, with "_" written as "-",
// to BuildStream 2's canonical, OS-independent names
// (_platform/platform.py: canonicalize_arch).
var archAliases = map[string]string{
	"aarch32": "aarch32", "aarch64": "aarch64", "aarch64-be": "aarch64-be",
	"amd64": "x86-64", "arm": "aarch32", "armv8l": "aarch64", "armv8b": "aarch64-be",
	"i386": "x86-32", "i486": "x86-32", "i586": "x86-32", "i686": "x86-32",
	"la64v100": "la64v100", "loong64": "la64v100", "loongarch64": "la64v100",
	"power-isa-be": "power-isa-be", "power-isa-le": "power-isa-le",
	"powerpc": "power-isa-be", "powerpc64": "power-isa-be", "powerpc64le": "power-isa-le",
	"ppc64": "power-isa-be", "ppc64le": "power-isa-le",
	"riscv32": "rv32g", "riscv64": "rv64g", "rv32g": "rv32g", "rv64g": "rv64g",
	"sparc": "sparc-v9", "sparc64": "sparc-v9", "sparc-v9": "sparc-v9", "sun4v": "sparc-v9",
	"x86-32": "x86-32", "x86-64": "x86-64",
}

// CanonicalArch returns BuildStream 2's canonical name for an architecture
// name ("x86_64" and "amd64" are "x86-64"), and false if it is unknown.
func CanonicalArch(arch string) (string, bool) {
	c, ok := archAliases[strings.ToLower(strings.ReplaceAll(arch, "_", "-"))]
	return c, ok
}

// unknownArch is the message of BuildStream's PlatformError.
func unknownArch(arch string) string { return "Unknown architecture: " + arch }

// hostArch is Platform.get_host_arch(): the canonical host architecture.
func (h Host) hostArch() (string, error) {
	c, ok := CanonicalArch(h.Arch)
	if !ok {
		return "", &bsterr.Error{Domain: DomainPlatform, Msg: unknownArch(h.Arch)}
	}
	return c, nil
}
