#!/usr/bin/python3
# Writes eval_random_cases.txt: random expressions from the grammar BuildStream
# projects use (and more), with a fixed seed, for gen_eval_golden.py.
import random

rng = random.Random(20240601)
NAMES = ["pony", "horsy", "nothing", "arch", "brother", "sister", "blank", "farm", "empty", "foo"]
STRS = ["'pony'", '"horsy"', "'x86_64'", "''", "'zebry'", "'a'", "'P'"]
NUMS = ["0", "1", "2", "-1", "1.5", "0.0", "10"]
CONSTS = ["True", "False", "None", "true", "false", "none"]
CMP = ["==", "!=", "<", ">", "<=", ">=", "in", "not in"]
ARITH = ["+", "-", "*", "/", "//", "%", "~", "**"]
FILTERS = ["lower", "upper", "length", "first", "last", "string", "list", "sort", "join(',')",
           "default('d')", "default('d', true)", "int", "trim", "capitalize", "count"]
TESTS = ["defined", "not defined", "none", "string", "number", "sequence", "in farm", "eq 'pony'",
         "sameas true", "boolean", "true", "false", "lower", "iterable", "odd", "even", "integer"]
METHODS = ["upper()", "lower()", "startswith('x')", "endswith('y')", "split('_')", "count('o')",
           "strip()", "replace('o', '0')", "find('n')"]


def atom(d):
    r = rng.random()
    if r < 0.35:
        return rng.choice(NAMES)
    if r < 0.5:
        return rng.choice(STRS)
    if r < 0.6:
        return rng.choice(NUMS)
    if r < 0.68:
        return rng.choice(CONSTS)
    if r < 0.78 and d > 0:
        return "[" + ", ".join(expr(d - 1) for _ in range(rng.randint(0, 3))) + "]"
    if r < 0.84 and d > 0:
        items = [expr(d - 1) for _ in range(rng.randint(1, 3))]
        return "(" + ", ".join(items) + ("," if len(items) == 1 and rng.random() < 0.5 else "") + ")"
    if r < 0.9 and d > 0:
        return "(" + expr(d - 1) + ")"
    return rng.choice(NAMES)


def postfix(d):
    a = atom(d)
    r = rng.random()
    if r < 0.08:
        a += "[" + rng.choice(["0", "-1", "1", "5", "'x'", "1:", ":1", "::-1", "pony"]) + "]"
    elif r < 0.14:
        a += "." + rng.choice(METHODS)
    elif r < 0.24:
        a += "|" + rng.choice(FILTERS)
    elif r < 0.32:
        a += " is " + rng.choice(TESTS)
    return a


def expr(d):
    r = rng.random()
    if d <= 0 or r < 0.3:
        return postfix(d)
    if r < 0.5:
        return postfix(d) + " " + rng.choice(CMP) + " " + postfix(d)
    if r < 0.62:
        return expr(d - 1) + " " + rng.choice(["and", "or"]) + " " + expr(d - 1)
    if r < 0.7:
        return "not " + expr(d - 1)
    if r < 0.8:
        return postfix(d) + " " + rng.choice(ARITH) + " " + postfix(d)
    if r < 0.85:
        return "(" + expr(d - 1) + " if " + expr(d - 1) + (" else " + expr(d - 1) if rng.random() < 0.6 else "") + ")"
    if r < 0.88:
        return "-" + postfix(d)
    return postfix(d) + " " + rng.choice(CMP) + " " + postfix(d) + " " + rng.choice(CMP) + " " + postfix(d)


seen = set()
out = []
while len(out) < 2000:
    e = expr(3)
    if e not in seen:
        seen.add(e)
        out.append(e)
with open("eval_random_cases.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
