#!/usr/bin/env python3
"""Regenerate dictionaries/variants/kanji-variants.tsv: variant kanji -> common form.

usage: scripts/build-kanji-variants.py [UNIHAN_DIR [KANJIDIC_DB]]

UNIHAN_DIR holds the Unihan database as the Debian package `unicode-data` ships it
(`apt-get install -y unicode-data`: /usr/share/unicode/Unihan_*.txt.bz2, the default);
plain `Unihan_*.txt` files from Unicode's Unihan.zip work too.

KANJIDIC_DB (optional) is the jamdict sqlite database of the PyPI package `jamdict-data`
1.5 (KANJIDIC2, EDRDG, CC BY-SA 4.0), unpacked as scripts/build-foreign-names.py says.
Its variant cross-references give the Japanese old-form -> new-form pairs Unihan lacks
(邊 -> 辺, 濱 -> 浜, 齋 -> 斎: the Japanese simplifications of 1946 are not Chinese ones,
so Unihan's variant fields do not link them).

The fold the table feeds (src/text/fold.rs) must keep every character's UTF-8 length,
so only three-byte ideographs take part: CJK Unified Ideographs (U+4E00-U+9FFF),
Extension A (U+3400-U+4DBF) and the compatibility block (U+F900-U+FAFF; NFKC already
maps most of it, but its twelve unified ideographs such as 﨑 U+FA11 have no
decomposition). Extension B and later (four bytes, 𠮟 𡈽 𥔎) stay as they are.

Which character a variant folds to, and why:
1. the common forms are the Jōyō kanji (kJoyoKanji); they never fold, so two Jōyō
   kanji that Unihan calls variants (斉 and 斎) stay apart;
2. kJinmeiyoKanji `2010:U+xxxx` names the Jōyō form of a Jinmeiyō old form
   (祕 -> 秘, 峯 -> 峰): taken as it is; so are the four kJoyoKanji `U+xxxx` (剝 <- 剥:
   the list's allowed form);
3. otherwise the Jōyō kanji reached from the variant through the Japanese sources'
   "same character" links (KANJIDIC2's variant cross-references, the kSemanticVariant
   links Morohashi's Dai Kan-Wa Jiten marks `:Z`), then also kZVariant, then any
   kSemanticVariant, then kTraditionalVariant/kSimplifiedVariant pairs that are
   one-to-one (国 <-> 國; 发 -> 發 髮 is not), passing only through characters that are
   no Jōyō kanji, at most three links away; the nearest wins; a tie (two Jōyō kanji at
   the same distance) goes to the one with stronger direct links, or leaves the
   character unfolded. A character of JIS X 0208 (kJis0: the repertoire of Japanese
   text) folds through the Japanese sources only: the Chinese-centred links are wrong
   for many Japanese characters (栗 chestnut is no 慄, 叶 no 葉, 筑 no 築, 鯰 no 鮎);
4. a Jinmeiyō kanji that reaches no Jōyō kanji is a common form too, and step 3 is
   repeated towards those; anything else (rare and Chinese-only forms) stays as it is.
kSpecializedSemanticVariant (meanings that only overlap) and kSpoofingVariant are not
used.

Writes one pair per line, `variant<TAB>common<TAB>how`, sorted by code point.
"""
import bz2
import collections
import os
import re
import sqlite3
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "dictionaries", "variants", "kanji-variants.tsv")


def three_byte_ideograph(cp):
    """A three-byte ideograph that reaches the fold: compatibility ideographs with a
    decomposition are gone after NFKC."""
    in_blocks = 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
    return in_blocks and unicodedata.decomposition(chr(cp)) == ""


def read_unihan(folder):
    rows = collections.defaultdict(dict)
    version = None
    for name in ("Unihan_Variants", "Unihan_OtherMappings"):
        path = os.path.join(folder, name + ".txt")
        opener = open
        if not os.path.exists(path):
            path += ".bz2"
            opener = bz2.open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.startswith("# Unicode version:"):
                    version = line.split(":", 1)[1].strip()
                if line.startswith("#") or not line.strip():
                    continue
                cp, field, value = line.rstrip("\n").split("\t")
                rows[int(cp[2:], 16)][field] = value
    return rows, version


def targets(value):
    """(code point, sources) of one Unihan variant field value."""
    out = []
    for item in value.split():
        cp, _, src = item.partition("<")
        out.append((int(cp[2:], 16), src))
    return out


def kanjidic_pairs(db):
    """(character, variant) pairs from KANJIDIC2's variant cross-references (JIS X 0208,
    JIS X 0212, JIS X 0213 and UCS codes), resolved through its code point table."""
    con = sqlite3.connect(db)
    by_code = {}
    for literal, kind, value in con.execute(
        "SELECT c.literal, p.cp_type, p.value FROM character c JOIN codepoint p ON p.cid = c.ID"
    ):
        by_code[(kind, value)] = literal
    pairs = []
    for literal, kind, value in con.execute(
        "SELECT c.literal, v.var_type, v.value FROM character c JOIN variant v ON v.cid = c.ID"
        " WHERE v.var_type IN ('jis208', 'jis212', 'jis213', 'ucs')"
    ):
        other = by_code.get((kind, value))
        if other is None and kind == "ucs":
            other = chr(int(value, 16))
        if other and other != literal and len(other) == 1:
            pairs.append((literal, other))
    return pairs


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
    kanjidic = sys.argv[2] if len(sys.argv) > 2 else None
    rows, version = read_unihan(folder)

    # JIS X 0208: the repertoire of Japanese text; such a character is a word of its own
    # unless Japanese sources say it is a variant.
    jis = {cp for cp, r in rows.items() if "kJis0" in r}
    joyo = {cp for cp, r in rows.items() if r.get("kJoyoKanji") == "2010"}
    jinmeiyo = {cp for cp, r in rows.items() if re.fullmatch(r"\d{4}", r.get("kJinmeiyoKanji", ""))}
    direct = {}  # variant -> (common, how)
    for cp, r in rows.items():
        m = re.fullmatch(r"\d{4}:U\+([0-9A-F]+)", r.get("kJinmeiyoKanji", ""))
        if m:
            direct[cp] = (int(m.group(1), 16), "kJinmeiyoKanji")
        m = re.fullmatch(r"U\+([0-9A-F]+)", r.get("kJoyoKanji", ""))
        if m:
            # The Jōyō list's allowed form: fold it to the listed one.
            direct[int(m.group(1), 16)] = (cp, "kJoyoKanji")
    # Links by strength: 0 same character for a Japanese source (KANJIDIC2, Morohashi's
    # Dai Kan-Wa Jiten), 1 same character (kZVariant), 2 same meaning, 3 one-to-one
    # simplification.
    links = [collections.defaultdict(set) for _ in range(4)]
    kanjidic_links = set()

    # Weight of the direct links between two characters, to break ties: Morohashi :Z 3,
    # KANJIDIC2 and kZVariant 2, others 1.
    weight = collections.Counter()

    def link(level, a, b, w=1):
        if a != b:
            links[level][a].add(b)
            links[level][b].add(a)
            weight[(a, b)] += w
            weight[(b, a)] += w

    for cp, r in rows.items():
        for t, _ in targets(r.get("kZVariant", "")):
            link(1, cp, t, 2)
        for t, src in targets(r.get("kSemanticVariant", "")):
            z = re.search(r"kMorohashi:T?Z\b", src) is not None
            link(0 if z else 2, cp, t, 3 if z else 1)
        # One-to-one simplifications only (国 <-> 國); 发 <- 發 髮 would merge words.
        def others(c, field):
            return [t for t, _ in targets(rows.get(c, {}).get(field, "")) if t != c]

        for field, back in (
            ("kTraditionalVariant", "kSimplifiedVariant"),
            ("kSimplifiedVariant", "kTraditionalVariant"),
        ):
            there = others(cp, field)
            if len(there) == 1 and others(there[0], back) == [cp]:
                link(3, cp, there[0])
    if kanjidic:
        # KANJIDIC2 lists the Japanese variant forms: as strong as a kZVariant.
        for a, b in kanjidic_pairs(kanjidic):
            link(0, ord(a), ord(b), 2)
            kanjidic_links.add((ord(a), ord(b)))
            kanjidic_links.add((ord(b), ord(a)))

    def nearest(cp, commons):
        # Chinese-centred links (any kSemanticVariant, simplifications) are wrong for
        # many Japanese characters (栗 chestnut is no 慄, 叶 no 葉, 筑 no 築): a JIS X 0208
        # character folds only through "same character" links.
        levels = 1 if cp in jis else 4
        return nearest_within(cp, commons, levels)

    def nearest_within(cp, commons, levels):
        """The common form nearest to cp and how it was found, or None (none, or a tie
        that the weights of the direct links do not break)."""
        for level in range(levels):
            seen = {cp}
            frontier = [cp]
            for _ in range(3):
                reached = set()
                nxt = []
                for x in frontier:
                    for lv in range(level + 1):
                        for y in links[lv].get(x, ()):
                            if y in seen or not three_byte_ideograph(y):
                                continue
                            seen.add(y)
                            if y in commons:
                                reached.add(y)
                            else:
                                nxt.append(y)
                if len(reached) > 1:
                    ranked = sorted(reached, key=lambda t: (-weight[(cp, t)], t))
                    if weight[(cp, ranked[0])] <= weight[(cp, ranked[1])]:
                        return None
                    reached = {ranked[0]}
                if reached:
                    t = reached.pop()
                    how = ["kSemanticVariant:Z", "kZVariant", "kSemanticVariant",
                           "kTraditionalVariant"][level]
                    if level == 0 and (cp, t) in kanjidic_links:
                        how = "KANJIDIC2"
                    return t, how
                frontier = nxt
        return None

    fold = {}
    for cp, (t, how) in direct.items():
        if three_byte_ideograph(cp) and three_byte_ideograph(t) and cp not in joyo and t in joyo:
            fold[cp] = (t, how)
    nodes = set()
    for lv in links:
        nodes.update(lv)
    nodes = {cp for cp in nodes if three_byte_ideograph(cp)}
    for cp in sorted(nodes - joyo - set(fold)):
        hit = nearest(cp, joyo)
        if hit:
            fold[cp] = hit
    commons = jinmeiyo - set(fold) - joyo
    for cp in sorted(nodes - joyo - commons - set(fold)):
        hit = nearest(cp, commons)
        if hit:
            fold[cp] = hit
    # Every target is a fixed point (the fold is idempotent).
    assert all(t not in fold for t, _ in fold.values())

    with open(OUT, "w", encoding="utf-8") as f:
        f.write(
            "# Variant kanji and the common form the word-list fold maps them to.\n"
            f"# Generated by scripts/build-kanji-variants.py from Unihan {version}"
            " (Debian unicode-data)"
            + (" and KANJIDIC2 (jamdict-data 1.5, EDRDG, CC BY-SA 4.0)" if kanjidic else "")
            + ". Do not edit.\n"
            "# variant<TAB>common<TAB>how (the field that links them)\n"
        )
        for cp in sorted(fold):
            t, how = fold[cp]
            f.write(f"{chr(cp)}\t{chr(t)}\t{how}\n")
    print(f"{len(fold)} pairs -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
