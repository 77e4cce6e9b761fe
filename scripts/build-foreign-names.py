#!/usr/bin/env python3
"""Regenerate dictionaries/names/foreign-*.txt from JMnedict (EDRDG, CC BY-SA 4.0).

usage: scripts/build-foreign-names.py [JAMDICT_DB [IPADIC_SRC [CENSUS_DIR]]]

IPADIC_SRC is the UTF-8 IPADIC source folder `scripts/fetch-ipadic.sh` prepares
(default ~/.cache/sekimori/ipadic-src). CENSUS_DIR holds the US Census 1990 name
frequency files `dist.male.first`, `dist.female.first`, `dist.all.last` (public domain),
as shipped in the PyPI package `names` 0.3.0 (MIT); without it they are fetched with
`pip download names==0.3.0 --no-deps`. They only decide which English glosses are given
names or surnames; no census name is written out.

JMnedict and JMdict ship together in the PyPI package `jamdict-data` 1.5 as one sqlite
database. Without an argument the package is fetched and unpacked into a temporary folder:

    pip download jamdict-data==1.5 --no-deps -d DIR
    tar xzf DIR/jamdict_data-1.5.tar.gz -C DIR
    xz -d DIR/jamdict_data-1.5/jamdict_data/jamdict.db.xz

Writes, one katakana word per line, sorted (CC BY-SA 4.0, like their source):

  foreign-given.txt    foreign given names (ジョン, マリア, アレクサンドル): entries typed
                       given/masc/fem, and other katakana entries one of whose English
                       glosses is the first word of a "person" entry (John in "John Lennon")
                       or a given name of the census
  foreign-surnames.txt foreign personal names that stand alone (ヒトラー, ドストエフスキー):
                       katakana entries typed surname/person/given/masc/fem/unclass
                       whose gloss is a word of a "person" entry or that are typed as a
                       person, or whose gloss is one of the census's 20,000 most frequent
                       surnames, minus entries also typed as a place, company, organization,
                       product or work (unless typed surname too); entries typed only
                       `unclass` (44k, mostly names) are kept only when IPADIC knows the
                       word, since the detector already treats a katakana word IPADIC does
                       not know as a possible name, and the list stays small
  foreign-places.txt   katakana places that are no personal name (ニューヨーク, テネシー):
                       entries typed place and no person type, in neither list above,
                       three characters or more, none of whose English glosses holds a
                       census given name (Barry, Norman are places too); used to tell
                       teams (テネシー・タイタンズ) from persons
  foreign-things.txt   katakana names of companies, organizations and products that are
                       no personal name (ロッキード, ユヴェントス), written without `・`/`=`:
                       entries typed company/organization/product and no person type, in
                       neither name list, three characters or more

Both lists leave out every katakana word JMdict (common vocabulary) knows, since a loanword
(ラベル, システム) is not a name by itself; foreign-given.txt keeps given names that are also
loanwords (ビル, マーク, ジャック), which the detector only uses as the first part of a
chain. JMnedict's types are noisy, so the glosses are the main evidence.

Only the Python standard library is used.
"""
import collections, glob, os, re, sqlite3, subprocess, sys, tarfile, tempfile

VERSION = "1.5"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dictionaries", "names")
KATAKANA = re.compile(r"^[ァ-ヺー]{2,12}$")
CHAIN = re.compile(r"^[ァ-ヺー]+(?:[・=＝゠][ァ-ヺー]+)*$")
PERSONISH = {"surname", "person", "given", "masc", "fem", "unclass"}
THINGS = {"place", "company", "organization", "product", "work", "station", "service",
          "object", "fiction", "character", "deity"}
# A capitalized word in any Latin script (Smith, Fernán, Jürgen, Smith-Jones): glosses of
# European names keep their accents, and an ASCII-only pattern silently dropped them.
WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?$")


def fetch():
    tmp = tempfile.mkdtemp(prefix="jamdict-")
    subprocess.run([sys.executable, "-m", "pip", "download", f"jamdict-data=={VERSION}",
                    "--no-deps", "-d", tmp], check=True)
    with tarfile.open(glob.glob(os.path.join(tmp, "jamdict_data-*.tar.gz"))[0]) as t:
        t.extractall(tmp)
    xz = glob.glob(os.path.join(tmp, "jamdict_data-*", "jamdict_data", "jamdict.db.xz"))[0]
    subprocess.run(["xz", "-d", xz], check=True)
    return xz[:-3]


def fetch_census():
    tmp = tempfile.mkdtemp(prefix="names-")
    subprocess.run([sys.executable, "-m", "pip", "download", "names==0.3.0", "--no-deps",
                    "-d", tmp], check=True)
    with tarfile.open(glob.glob(os.path.join(tmp, "names-*.tar.gz"))[0]) as t:
        t.extractall(tmp)
    return glob.glob(os.path.join(tmp, "names-*", "names"))[0]


def census(folder, name, top=None):
    """Names of a census file (`SMITH 1.006 1.006 1`), as capitalized words."""
    out = set()
    with open(os.path.join(folder, name), encoding="ascii") as f:
        for line in f:
            cols = line.split()
            if cols and (top is None or int(cols[3]) <= top):
                out.add(cols[0].capitalize())
    return out


def glosses(text):
    """The English words of a gloss list (`Smith,Smyth`, `Churchill (Canada)`)."""
    out = []
    for g in text.split("\x1f"):
        g = re.sub(r"\(.*?\)", "", g).strip()
        out.append(g)
    return out


def main():
    db = sys.argv[1] if len(sys.argv) > 1 else fetch()
    ipadic_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.expanduser(
        "~/.cache/sekimori/ipadic-src")
    ipadic = set()
    for path in glob.glob(os.path.join(ipadic_dir, "*.csv")):
        with open(path, encoding="utf-8") as f:
            ipadic.update(line.split(",", 1)[0] for line in f)
    if not ipadic:
        sys.exit(f"no IPADIC source in {ipadic_dir}: run scripts/fetch-ipadic.sh")
    census_dir = sys.argv[3] if len(sys.argv) > 3 else fetch_census()
    census_first = census(census_dir, "dist.male.first") | census(census_dir, "dist.female.first")
    census_last = census(census_dir, "dist.all.last", top=20000)
    con = sqlite3.connect(db)
    # JMdict words, unless every English gloss is capitalized (ヒトラー: Hitler).
    common = set()
    q = ("SELECT k.text, g.text FROM Kana k JOIN Sense s ON s.idseq = k.idseq "
         "JOIN SenseGloss g ON g.sid = s.ID WHERE g.lang = 'eng'")
    for kana, g in con.execute(q):
        if not g[:1].isupper():
            common.add(kana)
    entries = collections.defaultdict(lambda: (set(), set()))  # kana -> (types, glosses)
    rows = con.execute(
        "SELECT k.idseq, k.text, tr.ID FROM NEKana k JOIN NETranslation tr ON tr.idseq = k.idseq")
    tids = collections.defaultdict(list)
    # Types of katakana chains too (ロールス・ロイス), keyed without their separators.
    chain_tids = collections.defaultdict(list)
    for idseq, kana, tid in rows:
        if CHAIN.match(kana):
            chain_tids[tid].append(re.sub("[・=＝゠]", "", kana))
        if not KATAKANA.match(kana):
            continue
        tids[tid].append(kana)
    thing_types = collections.defaultdict(set)
    for tid, ty in con.execute("SELECT tid, text FROM NETransType"):
        for kana in tids.get(tid, ()):
            entries[kana][0].add(ty)
        for kana in chain_tids.get(tid, ()):
            thing_types[kana].add(ty)
    for tid, g in con.execute("SELECT tid, text FROM NETransGloss"):
        for kana in tids.get(tid, ()):
            entries[kana][1].update(glosses(g))

    # English first and last words of persons (John Lennon, Adam Smith), from every
    # person entry in JMnedict, kanji ones included.
    first, last = collections.Counter(), collections.Counter()
    q = ("SELECT g.text FROM NETransGloss g JOIN NETransType t ON t.tid = g.tid "
         "WHERE t.text = 'person'")
    for (g,) in con.execute(q):
        words = re.sub(r"\(.*?\)", "", g).replace(".", " ").split()
        words = [w for w in words if WORD.match(w)]
        if len(words) >= 2:
            first[words[0]] += 1
            last[words[-1]] += 1

    # English words glossing an entry typed as a person's name (any script): a gloss
    # shared with one makes an untyped entry a likely name too.
    named = set()
    for kana, (types, gl) in entries.items():
        if types & {"surname", "given", "masc", "fem", "person"}:
            named.update(g for g in gl if WORD.match(g))

    given, surnames = set(), set()
    for kana, (types, gl) in entries.items():
        words = [g for g in gl if WORD.match(g)]
        if not words or not types & (PERSONISH | {"place"}):
            continue
        is_given = bool(types & {"given", "masc", "fem"}) or any(
            first[w] >= 1 or w in census_first for w in words)
        if is_given and types & PERSONISH and len(kana) >= 2:
            given.add(kana)
        if kana in common:
            continue
        thing = bool(types & THINGS) and "surname" not in types
        if thing:
            continue
        known_person = bool(types & {"surname", "person", "given", "masc", "fem"})
        glossed = any(last[w] >= 1 or first[w] >= 2 for w in words) or (
            types == {"unclass"}
            and (kana in ipadic or any(w in named or w in census_last for w in words)))
        if (known_person or glossed) and len(kana) >= 3:
            surnames.add(kana)
    places = set()
    for kana, (types, gl) in entries.items():
        if ("place" not in types or types & PERSONISH or kana in given or kana in surnames
                or len(kana) < 3):
            continue
        if any(w in census_first for g in gl for w in g.split()):
            continue
        places.add(kana)
    things = set()
    org_types = {"company", "organization", "product"}
    for kana, types in thing_types.items():
        if not types & org_types or types & PERSONISH or kana in given or kana in surnames:
            continue
        if 3 <= len(kana) <= 24:
            things.add(kana)
    for name, words in [("foreign-given.txt", given), ("foreign-surnames.txt", surnames),
                        ("foreign-places.txt", places), ("foreign-things.txt", things)]:
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write("".join(w + "\n" for w in sorted(words)))
        print(f"{name}: {len(words)}", file=sys.stderr)


if __name__ == "__main__":
    main()
