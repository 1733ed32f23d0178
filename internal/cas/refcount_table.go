package cas

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// refTable is the reference count table, cas/refcounts: an open
// addressing hash table (linear probing) in one file, keyed by the first
// 16 bytes of an object's SHA-256. One file instead of a file per object:
// registering a directory of new files creates no inodes, and a count costs
// 32 bytes, not a block.
//
// Layout: a 4 KiB header ("bst-refcounts-1\n", then capacity, live and
// tombstone counts as little-endian uint64s), then capacity slots of 32
// bytes: key [16]byte, value uint64, 8 bytes reserved. value is
// holders<<1 | registered; 0 marks an empty slot, all ones a tombstone (a
// live record always has a value of at least 1, since a record with no
// holders that is not a registered Directory is deleted).
//
// Every change is one aligned 32-byte pwrite of one slot (a sector is never
// torn in half, so a crash leaves each slot old or new), and the table is
// only read or written under wlock. The live and tombstone counts in the
// header only decide when to rehash; they are written when the wlock
// section ends. Rehashing (past 70% load, doubling when live records need
// it) writes a new file and renames it over the old one, so it is atomic
// too, and costs O(1) per insert over time.
type refTable struct {
	f          *os.File
	path       string
	ino        uint64
	capacity   uint64 // a power of two
	live, tomb uint64
	dirty      bool // live/tomb changed since the header was written
}

const (
	refTableMagic  = "bst-refcounts-1\n"
	refTableHeader = 4096
	slotSize       = 32
	minCapacity    = 4096
	tombstone      = ^uint64(0)
	probeChunk     = 16 // slots read per pread while probing
)

// tableKey is the part of a hash the table keys on.
type tableKey [16]byte

func tableKeyOf(k hashKey) tableKey {
	var t tableKey
	copy(t[:], k[:16])
	return t
}

func encodeValue(r refcount) uint64 {
	v := uint64(r.holders) << 1
	if r.dir {
		v |= 1
	}
	return v
}

func decodeValue(v uint64) refcount { return refcount{holders: int64(v >> 1), dir: v&1 != 0} }

// openRefTable opens the table at path, creating an empty one if create
// is set and there is none.
func openRefTable(path string, create bool) (*refTable, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err := writeEmptyRefTable(path, minCapacity); err != nil {
			return nil, err
		}
		f, err = os.OpenFile(path, os.O_RDWR, 0)
	}
	if err != nil {
		return nil, err
	}
	t := &refTable{f: f, path: path}
	if err := t.readHeader(); err != nil {
		f.Close()
		return nil, err
	}
	return t, nil
}

func (t *refTable) readHeader() error {
	var h [refTableHeader]byte
	if _, err := t.f.ReadAt(h[:], 0); err != nil {
		return fmt.Errorf("reference count table %s: %w", t.path, err)
	}
	if !bytes.HasPrefix(h[:], []byte(refTableMagic)) {
		return fmt.Errorf("reference count table %s: bad header", t.path)
	}
	t.capacity = binary.LittleEndian.Uint64(h[16:])
	t.live = binary.LittleEndian.Uint64(h[24:])
	t.tomb = binary.LittleEndian.Uint64(h[32:])
	if t.capacity < minCapacity || t.capacity&(t.capacity-1) != 0 {
		return fmt.Errorf("reference count table %s: bad capacity %d", t.path, t.capacity)
	}
	info, err := t.f.Stat()
	if err != nil {
		return err
	}
	t.ino = inode(info)
	return nil
}

func headerBytes(capacity, live, tomb uint64) []byte {
	h := make([]byte, 40)
	copy(h, refTableMagic)
	binary.LittleEndian.PutUint64(h[16:], capacity)
	binary.LittleEndian.PutUint64(h[24:], live)
	binary.LittleEndian.PutUint64(h[32:], tomb)
	return h
}

// writeEmptyRefTable creates an empty table atomically (temporary file in
// the same directory, then rename).
func writeEmptyRefTable(path string, capacity uint64) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".refcounts-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := initTable(tmp, capacity, 0, 0); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// initTable sizes f as an empty (sparse) table and writes its header.
func initTable(f *os.File, capacity, live, tomb uint64) error {
	if err := f.Truncate(int64(refTableHeader + capacity*slotSize)); err != nil {
		return err
	}
	_, err := f.WriteAt(headerBytes(capacity, live, tomb), 0)
	return err
}

// flush writes the header counts if they changed.
func (t *refTable) flush() error {
	if !t.dirty {
		return nil
	}
	_, err := t.f.WriteAt(headerBytes(t.capacity, t.live, t.tomb), 0)
	t.dirty = false
	return err
}

func (t *refTable) close() error {
	err := t.flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (t *refTable) slotOffset(i uint64) int64 { return refTableHeader + int64(i)*slotSize }

// find returns the slot holding key (found) or, if it is absent, the slot
// a new record goes to: the probe's first tombstone (reuse) or its empty
// slot. full reports a probe that met neither.
func (t *refTable) find(key tableKey) (slot, value uint64, found, reuse, full bool, err error) {
	mask := t.capacity - 1
	start := binary.LittleEndian.Uint64(key[:8]) & mask
	buf := make([]byte, probeChunk*slotSize)
	for n := uint64(0); n < t.capacity; {
		i := (start + n) & mask
		chunk := min(probeChunk, t.capacity-i, t.capacity-n)
		b := buf[:chunk*slotSize]
		if _, err := t.f.ReadAt(b, t.slotOffset(i)); err != nil && err != io.EOF {
			return 0, 0, false, false, false, err
		}
		for j := uint64(0); j < chunk; j++ {
			s := b[j*slotSize : (j+1)*slotSize]
			v := binary.LittleEndian.Uint64(s[16:24])
			switch {
			case v == 0:
				if reuse {
					return slot, 0, false, true, false, nil
				}
				return i + j, 0, false, false, false, nil
			case v == tombstone:
				if !reuse {
					slot, reuse = i+j, true
				}
			case bytes.Equal(s[:16], key[:]):
				return i + j, v, true, false, false, nil
			}
		}
		n += chunk
	}
	return slot, 0, false, reuse, !reuse, nil
}

// get returns key's record (zero if absent).
func (t *refTable) get(key tableKey) (refcount, error) {
	_, v, found, _, _, err := t.find(key)
	if err != nil || !found {
		return refcount{}, err
	}
	return decodeValue(v), nil
}

// set stores key's record; a record with no holders that is not a
// registered Directory is removed (tombstoned).
func (t *refTable) set(key tableKey, r refcount) error {
	slot, _, found, reuse, full, err := t.find(key)
	if err != nil {
		return err
	}
	v := encodeValue(r)
	switch {
	case !found && v == 0:
		return nil
	case !found && !reuse && (full || (t.live+t.tomb+1)*10 > t.capacity*7):
		if err := t.rehash(); err != nil {
			return err
		}
		return t.set(key, r)
	case !found:
		t.live++
		if reuse {
			t.tomb--
		}
		t.dirty = true
	case v == 0:
		v = tombstone
		t.live--
		t.tomb++
		t.dirty = true
	}
	var rec [slotSize]byte
	copy(rec[:16], key[:])
	binary.LittleEndian.PutUint64(rec[16:24], v)
	_, err = t.f.WriteAt(rec[:], t.slotOffset(slot))
	return err
}

// records calls fn for every live record.
func (t *refTable) records(fn func(key tableKey, r refcount)) error {
	const chunkSlots = 4096
	buf := make([]byte, chunkSlots*slotSize)
	for i := uint64(0); i < t.capacity; i += chunkSlots {
		n := min(chunkSlots, t.capacity-i)
		b := buf[:n*slotSize]
		if _, err := t.f.ReadAt(b, t.slotOffset(i)); err != nil && err != io.EOF {
			return err
		}
		for j := uint64(0); j < n; j++ {
			s := b[j*slotSize : (j+1)*slotSize]
			v := binary.LittleEndian.Uint64(s[16:24])
			if v != 0 && v != tombstone {
				var k tableKey
				copy(k[:], s[:16])
				fn(k, decodeValue(v))
			}
		}
	}
	return nil
}

// rehash rewrites the table without tombstones, doubling its capacity if
// the live records need it, and renames the new file over the old one.
func (t *refTable) rehash() error {
	capacity := t.capacity
	for (t.live+1)*2 > capacity {
		capacity *= 2
	}
	var recs []struct {
		k tableKey
		r refcount
	}
	if err := t.records(func(k tableKey, r refcount) {
		recs = append(recs, struct {
			k tableKey
			r refcount
		}{k, r})
	}); err != nil {
		return err
	}
	next, err := buildRefTable(t.path, capacity, func(add func(tableKey, refcount) error) error {
		for _, rec := range recs {
			if err := add(rec.k, rec.r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.f.Close()
	*t = *next
	return nil
}

// buildRefTable writes a new table with the records fill adds into a
// temporary file and renames it to path; it returns the new table, open.
func buildRefTable(path string, capacity uint64, fill func(add func(tableKey, refcount) error) error) (*refTable, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".refcounts-*")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := initTable(tmp, capacity, 0, 0); err != nil {
		return nil, err
	}
	nt := &refTable{f: tmp, path: path, capacity: capacity}
	if err := fill(func(k tableKey, r refcount) error {
		if (nt.live+1)*10 > nt.capacity*7 {
			return errors.New("reference count table too small")
		}
		return nt.set(k, r)
	}); err != nil {
		return nil, err
	}
	if err := nt.flush(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	info, err := tmp.Stat()
	if err != nil {
		return nil, err
	}
	nt.ino = inode(info)
	ok = true
	return nt, nil
}

func inode(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
