"""Readers for published case texts: LawRefBook 典型案例 Markdown, and 裁判文书-style judgments
(the text of a DOCX/PDF/TXT: court and 案号 header, 当事人, 经审理查明, 本院认为, 判决如下).

Both return a `Case` with whatever could be found; missing parts become warnings (see cases.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from legalkb.ingest.cases import (
    SECTION_FIELDS,
    SOURCE_JUDGMENT,
    SOURCE_TYPICAL,
    Case,
    clean_court,
    fill_derived,
    find_case_numbers,
    find_courts,
    judgment_date,
    make_case_id,
    markdown_sections,
    split_case_name,
    split_keywords,
)
from legalkb.ingest.errors import EmptyFileError
from legalkb.ingest.metadata import all_dates
from legalkb.ingest.normalize import clean_text

# Folders of the LawRefBook 案例 collection whose cases carry no case name: the topic is the cause.
FOLDER_CAUSES = {"劳动人事": "劳动争议", "行政协议诉讼": "行政协议"}
FOLDER_SOURCES = {
    "劳动人事": "人力资源社会保障部、最高人民法院 劳动人事争议典型案例（LawRefBook 收录）",
    "行政协议诉讼": "最高人民法院 行政协议诉讼典型案例（LawRefBook 收录）",
    "消费购物": "最高人民法院 消费者权益保护典型案例（LawRefBook 收录）",
    "民法典": "民法典适用典型案例（LawRefBook 收录）",
}
_ISSUE = re.compile(r"(?:本案|案件)?(?:的)?争议焦点(?:问题)?(?:主要)?(?:是|为|在于|系)[：:]?([^。\n]{4,200})")
_QUESTION = re.compile(r"(?:吗|么|？|\?|如何|怎么|是否|能否|可否|谁担责|谁来)")


def _issue(*texts: str) -> str:
    for t in texts:
        m = _ISSUE.search(t or "")
        if m:
            return m.group(1).strip("：:，, ")
    return ""


def parse_typical_case(text: str, source_path: str = "") -> Case:
    """A LawRefBook 典型案例: '# 要点标题', '<!-- INFO END -->', optional '## 案件名称', then sections
    (基本案情, 裁判要点/裁判要旨, 裁判结果/处理结果, 裁判理由/案例分析/法院裁判, 典型意义 …)."""
    text = clean_text(text)
    if not text.strip():
        raise EmptyFileError(source_path, "文件为空")
    head, _, body = text.partition("<!-- INFO END -->")
    heading = next((ln.lstrip("#").strip() for ln in head.split("\n") if ln.startswith("#")), "")
    sections, _ = markdown_sections(body)
    fields: dict[str, list[str]] = {}
    name = ""
    unknown: list[str] = []
    for h, t in sections:
        key = h.replace(" ", "").replace("\u3000", "")
        fname = SECTION_FIELDS.get(key)
        if fname:
            fields.setdefault(fname, []).append(t)
        elif not t and not name and re.search(r"(案|纠纷)$", key):
            name = h  # '## 孙银山诉…纠纷案' with no text: the case name
        elif t:
            unknown.append(h)
            fields.setdefault("reasoning", []).append(t)
    folder = Path(source_path).parent.name if source_path else ""
    case = Case(case_id="", title=name or heading, headline=heading if name else "",
                source_kind=SOURCE_TYPICAL, source_path=source_path, category=folder,
                source=FOLDER_SOURCES.get(folder, "LawRefBook 案例"))
    for fname, parts in fields.items():
        joined = "\n".join(parts)
        if fname == "keywords":
            case.keywords = split_keywords(joined)
        else:
            setattr(case, fname, joined)
    # The printed 裁判要旨 of the 民法典 folder restates the outcome; kept as the holding.
    # Author lines ('文/北京市通州区人民法院 法官助理 何娇') name the court that wrote the piece.
    author = re.search(r"^文/(\S+?(?:人民法院|法院))", case.significance, re.M)
    parties, cause = split_case_name(case.title)
    case.parties = parties
    # The collection's topic is the 案由 family (行政协议); the name gives the specific claim.
    family = FOLDER_CAUSES.get(folder, "")
    case.cause = cause if not family or family in cause else (f"{family}（{cause}）" if cause else family)
    numbers = find_case_numbers(case.result) or find_case_numbers(case.full_text())
    if numbers:
        # The last 案号 in the 裁判结果 is the final decision (二审 after 一审).
        case.case_number, case.other_numbers = numbers[-1], numbers[:-1]
    courts = find_courts(case.result) or find_courts(case.facts + case.reasoning)
    if not courts and author:
        courts = [clean_court(author.group(1))]
    # The deciding court is the last one named in the result (二审 after 一审).
    case.court = courts[-1] if courts and courts[-1] else ""
    case.date = judgment_date(case.result) or judgment_date(case.full_text())
    case.issues = case.issues or _issue(case.reasoning, case.significance, case.facts) or (
        heading if _QUESTION.search(heading) else "")
    fill_derived(case)
    case.case_id = make_case_id(case)
    return case


# -- 裁判文书 -------------------------------------------------------------------------------------
_ROLES = ("原审原告", "原审被告", "原审第三人", "上诉人", "被上诉人", "再审申请人", "被申请人", "申请人",
          "申请执行人", "被执行人", "原告", "被告", "第三人", "公诉机关", "被告人", "附带民事诉讼原告人",
          "申诉人", "被申诉人", "赔偿请求人", "赔偿义务机关")
_ROLE_LINE = re.compile(r"^(?P<role>" + "|".join(sorted(_ROLES, key=len, reverse=True)) +
                        r")(?:（[^）]{1,20}）)?[：:\s]*(?P<name>[^，,。；;（(\s]{1,60})")
_DOC_TYPES = ("判决书", "裁定书", "调解书", "决定书", "通知书", "支付令")
_FACTS_START = re.compile(r"(?:经审理查明|本院经审理查明|经审理认定|本院查明|经审查查明|一审法院查明|原审查明|本院认定事实如下)")
_REASON_START = re.compile(r"(?:^|\n)\s*本院认为")
_RESULT_START = re.compile(r"(?:判决|裁定|调解协议)如下[：:]?|(?:达成|自愿达成)(?:如下)?协议[：:]")
_RESULT_END = re.compile(r"(?:如不服本判决|如不服本裁定|本判决为终审判决|本裁定为终审裁定|本判决书?送达|"
                         r"审\s*判\s*长|审\s*判\s*员|人民陪审员)")
_CLAIMS = re.compile(r"(?:诉称|上诉请求|诉讼请求|申请再审称|请求)[：:，,]")
_CAUSE_IN_TEXT = re.compile(r"([\u4e00-\u9fa5、（）()]{2,40}?(?:纠纷|行政处罚|行政许可|行政强制|行政协议|行政赔偿|"
                            r"行政复议|政府信息公开|工伤认定|不履行法定职责|罪))(?:一|两|二)?案")


def _compact_header(line: str) -> str:
    """'民 事 判 决 书' → '民事判决书' (headers are letter-spaced)."""
    return re.sub(r"[\s\u3000]+", "", line) if len(line) <= 40 else line


def _cause(text: str, parties: list[str]) -> str:
    m = _CAUSE_IN_TEXT.search(text)
    if not m:
        return ""
    phrase = m.group(1)
    for p in parties:
        name = p.split("：", 1)[-1]
        if name and name in phrase:
            phrase = phrase[phrase.rfind(name) + len(name):]
    phrase = re.sub(r"^(?:与|诉|及|、|因|之间的|间的|的|不服)+", "", phrase)
    # What is left after the last party name is the cause; '原告张三与被告李四' → removed above.
    phrase = re.sub(r"^.*(?:原告|被告|上诉人|被上诉人|申请人|被申请人|第三人)[^与诉]*?(?:与|诉)", "", phrase)
    return phrase if 2 <= len(phrase) <= 30 else ""


def parse_judgment(text: str, source_path: str = "") -> Case:
    """A 裁判文书: header (court, document type, 案号), party lines, then 诉称/查明/本院认为/判决如下,
    signatures and the date. Works on the text of DOCX, PDF and TXT files."""
    text = clean_text(text)
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        raise EmptyFileError(source_path, "文件中没有文字")
    case = Case(case_id="", title="", source_kind=SOURCE_JUDGMENT, source_path=source_path, source="裁判文书")
    header = [_compact_header(ln) for ln in lines[:8]]
    for ln in header:
        if not case.court and re.search(r"法院$", ln):
            case.court = clean_court(ln) or ln
        for t in _DOC_TYPES:
            if ln.endswith(t) and len(ln) <= 12 and not case.doc_type:
                case.doc_type = ln
    numbers = find_case_numbers("\n".join(header))
    if numbers:
        case.case_number = numbers[0]
    else:
        found = find_case_numbers("\n".join(lines[:30]))
        case.case_number = found[0] if found else ""
    if not case.court:
        courts = find_courts("\n".join(lines[:8]))
        case.court = courts[0] if courts else ""
    # Party lines come right after the header, before the first narrative paragraph.
    body_start = 0
    for i, ln in enumerate(lines):
        m = _ROLE_LINE.match(ln)
        if m and re.search(r"(?:与|诉)(?:原告|被告|上诉人|被上诉人|申请人)|一案|纠纷", m.group("name")):
            m = None  # '原告张三与被告某公司买卖合同纠纷一案…': the narrative starts here
        if m and i < 40:
            case.parties.append(f"{m.group('role')}：{m.group('name')}")
            body_start = i + 1
        elif case.parties and not ln.startswith(("委托", "法定代表人", "负责人", "诉讼代理人", "委托诉讼代理人",
                                                 "指定代理人", "法定代理人", "住所", "经营场所")):
            break
    body = "\n".join(lines[body_start:] if body_start else lines[len(header):])
    case.cause = _cause(body[:600], case.parties)
    facts_m = _FACTS_START.search(body)
    reason_m = _REASON_START.search(body)
    result_m = _RESULT_START.search(body)
    claims_m = _CLAIMS.search(body)
    end_m = _RESULT_END.search(body, result_m.end()) if result_m else None
    if claims_m and (facts_m is None or claims_m.start() < facts_m.start()):
        case.claims = body[claims_m.start():(facts_m.start() if facts_m else (reason_m.start() if reason_m else None))].strip()
    if facts_m:
        case.facts = body[facts_m.start():reason_m.start() if reason_m and reason_m.start() > facts_m.start() else None].strip()
    elif claims_m:
        case.facts = case.claims
    if reason_m:
        case.reasoning = body[reason_m.start():result_m.start() if result_m and result_m.start() > reason_m.start() else None].strip()
    if result_m:
        case.result = body[result_m.start():end_m.start() if end_m else None].strip()
    tail = body[end_m.start():] if end_m else "\n".join(lines[-8:])
    dates = all_dates(tail)
    case.date = dates[-1] if dates else judgment_date(body)
    case.issues = _issue(case.reasoning)
    if not (facts_m or reason_m or result_m):
        case.warnings.append("未找到“经审理查明/本院认为/判决如下”等段落，可能不是裁判文书")
        case.facts = case.facts or body[:2000]
    plaintiffs = [p.split("：", 1)[1] for p in case.parties if p.startswith(("原告", "上诉人", "申请人", "再审申请人"))]
    defendants = [p.split("：", 1)[1] for p in case.parties if p.startswith(("被告", "被上诉人", "被申请人"))]
    if plaintiffs and defendants:
        case.title = f"{'、'.join(plaintiffs)}诉{'、'.join(defendants)}{case.cause}案"
    else:
        case.title = case.case_number or (Path(source_path).stem if source_path else "未命名案例")
    fill_derived(case)
    case.case_id = make_case_id(case)
    return case
