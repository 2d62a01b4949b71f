#!/usr/bin/env python3
"""specfields.py - list the members of the request bodies sockwarden
inspects, per Engine API version, from the engine's swagger files.

Reads one or more swagger YAML files (moby's api/swagger.yaml and the frozen
api/docs/v1.NN.yaml), finds the body schema of each inspected operation,
walks it recursively and prints, for every member, the range of API
versions whose spec lists it.  The output is our own line format (see
FORMAT below); it is meant to be diffed, so it is sorted and stable.

It does not read Go sources: the swagger names the Go JSON members, but Go
structs can hold members the swagger omits (see /work/notes/spec-drift.md).
It does not know what the policy models; tests/spec/schema_drift.c compares
the table with policy/schema.c.

usage: specfields.py [-o FILE] SPEC.yaml...
       specfields.py --check TABLE SPEC.yaml...   exit 1 if TABLE differs
       specfields.py --check-version TABLE SPEC.yaml
                 exit 1 unless TABLE's facts at SPEC's version are exactly
                 those SPEC yields (works with only the newest spec)

FORMAT, one fact per line, '#' starts a comment:
  root <operation> <Type>                  the body type of an operation
  <Type> embeds <Type> <range>             promoted members (Go embedding,
                                           swagger allOf)
  <Type>.<Member> <type> <range>           a member and its JSON type
where <range> is "since vA.B" or "since vA.B until vC.D" (inclusive, the
last version that lists it), several ranges comma-separated when a member
left and came back.  Types: bool, string, string(a|b) for an enum, int,
int32, int64, uint16, uint32, uint64, number, object (free-form), []T,
map[string]T, or the name of a struct type.  A type listed "since" the
oldest version read may be older than that version.
"""
import argparse
import difflib
import sys

import yaml

# Operations whose JSON body the policy inspects: (operation, method, path,
# our name for the body type).  Named by operation, not by the swagger
# definition, because definitions were renamed and titles swapped over time.
ROOTS = [
    ("container.create", "post", "/containers/create",
     "ContainerCreateRequest"),
    ("container.update", "post", "/containers/{id}/update",
     "ContainerUpdateRequest"),
    ("exec.create", "post", "/containers/{id}/exec", "ExecConfig"),
    ("exec.start", "post", "/exec/{id}/start", "ExecStartConfig"),
    ("volume.create", "post", "/volumes/create", "VolumeCreateRequest"),
    ("network.create", "post", "/networks/create", "NetworkCreateRequest"),
    ("network.connect", "post", "/networks/{id}/connect",
     "NetworkConnectRequest"),
    ("network.disconnect", "post", "/networks/{id}/disconnect",
     "NetworkDisconnectRequest"),
    ("system.auth", "post", "/auth", "AuthConfig"),
]

# Names a type had in some versions -> the name used in the table, so a
# rename or an inline struct that later became a definition is one type.
# Inline structs get moby's Go type name where it has one.
ALIASES = {
    "Config": "ContainerConfig",
    "VolumeCreateOptions": "VolumeCreateRequest",
    "ContainerCreateRequest.NetworkingConfig": "NetworkingConfig",
    "ContainerConfig.Healthcheck": "HealthConfig",
    "EndpointSettings.IPAMConfig": "EndpointIPAMConfig",
    "HostConfig.PortBindings": "PortBinding",
    "HostConfig.LogConfig": "LogConfig",
    "Resources.Ulimits": "Ulimit",
    "Resources.BlkioWeightDevice": "WeightDevice",
    "Mount.BindOptions": "BindOptions",
    "Mount.VolumeOptions": "VolumeOptions",
    "VolumeOptions.DriverConfig": "Driver",
    "Mount.TmpfsOptions": "TmpfsOptions",
    "Mount.ImageOptions": "ImageOptions",
}


def vkey(v):
    major, minor = v.split(".")
    return (int(major), int(minor))


class Walker:
    """Collects facts of one spec: {(subject, verb, object)}."""

    def __init__(self, spec):
        self.spec = spec
        self.defs = spec.get("definitions", {})
        self.facts = set()
        self.done = set()
        self.alias = dict(ALIASES)

    def deref(self, schema):
        ref = schema.get("$ref")
        if ref is None:
            return None, schema
        name = ref.rsplit("/", 1)[-1]
        return name, self.defs[name]

    @staticmethod
    def is_map_typo(schema):
        """Old specs wrote a map as a struct with one member named
        'additionalProperties' (ContainerConfig.Volumes up to v1.36)."""
        return list(schema.get("properties") or {}) == ["additionalProperties"]

    def is_struct(self, schema):
        if self.is_map_typo(schema):
            return False
        if schema.get("properties"):
            return True
        # allOf of one non-struct type (Mount.Type: allOf [MountType])
        return any(self.is_struct(self.deref(p)[1])
                   for p in schema.get("allOf", []))

    def type_of(self, schema, owner, member):
        """The type word of a member's schema; walks struct types."""
        name, target = self.deref(schema)
        if name is not None and self.is_struct(target):
            tname = self.alias.get(name, name)
            self.struct(tname, target)
            return tname
        if self.is_struct(target):
            tname = self.alias.get(owner + "." + member,
                                   owner + "." + member)
            self.struct(tname, target)
            return tname
        if target.get("allOf"):
            return self.type_of(target["allOf"][0], owner, member)
        if self.is_map_typo(target):
            return "map[string]" + self.type_of(
                target["properties"]["additionalProperties"], owner, member)
        t = target.get("type")
        if t is None and target.get("enum") and all(
                isinstance(e, str) for e in target["enum"]):
            t = "string"	# v1.25..v1.34 Propagation: enum, no type
        if t == "array" or "items" in target:
            return "[]" + self.type_of(target.get("items", {}), owner,
                                       member)
        if t == "object" or "additionalProperties" in target:
            ap = target.get("additionalProperties")
            if isinstance(ap, dict) and ap:
                return "map[string]" + self.type_of(ap, owner, member)
            return "object"
        if t == "string":
            enum = [e for e in target.get("enum", []) if isinstance(e, str)]
            return "string(%s)" % "|".join(enum) if enum else "string"
        if t == "integer":
            return target.get("format", "int")
        if t == "boolean":
            return "bool"
        if t == "number":
            return "number"
        return "object" if t is None else t

    def struct(self, tname, schema):
        if tname in self.done:
            return
        self.done.add(tname)
        self.members(tname, schema)

    def members(self, tname, schema):
        """Members of one struct: allOf parts first, then properties."""
        for part in schema.get("allOf", []):
            name, target = self.deref(part)
            if name is None:
                self.members(tname, part)
                continue
            ename = self.alias.get(name, name)
            self.facts.add((tname, "embeds", ename))
            self.struct(ename, target)
        for member, sub in (schema.get("properties") or {}).items():
            self.facts.add((tname + "." + member, "type",
                            self.type_of(sub, tname, member)))

    def roots(self):
        for op, method, path, tname in ROOTS:
            entry = self.spec.get("paths", {}).get(path, {}).get(method)
            if entry is None:
                continue
            for prm in entry.get("parameters", []):
                if prm.get("in") == "body":
                    self.facts.add(("root", op, tname))
                    name, target = self.deref(prm["schema"])
                    if name is not None:	# the op names the type
                        self.alias[name] = tname
                    self.struct(tname, target)
        return self.facts


def ranges(present, versions):
    """Inclusive runs of versions in `present`, over the ordered list."""
    out, start, prev = [], None, None
    for v in versions:
        if v in present:
            if start is None:
                start = v
            prev = v
        elif start is not None:
            out.append((start, prev))
            start = None
    if start is not None:
        out.append((start, None))	# still listed by the newest spec
    return out


def render(facts_by_version):
    versions = sorted(facts_by_version, key=vkey)
    seen = {}
    for v in versions:
        for fact in facts_by_version[v]:
            seen.setdefault(fact, set()).add(v)
    lines = []
    for (subj, verb, obj), present in seen.items():
        rs = []
        for a, b in ranges(present, versions):
            rs.append("since v%s" % a + ("" if b is None else
                                          " until v%s" % b))
        if subj == "root":
            lines.append("root %s %s" % (verb, obj))
        elif verb == "embeds":
            lines.append("%s embeds %s %s" % (subj, obj, ", ".join(rs)))
        else:
            lines.append("%s %s %s" % (subj, obj, ", ".join(rs)))
    roots = sorted(x for x in lines if x.startswith("root "))
    rest = sorted(x for x in lines if not x.startswith("root "))
    head = [
        "# Request-body members per Engine API version, generated by",
        "# tests/spec/specfields.py from the engine's swagger files",
        "# (versions v%s .. v%s); format in the script's docstring."
        % (versions[0], versions[-1]),
        "# Regenerate, never edit by hand.",
    ]
    return "\n".join(head + roots + rest) + "\n"


def table_facts_at(path, version):
    """The facts a table states for one version."""
    facts = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            w = line.split(" ")
            if w[0] == "root":
                facts.add(("root", w[1], w[2]))
                continue
            subj, obj = w[0], w[1]
            verb = "type"
            if obj == "embeds":
                verb, obj = "embeds", w[2]
            rng = line[line.index(" since "):]
            for part in rng.split(","):
                m = part.split()
                lo, hi = m[1][1:], (m[3][1:] if len(m) > 2 else None)
                if vkey(lo) <= vkey(version) and (
                        hi is None or vkey(version) <= vkey(hi)):
                    facts.add((subj, verb, obj))
    return facts


def show(fact):
    subj, verb, obj = fact
    if subj == "root":
        return "root %s %s" % (verb, obj)
    return "%s %s" % (subj, "embeds " + obj if verb == "embeds" else obj)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", dest="out")
    ap.add_argument("--check", metavar="TABLE")
    ap.add_argument("--check-version", metavar="TABLE")
    ap.add_argument("specs", nargs="+")
    args = ap.parse_args()

    by_version = {}
    for path in args.specs:
        with open(path, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        v = str(spec["info"]["version"])
        if v in by_version:
            sys.exit("%s: version %s given twice" % (path, v))
        by_version[v] = Walker(spec).roots()
    if args.check_version:
        if len(by_version) != 1:
            sys.exit("--check-version takes one spec")
        (v, facts), = by_version.items()
        stated = table_facts_at(args.check_version, v)
        rc = 0
        for fact in sorted(facts - stated):
            print("v%s lists, the table does not: %s" % (v, show(fact)))
            rc = 1
        for fact in sorted(stated - facts):
            print("the table states, v%s does not: %s" % (v, show(fact)))
            rc = 1
        print("v%s: %d facts, %s" % (v, len(facts),
                                     "table out of date: regenerate it "
                                     "(tests/spec/README.md)" if rc else "ok"))
        return rc

    text = render(by_version)

    if args.check:
        with open(args.check, encoding="utf-8") as f:
            old = f.read()
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                args.check, "generated"))
            return 1
        return 0
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
