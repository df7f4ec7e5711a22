from __future__ import annotations

from pathlib import Path

import pytest

from legalkb.ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    IngestError,
    ScannedPdfError,
    UnsupportedFormatError,
)
from legalkb.ingest.loader import load_file, read_any

DRAFT = "青川区关于规范农贸市场管理的规定\n青政发〔2024〕3号\n第一条 为了规范农贸市场管理，制定本规定。\n第二条 本规定自2024年5月1日起施行。\n"


def test_utf8_and_gbk_text(tmp_path: Path) -> None:
    for enc in ("utf-8", "gbk", "gb18030", "utf-8-sig", "utf-16"):
        p = tmp_path / f"draft-{enc}.txt"
        p.write_bytes(DRAFT.encode(enc))
        doc = load_file(p)
        assert doc.title == "青川区关于规范农贸市场管理的规定", enc
        assert doc.doc_number == "青政发〔2024〕3号" and len(doc.articles) == 2, enc


def test_empty_and_binary_and_unsupported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        load_file(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n ")
    with pytest.raises(EmptyFileError):
        load_file(blank)
    odd = tmp_path / "x.xls"
    odd.write_bytes(b"abc")
    with pytest.raises(UnsupportedFormatError):
        load_file(odd)


def _docx_with_numbered_articles(path: Path) -> None:
    """A DOCX whose article labels come from Word's list numbering ('第%1条'), plus a table."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    d.add_paragraph("青川区文明城市建设管理办法")
    numbering = d.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text in ("为了提升城市文明水平，制定本办法。", "区城市管理局负责本办法的组织实施。", "本办法自2024年6月1日起施行。"):
        p = d.add_paragraph(text)
        ppr = p._p.get_or_add_pPr()
        num_pr = ppr.makeelement(qn("w:numPr"), {})
        ilvl = num_pr.makeelement(qn("w:ilvl"), {qn("w:val"): "0"})
        num_id = num_pr.makeelement(qn("w:numId"), {qn("w:val"): "90"})
        num_pr.append(ilvl)
        num_pr.append(num_id)
        ppr.append(num_pr)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "事项"
    table.rows[0].cells[1].text = "责任单位"
    d.save(str(path))


def test_docx_numbered_paragraphs_and_tables(tmp_path: Path) -> None:
    p = tmp_path / "draft.docx"
    _docx_with_numbered_articles(p)
    text = read_any(p)
    assert "第一条 为了提升城市文明水平" in text and "事项 | 责任单位" in text
    doc = load_file(p)
    assert [a.label for a in doc.articles] == ["第一条", "第二条", "第三条"]
    assert doc.articles[1].text.startswith("区城市管理局负责")


def test_corrupt_docx(tmp_path: Path) -> None:
    p = tmp_path / "broken.docx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(CorruptFileError):
        load_file(p)


def _text_pdf(path: Path) -> None:
    """A minimal one-page PDF with a real text layer (Helvetica, ASCII)."""
    content = b"BT /F1 12 Tf 72 720 Td (Article 1 This regulation governs markets.) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))


def test_pdf_with_text_layer(tmp_path: Path) -> None:
    p = tmp_path / "text.pdf"
    _text_pdf(p)
    assert "This regulation governs markets." in read_any(p)


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    p = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 200), "white").save(p)
    with pytest.raises(ScannedPdfError, match="OCR"):
        load_file(p)


def test_corrupt_pdf(tmp_path: Path) -> None:
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.4 garbage garbage")
    with pytest.raises(IngestError):
        load_file(p)


def test_html(tmp_path: Path) -> None:
    p = tmp_path / "notice.html"
    p.write_text("<html><head><style>p{}</style></head><body><h1>某某办法</h1><p>第一条 甲。</p>"
                 "<p>第二条 乙。<br>第二款。</p><script>x()</script></body></html>", encoding="gbk")
    doc = load_file(p)
    assert doc.title == "某某办法" and [a.label for a in doc.articles] == ["第一条", "第二条"]
    assert doc.articles[1].text == "乙。\n第二款。"


def test_front_matter_metadata(tmp_path: Path) -> None:
    p = tmp_path / "n.txt"
    p.write_text("---\nlevel: 行政规范性文件\nregion: 山东省\nexpires: 2029-03-31\n---\n某通知\n第一条 甲。\n")
    doc = load_file(p)
    assert doc.level == "行政规范性文件" and doc.region == "山东省" and str(doc.expires) == "2029-03-31"
    bad = tmp_path / "bad.txt"
    bad.write_text("---\nlevle: 法律\n---\n某通知\n第一条 甲。\n")
    with pytest.raises(IngestError, match="未知的元数据字段"):
        load_file(bad)
