#!/usr/bin/env python3
"""Build the Camden sample extract (data/demo/camden/) from ../shared/data.

Python 3 standard library only. Every output file keeps its source's header line, encoding,
quoting and line endings byte for byte: the script selects whole lines and never re-encodes
them, so the same readers (crates/uplift-ingest) read the extract and the national files.

Usage: python3 scripts/build-camden-extract.py [SHARED_DATA_DIR] [OUT_DIR]
Defaults: ../shared/data relative to the workspace root, and data/demo/camden.
"""

import collections
import csv
import hashlib
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "data", "demo", "camden")

LA = "202"  # Camden (new LA code E09000007)
NEW_LA = "E09000007"


def split_lines(data):
    """Split bytes into physical records, keeping each record's line ending.

    Quote-aware: a newline inside double quotes does not end a record (none of the current
    files has one, but the script stays correct if one appears)."""
    out, start, in_quotes = [], 0, False
    for i, b in enumerate(data):
        if b == 0x22:
            in_quotes = not in_quotes
        elif b == 0x0A and not in_quotes:
            out.append(data[start : i + 1])
            start = i + 1
    if start < len(data):
        out.append(data[start:])
    return out


def fields(line):
    """Parse one record's fields. Latin-1 maps every byte to one character, so codes and
    numbers read correctly whatever the file's real encoding (UTF-8 or cp1252)."""
    text = line.decode("latin-1").rstrip("\r\n")
    if text.startswith("\ufeff") or text.startswith("\xef\xbb\xbf"):
        text = text[3:] if text.startswith("\xef\xbb\xbf") else text[1:]
    return next(csv.reader(io.StringIO(text)), [])


class Source:
    def __init__(self, rel):
        self.rel = rel
        with open(os.path.join(SRC, rel), "rb") as f:
            self.data = f.read()
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        lines = split_lines(self.data)
        self.header_line = lines[0]
        self.header = fields(lines[0])
        self.rows = [(line, fields(line)) for line in lines[1:] if line.strip(b"\r\n")]

    def col(self, name):
        return self.header.index(name)


written = []  # (output name, source, filter text, rows in, rows out)


def write(src, keep, description):
    kept = [line for line, f in src.rows if keep(f)]
    if not kept:
        print(f"{src.rel}: no Camden rows; skipped")
        return
    # The last kept line may lack a final newline (it was the last line of the source); give
    # it the file's own line ending unless it is also the last line of the extract.
    ending = b"\r\n" if src.header_line.endswith(b"\r\n") else b"\n"
    body = [l if l.endswith(b"\n") else l + ending for l in kept[:-1]] + [kept[-1]]
    name = os.path.basename(src.rel)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(src.header_line)
        f.write(b"".join(body))
    written.append((name, src, description, len(src.rows), len(kept)))
    print(f"{src.rel}: {len(kept)} of {len(src.rows)} rows")


def main():
    s = {rel: Source(rel) for rel in [
        "gias/edubaseallstatefunded_2026_EXCERPT.csv",
        "gias/sample_edubasealldata_2018_4rows.csv",
        "gias/links_edubasealldata20250422.csv",
        "gias/links_edubasealldata_20250727.csv",
        "gias/allgroupsdata_2022_processed.csv",
        "gias/alllinksdata_grouplinks_2022_processed.csv",
        "ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv",
        "performance/spc_school_level_underlying_data_202223.csv",
        "performance/england_census.csv",
        "performance/england_abs.csv",
        "performance/england_ks4provisional.csv",
        "performance/england_ks4-pupdest.csv",
        "performance/ks4_school_info_202324.csv",
        "performance/england_ks2final_primary_relevant_columns.csv",
    ]}

    # Camden URNs from every file that gives a school's LA.
    camden = set()
    def collect(rel, urn_col, test):
        src = s[rel]
        u = src.col(urn_col)
        for _, f in src.rows:
            if len(f) == len(src.header) and test(src, f) and f[u].isdigit():
                camden.add(f[u])
    collect("gias/edubaseallstatefunded_2026_EXCERPT.csv", "URN", lambda src, f: f[src.col("LA (code)")] == LA)
    collect("gias/sample_edubasealldata_2018_4rows.csv", "URN", lambda src, f: f[src.col("LA (code)")] == LA)
    collect("gias/alllinksdata_grouplinks_2022_processed.csv", "URN", lambda src, f: f[src.col("LA (code)")] == LA)
    collect("performance/spc_school_level_underlying_data_202223.csv", "urn", lambda src, f: f[src.col("old_la_code")] == LA)
    collect("performance/england_census.csv", "URN", lambda src, f: f[src.col("LA")] == LA)
    collect("performance/england_abs.csv", "URN", lambda src, f: f[src.col("LA")] == LA)
    collect("performance/england_ks4provisional.csv", "URN", lambda src, f: f[src.col("LEA")] == LA)
    collect("performance/england_ks4-pupdest.csv", "URN", lambda src, f: f[src.col("LEA")] == LA)
    collect("performance/ks4_school_info_202324.csv", "school_urn", lambda src, f: f[src.col("old_la_code")] == LA)
    collect("ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv", "URN", lambda src, f: f[src.col("LAESTAB")].startswith(LA))

    def by(rel, name, value):
        i = s[rel].col(name)
        return lambda f: len(f) > i and f[i] == value

    write(s["gias/edubaseallstatefunded_2026_EXCERPT.csv"], by("gias/edubaseallstatefunded_2026_EXCERPT.csv", "LA (code)", LA), "`LA (code)` = 202")
    write(s["gias/sample_edubasealldata_2018_4rows.csv"], by("gias/sample_edubasealldata_2018_4rows.csv", "LA (code)", LA), "`LA (code)` = 202")
    for rel in ["gias/links_edubasealldata20250422.csv", "gias/links_edubasealldata_20250727.csv"]:
        u, l = s[rel].col("URN"), s[rel].col("LinkURN")
        write(s[rel], lambda f: len(f) > l and (f[u] in camden or f[l] in camden), "`URN` or `LinkURN` is a Camden URN")
    gl = "gias/alllinksdata_grouplinks_2022_processed.csv"
    write(s[gl], by(gl, "LA (code)", LA), "`LA (code)` = 202")
    uid = s[gl].col("Group UID")
    uids = {f[uid] for _, f in s[gl].rows if len(f) > uid and f[s[gl].col("LA (code)")] == LA}
    g = "gias/allgroupsdata_2022_processed.csv"
    gu = s[g].col("Group UID")
    write(s[g], lambda f: len(f) > gu and f[gu] in uids, "`Group UID` referenced by a Camden group link")
    o = "ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv"
    oi = s[o].col("LAESTAB")
    write(s[o], lambda f: len(f) > oi and f[oi].startswith(LA), "`LAESTAB` starts with 202")
    spc = "performance/spc_school_level_underlying_data_202223.csv"
    write(s[spc], by(spc, "old_la_code", LA), "`old_la_code` = 202 (`new_la_code` E09000007)")
    c = "performance/england_census.csv"
    ci, cu = s[c].col("LA"), s[c].col("URN")
    write(s[c], lambda f: len(f) > ci and (f[ci] == LA or f[cu] == "NAT"), "`LA` = 202, plus the national rows (`URN` = NAT)")
    a = "performance/england_abs.csv"
    ai = s[a].col("LA")
    write(s[a], lambda f: len(f) > ai and f[ai] in (LA, "NAT"), "`LA` = 202, plus the national rows (`LA` = NAT)")
    for k in ["performance/england_ks4provisional.csv", "performance/england_ks4-pupdest.csv"]:
        ri, li = s[k].col("RECTYPE"), s[k].col("LEA")
        write(s[k], lambda f: len(f) > li and (f[li] == LA or f[ri] in ("5", "7", "NAT")),
              "`LEA` = 202 (schools and the LA total), plus the national rows (RECTYPE 5/7/NAT)")
    e = "performance/ks4_school_info_202324.csv"
    ei, gi = s[e].col("old_la_code"), s[e].col("geographic_level")
    write(s[e], lambda f: len(f) > ei and (f[ei] == LA or f[gi] == "National"),
          "`old_la_code` = 202 (`new_la_code` E09000007), plus National rows (none in this file)")

    # KS2 subset: no LA column. School rows are joined to Camden on URN. Each LA's schools are
    # followed by that LA's total (RECTYPE 3), so the LA-total row that closes the block holding
    # Camden's schools is Camden's. National rows are RECTYPE 4 and 5.
    k2 = "performance/england_ks2final_primary_relevant_columns.csv"
    ri, ui = s[k2].col("RECTYPE"), s[k2].col("URN")
    block, blocks = 0, collections.Counter()
    for _, f in s[k2].rows:
        if f[ri] == "3":
            block += 1
        elif f[ri] in ("1", "2") and f[ui] in camden:
            blocks[block] += 1
    camden_block = blocks.most_common(1)[0][0]
    state = {"block": 0}
    def keep_ks2(f):
        if f[ri] == "3":
            keep = state["block"] == camden_block
            state["block"] += 1
            return keep
        return f[ri] in ("4", "5") or (f[ri] in ("1", "2") and f[ui] in camden)
    write(s[k2], keep_ks2, "`URN` is a Camden URN (joined via GIAS, SPC, census, absence, KS4 files), "
          f"plus the LA-total row (RECTYPE 3) closing Camden's block (RECTYPE 3 row number {camden_block + 1} in file order), "
          "plus the national rows (RECTYPE 4 and 5)")

    with open(os.path.join(OUT, "PROVENANCE.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Camden sample extract: provenance\n\n")
        f.write("Built by `scripts/build-camden-extract.py` from the files in `../shared/data` (see "
                "`shared/data/PROVENANCE.md` for where each came from). Camden is LA code 202 "
                "(GSS code E09000007). Each file here keeps its source's header, encoding, quoting and "
                "line endings: whole lines were selected, never re-encoded, so the same readers read them. "
                "Re-run the script to rebuild; the output is deterministic.\n\n")
        f.write("Contains public sector information licensed under the Open Government Licence v3.0 "
                "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). "
                "Publishers: Department for Education, Ofsted.\n\n")
        f.write("| file | source (shared/data/…) | source sha256 | filter | source rows | rows kept |\n")
        f.write("|---|---|---|---|---|---|\n")
        for name, src, desc, n_in, n_out in written:
            f.write(f"| {name} | {src.rel} | {src.sha256} | {desc} | {n_in} | {n_out} |\n")
        f.write(f"\nCamden URNs known across the files: {len(camden)}. Files with no Camden rows were "
                "not written (`sample_edubasealldata_2018_4rows.csv` has none). The KS2 file is 2012/13 "
                "data and the GIAS excerpt covers only the first Camden URNs (100000–100048): joins are "
                "partial by nature.\n")


if __name__ == "__main__":
    main()
