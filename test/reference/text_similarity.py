#!/usr/bin/python3
"""Reference values of minqing.text_similarity (test/pgtap/text.sql): Jaccard
index of the character-bigram sets after NFKC and removing characters of
Unicode category P*, Z*, Cc, Cf (punctuation, spaces, controls); a text of one
character is the set of that character; NULL when both sets are empty.
Pairs: sentences of text_segment_corpus.tsv with edited copies (punctuation
and spaces added, full-width forms, characters dropped or replaced) and with
other sentences.  Output: test/reference/text_similarity_pairs.tsv
(a <TAB> b <TAB> similarity, COPY text format, \\N for NULL).
Run from the repository root: /usr/bin/python3 test/reference/text_similarity.py
"""
import random
import unicodedata

rng = random.Random(16)


def unesc(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def clean(s):
    s = unicodedata.normalize("NFKC", s)
    return [c for c in s if not (unicodedata.category(c)[0] in "PZ" or unicodedata.category(c) in ("Cc", "Cf"))]


def grams(s):
    c = clean(s)
    if len(c) == 1:
        return {c[0]}
    return {(c[i], c[i + 1]) for i in range(len(c) - 1)}


def sim(a, b):
    x, y = grams(a), grams(b)
    if not x and not y:
        return None
    return len(x & y) / len(x | y)


def edit(s):
    c = list(s)
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        i = rng.randint(0, len(c))
        if r < 0.3:
            c.insert(i, rng.choice(["，", "。", " ", "！", "\u3000", ",", "\t", "…", "、"]))
        elif r < 0.5 and c:
            del c[min(i, len(c) - 1)]
        elif r < 0.7 and c:
            c[min(i, len(c) - 1)] = rng.choice("的了是在我楼道充电水")
        else:
            c = [chr(ord(x) + 0xFEE0) if "!" <= x <= "~" else x for x in c]
    return "".join(c)


corpus = [unesc(line.split("\t")[0]) for line in open("test/reference/text_segment_corpus.tsv", encoding="utf-8")]
pairs = [("", ""), ("好", "好"), ("好", "坏"), ("，。！", ""), ("ＡＢＣ", "abc"), ("AB", "ab"),
         ("小区楼道里有人飞线充电！", "小区楼道里 有人飞线充电"), ("ﬁ", "fi"), ("①②", "12")]
for _ in range(300):
    s = rng.choice(corpus)
    pairs.append((s, edit(s)))
for _ in range(100):
    pairs.append((rng.choice(corpus), rng.choice(corpus)))
with open("test/reference/text_similarity_pairs.tsv", "w", encoding="utf-8", newline="\n") as out:
    for a, b in pairs:
        v = sim(a, b)
        out.write("%s\t%s\t%s\n" % (esc(a), esc(b), "\\N" if v is None else repr(v)))
print(len(pairs), "pairs")
