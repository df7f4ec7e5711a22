"""Turn files into LegalDocuments: pick the reader by content and suffix, parse the structure."""

from __future__ import annotations

import hashlib
from pathlib import Path

from legalkb.ingest import lawrefbook
from legalkb.ingest.errors import EmptyFileError, TooLargeError, UnsupportedFormatError
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


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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


def load_file(path: Path) -> LegalDocument:
    """One file → one document. Raises IngestError subclasses with a reason a user understands."""
    text = read_any(path)
    if path.suffix.lower() in (".md", ".markdown") and lawrefbook.is_lawrefbook_markdown(text):
        doc = lawrefbook.parse_markdown(path, text)
    else:
        doc = parse_plain(text, str(path))
    doc.source_path = str(path)
    doc.content_hash = content_hash(text)
    return doc
