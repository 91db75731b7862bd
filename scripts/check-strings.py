#!/usr/bin/env python3
"""check-strings.py: memscope.exe's string tables agree across languages.

Reads host/strings.h (the ids) and host/strings.rc (one STRINGTABLE per LANGUAGE) and
fails (exit 1, one line per problem) unless:
  - every id of strings.h is in every language's table, once, and no table has an id
    strings.h does not define, and no two ids share a number;
  - every string has the same printf placeholders, in the same order, in every language
    (a French string with %s where English has %d would print garbage or crash);
  - no string is empty.
Usage: scripts/check-strings.py [STRINGS_H STRINGS_RC]
"""
import re
import sys

h_path, rc_path = (sys.argv[1:3] if len(sys.argv) == 3
                   else ("host/strings.h", "host/strings.rc"))
problems = []

ids = {}
for name, num in re.findall(r"^#define\s+(IDS_\w+)\s+(\d+)", open(h_path, encoding="utf-8").read(), re.M):
    if int(num) in ids.values():
        problems.append(f"{h_path}: {name} reuses the number {num}")
    ids[name] = int(num)

# A placeholder: %% or a full printf conversion (flags, width, precision, length, type).
PH = re.compile(r"%(?:%|[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|z|j|t|I64|I32|I)?"
                r"[diouxXeEfFgGaAcspn])")

tables = {}     # language -> {id: text}
lang = None
in_table = False
for lineno, line in enumerate(open(rc_path, encoding="utf-8"), 1):
    s = line.strip()
    m = re.match(r"LANGUAGE\s+(\w+)\s*,\s*(\w+)", s)
    if m:
        lang = m.group(1) + "/" + m.group(2)
        tables.setdefault(lang, {})
        continue
    if s == "BEGIN" and lang:
        in_table = True
        continue
    if s == "END":
        in_table = False
        continue
    if not in_table or not s or s.startswith("//"):
        continue
    m = re.match(r'(IDS_\w+)\s+"((?:[^"]|"")*)"\s*$', s)
    if not m:
        problems.append(f"{rc_path}:{lineno}: not an entry of the form IDS_NAME \"text\"")
        continue
    name, text = m.group(1), m.group(2).replace('""', '"')
    if name not in ids:
        problems.append(f"{rc_path}:{lineno}: {name} is not defined in {h_path}")
    if name in tables[lang]:
        problems.append(f"{rc_path}:{lineno}: {name} twice in {lang}")
    if text == "":
        problems.append(f"{rc_path}:{lineno}: {name} is empty")
    tables[lang][name] = text

if "LANG_ENGLISH/SUBLANG_ENGLISH_US" not in tables:
    problems.append(f"{rc_path}: no LANG_ENGLISH, SUBLANG_ENGLISH_US table (the fallback)")
for lang, table in tables.items():
    for name in ids:
        if name not in table:
            problems.append(f"{rc_path}: {name} is missing in {lang}")
en = tables.get("LANG_ENGLISH/SUBLANG_ENGLISH_US", {})
for lang, table in tables.items():
    for name, text in table.items():
        if name in en and PH.findall(text) != PH.findall(en[name]):
            problems.append(f"{rc_path}: {name}: {lang} has placeholders {PH.findall(text)}, "
                            f"English {PH.findall(en[name])}")

for p in problems:
    print("check-strings: " + p)
if problems:
    sys.exit(1)
print(f"check-strings: {len(ids)} strings in {len(tables)} languages, placeholders agree")
