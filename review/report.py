"""Stage 6: the review report as JSON (the API contract), HTML (jinja2) and a DOCX 审核意见书.

All three are rendered from the same view model (`view`), so they cannot disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from legalkb.ingest.metadata import book_title
from legalkb.ingest.numerals import article_label
from legalkb.review.model import RESOLUTION_LABELS, ReviewReport

TEMPLATES = Path(__file__).parent / "templates"
CATEGORY_CN = {
    "issuer_authority": "制定主体不适格", "power_expansion": "增加本机关权力或减少法定职责",
    "penalty_creation": "设定行政处罚", "penalty_range": "处罚幅度与上位法不一致",
    "licensing_creation": "设定行政许可", "compulsory_measure": "设定行政强制",
    "fee_creation": "设定收费或保证金", "certificate_demand": "增设证明事项",
    "rights_restriction": "减损权益或增加义务", "retroactivity": "溯及既往",
    "fair_competition": "妨碍公平竞争", "citation_repealed": "引用已废止的法律法规",
    "citation_outdated_article": "引用旧条号", "citation_nonexistent": "引用不存在的法律或条文",
    "validity_period": "有效期", "citation_not_in_force": "引用尚未施行的法律",
}
SEVERITY_CN = {"blocker": "严重", "high": "高", "medium": "中", "low": "低"}


def to_json(report: ReviewReport) -> dict[str, Any]:
    """The contract: {"document", "findings", "citations"} (+ "evidence", "as_of")."""
    return report.to_dict()


def dumps(report: ReviewReport) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2)


def _where(article: int) -> str:
    return article_label(article) if article else "全文"


def conclusion(report: ReviewReport) -> str:
    fs = report.findings
    if not fs:
        return ("经审核，未发现规则目录所列的合法性问题，建议按程序提交审议。"
                "本意见基于规则目录和语料库检索作出，对“未核实”的引用请人工核对。")
    blockers = [f for f in fs if f.severity == "blocker"]
    highs = [f for f in fs if f.severity == "high"]
    cats = "、".join(dict.fromkeys(CATEGORY_CN.get(f.category, f.category) for f in fs))
    if blockers or highs:
        return (f"经审核，该文件存在{len(fs)}项合法性问题（{cats}），其中严重问题{len(blockers)}项、"
                f"较高风险问题{len(highs)}项。建议制定机关按照逐条审核意见修改后重新报送审核；"
                "未修改前不宜提交审议。")
    return (f"经审核，该文件存在{len(fs)}项需要补正的问题（{cats}），建议修改完善后提交审议。")


def view(report: ReviewReport) -> dict[str, Any]:
    doc = report.document_dict()
    findings = []
    for f in report.findings:
        d = f.to_dict()
        d.update(where=_where(f.article), category_cn=CATEGORY_CN.get(f.category, f.category),
                 severity_cn=SEVERITY_CN.get(f.severity, f.severity))
        findings.append(d)
    citations = []
    for c in report.citations:
        d = c.to_dict()
        d.update(where=_where(c.citation.draft_article), resolution_cn=RESOLUTION_LABELS.get(c.resolution, c.resolution))
        citations.append(d)
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[SEVERITY_CN.get(f.severity, f.severity)] = counts.get(SEVERITY_CN.get(f.severity, f.severity), 0) + 1
    return {"doc": doc, "findings": findings, "citations": citations,
            "evidence": [e.to_dict() for e in report.evidence],
            "as_of": report.as_of.isoformat() if report.as_of else "",
            "counts": list(counts.items()), "conclusion": conclusion(report)}


def to_html(report: ReviewReport) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    env.filters["book"] = book_title
    return env.get_template("report.html.j2").render(**view(report))


def to_docx(report: ReviewReport, path: str | Path) -> Path:
    """Write the 审核意见书 (基本情况, 逐条审核意见, 引用核查, 结论)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    v = view(report)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    h = doc.add_heading(f"关于{book_title(v['doc']['title'])}的合法性审核意见书", level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"审核基准日：{v['as_of']}（文件拟施行日期；引用条文按该日有效的版本核对）")

    doc.add_heading("一、基本情况", level=1)
    d = v["doc"]
    rows = [("文件名称", d["title"]), ("制定机关", d["issuer"] or "（未识别）"), ("文号", d["doc_number"] or "（未识别）"),
            ("施行日期", d["effective"] or "（未规定）"), ("有效期至", d["expires"] or "（未规定）"),
            ("条文数", str(d["articles"])), ("审核发现", f"{len(v['findings'])} 项问题")]
    t = doc.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    for k, val in rows:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = k, val

    doc.add_heading("二、逐条审核意见", level=1)
    if not v["findings"]:
        doc.add_paragraph("未发现规则目录所列的合法性问题。")
    for i, f in enumerate(v["findings"], 1):
        p = doc.add_paragraph()
        p.add_run(f"{i}. {f['where']}　[{f['severity_cn']}] {f['category_cn']}（{f['category']}，规则 {f['rule']}）").bold = True
        doc.add_paragraph(f"原文：“{f['quote']}”")
        doc.add_paragraph(f"问题：{f['message']}")
        for b in f["basis"]:
            doc.add_paragraph(f"依据：{b['title']}{b['article']}（{b['status']}）：{b['text']}")
        if f["suggestion"]:
            doc.add_paragraph(f"修改建议：{f['suggestion']}")

    doc.add_heading("三、引用核查", level=1)
    if v["citations"]:
        t = doc.add_table(rows=1, cols=5)
        t.style = "Table Grid"
        for cell, head in zip(t.rows[0].cells, ("条", "引用原文", "核查结果", "效力状态", "说明"), strict=True):
            cell.text = head
        for c in v["citations"]:
            cells = t.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = c["where"], c["raw"], c["resolution_cn"]
            cells[3].text, cells[4].text = c["status"] or "", c["note"] or ""
    else:
        doc.add_paragraph("文件未引用法律法规条文。")

    doc.add_heading("四、结论", level=1)
    doc.add_paragraph(v["conclusion"])
    out = Path(path)
    doc.save(str(out))
    return out
