"""Candidate quotes: the sentences of a source text that mention an actor (and an issue),
ranked, so that citing a value takes minutes rather than an afternoon.

How sentences are found: the text (Markdown or plain) is cut into blocks at blank lines;
within a block, heading, quotation and list markers at the start of a line are dropped,
lines are joined, and the block is cut after ``.``, ``!`` or ``?`` (and any closing
quote, bracket or Markdown emphasis) followed by a space and a capital letter, a digit or
an opening quote (after any emphasis, as a pull quote set in italics has).
A sentence over ``MAX_SENTENCE_CHARS`` (10,000, the longest quote a scenario holds) is
cut, at a space where there is one, into pieces no longer. Each sentence keeps the line
it starts on and where it stands in the text (its start and end offsets). Its text is
the source's, with line breaks and runs of spaces made single spaces, so a sentence given
as a quote passes the scenario's quote check (which forgives whitespace, typographic
quotes and ``*``).

How an actor is recognised: whole words (case ignored, a plural's or possessive's ``s``
dropped) matching any of its terms: its name, its id, the aliases given, and demonyms
derived from its name: a small table of common irregular ones (``Turkey``: Turkish,
Turk; ``France``: French; ``United States``: American, US, U.S.; ...) and otherwise a
rule: a name ending in ``a`` adds ``n`` (Russia: Russian, Armenia: Armenian), one ending
in ``an`` adds ``i`` (Azerbaijan: Azerbaijani, Pakistan: Pakistani). A term written in
capitals (``US``, ``U.S.``, ``EU``) matches only in capitals, so ``US`` is not ``us``.
Capitals used for their governments (Moscow, Baku) are not derived: give them as
aliases.

How sentences are ranked: only sentences with at least one actor mention are candidates.
Each scores the sum, over the distinct issue keywords it contains, of the keyword's
inverse document frequency over the text's sentences (``ln(1 + (N - n + 0.5) / (n +
0.5))``, BM25's: a word found in few sentences counts more), plus one point per actor
mention up to three. Issue keywords are the words of the issue's id, question and named
scale points, less common English words and the actor's own terms (counted as mentions).
Ties keep the text's order; a sentence repeated word for word (a pull quote) is listed
once, at its first line.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from statecraft.scenario.quotes import normalise

_LINE_MARKER = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)+")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’')\]*_]*\s+(?=[*_]{0,3}[\"“‘(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*")
_SPACE = re.compile(r"\s+")

MAX_ACTOR_POINTS = 3
"""Actor mentions counted towards a sentence's score (a sentence naming the actor five
times is no likelier to state its stance than one naming it three times)."""

IRREGULAR_DEMONYMS: dict[str, tuple[str, ...]] = {
    "turkey": ("Turkish", "Turk", "Türkiye"),
    "france": ("French",),
    "germany": ("German",),
    "united states": ("American", "US", "U.S.", "USA", "U.S.A."),
    "united kingdom": ("British", "UK", "U.K.", "Britain"),
    "china": ("Chinese",),
    "japan": ("Japanese",),
    "israel": ("Israeli",),
    "iran": ("Iranian",),
    "iraq": ("Iraqi",),
    "netherlands": ("Dutch",),
    "ukraine": ("Ukrainian",),
    "european union": ("EU", "E.U.", "European"),
    "switzerland": ("Swiss",),
    "greece": ("Greek",),
    "poland": ("Polish", "Pole"),
    "spain": ("Spanish",),
    "sweden": ("Swedish",),
    "denmark": ("Danish",),
    "finland": ("Finnish",),
    "ireland": ("Irish",),
    "italy": ("Italian",),
}
"""Demonyms no simple rule derives, by lower-case name."""

_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its itself
just less many may me might more most much must my no nor not now of off on once only or
other our ours out over own per same shall she should so some such than that the their
theirs them then there these they this those through to too under until up upon very was
we were what when where whether which while who whom why will with within without would
you your one two does do done far long well what's
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
"""Common English words that are never issue keywords."""


@dataclass(frozen=True)
class Sentence:
    """A sentence of a source text, the (1-based) line it starts on and, when
    ``split_sentences`` found it, where it stands in the text: ``text[start:end]`` runs
    from its first character to its last (any line breaks and markers of the lines it
    continues on included)."""

    line: int
    text: str
    start: int | None = field(default=None, compare=False)
    end: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Candidate:
    """A sentence worth citing: its line, text, score, the actor terms and the issue
    keywords it contains (as found in the text, lower case), and its sentence's ``start``
    and ``end`` in the text (None when the sentence carried none)."""

    line: int
    text: str
    score: float
    actor_terms: tuple[str, ...]
    keywords: tuple[str, ...]
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"line": self.line, "text": self.text, "score": round(self.score, 4),
                "actor_terms": list(self.actor_terms), "keywords": list(self.keywords)}


def _blocks(text: str) -> Iterable[list[tuple[int, str, int]]]:
    """The text's blocks, each a list of (line number, line less its markers, where that
    remainder starts in the text)."""
    block: list[tuple[int, str, int]] = []
    fenced = False
    at = 0  # where the line starts in the text
    for number, kept in enumerate(text.splitlines(keepends=True), start=1):
        line_start = at
        at += len(kept)
        line = kept.splitlines()[0] if kept else kept
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            if block:
                yield block
            block = []
            continue
        if fenced:
            continue
        if not line.strip():
            if block:
                yield block
            block = []
            continue
        rest = _LINE_MARKER.sub("", line)
        block.append((number, rest, line_start + len(line) - len(rest)))
    if block:
        yield block


MAX_SENTENCE_CHARS = 10_000
"""Longest candidate: a longer sentence is cut (at a space where there is one) into
pieces of at most this many characters, since a scenario's quote holds at most 10,000."""


def _pieces(joined: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each sentence of a block's joined text, an over-long one cut into
    pieces of at most ``MAX_SENTENCE_CHARS``."""
    position = 0
    for end in [m.end() for m in _BOUNDARY.finditer(joined)] + [len(joined)]:
        while end - position > MAX_SENTENCE_CHARS:
            cut = joined.rfind(" ", position + 1, position + MAX_SENTENCE_CHARS + 1)
            cut = cut if cut > position else position + MAX_SENTENCE_CHARS
            yield position, cut
            position = cut
        yield position, end
        position = end


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of a Markdown or plain text, each with the line it starts on; a
    sentence over ``MAX_SENTENCE_CHARS`` is cut into pieces (the module's docstring)."""
    out = []
    for block in _blocks(text):
        offsets: list[int] = []  # where each line starts in the joined text
        numbers: list[int] = []
        in_text: list[int] = []  # where that line's joined part starts in the text
        at = 0
        for number, line, where in block:
            offsets.append(at)
            numbers.append(number)
            in_text.append(where)
            at += len(line) + 1
        joined = " ".join(line for _, line, _ in block)
        for start, end in _pieces(joined):
            raw = joined[start:end]
            lead = len(raw) - len(raw.lstrip())
            sentence = _SPACE.sub(" ", raw).strip()
            if sentence:
                first = bisect.bisect_right(offsets, start + lead) - 1
                last_char = start + len(raw.rstrip()) - 1
                last = bisect.bisect_right(offsets, last_char) - 1
                out.append(Sentence(
                    numbers[first], sentence,
                    in_text[first] + start + lead - offsets[first],
                    in_text[last] + last_char - offsets[last] + 1))
    return out


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace(".", "")
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """The words of ``text``, lower case, a plural's or possessive's ``s`` dropped and
    dots inside abbreviations removed (``U.S.`` -> ``us``)."""
    return [_stem(w) for w in _WORD.findall(text)]


def demonyms(name: str) -> list[str]:
    """Demonyms of a place name: the table's, else the simple rule's (see the module's
    docstring); none for a name no rule fits."""
    key = " ".join(name.lower().split())
    if key in IRREGULAR_DEMONYMS:
        return list(IRREGULAR_DEMONYMS[key])
    if " " in key:
        return []
    if key.endswith("a"):
        return [name + "n"]
    if key.endswith("an"):
        return [name + "i"]
    return []


def actor_terms(name: str, actor_id: str | None = None, aliases: Sequence[str] = ()
                ) -> list[str]:
    """The terms an actor is recognised by: name, id, aliases and derived demonyms,
    each once (compared as ``words``)."""
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for term in [name, *(aliases or ()), *([actor_id] if actor_id else []), *demonyms(name)]:
        key = tuple(words(term))
        if key and key not in seen:
            seen.add(key)
            out.append(term)
    return out


_STOP_STEMS = frozenset(_stem(w) for w in STOP_WORDS)


def issue_keywords(texts: Iterable[str]) -> list[str]:
    """The keywords of an issue's id, question and scale labels: their words less
    ``STOP_WORDS`` and numbers below 100 (scale positions, told by their digits, so a
    number of any length is read), each once."""
    out: dict[str, None] = {}  # in first-seen order, each looked up in constant time
    for text in texts:
        for w in words(text.replace("_", " ").replace("-", " ")):
            if w in _STOP_STEMS or (w.isdigit() and len(w.lstrip("0")) <= 2) or len(w) < 2:
                continue
            out.setdefault(w)
    return list(out)


def _raw_words(text: str) -> list[str]:
    return [w.replace(".", "") for w in _WORD.findall(text)]


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 4


def _count_phrase(tokens: list[str], phrase: tuple[str, ...],
                  most: int = MAX_ACTOR_POINTS) -> int:
    """How many times (at most ``most``; overlapping ones counted) ``phrase`` stands in
    ``tokens``, word for word. Searched as text, so that the work grows with the tokens,
    not with tokens x the phrase's words."""
    if len(phrase) > len(tokens):
        return 0
    haystack = " " + " ".join(tokens) + " "  # a word holds no space
    needle = " " + " ".join(phrase) + " "
    count = 0
    at = haystack.find(needle)
    while at >= 0 and count < most:
        count += 1
        at = haystack.find(needle, at + 1)
    return count


def scored_keywords(terms: Sequence[str], keywords: Sequence[str]) -> list[str]:
    """The keywords less the actor's one-word terms (a sentence holding one counts it as a
    mention already)."""
    single = set()
    for term in terms:
        term_words = words(term)
        if len(term_words) == 1 and not _is_acronym(term):
            single.add(term_words[0])
    return [k for k in keywords if k not in single]


def rank_sentences(sentences: Sequence[Sentence], terms: Sequence[str],
                   keywords: Sequence[str] = (), top: int | None = None) -> list[Candidate]:
    """The sentences that mention any of ``terms``, best first (see the module's
    docstring for the score); ``top`` keeps the first ones."""
    phrases = [(t, tuple(_raw_words(t) if _is_acronym(t) else words(t)), _is_acronym(t))
               for t in terms]
    keywords = scored_keywords(terms, keywords)
    wanted = set(keywords)
    order = {k: n for n, k in enumerate(keywords)}
    df: dict[str, int] = dict.fromkeys(wanted, 0)
    # one pass: document frequencies over every sentence; what scoring needs kept only
    # for the sentences that mention the actor (memory grows with those, not the text)
    mentioned: list[tuple[int, list[tuple[str, int]], list[str]]] = []
    seen: set[str] = set()
    for index, sentence in enumerate(sentences):
        tokens = words(sentence.text)
        token_set = set(tokens)
        here = wanted & token_set  # never a pass over every keyword per sentence
        for k in here:
            df[k] += 1
        raw = _raw_words(sentence.text) if any(acronym for *_, acronym in phrases) else []
        counts = [(term, _count_phrase(raw if acronym else tokens, p))
                  for term, p, acronym in phrases if p]
        if not any(c for _, c in counts):
            continue
        same = normalise(sentence.text)
        if same in seen:  # a pull quote repeats a sentence: the first is listed
            continue
        seen.add(same)
        mentioned.append((index, counts, sorted(here, key=order.__getitem__)))
    n = len(sentences)
    idf = {k: math.log(1 + (n - df[k] + 0.5) / (df[k] + 0.5)) for k in wanted}
    found = []
    for index, counts, present in mentioned:
        sentence = sentences[index]
        mentions = sum(c for _, c in counts)
        score = sum(idf[k] for k in present) + min(mentions, MAX_ACTOR_POINTS)
        found.append((-score, index, Candidate(sentence.line, sentence.text, score,
                                               tuple(t for t, c in counts if c),
                                               tuple(present), sentence.start,
                                               sentence.end)))
    found.sort(key=lambda item: (item[0], item[1]))
    ranked = [c for _, _, c in found]
    return ranked if top is None else ranked[:top]
