#!/usr/bin/env python3
"""Writes tree_golden.txt: REAPI Directory digests of the trees in trees.json.

Independent of the Go code under test: it builds each tree in a temporary
directory, walks it with os.lstat and serializes the
build.bazel.remote.execution.v2.Directory messages by hand (protobuf wire
format, fields in number order, proto3 defaults omitted), the way
BuildStream 2 computes a local/workspace source key from what buildbox-casd
captured:

  Directory     files=1 directories=2 symlinks=3
  FileNode      name=1 digest=2 is_executable=4 node_properties=6
  DirectoryNode name=1 digest=2
  SymlinkNode   name=1 target=2
  Digest        hash=1 size_bytes=2
  NodeProperties mtime=2; Timestamp seconds=1 nanos=2

is_executable is the owner execute bit (buildbox FileUtils::isExecutable);
mtime is truncated to microseconds (buildbox getMtimeTimepoint). A single
file imported by BuildStream's import_single_file uses os.access(X_OK).

Each line: name hash/size root-Directory-bytes-in-hex.
Usage: python3 internal/cas/testdata/gen_tree_golden.py
"""
import hashlib
import json
import os
import stat
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    if n < 0:
        n += 1 << 64  # int64 two's complement, 10 bytes
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def tag(field, wire_type):
    return varint(field << 3 | wire_type)


def length_delimited(field, payload):
    return tag(field, 2) + varint(len(payload)) + payload


def varint_field(field, value):
    return tag(field, 0) + varint(value) if value else b""


def string_field(field, text):
    return length_delimited(field, text.encode("utf-8")) if text else b""


def digest_message(hexhash, size):
    return string_field(1, hexhash) + varint_field(2, size)


def pattern(size):
    return bytes((i * 131 + 17) % 256 for i in range(size))


def build(root, entries):
    for entry in entries:
        path = os.path.join(root, entry["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if entry["type"] == "dir":
            os.makedirs(path, exist_ok=True)
        elif entry["type"] == "symlink":
            os.symlink(entry["target"], path)
        else:
            data = pattern(entry["size"]) if "size" in entry else entry["content"].encode("utf-8")
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, entry["mode"])
    for entry in entries:  # after all writes, so that nothing disturbs them
        if "mtime_ns" in entry:
            ns = entry["mtime_ns"]
            os.utime(os.path.join(root, entry["path"]), ns=(ns, ns), follow_symlinks=False)


def file_node(name, path, st, executable, capture_mtime):
    with open(path, "rb") as f:
        data = f.read()
    node = string_field(1, name)
    node += length_delimited(2, digest_message(hashlib.sha256(data).hexdigest(), len(data)))
    node += varint_field(4, 1 if executable else 0)
    if capture_mtime:
        seconds, rest = divmod(st.st_mtime_ns, 10**9)
        timestamp = varint_field(1, seconds) + varint_field(2, rest // 1000 * 1000)
        node += length_delimited(6, length_delimited(2, timestamp))
    return node


def directory(path, capture_mtime):
    """Returns (hash, size, serialized Directory) of the tree at path."""
    files, dirs, links = b"", b"", b""
    for name in sorted(os.listdir(path)):  # code point order == UTF-8 byte order
        full = os.path.join(path, name)
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            links += length_delimited(3, string_field(1, name) + string_field(2, os.readlink(full)))
        elif stat.S_ISDIR(st.st_mode):
            h, s, _ = directory(full, capture_mtime)
            dirs += length_delimited(2, string_field(1, name) + length_delimited(2, digest_message(h, s)))
        elif stat.S_ISREG(st.st_mode):
            files += length_delimited(1, file_node(name, full, st, st.st_mode & stat.S_IXUSR, capture_mtime))
    blob = files + dirs + links
    return hashlib.sha256(blob).hexdigest(), len(blob), blob


def single_file(path):
    name = os.path.basename(path)
    blob = length_delimited(1, file_node(name, path, os.stat(path), os.access(path, os.X_OK), False))
    return hashlib.sha256(blob).hexdigest(), len(blob), blob


def main():
    with open(os.path.join(HERE, "trees.json"), encoding="ascii") as f:
        spec = json.load(f)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for tree in spec["trees"]:
            root = os.path.join(tmp, tree["name"])
            os.makedirs(root)
            build(root, tree["entries"])
            h, s, blob = directory(root, tree.get("capture_mtime", False))
            lines.append("{} {}/{} {}\n".format(tree["name"], h, s, blob.hex()))
        for single in spec["single_files"]:
            h, s, blob = single_file(os.path.join(tmp, single["tree"], single["path"]))
            lines.append("{} {}/{} {}\n".format(single["name"], h, s, blob.hex()))
        for root, dirs, _ in os.walk(tmp):  # let TemporaryDirectory remove read-only content
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
    with open(os.path.join(HERE, "tree_golden.txt"), "w", encoding="ascii", newline="\n") as f:
        f.write("# name hash/size root-directory-hex; generated by gen_tree_golden.py (Python {})\n".format(
            sys.version.split()[0]))
        f.writelines(lines)


if __name__ == "__main__":
    main()
