"""Everyday words → statute terms ('老板' → '用人单位'), so that a layperson's question meets the
words the law uses. The table is search/thesaurus.txt (reviewed by hand; see its header)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from legalkb.search.analysis import normalize, words


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, ...]]:
    text = resources.files("legalkb.search").joinpath("thesaurus.txt").read_text("utf-8")
    return parse(text.splitlines())


def parse(lines: Iterable[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, rest = line.partition("\t")
        terms = tuple(t for t in rest.split() if t and t != key)
        if key and terms:
            out[normalize(key)] = tuple(dict.fromkeys(out.get(normalize(key), ()) + terms))
    return out


def expansions(text: str, tokens: Iterable[str],
               thesaurus: dict[str, tuple[str, ...]] | None = None) -> dict[str, list[str]]:
    """Matched everyday word → index tokens of its statute terms. A word matches as a whole token
    of the question, or — three characters or longer — anywhere in it (jieba may cut '被狗咬'
    differently); short keys need the token match so that '偷' does not fire inside '偷拍'."""
    table_ = table() if thesaurus is None else thesaurus
    norm = normalize(text)
    toks = set(tokens)
    out: dict[str, list[str]] = {}
    for key, terms in table_.items():
        if key in toks or (len(key) >= 3 and key in norm):
            out[key] = [t for term in terms for t in words(term)]
    return out
