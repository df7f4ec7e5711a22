"""Chinese analysis, done once in Python so every engine indexes and queries the same tokens.

Word tokens come from jieba's search mode (rjieba, the Rust port; jieba as a fallback) with a
legal user dictionary. A second, per-character stream backs phrase matching, which must not
depend on how jieba happened to cut a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Protocol

ANALYZER_VERSION = "1"  # bump when tokens change: indexes record it and refuse a mismatch

_CHAR_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


class _Cutter(Protocol):
    def cut(self, text: str) -> list[str]: ...
    def cut_for_search(self, text: str) -> list[str]: ...


def _dictionary_lines() -> list[tuple[str, int]]:
    text = resources.files("legalkb.search").joinpath("legal_dict.txt").read_text("utf-8")
    out = []
    for line in text.splitlines():
        parts = line.split()
        if parts:
            out.append((parts[0], int(parts[1]) if len(parts) > 1 else 50000))
    return out


class _RJieba:
    def __init__(self) -> None:
        import rjieba

        self._j = rjieba.Jieba()
        for word, freq in _dictionary_lines():
            self._j.add_word(word, freq, None)

    def cut(self, text: str) -> list[str]:
        return self._j.cut(text, hmm=True)

    def cut_for_search(self, text: str) -> list[str]:
        return self._j.cut_for_search(text, hmm=True)


class _Jieba:
    def __init__(self) -> None:
        import jieba

        self._j = jieba.Tokenizer()
        for word, freq in _dictionary_lines():
            self._j.add_word(word, freq, None)

    def cut(self, text: str) -> list[str]:
        return list(self._j.cut(text, HMM=True))

    def cut_for_search(self, text: str) -> list[str]:
        return list(self._j.cut_for_search(text, HMM=True))


@lru_cache(maxsize=1)
def cutter() -> _Cutter:
    try:
        return _RJieba()
    except ImportError:  # rjieba has wheels for common platforms only
        return _Jieba()


def normalize(text: str) -> str:
    """Full-width → half-width letters/digits, lower case. Punctuation is dropped later."""
    return unicodedata.normalize("NFKC", text).lower()


def _clean(tokens: list[str]) -> list[str]:
    # str.isalnum is true for Han characters, letters and digits, false for punctuation and
    # spaces: a cheap test that runs on every token of the corpus.
    out = []
    for tok in tokens:
        if tok.isalnum():
            out.append(tok)
        else:
            t = tok.strip()
            if t and any(c.isalnum() for c in t):
                out.append(t)
    return out


def words(text: str) -> list[str]:
    """Search-mode word tokens for indexing and querying (overlapping sub-words included)."""
    return _clean(cutter().cut_for_search(normalize(text)))


def words_precise(text: str) -> list[str]:
    """Precise-mode tokens (no overlaps): for query analysis and features."""
    return _clean(cutter().cut(normalize(text)))


def chars(text: str) -> list[str]:
    """One token a Han character (ASCII runs kept whole): the phrase/highlight stream."""
    return _CHAR_TOKEN.findall(normalize(text))
