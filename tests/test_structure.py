from __future__ import annotations

import datetime as dt
from pathlib import Path

from legalkb.ingest.lawrefbook import merge_civil_code
from legalkb.ingest.loader import load_file, parse_plain
from legalkb.ingest.normalize import clean_text
from legalkb.ingest.structure import parse_body


def test_noise_is_cleaned() -> None:
    text = clean_text("笫五十四条 甲。\r\n第一百二十八 条乙。\n第十五\u3000条 丙。")
    assert text.split("\n") == ["第五十四条 甲。", "第一百二十八条乙。", "第十五条 丙。"]


def test_parse_body_divisions_paragraphs_items() -> None:
    lines = ["## 第一章 总则", "第一条 目的。", "第二条 行政处罚的种类：", "（一）警告、通报批评；", "（二）罚款。", "违法行为轻微的，可以不予处罚。", "### 第一节 细则", "第三条 第二条规定的处罚由行政机关实施。", "第三条规定的事项，另行规定。", "第三条之一 插入的条文。", "## 第二章 附则", "第四条 本法自公布之日起施行。"]
    body = parse_body(lines)
    assert [a.label for a in body.articles] == ["第一条", "第二条", "第三条", "第三条之一", "第四条"]
    art2 = body.articles[1]
    assert len(art2.paragraphs) == 2 and [i.label for i in art2.paragraphs[0].items] == ["（一）", "（二）"]
    # A paragraph that starts with 第三条 (a reference) does not open a new article.
    assert len(body.articles[2].paragraphs) == 2
    assert body.articles[2].path == ["第一章 总则", "第一节 细则"]
    assert body.articles[4].path == ["第二章 附则"]
    assert [d.heading for d in body.divisions] == ["第一章 总则", "第二章 附则"]
    assert body.divisions[0].children[0].heading == "第一节 细则"


def test_plain_text_without_headings() -> None:
    doc = parse_plain("某某规定\n第一条 甲。\n第二条 乙。\n第三条 本规定自2024年1月1日起施行。")
    assert doc.title == "某某规定" and len(doc.articles) == 3
    assert doc.effective == dt.date(2024, 1, 1)


def test_administrative_penalty_law_2021(lawrefbook: Path) -> None:
    doc = load_file(lawrefbook / "行政法" / "行政处罚法(2021-01-22).md")
    assert doc.title == "中华人民共和国行政处罚法" and doc.short_title == "行政处罚法"
    assert len(doc.articles) == 86 and doc.level == "法律"
    art = doc.article(16)
    assert art is not None and "其他规范性文件不得设定行政处罚" in art.text
    assert art.path == ["第二章 行政处罚的种类和设定"]
    assert doc.doc_id == "行政处罚法@2021-01-22"
    assert doc.issuer == "全国人民代表大会常务委员会"
    assert doc.effective == dt.date(2021, 7, 15)


def test_civil_code_is_one_document(lawrefbook: Path) -> None:
    parts = [load_file(p) for p in sorted((lawrefbook / "民法典").glob("*.md")) if p.name != "_index.md"]
    doc = merge_civil_code(parts)
    assert len(doc.articles) == 1260
    assert [a.number for a in doc.articles] == list(range(1, 1261))
    a = doc.article(1165)
    assert a is not None and a.path[0] == "第七编 侵权责任"
    assert doc.article(1260).path[0] == "附则"


def test_criminal_law_inserted_articles(lawrefbook: Path) -> None:
    doc = load_file(lawrefbook / "刑法" / "刑法.md")
    art = doc.article(253, 1)
    assert art is not None and art.label == "第二百五十三条之一" and "公民个人信息" in art.text
    # The 编 → 章 → 节 hierarchy is kept.
    assert doc.article(20).path[:1] == ["第一编 总则"]


def test_typo_in_source_is_tolerated(lawrefbook: Path) -> None:
    doc = load_file(lawrefbook / "诉讼与非诉讼程序法" / "刑事诉讼法(2018-10-26).md")
    assert doc.article(128) is not None
    assert [a.number for a in doc.articles if a.sub == 0] == list(range(1, len([a for a in doc.articles if a.sub == 0]) + 1))


def test_local_regulation_metadata(lawrefbook: Path) -> None:
    path = next((lawrefbook / "DLC" / "山东地方法规").rglob("聊城市文明行为促进条例*.md"))
    doc = load_file(path)
    assert doc.level == "地方性法规" and doc.region == "山东省"
    assert doc.issuer == "聊城市人民代表大会常务委员会"


def test_administrative_regulation_doc_number(lawrefbook: Path) -> None:
    doc = load_file(lawrefbook / "行政法规" / "消防救援衔标志式样和佩带办法(2018-11-06).md")
    assert doc.level == "行政法规" and doc.issuer == "国务院" and doc.doc_number == "国务院令第705号"
