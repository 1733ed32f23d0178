package sysroot

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"example.org/bst/internal/lockedfile"
)

// Toolchain returns the packages of a sysroot that builds C with gcc and
// make, autoconf, automake and libtool, cmake, meson and ninja, and
// pkg-config (python3 is meson's interpreter). apt adds their dependency
// closure; the shell and core utilities are named because nothing depends
// on essential packages.
func Toolchain() []string {
	return []string{
		"autoconf", "automake", "bash", "binutils", "cmake", "coreutils", "dash", "diffutils",
		"findutils", "gcc", "grep", "gzip", "libc6-dev", "libtool", "make", "mawk", "meson",
		"ninja-build", "pkgconf", "python3", "sed", "tar",
	}
}

// format names the assembly steps below: change it when they change, so
// that cached sysroots made the old way are not reused.
const format = "bst-test-sysroot 2: dpkg-deb -x; no doc, man, info, locale; sh=bash; alternatives of gcc, cpp, mawk, automake, debianutils"

// Sysroot is an assembled sysroot.
type Sysroot struct {
	Root  string   // the root directory
	Key   string   // hash of the resolved package files and the format
	Debs  []string // the Debian package files it was unpacked from, sorted
	Built bool     // whether this call assembled it (false: from the cache)
}

// DefaultCacheDir is where sysroots are cached: $BST_TEST_SYSROOT_CACHE,
// else bst-test-sysroot under $XDG_CACHE_HOME or ~/.cache.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("BST_TEST_SYSROOT_CACHE"); d != "" {
		return d, nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "bst-test-sysroot"), nil
}

// deb is one package file of the resolved closure.
type deb struct{ url, file, hash string }

// resolve returns the dependency closure of packages as apt-get would
// install it on an empty system (no recommends), sorted by file name.
func resolve(ctx context.Context, packages []string) ([]deb, error) {
	args := append([]string{"install", "--print-uris", "-qq"}, aptOptions()...)
	out, err := run(ctx, "apt-get", append(args, packages...)...)
	if err != nil {
		return nil, err
	}
	var debs []deb
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// 'URL' file size [hash]: some indexes give no hash; the file
		// name still carries the version.
		if len(f) < 3 || len(f) > 4 || !strings.HasPrefix(f[0], "'") || !strings.HasSuffix(f[1], ".deb") {
			return nil, fmt.Errorf("apt-get --print-uris: unexpected line %q", sc.Text())
		}
		d := deb{url: strings.Trim(f[0], "'"), file: f[1]}
		if len(f) == 4 {
			d.hash = f[3]
		}
		debs = append(debs, d)
	}
	if len(debs) == 0 {
		return nil, fmt.Errorf("apt-get resolved no packages for %v", packages)
	}
	sort.Slice(debs, func(i, j int) bool { return debs[i].file < debs[j].file })
	return debs, nil
}

// aptOptions make apt-get treat the system as empty and leave the host's
// package state alone.
func aptOptions() []string {
	return []string{"-o", "Dir::State::status=/dev/null", "-o", "APT::Install-Recommends=false",
		"-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root"}
}

func key(debs []deb) string {
	h := sha256.New()
	fmt.Fprintln(h, format)
	for _, d := range debs {
		fmt.Fprintln(h, d.file, d.hash)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Ensure returns the sysroot of packages from cacheDir, assembling it
// there first if it is not cached. log receives progress lines.
func Ensure(ctx context.Context, cacheDir string, packages []string, log io.Writer) (*Sysroot, error) {
	debs, err := resolve(ctx, packages)
	if err != nil {
		return nil, err
	}
	s := &Sysroot{Key: key(debs)}
	for _, d := range debs {
		s.Debs = append(s.Debs, d.file)
	}
	entry := filepath.Join(cacheDir, s.Key)
	s.Root = filepath.Join(entry, "root")
	if _, err := os.Stat(s.Root); err == nil {
		now := time.Now()
		os.Chtimes(entry, now, now) // marks it used, for prune
		return s, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockedfile.MutexAt(filepath.Join(cacheDir, ".lock")).LockContext(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(s.Root); err == nil {
		return s, nil // another process assembled it while we waited
	}
	// Holding the lock, nobody else is assembling: what a killed run left
	// behind can go.
	if old, _ := filepath.Glob(filepath.Join(cacheDir, "tmp-*")); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	tmp, err := os.MkdirTemp(cacheDir, "tmp-"+s.Key+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "sysroot: assembling %d Debian packages into %s\n", len(debs), entry)
	if err := assemble(ctx, tmp, packages, debs); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, entry); err != nil {
		return nil, err
	}
	s.Built = true
	prune(cacheDir, time.Now().Add(-unused))
	return s, nil
}

// unused is how long a cached sysroot may go unused before it is removed:
// a new one appears when the Debian packages or the assembly change.
const unused = 30 * 24 * time.Hour

// prune removes the cached sysroots last used before cutoff. The caller
// holds the cache lock.
func prune(cacheDir string, cutoff time.Time) {
	entries, _ := os.ReadDir(cacheDir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.IsDir() && len(e.Name()) == 24 && info.ModTime().Before(cutoff) {
			os.RemoveAll(filepath.Join(cacheDir, e.Name()))
		}
	}
}

// assemble downloads debs into dir/debs and unpacks them into dir/root,
// then writes dir/packages.txt.
func assemble(ctx context.Context, dir string, packages []string, debs []deb) error {
	archives := filepath.Join(dir, "debs")
	if err := os.MkdirAll(filepath.Join(archives, "partial"), 0o755); err != nil {
		return err
	}
	args := append([]string{"install", "-y", "-qq", "--download-only", "-o", "Dir::Cache::archives=" + archives}, aptOptions()...)
	if _, err := run(ctx, "apt-get", append(args, packages...)...); err != nil {
		return err
	}
	root := filepath.Join(dir, "root")
	for _, d := range debs {
		if _, err := run(ctx, "dpkg-deb", "-x", filepath.Join(archives, d.file), root); err != nil {
			return err
		}
	}
	if err := fixups(root); err != nil {
		return err
	}
	if err := os.RemoveAll(archives); err != nil {
		return err
	}
	var list strings.Builder
	for _, d := range debs {
		fmt.Fprintln(&list, d.file, d.hash)
	}
	return os.WriteFile(filepath.Join(dir, "packages.txt"), []byte(list.String()), 0o644)
}

// fixups does what the host's dpkg configuration and the maintainer
// scripts that never ran would have done and the builds need:
//   - documentation, manuals and translations are left out, as Debian's
//     minimal images exclude them (dpkg path-exclude);
//   - /bin/sh is bash (dash's debconf question "use dash as /bin/sh?"
//     answered no): BuildStream 1.6's default strip-binaries script reads
//     the ELF header with `read -n4`, which dash rejects, so under dash
//     the default strip step strips nothing and the build still passes;
//   - the update-alternatives links the postinst scripts of gcc, cpp,
//     mawk, automake and debianutils install.
func fixups(root string) error {
	for _, d := range []string{"usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale"} {
		if err := os.RemoveAll(filepath.Join(root, d)); err != nil {
			return err
		}
	}
	// Each link points at the last match of its pattern, a path relative
	// to the link's directory (automake's carries its API version).
	links := []struct{ path, pattern string }{
		{"bin/sh", "bash"},
		{"usr/bin/cc", "gcc"}, {"usr/bin/c89", "c89-gcc"}, {"usr/bin/c99", "c99-gcc"},
		{"lib/cpp", "../usr/bin/cpp"},
		{"usr/bin/awk", "mawk"}, {"usr/bin/nawk", "mawk"},
		{"usr/bin/automake", "automake-1.*"}, {"usr/bin/aclocal", "aclocal-1.*"},
		{"usr/bin/which", "which.debianutils"},
	}
	for _, l := range links {
		p := filepath.Join(root, l.path)
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(p), l.pattern))
		if len(matches) == 0 {
			return fmt.Errorf("sysroot: no %s to link %s to", l.pattern, l.path)
		}
		target, err := filepath.Rel(filepath.Dir(p), matches[len(matches)-1])
		if err != nil {
			return err
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Symlink(target, p); err != nil {
			return err
		}
	}
	return nil
}

func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}
