#!/usr/bin/env python3
"""Derive the compact OCSF 1.3.0 field table cloudwall's OCSF test checks
against (class2004.json) from the OCSF schema repository.

Usage: derive.py PATH-TO-ocsf-schema-CHECKOUT-AT-1.3.0 > class2004.json

It resolves, for the Detection Finding class (2004) and every object its
attributes reach: the attribute names (own, inherited through "extends",
and "$include"d files), each attribute's type (a dictionary scalar type
reduced to its base type, or an object name), whether it is an array,
its requirement, and enum values. Profile attributes of the class are
kept only for the profiles listed in PROFILES (the ones cloudwall's
output declares in metadata.profiles).
"""
import json, os, sys

ROOT = sys.argv[1]
PROFILES = ["cloud"]

def load(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return json.load(f)

dictionary = load("dictionary.json")
dattrs = dictionary["attributes"]
types = dictionary["types"]["attributes"]

def base_type(t):
    seen = set()
    while t in types and "type" in types[t] and t not in seen:
        seen.add(t)
        t = types[t]["type"]
    return t

objects = {}
for dirpath, _, files in os.walk(os.path.join(ROOT, "objects")):
    for fn in files:
        if fn.endswith(".json"):
            o = json.load(open(os.path.join(dirpath, fn)))
            objects[o["name"]] = o

def attrs_of(d, allowed_profiles=None):
    """Attributes of a class or object definition, with includes."""
    out = {}
    for k, v in d.get("attributes", {}).items():
        if k == "$include":
            for inc in (v if isinstance(v, list) else [v]):
                p = json.load(open(os.path.join(ROOT, inc)))
                if inc.startswith("profiles/") and allowed_profiles is not None and p.get("name") not in allowed_profiles:
                    continue
                out.update(attrs_of(p, allowed_profiles))
            continue
        out[k] = dict(out.get(k, {}), **v)
    return out

def object_attrs(name):
    o = objects[name]
    a = {}
    if o.get("extends"):
        a.update(object_attrs(o["extends"]))
    for k, v in attrs_of(o).items():
        a[k] = dict(a.get(k, {}), **v)
    return a

def describe(attrs):
    out = {}
    for k, v in sorted(attrs.items()):
        d = dattrs.get(k, {})
        t = v.get("type", d.get("type"))
        entry = {"type": base_type(t) if t in types else t,
                 "array": bool(v.get("is_array", d.get("is_array", False))),
                 "requirement": v.get("requirement", "optional")}
        enum = v.get("enum", d.get("enum"))
        if enum:
            entry["enum"] = sorted(int(x) if x.lstrip("-").isdigit() else x for x in enum)
        out[k] = entry
    return out

def class_attrs(rel):
    c = load(rel)
    a = {}
    if c.get("extends"):
        parent = {"finding": "events/findings/finding.json", "base_event": "events/base_event.json"}[c["extends"]]
        a.update(class_attrs(parent))
    for k, v in attrs_of(c, PROFILES).items():
        a[k] = dict(a.get(k, {}), **v)
    return a

cls = describe(class_attrs("events/findings/detection_finding.json"))
# class-specific enums: activity_id and type_uid of class 2004
det = load("events/findings/detection_finding.json")
cat = load("categories.json")["attributes"][det["category"]]["uid"]
class_uid = cat * 1000 + det["uid"]
acts = cls["activity_id"].get("enum", [])
cls["class_uid"]["enum"] = [class_uid]
cls["category_uid"]["enum"] = [cat]
cls["type_uid"]["enum"] = [class_uid * 100 + a for a in acts if isinstance(a, int)]

# observable.type_id: 0 and 99 are in the object; the other values come
# from the "observable" numbers of dictionary types, attributes and objects.
obs = set()
for coll in (types, dattrs, objects):
    for v in coll.values():
        if isinstance(v, dict) and isinstance(v.get("observable"), int):
            obs.add(v["observable"])

out_objects = {}
todo = [v["type"] for v in cls.values() if v["type"] in objects]
while todo:
    n = todo.pop()
    if n in out_objects:
        continue
    out_objects[n] = describe(object_attrs(n))
    todo += [v["type"] for v in out_objects[n].values() if v["type"] in objects and v["type"] not in out_objects]

if "observable" in out_objects:
    t = out_objects["observable"]["type_id"]
    t["enum"] = sorted(set(t.get("enum", [])) | obs)

json.dump({"class_uid": class_uid, "class": cls, "objects": out_objects}, sys.stdout, indent=1, sort_keys=True)
print()
