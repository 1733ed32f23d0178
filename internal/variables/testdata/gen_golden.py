#!/usr/bin/python3
# Regenerates golden_bst16.json from the installed BuildStream 1.6 (the
# resolver is the same in 2.x): random variable tables, what Variables.check()
# reports, each variable's value or error, and some subst() results.
#
#   /usr/bin/python3 internal/variables/testdata/gen_golden.py > internal/variables/testdata/golden_bst16.json
#
# Case i's definitions are written as "name: 'value'" on line j+1 of
# "case<i>.bst", so a value's provenance is [line j+1 column len(name)+2].
import json
import os
import random
import sys
import tempfile

from buildstream import _yaml
from buildstream._variables import Variables
from buildstream._exceptions import LoadError

NAMES = ["a", "b", "c", "d", "e", "f-1", "g_2", "H"]
UNDEFINED = ["x", "zz"]
NOISE = ["lit", "/", " ", "%", "{", "}", "%{", "%{a", "%{1}", "%{ a}", "%%", "}}", "%{-a}", "%{b "]


def value(rng, names, undefined, back=0.0):
    # References go to names later in the list (acyclic), or with probability
    # back to any name.
    parts = []
    for _ in range(rng.randint(0, 4)):
        r = rng.random()
        pool = names if rng.random() < back else names[1:]
        if r < 0.45 and pool:
            parts.append("%{" + rng.choice(pool) + "}")
        elif r < 0.5:
            parts.append("%{" + rng.choice(undefined) + "}")
        else:
            parts.append(rng.choice(NOISE))
    v = "".join(parts).strip()
    return v or "v"


def outcome(fn):
    try:
        return {"value": fn()}
    except LoadError as e:
        return {"reason": e.reason.name, "message": str(e), "detail": e.detail or ""}


def main():
    rng = random.Random(1968)
    cases = []
    tmp = tempfile.mkdtemp()
    for i in range(300):
        n = rng.randint(1, len(NAMES))
        names = rng.sample(NAMES, n)
        undefined = UNDEFINED if rng.random() < 0.3 else names
        back = rng.choice([0.0, 0.0, 0.05, 0.2])
        defs = [[name, value(rng, names[j:], undefined, back)] for j, name in enumerate(names)]
        fname = "case{}.bst".format(i)
        path = os.path.join(tmp, fname)
        with open(path, "w") as f:
            for name, v in defs:
                f.write("{}: '{}'\n".format(name, v.replace("'", "''")))
        node = _yaml.load(path, shortname=fname)
        exprs = [value(rng, names, UNDEFINED) for _ in range(3)]

        case = {"file": fname, "defs": defs}
        case["check"] = outcome(lambda: Variables(node).check() or "")
        # Interned, as the keys check() iterates are: the resolver compares
        # names with "is", so a non-interned "f-1" would find cycles one step late.
        case["get"] = {name: outcome(lambda: Variables(node)[sys.intern(name)]) for name, _ in defs}
        case["subst"] = [
            [e, outcome(lambda: Variables(node).subst(e, "expr.bst [line 9 column 3]"))] for e in exprs
        ]
        cases.append(case)
    json.dump(cases, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


main()
