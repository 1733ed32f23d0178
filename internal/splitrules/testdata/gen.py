#!/usr/bin/python3
"""Record what BuildStream 1.6.8 answers for split-rule globs.

Run from this directory with the installed BuildStream importable:

    /usr/bin/python3 gen.py > buildstream.json

For every pattern it records utils._glob2re's regex and, for every path,
whether the domain expression Element.__init_splits would build from that
single rule matches (re.match, MULTILINE|DOTALL), or the compile error.
Multi-rule domains are recorded the same way. It also builds a small tree
and records utils.list_relative_paths on it.
"""
import json
import os
import re
import tempfile
import warnings

from buildstream import utils

warnings.simplefilter("ignore")

PATTERNS = [
    "", "*", "**", "?", "/usr/lib/*", "/usr/lib/**", "/usr/lib/*.so",
    "/usr/lib/lib*.so*", "/usr/lib/**/*.a", "/usr/**.h", "**/*.la",
    "/usr/share/doc", "/usr/share/doc/**", "/usr/bin/??", "/usr/lib/debug",
    "/usr/lib/debug/**", "/usr/src/debug/**", "/usr/include/**",
    "/usr/lib/pkgconfig/*.pc", "/usr/share/aclocal/**", "/etc/***",
    "/a/b*c/d", "*/", "/", "/a.b", "/a+b(c)|d{1}$", "/a b", "/a\tb",
    "/a^b", "/a\\b", "/a\\*b", "/x#y&z~w",
    "/[abc]", "/[a-c]x", "/[!a-c]", "/[^a]", "/[!^a]", "/[]]", "/[]a]",
    "/[!]]", "/[!]a]", "/[", "/[a", "/[!", "/[]", "/[!]", "/[a-]", "/[-a]",
    "/[--a]", "/[a-b-c]", "/[z-a]", "/[a--]", "/[\\]", "/[\\a]", "/[+-\\]",
    "/[[:alpha:]]", "/[[]", "/[a]]", "/[.]", "/[/]", "/[!/]", "/[é-ü]",
    "/[*]", "/[?]", "/d[0-9][0-9]x", "/[a&&b]", "/[a||b]", "/[a~~b]",
    "/é*", "/usr/lib/*/x",
]

PATHS = [
    "/", "/a", "/b", "/c", "/d", "/x", "/z", "/A", "/^", "/]", "/-", "/[",
    "/\\", "/+", "/!", "/.", "/ab", "/ax", "/bx", "/dx", "/a.b", "/aXb",
    "/a b", "/a\tb", "/a^b", "/a\\b", "/a\\xb", "/a\\*b", "/x#y&z~w",
    "/a+b(c)|d{1}$", "/a]", "/:", "/l", "/é", "/ö", "/éa", "/&", "/~", "/|",
    "/*", "/?", "/d12x", "/d1x",
    "/usr", "/usr/lib", "/usr/lib/", "/usr/lib/libfoo.so", "/usr/lib/libfoo.so.1",
    "/usr/lib/libfoo.a", "/usr/lib/x/libfoo.a", "/usr/lib/x/y/libfoo.a",
    "/usr/lib/x/x", "/usr/lib/x/y/x", "/usr/lib/foo.so", "/usr/lib/libfoo.la",
    "/usr/lib/pkgconfig/foo.pc", "/usr/lib/pkgconfig/x/foo.pc",
    "/usr/include/foo.h", "/usr/include/sys/foo.h", "/usr/include",
    "/usr/share/doc", "/usr/share/doc/foo/README", "/usr/share/docs",
    "/usr/bin/ls", "/usr/bin/cat", "/usr/lib/debug", "/usr/lib/debug/x.debug",
    "/usr/src/debug/a.c", "/usr/share/aclocal/foo.m4", "/etc/passwd",
    "/etc", "/a/bc/d", "/a/bxc/d", "/a/b/c/d", "/foo/", "foo/", "foo",
    "usr/lib/libfoo.so", "/usr/lib/libfoo.so\n", "/usr/lib/a\nb.so",
    "\n/usr/lib/libfoo.so", "/a\n", "\n", "", "/usr/lib/.hidden.so",
]

DOMAINS = [
    [],
    ["/usr/bin/*", "/usr/lib/lib*.so*"],
    ["/usr/include/**", "/usr/lib/pkgconfig/*.pc", "/usr/lib/lib*.a"],
    ["/usr/share/doc/**", "/usr/share/doc"],
    ["", "/usr"],
]


def domain(rules):
    expr = "^(?:" + "|".join(utils._glob2re(r) for r in rules) + ")$"
    out = {"rules": rules, "regex": expr}
    try:
        compiled = re.compile(expr, re.MULTILINE | re.DOTALL)
    except re.error as e:
        out["error"] = str(e)
        return out
    out["matches"] = [p for p in PATHS if compiled.match(p)]
    return out


def tree():
    # (relative path, kind, link target)
    spec = [
        ("usr/bin/ls", "file", None),
        ("usr/bin/sh", "symlink", "ls"),
        ("usr/lib/libfoo.so.1", "file", None),
        ("usr/lib/libfoo.so", "symlink", "libfoo.so.1"),
        ("usr/lib64", "symlink", "lib"),
        ("usr/lib/dangling", "symlink", "nowhere"),
        ("usr/share/empty", "dir", None),
        ("usr/share/only/dirs/here", "dir", None),
        ("usr/share/only/dirs/file", "file", None),
        ("etc/b", "file", None),
        ("etc/a", "file", None),
        ("etc/Z", "file", None),
        ("etc/a.d/x", "file", None),
        ("var/lib", "dir", None),
        ("bin", "symlink", "usr/bin"),
        ("Zdir/f", "file", None),
        ("é/f", "file", None),
    ]
    with tempfile.TemporaryDirectory() as root:
        for rel, kind, target in spec:
            full = os.path.join(root, rel)
            if kind == "dir":
                os.makedirs(full, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if kind == "file":
                with open(full, "w") as f:
                    f.write(rel)
            else:
                os.symlink(target, full)
        listing = list(utils.list_relative_paths(root))
        os.makedirs(os.path.join(root, "..", os.path.basename(root) + "-e"))
        empty = os.path.join(root, "..", os.path.basename(root) + "-e")
        empty_listing = list(utils.list_relative_paths(empty))
        os.rmdir(empty)
    return {"spec": [{"path": p, "kind": k, "target": t or ""} for p, k, t in spec],
            "listing": listing, "empty_listing": empty_listing}


def main():
    globs = []
    for p in PATTERNS:
        d = domain([p])
        d = {"pattern": p, "glob2re": utils._glob2re(p), **{k: v for k, v in d.items() if k != "rules"}}
        globs.append(d)
    out = {
        "paths": PATHS,
        "globs": globs,
        "domains": [domain(rules) for rules in DOMAINS],
        "tree": tree(),
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
