#!/usr/bin/python3
# Regenerates golden_bst16.json from the installed BuildStream 1.6
# (buildstream._yaml): how YAML documents load (plain values and provenance)
# and what composite() + node_final_assertions() make of pairs and triples of
# documents.
#
#   /usr/bin/python3 internal/yamlnode/testdata/gen_golden.py > internal/yamlnode/testdata/golden_bst16.json
#
# Every document is loaded with _yaml.load_data under the name "<case>-<i>.yaml".
# Outcomes are {"value": plain} or {"error": REASON, "line": L, "col": C} where
# line/col come from the first "[line L column C]" in the message (0 if none).
# A Python exception that is not a LoadError is recorded as "EXC:<type>".
import collections.abc
import json
import os
import random
import re
import sys

# 1.6 iterates some composited mappings as sets (its ChainMap), so which of
# several trailing directives is reported first depends on string hashing:
# pin it for a reproducible file.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

from buildstream import _yaml
from buildstream._exceptions import LoadError

PROV_RE = re.compile(r"\[line (\d+) column (\d+)\]")
MARK_RE = re.compile(r"line (\d+), column (\d+)")


def plain(node):
    if isinstance(node, collections.abc.Mapping):
        return {str(k): plain(v) for k, v in node.items() if k != _yaml.PROVENANCE_KEY}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if node is None:
        return None
    return str(node)


def load(text, name):
    return _yaml.load_data(text, _yaml.ProvenanceFile(name, name, None))


def failure(e):
    if isinstance(e, LoadError):
        m = PROV_RE.search(str(e))
        if m:
            return {"error": e.reason.name, "line": int(m.group(1)), "col": int(m.group(2))}
        # ruamel's problem mark: 1-based line and column
        m = MARK_RE.search(str(e))
        if m:
            return {"error": e.reason.name, "line": int(m.group(1)), "col": int(m.group(2)) - 1}
        return {"error": e.reason.name, "line": 0, "col": 0}
    return {"error": "EXC:" + type(e).__name__, "line": 0, "col": 0}


# Provenance of every node below the top level: [path, line, col, kind] where
# path is "a/b/0/c", kind is "member" (the value as a dict member), "element"
# (a list item) or "dict" (a mapping's own DictProvenance).
def provs(node, path, out):
    dprov = _yaml.node_get_provenance(node)
    out.append([path, dprov.line, dprov.col, "dict"])
    for key, value in node.items():
        if key == _yaml.PROVENANCE_KEY:
            continue
        p = _yaml.node_get_provenance(node, key)
        sub = (path + "/" if path else "") + str(key)
        out.append([sub, p.line, p.col, "member"])
        if isinstance(value, collections.abc.Mapping):
            provs(value, sub, out)
        elif isinstance(value, list):
            list_provs(value, p.elements, sub, out)


def list_provs(values, elements, path, out):
    for i, value in enumerate(values):
        sub = path + "/" + str(i)
        e = elements[i]
        out.append([sub, e.line, e.col, "element"])
        if isinstance(value, collections.abc.Mapping):
            provs(value, sub, out)
        elif isinstance(value, list):
            list_provs(value, e.elements, sub, out)


PARSE_CASES = [
    ("plain", "kind: pony\ndescription: The vehicle of choice\n"),
    ("quoted", "a: \"double \\\"q\\\" \\u00e9\\t\"\nb: 'single ''q'''\nc: \"  spaced  \"\n"),
    ("block-literal", "a: |\n  line1\n  line2\nb: |-\n  strip\nc: |+\n  keep\n\nd: x\n"),
    ("block-folded", "a: >\n  folded\n  text\n\n  para\nb: >-\n  x\n  y\n"),
    ("numbers-bools", "i: 1\nf: 1.20\nv: 1.23.4\nu: 1_23_4\nh: 0x1F\no: 0o17\ne: 1e3\nt: true\nT: True\ny: yes\nn: no\noff: off\n"),
    ("nulls", "e:\nt: ~\nn: null\nN: Null\nU: NULL\nq: ''\nl: [~, null, '']\n"),
    ("nested", "a:\n  b:\n    c: d\n  e: [f, g]\nl:\n- x\n- y: z\n  w: v\n- - n1\n  - n2\n- [p, q]\n"),
    ("flow", "a: {b: c, d: [e, {f: g}]}\nl: [1, [2, 3], {x: y}]\nempty: {}\nel: []\n"),
    ("indented-seq", "list:\n  - one\n  - two:\n      three: four\n"),
    ("utf8", "name: \u00e9l\u00e9ment\n\u00fcber: \u65e5\u672c\u8a9e\nk: [\u00e9, \u00e8\u00e8]\nm: {\u00e0: \u00e9}\n"),
    ("utf8-4byte", "e: \U0001F600 smile\nf: [\U0001F600, x]\n"),
    ("crlf", "a: b\r\nc:\r\n  d: e\r\nl:\r\n- x\r\n"),
    ("bom", "\ufeffa: b\nc: d\n"),
    ("comments", "# leading\n\n# more\na: b # trailing\n# between\nc:\n  # inside\n  d: e\n"),
    ("multiline-plain", "a: this is\n  a multi line\n  plain scalar\nb: x\n"),
    ("anchors", "base: &b\n  x: 1\n  l: [a, b]\nuse: *b\nlist:\n- &s str\n- *s\n"),
    ("merge", "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  z: 3\n"),
    ("merge-override", "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n"),
    ("doc-start", "---\na: b\n"),
    ("doc-end", "a: b\n...\n"),
    ("empty", ""),
    ("only-comments", "# nothing\n# here\n"),
    ("only-whitespace", "\n\n   \n"),
    ("top-list", "- a\n- b\n"),
    ("top-scalar", "just a string\n"),
    ("top-tilde", "~\n"),
    ("duplicate", "a: 1\nb: 2\na: 3\n"),
    ("duplicate-nested", "x:\n  a: 1\n  a: 2\n"),
    ("malformed-flow", "a: [1, 2\nb: c\n"),
    ("malformed-indent", "a: b\n  c: d\n"),
    ("malformed-mapping", "a: b: c\n"),
    ("malformed-tab", "a:\n\tb: c\n"),
    ("two-docs", "a: 1\n---\nb: 2\n"),
    ("unclosed-quote", "a: \"abc\nb: c\n"),
    ("colon-in-value", "url: http://example.com:8080/x\ncmd: echo a:b\n"),
    ("special-keys", "(>): x\n(?): y\n\"quoted key\": z\n'1': one\n2: two\n"),
    ("deep-seq-in-map", "config:\n  install-commands:\n    (>):\n    - |\n      make install\n    - echo done\n"),
    ("element", "kind: autotools\ndepends:\n- filename: base.bst\n  type: build\nvariables:\n  conf-local: >-\n    --enable-foo\n    --disable-bar\nsources:\n- kind: tar\n  url: https://example.com/a.tar.gz\n  ref: 0123abcd\n"),
]

# Composition matrix: every target shape under key "k" against every source
# shape. A shape is YAML text for the value (None: key absent).
TARGETS = [
    ("absent", None),
    ("null", ""),
    ("scalar", " t"),
    ("list", "\n- t1\n- t2"),
    ("emptylist", " []"),
    ("dict", "\n  a: t"),
    ("emptydict", " {}"),
    ("prepend", "\n  (<): [tp]"),
    ("append", "\n  (>): [ta]"),
    ("overwrite", "\n  (=): [to]"),
    ("overwrite-empty", "\n  (=): []"),
    ("all3", "\n  (<): [tp]\n  (>): [ta]\n  (=): [to]"),
]
SOURCES = [
    ("scalar", " s"),
    ("null", ""),
    ("list", "\n- s1\n- s2"),
    ("emptylist", " []"),
    ("dict", "\n  a: s"),
    ("emptydict", " {}"),
    ("prepend", "\n  (<): [sp1, sp2]"),
    ("append", "\n  (>): [sa1, sa2]"),
    ("overwrite", "\n  (=): [so]"),
    ("overwrite-empty", "\n  (=): []"),
    ("prepend-append", "\n  (<): [sp]\n  (>): [sa]"),
    ("all3", "\n  (<): [sp]\n  (>): [sa]\n  (=): [so]"),
    ("prepend-empty", "\n  (<): []"),
    ("prepend-null", "\n  (<):"),
    ("append-scalar", "\n  (>): oops"),
    ("append-dict", "\n  (>): {x: y}"),
    ("mixed", "\n  (>): [sa]\n  other: x"),
]


def doc(value):
    if value is None:
        return "other: o\n"
    return "other: o\nk:" + value + "\n"


def run_composite(layers, mode, name):
    try:
        nodes = [load(text, "{}-{}.yaml".format(name, i)) for i, text in enumerate(layers)]
        if mode == "nested":
            # composite the overlays onto each other first, top down
            for i in range(len(nodes) - 1, 1, -1):
                _yaml.composite(nodes[i - 1], nodes[i])
            _yaml.composite(nodes[0], nodes[1])
        else:
            for n in nodes[1:]:
                _yaml.composite(nodes[0], n)
    except Exception as e:  # pylint: disable=broad-except
        return failure(e)
    result = {"value": plain(_yaml.node_sanitize(nodes[0]))}
    try:
        _yaml.node_final_assertions(nodes[0])
    except Exception as e:  # pylint: disable=broad-except
        f = failure(e)
        result["final"] = f["error"]
        result["final_line"] = f["line"]
        result["final_col"] = f["col"]
    return result


# Random documents: small key and value vocabularies so that layers collide.
KEYS = ["a", "b", "l", "m"]
WORDS = ["x", "y", "z", "w1", "w2", "hello world", "1", "true"]


def rand_scalar(rng):
    return rng.choice(WORDS)


def rand_list(rng, depth):
    items = []
    for _ in range(rng.randint(0, 3)):
        r = rng.random()
        if r < 0.7 or depth > 2:
            items.append(rand_scalar(rng))
        elif r < 0.9:
            items.append(rand_map(rng, depth + 1, directives=False))
        else:
            items.append([rand_scalar(rng) for _ in range(rng.randint(0, 2))])
    return items


def rand_directives(rng, depth):
    d = {}
    for key in rng.sample(["(<)", "(>)", "(=)"], rng.randint(1, 3)):
        r = rng.random()
        if r < 0.85:
            d[key] = rand_list(rng, depth + 1)
        elif r < 0.92:
            d[key] = None
        else:
            d[key] = rand_scalar(rng)
    if rng.random() < 0.03:
        d["a"] = rand_scalar(rng)
    return d


def rand_value(rng, depth):
    r = rng.random()
    if r < 0.2:
        return rand_scalar(rng)
    if r < 0.25:
        return None
    if r < 0.45:
        return rand_list(rng, depth)
    if r < 0.75 and depth < 3:
        return rand_map(rng, depth + 1, directives=False)
    return rand_directives(rng, depth)


# Keys mostly keep one shape across layers ("a", "b" scalars, "l" lists or
# directive maps, "m" mappings), so that most cases composite successfully;
# one value in eight is of any shape.
def typed_value(rng, key, depth):
    if rng.random() < 0.125:
        return rand_value(rng, depth)
    if key in ("a", "b"):
        return None if rng.random() < 0.1 else rand_scalar(rng)
    if key == "l":
        return rand_list(rng, depth) if rng.random() < 0.4 else rand_directives(rng, depth)
    if depth < 3:
        return rand_map(rng, depth + 1)
    return {}


def rand_map(rng, depth, directives=True):
    m = {}
    for key in rng.sample(KEYS, rng.randint(0, len(KEYS))):
        m[key] = typed_value(rng, key, depth) if directives or depth < 3 else rand_scalar(rng)
    return m


def scalar_text(rng, s):
    if s is None:
        return ""
    if rng.random() < 0.2:
        return json.dumps(s)
    if rng.random() < 0.1:
        return "'" + s.replace("'", "''") + "'"
    return s


def flow(rng, v):
    if isinstance(v, dict):
        return "{" + ", ".join("{}: {}".format(k, flow(rng, x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(rng, x) for x in v) + "]"
    if v is None:
        return "~"
    return json.dumps(v)


def emit_map(rng, m, indent):
    lines = []
    sp = " " * indent
    for k, v in m.items():
        if isinstance(v, dict):
            if not v or rng.random() < 0.15:
                lines.append("{}{}: {}".format(sp, k, flow(rng, v)))
            else:
                lines.append("{}{}:".format(sp, k))
                lines.extend(emit_map(rng, v, indent + 2))
        elif isinstance(v, list):
            if not v or rng.random() < 0.25:
                lines.append("{}{}: {}".format(sp, k, flow(rng, v)))
            else:
                lines.append("{}{}:".format(sp, k))
                lines.extend(emit_list(rng, v, indent + rng.choice([0, 2])))
        else:
            text = scalar_text(rng, v)
            lines.append("{}{}:{}".format(sp, k, " " + text if text else ""))
    return lines


def emit_list(rng, items, indent):
    lines = []
    sp = " " * indent
    for v in items:
        if isinstance(v, dict) and v:
            sub = emit_map(rng, v, indent + 2)
            sub[0] = sp + "- " + sub[0][indent + 2:]
            lines.extend(sub)
        elif isinstance(v, (dict, list)):
            lines.append("{}- {}".format(sp, flow(rng, v)))
        else:
            text = scalar_text(rng, v)
            lines.append("{}-{}".format(sp, " " + text if text else ""))
    return lines


def emit(rng, m):
    text = "\n".join(emit_map(rng, m, 0))
    return text + "\n" if text else "{}\n"


def main():
    out = {"parse": [], "composite": []}
    for name, text in PARSE_CASES:
        case = {"name": name, "yaml": text}
        try:
            node = load(text, name + ".yaml")
            case["value"] = plain(_yaml.node_sanitize(node))
            p = []
            provs(node, "", p)
            case["provs"] = p
        except Exception as e:  # pylint: disable=broad-except
            case.update(failure(e))
        out["parse"].append(case)

    for tname, tval in TARGETS:
        for sname, sval in SOURCES:
            name = "matrix-{}-onto-{}".format(sname, tname)
            layers = [doc(tval), doc(sval)]
            case = {"name": name, "layers": layers}
            case["sequential"] = run_composite(layers, "sequential", name)
            out["composite"].append(case)

    # The conditional list "(?)" appends onto a list instead of replacing it.
    for tname, tval in [("absent", None), ("null", ""), ("list", "\n- {a: 1}"), ("emptylist", " []")]:
        for sname, sval in [("list", "\n- {b: 2}"), ("emptylist", " []")]:
            name = "conditional-{}-onto-{}".format(sname, tname)
            layers = [doc(tval).replace("k:", "(?):"), doc(sval).replace("k:", "(?):")]
            case = {"name": name, "layers": layers}
            case["sequential"] = run_composite(layers, "sequential", name)
            out["composite"].append(case)

    rng = random.Random(1608)
    for i in range(400):
        n = 2 if i < 250 else 3
        layers = [emit(rng, rand_map(rng, 0)) for _ in range(n)]
        name = "random-{}".format(i)
        case = {"name": name, "layers": layers}
        case["sequential"] = run_composite(layers, "sequential", name)
        if n == 3:
            case["nested"] = run_composite(layers, "nested", name)
        out["composite"].append(case)

    json.dump(out, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


main()
