package compile

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// checkStripped checks what BuildStream 1.6's default strip-commands
// (%{strip-binaries}) leave for the ELF file rel of a checkout: the debug
// information moved to %{debugdir}/rel (objcopy --only-keep-debug
// --compress-debug-sections, mode 0644), the file itself stripped with
// --remove-section=.comment --remove-section=.note --strip-unneeded, and a
// .gnu_debuglink naming the debug file with its CRC. debugInfo says
// whether the file was compiled with -g.
func checkStripped(t *testing.T, co, rel string, debugInfo bool) {
	t.Helper()
	path := filepath.Join(co, rel)
	f, err := elf.Open(path)
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	defer f.Close()
	for _, gone := range []string{".symtab", ".debug_info", ".comment", ".note"} {
		if f.Section(gone) != nil {
			t.Errorf("%s: section %s is still there after the strip step", rel, gone)
		}
	}
	link := f.Section(".gnu_debuglink")
	if link == nil {
		t.Errorf("%s: no .gnu_debuglink section", rel)
		return
	}
	data, err := link.Data()
	if err != nil {
		t.Fatal(err)
	}
	name, _, _ := bytes.Cut(data, []byte{0})
	if string(name) != filepath.Base(rel) {
		t.Errorf("%s: .gnu_debuglink names %q, want %q", rel, name, filepath.Base(rel))
	}
	debugPath := filepath.Join(co, "usr/lib/debug", rel)
	debug, err := os.ReadFile(debugPath)
	if err != nil {
		t.Errorf("%s: the debug file: %v", rel, err)
		return
	}
	if crc := binary.LittleEndian.Uint32(data[len(data)-4:]); crc != crc32.ChecksumIEEE(debug) {
		t.Errorf("%s: .gnu_debuglink CRC %08x does not match the debug file's %08x", rel, crc, crc32.ChecksumIEEE(debug))
	}
	if fi, err := os.Stat(debugPath); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: debug file mode %v (%v), want 0644", rel, fi.Mode().Perm(), err)
	}
	d, err := elf.NewFile(bytes.NewReader(debug))
	if err != nil {
		t.Errorf("%s: the debug file: %v", rel, err)
		return
	}
	if info := d.Section(".debug_info"); debugInfo && (info == nil || info.Flags&elf.SHF_COMPRESSED == 0) {
		t.Errorf("%s: the debug file has no compressed .debug_info", rel)
	} else if !debugInfo && info != nil {
		t.Errorf("%s: the debug file has a .debug_info, but the build did not use -g", rel)
	}
	if d.Section(".symtab") == nil {
		t.Errorf("%s: the debug file has no symbol table", rel)
	}
	if text := d.Section(".text"); text == nil || text.Type != elf.SHT_NOBITS {
		t.Errorf("%s: the debug file keeps the code (.text %v), want only debug data", rel, text)
	}
}
