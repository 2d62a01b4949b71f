#!/usr/bin/env python3
"""drift.py - compare the body members the engine's specs list
(tests/spec/fields.txt, from specfields.py) with the members policy/schema.c
models (the output of schema_dump), and fail on any difference that
tests/spec/drift-known.txt does not explain.

A difference is one of
  missing OP PATH   a spec version lists the member, schema.c does not model
                    it (the policy denies it as unknown-field when set)
  extra OP PATH     schema.c models a member no spec version lists
  type OP PATH      no spec type of the member fits schema.c's kind
Paths are Go-JSON member paths from the body's top ('.' between members,
'[]' array element, '{}' map value); they are compared case-folded, like
encoding/json matches names.  A known entry that no longer happens is an
error too, so the list stays true.

In KNOWN.txt, OP and PATH may hold '*' (any run of characters); every entry
must match at least one difference.

usage: drift.py FIELDS.txt KNOWN.txt DUMP-PROGRAM   (or DUMP-FILE)
"""
import os
import re
import subprocess
import sys

# spec type (generic form) -> schema.c kinds that decode the same JSON
FITS = {
    "bool": {"bool"},
    "string": {"string"},
    "int": {"int", "uint"},		# no format: the Go type decides
    "int32": {"int"},
    "int64": {"int"},
    "uint16": {"uint", "int"},
    "uint32": {"uint", "int"},
    "uint64": {"uint", "int"},
    "[]string": {"strings", "strslice"},
    "[][]string": {"stringss"},
    "[]int": {"uints"},
    "map[string]string": {"strmap"},
    "map[string]object": {"set"},
    "object": {"any", "set"},
    "struct": {"struct"},
    "[]struct": {"structs"},
    "map[string]struct": {"structmap"},
    "map[string][]struct": {"structsmap"},
}


def parse_range(text, versions):
    """'since v1.25 until v1.40, since v1.42' -> set of versions."""
    out = set()
    for part in text.split(","):
        m = re.fullmatch(r"\s*since v(\S+)(?: until v(\S+))?\s*", part)
        if not m:
            raise ValueError("bad range: " + text)
        lo = versions.index(m.group(1))
        hi = versions.index(m.group(2)) if m.group(2) else len(versions) - 1
        out.update(versions[lo:hi + 1])
    return out


def load_table(path):
    roots, embeds, members, versions = {}, {}, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.search(r"versions v1\.(\d+) \.\. v1\.(\d+)", line)
            if m and versions is None:
                versions = ["1.%d" % n for n in
                            range(int(m.group(1)), int(m.group(2)) + 1)]
            if not line or line.startswith("#"):
                continue
            w = line.split(" ", 3)
            if w[0] == "root":
                roots[w[1]] = w[2]
            elif w[1] == "embeds":
                embeds.setdefault(w[0], []).append(
                    (w[2], parse_range(w[3], versions)))
            else:
                # Type names may contain dots (inline structs): the member
                # is the last component.
                tname, member = w[0].rsplit(".", 1)
                rest = line[len(w[0]) + 1:]
                typ, rng = rest.split(" since ", 1)
                members.setdefault(tname, []).append(
                    (member, typ, parse_range("since " + rng, versions)))
    return roots, embeds, members, versions


def generic(typ, structs):
    """'[]Mount' -> ('[]struct', 'Mount'); 'string(a|b)' -> ('string', None)."""
    m = re.fullmatch(r"((?:\[\]|map\[string\])*)(.*)", typ)
    pre, base = m.group(1), m.group(2)
    if base in structs:
        return pre + "struct", base
    base = re.sub(r"\(.*\)$", "", base)
    return pre + base, None


def flatten(roots, embeds, members, versions):
    """{(op, folded path): (path, {generic type: versions})}"""
    structs = set(members) | set(embeds)
    out = {}

    def walk(op, tname, prefix, alive, depth):
        if depth > 16:
            return
        for ename, vs in embeds.get(tname, []):
            walk(op, ename, prefix, alive & vs, depth + 1)
        for member, typ, vs in members.get(tname, []):
            live = alive & vs
            if not live:
                continue
            path = prefix + member
            gen, sub = generic(typ, structs)
            entry = out.setdefault((op, path.lower()), (path, {}))
            entry[1].setdefault(gen, set()).update(live)
            if sub is not None:
                sep = {"struct": ".", "[]struct": "[].",
                       "map[string]struct": "{}.",
                       "map[string][]struct": "{}[]."}.get(gen, ".")
                walk(op, sub, path + sep, live, depth + 1)

    for op, tname in roots.items():
        walk(op, tname, "", set(versions), 0)
    return out


def span(vs, versions):
    vs = sorted(vs, key=versions.index)
    return "v%s..v%s" % (vs[0], vs[-1]) if vs else "-"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    fields, known_path, dump = sys.argv[1:]
    roots, embeds, members, versions = load_table(fields)
    spec = flatten(roots, embeds, members, versions)

    if os.access(dump, os.X_OK) and not dump.endswith(".txt"):
        text = subprocess.run([dump], check=True, capture_output=True,
                              text=True).stdout
    else:
        with open(dump, encoding="utf-8") as f:
            text = f.read()
    model = {}
    for line in text.splitlines():
        op, path, kind = line.split()
        model[(op, path.lower())] = (path, kind)

    # A member schema.c types "any" is denied whenever it is set, so its
    # spec subtree needs no model and any spec type fits it.
    opaque = [(op, p) for (op, p), (_, kind) in model.items()
              if kind == "any"]

    def under_opaque(op, p):
        return any(op == o and p.startswith(q) and p[len(q)] in ".[{"
                   for o, q in opaque if len(p) > len(q))

    found = {}
    ops = set(op for op, _ in model)
    for key, (path, types) in spec.items():
        op = key[0]
        if op not in ops:
            continue	# an operation schema.c does not inspect (yet)
        if under_opaque(op, key[1]):
            continue
        if key not in model:
            desc = " ".join("%s %s" % (t, span(v, versions))
                            for t, v in sorted(types.items()))
            found[("missing", op, key[1])] = "%s (%s)" % (path, desc)
            continue
        kind = model[key][1]
        bad = [t for t in types
               if kind != "any" and kind not in FITS.get(t, set())]
        if bad:
            found[("type", op, key[1])] = "%s spec %s, schema.c %s" % (
                path, ",".join("%s %s" % (t, span(types[t], versions))
                               for t in sorted(bad)), kind)
    for key, (path, kind) in model.items():
        if key not in spec:
            found[("extra", key[0], key[1])] = "%s (%s)" % (path, kind)

    def glob(pat):
        return re.compile("".join(".*" if c == "*" else re.escape(c)
                                  for c in pat.lower()) + r"\Z")

    known = {}
    with open(known_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            body = line.split("#", 1)[0].split()
            if not body:
                continue
            if len(body) != 3 or "#" not in line:
                sys.exit("%s:%d: want 'KIND OP PATH  # reason'" %
                         (known_path, n))
            known[(body[0], glob(body[1]), glob(body[2]))] = (n, body)

    def explains(entry, key):
        return entry[0] == key[0] and entry[1].match(key[1]) and \
            entry[2].match(key[2])

    rc, explained = 0, 0
    for key in sorted(found):
        if any(explains(e, key) for e in known):
            explained += 1
            continue
        print("unexplained: %s %s %s" % (key[0], key[1], found[key]))
        rc = 1
    for e, (n, body) in sorted(known.items(), key=lambda kv: kv[1][0]):
        if not any(explains(e, key) for key in found):
            print("%s:%d: stale: '%s' matches no difference any more" %
                  (known_path, n, " ".join(body)))
            rc = 1
    print("%d differences, %d explained, %s" %
          (len(found), explained, "FAIL" if rc else "ok"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
