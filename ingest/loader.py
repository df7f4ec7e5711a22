"""Turn files into LegalDocuments: pick the reader by content and suffix, parse the structure."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import yaml

from legalkb.ingest import lawrefbook
from legalkb.ingest.errors import EmptyFileError, IngestError, TooLargeError, UnsupportedFormatError
from legalkb.ingest.metadata import (
    all_dates,
    find_doc_number,
    guess_level,
    parse_date,
    short_title,
)
from legalkb.ingest.model import LegalDocument
from legalkb.ingest.normalize import clean_text
from legalkb.ingest.readers.docx import read_docx
from legalkb.ingest.readers.html import read_html
from legalkb.ingest.readers.pdf import read_pdf
from legalkb.ingest.readers.text import decode_bytes
from legalkb.ingest.structure import parse_body

SUFFIXES = {".md", ".markdown", ".txt", ".text", ".docx", ".pdf", ".html", ".htm"}
MAX_BYTES = 50 * 1024 * 1024  # a law is < 1 MB; anything this big is not one document


def read_any(path: Path) -> str:
    """Raw text of a file, whatever its format. Raises IngestError subclasses on bad input."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormatError(str(path), f"不支持的文件类型 {suffix or '(无扩展名)'}；支持 "
                                     + "、".join(sorted(SUFFIXES)))
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(str(path), "文件为空")
    if size > MAX_BYTES:
        raise TooLargeError(str(path), f"文件过大（{size // 1024 // 1024} MB，上限 {MAX_BYTES // 1024 // 1024} MB）")
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix in (".html", ".htm"):
        return read_html(path)
    return decode_bytes(path.read_bytes(), str(path))


# Part of every document's content hash: bump it when parsing or metadata rules change, so that
# re-ingesting an unchanged file stores what the new rules make of it (re-ingest skips documents
# whose hash it already holds). Vectors are cached by article text, so a bump costs no embedding.
PARSER_VERSION = "6"


def content_hash(text: str) -> str:
    return hashlib.sha256(f"{PARSER_VERSION}\n{text}".encode()).hexdigest()[:16]


def parse_plain(text: str, path: str = "") -> LegalDocument:
    """A document without LawRefBook markup: first non-empty line is the title; 文号, issuer and
    dates are looked for in the lines before the first article."""
    text = clean_text(text)
    lines = [ln.strip() for ln in text.split("\n")]
    non_empty = [ln for ln in lines if ln]
    if not non_empty:
        raise EmptyFileError(path, "文件中没有文字")
    title = non_empty[0].lstrip("#").strip()
    body_start = lines.index(non_empty[0]) + 1
    parsed = parse_body(lines[body_start:])
    head = parsed.preamble.split("\n")[:6]
    issuer = ""
    for ln in head:
        cand = ln.split()[0] if ln.split() else ""
        if cand.endswith(("人民政府", "办公室", "局", "委员会", "厅", "人民代表大会常务委员会")):
            issuer = cand
            break
    dates = [d for ln in head for d in all_dates(ln)]
    doc = LegalDocument(
        title=title,
        short_title=short_title(title),
        issuer=issuer,
        doc_number=find_doc_number("\n".join(head)),
        promulgated=dates[0] if dates else None,
        preamble=parsed.preamble,
        articles=parsed.articles,
        divisions=parsed.divisions,
        body="" if parsed.articles else "\n".join(non_empty[1:]),
        source_path=path,
    )
    doc.level = guess_level(title, issuer)
    effective_lines = [a.text for a in parsed.articles[-3:] if "施行" in a.text]
    if effective_lines:
        doc.effective = parse_date(effective_lines[-1])
    doc.version_date = doc.promulgated or doc.effective
    return doc


_FRONT = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*\n", re.S)
_META_FIELDS = {"title", "short_title", "level", "issuer", "doc_number", "region", "status", "category"}
_META_DATES = {"promulgated", "effective", "expires", "version_date"}


def split_front_matter(text: str, path: str = "") -> tuple[dict, str]:
    """YAML front matter (--- … ---) lets a bureau attach metadata that the text lacks: level,
    region, 文号, 有效期. Unknown keys are an error, so a typo does not silently lose metadata."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(path, f"文件开头的元数据（YAML）格式错误：{exc}") from exc
    if not isinstance(meta, dict):
        raise IngestError(path, "文件开头的元数据应为 键: 值 形式")
    unknown = set(meta) - _META_FIELDS - _META_DATES
    if unknown:
        raise IngestError(path, f"未知的元数据字段：{'、'.join(sorted(map(str, unknown)))}")
    for k in _META_DATES & set(meta):
        v = meta[k]
        if isinstance(v, str):
            try:
                meta[k] = dt.date.fromisoformat(v)
            except ValueError as exc:
                raise IngestError(path, f"元数据 {k} 不是 YYYY-MM-DD 日期：{v}") from exc
    return meta, text[m.end():]


def load_file(path: Path) -> LegalDocument:
    """One file → one document. Raises IngestError subclasses with a reason a user understands."""
    raw = read_any(path)
    meta, text = split_front_matter(raw, str(path))
    if path.suffix.lower() in (".md", ".markdown") and lawrefbook.is_lawrefbook_markdown(text):
        doc = lawrefbook.parse_markdown(path, text)
    else:
        doc = parse_plain(text, str(path))
    for k, v in meta.items():
        setattr(doc, k, v)
    if "title" in meta and "short_title" not in meta:
        doc.short_title = short_title(meta["title"])
    if "status" in meta:
        doc.declared_status = meta["status"]
    doc.source_path = str(path)
    doc.content_hash = content_hash(f"{raw}\n{doc.source_meta}" if doc.source_meta else raw)
    return doc
