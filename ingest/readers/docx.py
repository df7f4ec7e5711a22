"""DOCX via python-docx: paragraphs (incl. Word's automatic numbering) and tables, in body order."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from legalkb.ingest.errors import CorruptFileError, EmptyFileError
from legalkb.ingest.numerals import int_to_cn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptFileError(str(path), f"不是有效的 DOCX 文件（{exc.__class__.__name__}）") from exc
    level_texts = _numbering_formats(document)
    counters: dict[tuple[str, int], int] = {}
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = _text_of(child)
            prefix = _numbering_prefix(child, level_texts, counters)
            if text.strip() or prefix:
                lines.append(prefix + text)
        elif tag == "tbl":
            for row in child.iter(f"{W}tr"):
                cells = [_text_of(cell).strip() for cell in row.iter(f"{W}tc")]
                if any(cells):
                    lines.append(" | ".join(cells))
    text = "\n".join(lines)
    if not text.strip():
        raise EmptyFileError(str(path), "DOCX 文件中没有文字")
    return text


def _text_of(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _numbering_formats(document: Any) -> dict[tuple[str, int], tuple[str, str]]:
    """(numId, ilvl) → (lvlText, numFmt) from numbering.xml, e.g. ('第%1条', 'chineseCounting')."""
    try:
        numbering = document.part.numbering_part.element
    except (NotImplementedError, KeyError, AttributeError):
        return {}
    abstract: dict[str, dict[int, tuple[str, str]]] = {}
    for an in numbering.findall(f"{W}abstractNum"):
        levels: dict[int, tuple[str, str]] = {}
        for lvl in an.findall(f"{W}lvl"):
            lt, nf = lvl.find(f"{W}lvlText"), lvl.find(f"{W}numFmt")
            levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                lt.get(f"{W}val", "") if lt is not None else "",
                nf.get(f"{W}val", "") if nf is not None else "",
            )
        abstract[an.get(f"{W}abstractNumId", "")] = levels
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for num in numbering.findall(f"{W}num"):
        ref = num.find(f"{W}abstractNumId")
        if ref is not None:
            for ilvl, spec in abstract.get(ref.get(f"{W}val", ""), {}).items():
                out[(num.get(f"{W}numId", ""), ilvl)] = spec
    return out


def _numbering_prefix(p: Any, formats: dict[tuple[str, int], tuple[str, str]],
                      counters: dict[tuple[str, int], int]) -> str:
    """Word's automatic list numbers are not in the text runs. Drafts often number articles with a
    list style ('第%1条'), so the label is rebuilt here or the articles would be lost."""
    num_pr = p.find(f"{W}pPr/{W}numPr")
    if num_pr is None:
        return ""
    num_id_el, ilvl_el = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
    if num_id_el is None or num_id_el.get(f"{W}val") == "0":
        return ""
    num_id = num_id_el.get(f"{W}val", "")
    ilvl = int(ilvl_el.get(f"{W}val", "0")) if ilvl_el is not None else 0
    counters[(num_id, ilvl)] = n = counters.get((num_id, ilvl), 0) + 1
    for (nid, lvl) in list(counters):  # a higher level restarts deeper ones
        if nid == num_id and lvl > ilvl:
            counters[(nid, lvl)] = 0
    lvl_text, num_fmt = formats.get((num_id, ilvl), ("", ""))
    value = int_to_cn(n) if num_fmt.startswith(("chinese", "ideograph", "japanese")) else str(n)
    if lvl_text and f"%{ilvl + 1}" in lvl_text:
        return lvl_text.replace(f"%{ilvl + 1}", value) + " "
    return f"第{int_to_cn(n)}条 " if ilvl == 0 else f"（{int_to_cn(n)}）"
