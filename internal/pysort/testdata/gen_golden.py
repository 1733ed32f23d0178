#!/usr/bin/env python3
"""Differential golden cases for internal/pysort.

Each case is a list of items 0..n-1. Item x has a class ids[x]; the
comparator cmp(x, y) depends only on (ids[x], ids[y]):

  * "order" cases compare the ids numerically (a total order; with repeated
    ids the output also checks stability);
  * "table" cases look cmp up in an m*m table, written as a string of
    '-', '0', '+' (row ids[x], column ids[y]). Most tables are deliberately
    not a total order: random, intransitive tournaments, noisy total
    orders, partial orders whose "incomparable" is not transitive, and a
    model of BuildStream 1.6's dependency_cmp.

The items are sorted with list.sort(key=functools.cmp_to_key(cmp)); the
golden records the resulting order, the number of comparisons and the
SHA-256 of the comparison trace ("x,y;" for every cmp(x, y) call, in order).

    python3.11 gen_golden.py > golden.json          # regenerate
    python3.12 gen_golden.py --verify golden.json   # replay on another CPython
"""

import argparse
import functools
import hashlib
import json
import random
import sys

SEED = 20240611
SIGN = {-1: "-", 0: "0", 1: "+"}
VALUE = {"-": -1, "0": 0, "+": 1}


def run_case(ids, table, m):
    """Sort items 0..len(ids)-1 like BuildStream does; return (out, ncmp, trace)."""
    trace = hashlib.sha256()
    count = 0
    if table is None:
        def look(a, b):
            return (a > b) - (a < b)
    else:
        vals = [VALUE[c] for c in table]

        def look(a, b):
            return vals[a * m + b]

    def cmp(x, y):
        nonlocal count
        count += 1
        trace.update(b"%d,%d;" % (x, y))
        return look(ids[x], ids[y])

    items = list(range(len(ids)))
    items.sort(key=functools.cmp_to_key(cmp))
    return items, count, trace.hexdigest()


# ---- comparator tables over classes 0..m-1 -------------------------------

def table_string(m, f):
    return "".join(SIGN[f(a, b)] for a in range(m) for b in range(m))


def t_random(rng, m):
    cells = [rng.choice((-1, 0, 1)) for _ in range(m * m)]
    return table_string(m, lambda a, b: cells[a * m + b])


def t_tournament(rng, m):
    win = {}
    for a in range(m):
        for b in range(a + 1, m):
            r = rng.choice((-1, 0, 1))
            win[a, b], win[b, a] = r, -r
    return table_string(m, lambda a, b: win.get((a, b), 0))


def t_noisy(rng, m):
    p = rng.choice((0.02, 0.05, 0.15))
    noise = {}
    for a in range(m):
        for b in range(m):
            if rng.random() < p:
                noise[a, b] = rng.choice((-1, 0, 1))
    return table_string(m, lambda a, b: noise.get((a, b), (a > b) - (a < b)))


def reach_closure(rng, m, p):
    reach = [[False] * m for _ in range(m)]
    for a in range(m):
        for b in range(a + 1, m):
            if rng.random() < p:
                reach[a][b] = True
    for k in range(m):
        for a in range(m):
            if reach[a][k]:
                for b in range(m):
                    if reach[k][b]:
                        reach[a][b] = True
    return reach


def t_partial(rng, m):
    # A random partial order; incomparable pairs compare equal, so
    # "equal" is not transitive.
    reach = reach_closure(rng, m, rng.choice((0.05, 0.15, 0.3)))

    def f(a, b):
        if reach[a][b]:
            return -1
        if reach[b][a]:
            return 1
        return 0
    return table_string(m, f)


def t_buildstream(rng, m):
    # BuildStream 1.6 dependency_cmp: a dependency goes after what it
    # depends on, then runtime-only deps go last, then by name. Classes
    # are elements; the class number is the name order, and "depends on"
    # is a random DAG over a random order of the names, so it often
    # contradicts the name order.
    perm = list(range(m))
    rng.shuffle(perm)
    reach = reach_closure(rng, m, rng.choice((0.05, 0.1, 0.25)))
    runtime = [rng.random() < 0.3 for _ in range(m)]
    # depends[a][b]: element a depends on element b.
    depends = [[reach[perm[b]][perm[a]] for b in range(m)] for a in range(m)]

    def f(a, b):
        if depends[a][b]:
            return 1
        if depends[b][a]:
            return -1
        if runtime[a] != runtime[b]:
            return 1 if runtime[a] else -1
        return (a > b) - (a < b)
    return table_string(m, f)


def t_order(rng, m):
    return table_string(m, lambda a, b: (a > b) - (a < b))


TABLES = {
    "random": t_random,
    "tournament": t_tournament,
    "noisy": t_noisy,
    "partial": t_partial,
    "buildstream": t_buildstream,
    "order-table": t_order,
}


# ---- input shapes over classes 0..m-1 ------------------------------------

def shape(rng, kind, n, m):
    def rnd():
        return rng.randrange(m)
    if kind == "random":
        return [rnd() for _ in range(n)]
    if kind == "distinct" and n <= m:
        ids = list(range(m))
        rng.shuffle(ids)
        return ids[:n]
    if kind == "sorted":
        return sorted(rnd() for _ in range(n))
    if kind == "reversed":
        return sorted((rnd() for _ in range(n)), reverse=True)
    if kind == "sorted-noise":
        ids = sorted(rnd() for _ in range(n))
        for _ in range(rng.randrange(1, 6)):
            if n:
                ids[rng.randrange(n)] = rnd()
        return ids
    if kind == "chunks":
        # A few sorted (or reversed) chunks: long natural runs that make
        # merges gallop.
        ids = []
        while len(ids) < n:
            k = min(n - len(ids), rng.randrange(1, max(2, n // 2)))
            chunk = sorted(rnd() for _ in range(k))
            if rng.random() < 0.3:
                chunk.reverse()
            ids += chunk
        return ids
    if kind == "interleave":
        # Two sorted halves with disjoint-ish ranges, then swapped: the
        # merge moves whole blocks.
        h = n // 2
        lo = sorted(rng.randrange(max(1, m // 2)) for _ in range(h))
        hi = sorted(rng.randrange(m // 2, m) for _ in range(n - h))
        return hi + lo if rng.random() < 0.5 else lo + hi
    if kind == "sawtooth":
        period = rng.randrange(2, 40)
        return [(i % period) % m for i in range(n)]
    if kind == "spikes":
        # Sorted, but every step-th item comes from the bottom of the range:
        # natural runs start with one small item, so a merge's right run
        # often keeps just that item after trimming.
        ids = sorted(rnd() for _ in range(n))
        step = rng.choice((16, 32, 40, 64, 70))
        jitter = rng.choice((0, 0, 3))
        for k in range(step, n, step):
            k = min(n - 1, k + rng.randrange(jitter + 1))
            ids[k] = rng.randrange(max(1, m // 8))
        return ids
    if kind == "blocks":
        # Sorted blocks with chosen lengths, so that several natural runs
        # are still pending at the end and merge_force_collapse must choose
        # between runs of equal length (e.g. q, 2q, q).
        q = max(1, n // 4)
        lens = rng.choice(([q, 2 * q], [2 * q, q], [q, q, 2 * q],
                           [2 * q, q, q], [q, q, q]))
        lens.append(n - sum(lens))
        ids = []
        for k in lens:
            ids += sorted(rnd() for _ in range(k))
        return ids[:n]
    if kind == "few":
        vals = [rnd() for _ in range(rng.randrange(1, 4))]
        return [rng.choice(vals) for _ in range(n)]
    return [rnd() for _ in range(n)]


SHAPES = ["random", "distinct", "sorted", "reversed", "sorted-noise",
          "chunks", "interleave", "sawtooth", "spikes", "blocks", "few"]


def sizes(rng):
    out = []
    for n in range(0, 80):
        out += [n] * 6
    out += [64, 65, 127, 128, 129, 255, 256, 257, 299, 300] * 3
    out += [rng.randrange(65, 301) for _ in range(600)]
    # A few long lists for deeper run stacks.
    out += [1000, 2049, 5000] * 3
    return out


def generate():
    rng = random.Random(SEED)
    cases = []
    for i, n in enumerate(sizes(rng)):
        sh = rng.choice(SHAPES)
        if rng.random() < 0.2:
            # Total order over a wide range of classes, no table.
            m = rng.choice((2, 5, 50, 1000))
            ids = shape(rng, sh, n, m)
            cases.append({"name": "%04d-order-%s-n%d" % (i, sh, n),
                          "ids": ids})
            continue
        tk = rng.choice(list(TABLES))
        m = rng.choice((2, 3, 5, 8, 13, 21, 32, 40))
        table = TABLES[tk](rng, m)
        ids = shape(rng, sh, n, m)
        cases.append({"name": "%04d-%s-%s-m%d-n%d" % (i, tk, sh, m, n),
                      "ids": ids, "m": m, "table": table})
    for c in cases:
        out, ncmp, trace = run_case(c["ids"], c.get("table"), c.get("m"))
        c["out"], c["ncmp"], c["trace"] = out, ncmp, trace
    return cases


def write(cases):
    v = sys.version_info
    w = sys.stdout.write
    w("{\n")
    w('"python": "%d.%d.%d",\n' % (v.major, v.minor, v.micro))
    w('"seed": %d,\n' % SEED)
    w('"cases": [\n')
    for i, c in enumerate(cases):
        w(json.dumps(c, separators=(",", ":")))
        w(",\n" if i + 1 < len(cases) else "\n")
    w("]\n}\n")


def verify(path):
    with open(path) as f:
        golden = json.load(f)
    bad = 0
    for c in golden["cases"]:
        out, ncmp, trace = run_case(c["ids"], c.get("table"), c.get("m"))
        if (out, ncmp, trace) != (c["out"], c["ncmp"], c["trace"]):
            bad += 1
            print("MISMATCH", c["name"], file=sys.stderr)
    total = len(golden["cases"])
    print("python %s: %d cases, %d match, %d differ" % (
        sys.version.split()[0], total, total - bad, bad))
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verify", metavar="GOLDEN",
                    help="replay GOLDEN on this interpreter instead of generating")
    args = ap.parse_args()
    if args.verify:
        sys.exit(0 if verify(args.verify) else 1)
    write(generate())


if __name__ == "__main__":
    main()
