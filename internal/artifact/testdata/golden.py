#!/usr/bin/env python3
"""Hand-encode a fixed buildstream.v2.Artifact, independently of the Go port.

Standard library only: the protobuf wire format is written by hand from
artifact.proto's field numbers (fields in number order, proto3 defaults
left out, as the protobuf runtimes serialize). Writes artifact.golden next
to this script. Run: python3 testdata/golden.py
"""
import hashlib
import os


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(num, wt):
    return varint((num << 3) | wt)


def f_varint(num, v):
    return b"" if not v else tag(num, 0) + varint(int(v))


def f_bytes(num, data):
    return tag(num, 2) + varint(len(data)) + data


def f_string(num, s):
    return b"" if s == "" else f_bytes(num, s.encode("utf-8"))


def digest_msg(data):
    h = hashlib.sha256(data).hexdigest()
    return f_string(1, h) + f_varint(2, len(data))


def f_digest(num, data):
    return f_bytes(num, digest_msg(data))


def artifact():
    out = b""
    out += f_varint(1, 2)  # version
    out += f_varint(2, False)  # build_success (false: left out)
    out += f_string(3, "Command failed")  # build_error
    out += f_string(4, "exit code 1\nsee log")  # build_error_details
    out += f_string(5, "a" * 64)  # strong_key
    out += f_string(6, "b" * 64)  # weak_key
    out += f_varint(7, True)  # was_workspaced
    out += f_digest(8, b"files-directory")  # files
    deps = [
        ("proj", "base/alpine.bst", "c" * 64, False),
        ("junction-proj", "lib.bst", "d" * 64, True),
    ]
    for p, e, k, w in deps:  # build_deps
        out += f_bytes(9, f_string(1, p) + f_string(2, e) + f_string(3, k) + f_varint(4, w))
    out += f_digest(10, b"public: data\n")  # public_data
    for name, data in [("build.log", b"log line\n"), ("other.log", b"")]:  # logs
        out += f_bytes(11, f_string(1, name) + f_bytes(2, digest_msg(data)))
    out += f_digest(12, b"buildtree")  # buildtree
    out += f_digest(13, b"sources")  # sources
    out += f_digest(14, b"environment: {}\n")  # low_diversity_meta
    out += f_digest(15, b"variables: {}\n")  # high_diversity_meta
    out += f_string(16, "e" * 64)  # strict_key
    out += f_digest(17, b"buildroot")  # buildroot
    sb = b""
    for k, v in [("HOME", "/tmp"), ("PATH", "/usr/bin:/bin")]:  # environment
        sb += f_bytes(1, f_string(1, k) + f_string(2, v))
    sb += f_string(2, "/buildstream/proj/hello.bst")  # working_directory
    sb += f_bytes(3, digest_msg(b"subsandbox"))  # subsandbox_digests
    for d in ["/buildstream-install", "/tmp"]:  # marked_directories
        sb += f_string(4, d)
    out += f_bytes(18, sb)  # buildsandbox
    return out


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "artifact.golden"), "wb") as f:
        f.write(artifact())
