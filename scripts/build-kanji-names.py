#!/usr/bin/env python3
"""Regenerate dictionaries/names/kanji-names.txt from JMnedict (EDRDG, CC BY-SA 4.0).

usage: scripts/build-kanji-names.py [JAMDICT_DB [IPADIC_SRC]]

IPADIC_SRC is the UTF-8 IPADIC source folder `scripts/fetch-ipadic.sh` prepares
(default ~/.cache/sekimori/ipadic-src). JMnedict and JMdict ship together in the PyPI
package `jamdict-data` 1.5 as one sqlite database; without an argument the package is
fetched and unpacked into a temporary folder (see scripts/build-foreign-names.py).

The detector's kanji pass (src/inspect/detect/name/kanji_list.rs) reads a kanji run
written without any cue (`…、犬養毅、…`) as a name when this list says so. Each line is
`WORD<TAB>FLAGS`, sorted by the UTF-8 bytes of the line (the detector binary-searches
it, so nothing is built at start-up). FLAGS is a set of:

  p  a full name (surname and given name, three to eight kanji) of a person JMnedict
     types `person` and nothing else that is not a person: not a place, company,
     organization, product, work, station…; not a JMdict word; not an IPADIC word
     other than a person's name, and not a three-kanji entry that starts with a
     common word (東洋一)
  s  a surname (one to three kanji) JMnedict types `surname`; one-kanji surnames only
     when the frequency list dictionaries/names/surnames.txt has them; never a word
     IPADIC files as a common noun, verbal noun, adverbial noun or adjectival stem, nor
     one IPADIC knows only as something other than a person's name (東京, 日本)
  g  a given name (one to three kanji) JMnedict types given/masc/fem; one-kanji given
     names only when dictionaries/names/given-kanji.txt has them and the detector's own
     short list of common one-kanji names does (ONE_KANJI_GIVEN below); never a JMdict
     word, a name JMnedict also types company/organization/product/work/station, or an
     IPADIC common noun, place or organisation
  Persons and surnames written with 高 or 崎 are also listed with 髙 and 﨑.

  x  a word of three to five kanji that splits into an `s` and a `g` but is a word or
     a place, an organisation…: a JMdict word, a JMnedict entry with a non-person type,
     an IPADIC word other than a person's name (大阪文化 is not: it is two words, and
     the `g` filter keeps 文化 out)

Also writes kanji-names.bloom, a Bloom filter (2^22 bits, three FNV-1a slices) over the
words, which the detector checks before a binary search.

Only the Python standard library is used.
"""
import collections, glob, os, re, sqlite3, subprocess, sys, tarfile, tempfile

VERSION = "1.5"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "dictionaries", "names")
KANJI = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff々〆ヶ]+$")
NOT_PERSON = {"place", "company", "organization", "product", "work", "station", "service",
              "object", "fiction", "character", "deity", "event", "mythology", "religion"}
THINGS = {"company", "organization", "product", "work", "station", "service"}
GIVEN = {"given", "masc", "fem"}
COMMON_POS = {"一般", "サ変接続", "副詞可能", "形容動詞語幹"}
VARIANTS = (("高", "髙"), ("崎", "﨑"))


BLOOM_BYTES = 1 << 19  # 2^22 bits


def bloom_bits(word):
    """The three bit positions of `word` (UTF-8 bytes): FNV-1a 64, three 22-bit slices."""
    h = 0xcbf29ce484222325
    for b in word:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    mask = BLOOM_BYTES * 8 - 1
    return (h & mask, (h >> 21) & mask, (h >> 42) & mask)


def fetch():
    tmp = tempfile.mkdtemp(prefix="jamdict-")
    subprocess.run([sys.executable, "-m", "pip", "download", f"jamdict-data=={VERSION}",
                    "--no-deps", "-d", tmp], check=True)
    with tarfile.open(glob.glob(os.path.join(tmp, "jamdict_data-*.tar.gz"))[0]) as t:
        t.extractall(tmp)
    xz = glob.glob(os.path.join(tmp, "jamdict_data-*", "jamdict_data", "jamdict.db.xz"))[0]
    subprocess.run(["xz", "-d", xz], check=True)
    return xz[:-3]


def one_kanji_given():
    """The detector's common one-kanji given names (ONE_KANJI_GIVEN in kanji.rs)."""
    src = open(os.path.join(HERE, "..", "src", "inspect", "detect", "name", "kanji.rs"),
               encoding="utf-8").read()
    return set(re.search(r'const ONE_KANJI_GIVEN: &str = "([^"]*)"', src).group(1))


def ipadic_tags(folder):
    """Surface -> set of (pos1, pos2, pos3) over every IPADIC entry."""
    tags = collections.defaultdict(set)
    for path in glob.glob(os.path.join(folder, "*.csv")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                cols = line.split(",")
                if len(cols) > 6:
                    tags[cols[0]].add((cols[4], cols[5], cols[6]))
    return tags


def lines(name):
    with open(os.path.join(OUT, name), encoding="utf-8") as f:
        return {l.strip() for l in f if l.strip()}


def main():
    db = sys.argv[1] if len(sys.argv) > 1 else fetch()
    ipadic_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.expanduser(
        "~/.cache/sekimori/ipadic-src")
    ipa = ipadic_tags(ipadic_dir)
    if not ipa:
        sys.exit(f"build-kanji-names: no IPADIC csv files in {ipadic_dir}; "
                 "run scripts/fetch-ipadic.sh or pass the folder")
    con = sqlite3.connect(db)
    types = collections.defaultdict(set)
    for word, t in con.execute(
            "select k.text, ty.text from NEKanji k join NETranslation tr on tr.idseq = k.idseq"
            " join NETransType ty on ty.tid = tr.id"):
        if KANJI.match(word):
            types[word].add(t)
    jmdict = {w for (w,) in con.execute("select text from Kanji")}
    listed_surnames = lines("surnames.txt")
    listed_given = lines("given-kanji.txt")
    one_given = one_kanji_given()

    def person_only_ipadic(w):
        return all(t[1] == "固有名詞" and t[2] == "人名" for t in ipa.get(w, ()))

    def common_word(w):
        return w in jmdict or any(t[1] in COMMON_POS for t in ipa.get(w, ()))

    # A three-kanji "person" that is a common word and one more kanji (東洋一) is left
    # out: prose uses it as the word far more often.
    persons = {w for w, ts in types.items()
               if "person" in ts and not ts & NOT_PERSON and 3 <= len(w) <= 8
               and w not in jmdict and person_only_ipadic(w)
               and not (len(w) == 3 and common_word(w[:2]))}

    def surname_ok(s):
        tags = ipa.get(s, ())
        return ("surname" in types[s]
                and (len(s) > 1 or s in listed_surnames)
                and not any(t[1] in COMMON_POS for t in tags)
                and (not tags or any(t[2] == "人名" for t in tags)))

    def given_ok(g):
        tags = ipa.get(g, ())
        person = any(t[2] == "人名" for t in tags)
        return (types[g] & GIVEN
                and (len(g) > 1 or (g in listed_given and g in one_given))
                and (g not in jmdict or person)
                and not types[g] & THINGS
                and not any(t[1] in COMMON_POS or t[2] == "組織" for t in tags)
                and not (any(t[2] == "地域" for t in tags) and not person))

    def place_surname(s):
        tags = ipa.get(s, ())
        return ("surname" in types[s] and len(s) > 1 and tags
                and all(t[1] == "固有名詞" and t[2] in ("地域", "一般") for t in tags)
                and s not in jmdict)

    surnames = {w for w in types if len(w) <= 3 and surname_ok(w)}
    place_surnames = {w for w in types if len(w) <= 3 and place_surname(w)}
    given = {w for w in types if len(w) <= 3 and given_ok(w)}

    def splits(w):
        return any(w[:i] in surnames and w[i:] in given for i in range(1, len(w)))

    words = set(jmdict) | {w for w, ts in types.items() if ts & NOT_PERSON} | {
        w for w in ipa if not person_only_ipadic(w)}
    never = {w for w in words
             if 3 <= len(w) <= 5 and KANJI.match(w) and w not in persons and splits(w)}

    # Variant forms JMnedict rarely lists but names are written with (髙橋, 山﨑).
    def variants(group):
        out = set(group)
        for w in group:
            for plain, variant in VARIANTS:
                if plain in w:
                    out.add(w.replace(plain, variant))
        return out

    persons, surnames, place_surnames = (
        variants(persons), variants(surnames), variants(place_surnames))
    flags = collections.defaultdict(str)
    for flag, group in (("g", given), ("p", persons), ("q", place_surnames), ("s", surnames), ("x", never)):
        for w in group:
            flags[w] += flag
    out = sorted((f"{w}\t{''.join(sorted(f))}" for w, f in flags.items()),
                 key=lambda l: l.encode("utf-8"))
    with open(os.path.join(OUT, "kanji-names.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    # A Bloom filter over the words, so that the detector skips the binary search for
    # almost every word that is not listed (see kanji_list.rs: same hash, same bits).
    bits = bytearray(BLOOM_BYTES)
    for w in flags:
        for b in bloom_bits(w.encode("utf-8")):
            bits[b >> 3] |= 1 << (b & 7)
    with open(os.path.join(OUT, "kanji-names.bloom"), "wb") as f:
        f.write(bits)
    print(f"kanji-names.txt: {len(out)} lines (p {len(persons)}, s {len(surnames)}, "
          f"g {len(given)}, x {len(never)})")


if __name__ == "__main__":
    main()
