"""Stage 1: draft text → DraftDocument (title, issuer, 文号, dates, 有效期 clause, articles with spans).

Drafts arrive as .txt/.docx/.pdf/.html; ingest's readers turn them into text. Parsing here keeps
character offsets into that text (ingest's parse_body does not), because every finding must quote
an exact span of the draft.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from legalkb.ingest.errors import IngestError
from legalkb.ingest.loader import read_any
from legalkb.ingest.metadata import DATE_PATTERN, all_dates, find_doc_number, parse_date
from legalkb.ingest.numerals import cn_to_int
from legalkb.ingest.structure import ARTICLE_START, HEADING
from legalkb.review.model import Clause, DraftArticle, DraftDocument, NotADraftError, UnreadableDraftError

# Organ-name endings that make a head line an issuer line (several issuers may share one line).
_ORGAN_END = ("人民政府", "办公室", "办公厅", "局", "委员会", "厅", "委", "办", "指挥部", "领导小组",
              "中心", "分局", "大队", "支队", "公司", "联席会议", "专班", "司法所", "街道办事处",
              # Public service units and social organisations (档案馆, 行业协会): A06 says they may not issue.
              "馆", "协会", "商会", "联合会", "学会",
              # A department's internal unit (养老服务科) is an issuer line too: A01 says it may not issue.
              "科", "股", "室")
# 一、 / 二、 top-level sections: the article structure of 通知/意见 style documents.
_CN_SECTION = re.compile(r"^([一二三四五六七八九十]{1,3})、")
_EFFECTIVE = re.compile(r"(?:自|从|于)([^。；，]{0,24}?)(?:起|开始)?(?:施行|执行|实施|生效|试行)")
_ON_ISSUE = re.compile(r"(?:印发|公布|发布|签发|下发|发文)之日")
_VALID_UNTIL = re.compile(r"有效期(?:限)?(?:自[^。；，]{0,20})?(?:至|到|截至|截止到?)\s*(?P<date>[^。；，）)]{6,16}?日)")
_VALID_YEARS = re.compile(r"有效期(?:限)?(?:为)?\s*(?P<n>[0-9一二两三四五六七八九十]+)\s*年")
_OWN_VALIDITY = re.compile(r"(?:本|该)(?:办法|规定|细则|措施|意见|方案|通知|决定|规则|制度|准则|标准|文件|政策)"
                           r"[^。；]{0,6}有效期|有效期[^。；]{0,3}(?:至|到|为|[0-9一二两三四五六七八九十]+年)")
_EXPIRY = re.compile(r"(?P<date>\d{4}年\d{1,2}月\d{1,2}日)(?:起)?(?:自动)?(?:废止|失效|停止执行)")


def read_draft(path: str | Path) -> str:
    """The draft's text; unreadable input raises UnreadableDraftError (Chinese message)."""
    p = Path(path)
    if not p.exists():
        raise UnreadableDraftError("文件不存在", str(p))
    try:
        return read_any(p)
    except IngestError as exc:
        raise UnreadableDraftError(f"无法读取送审稿：{exc.message}", str(p)) from exc
    except OSError as exc:
        raise UnreadableDraftError(f"无法读取送审稿：{exc.strerror or exc}", str(p)) from exc


def _lines(text: str) -> list[tuple[str, int, int]]:
    """(stripped line, start, end) with offsets of the stripped content in `text`."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        s = raw.strip()
        if s:
            lead = len(raw) - len(raw.lstrip())
            out.append((s, pos + lead, pos + lead + len(s)))
        pos += len(raw) + 1
    return out


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _sentence_span(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen [start, end) to the sentence (。；or line) that contains it, within [lo, hi)."""
    s = start
    while s > lo and text[s - 1] not in "。；\n":
        s -= 1
    e = end
    while e < hi and text[e] not in "。；\n":
        e += 1
    if e < hi and text[e] in "。；":
        e += 1
    return s, e


def _issuer_from_line(line: str) -> list[str]:
    body = DATE_PATTERN.sub(" ", line)
    parts = [p for p in re.split(r"[\s\u3000、，,]+", body) if p]
    return [p for p in parts if p.endswith(_ORGAN_END) and len(p) >= 3]


# Titles of normative documents end with their kind (…办法, 关于…的通知) or contain 关于.
_DOC_TITLE = re.compile(r"关于|(办法|规定|细则|通知|意见|决定|方案|规则|制度|措施|规范|标准|公告|通告|规程|条例|"
                        r"指引|纲要|计划|规划|批复|要点|守则|公约|章程|清单|目录)$")


def parse_draft(text: str, path: str = "") -> DraftDocument:
    """Parse a draft. Raises NotADraftError when the text has no title or no clause structure."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if not text.strip():
        raise UnreadableDraftError("文件中没有文字", path)
    lines = _lines(text)
    doc = DraftDocument(text=text, source_path=path)

    # Articles: 第X条 lines with increasing numbers (a paragraph that starts '第三条规定…' is not one).
    starts: list[tuple[int, int, int, str, int]] = []  # (line idx, number, sub, label, body offset)
    last = (0, 0)
    headings: dict[int, str] = {}
    for i, (ln, s, _e) in enumerate(lines):
        hm = HEADING.match(ln)
        if hm and len(ln) <= 40 and not ln.endswith(("。", "；")):
            headings[i] = ln
            continue
        m = ARTICLE_START.match(ln)
        if m:
            try:
                key = (cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0)
            except ValueError:
                continue
            if key > last:
                body = m.end()
                while body < len(ln) and ln[body] in " \u3000\t：:":
                    body += 1
                starts.append((i, key[0], key[1], ln[: m.end()].strip(), s + body))
                last = key
    if not starts:
        # 通知/意见 style: top-level 一、二、 sections act as articles.
        n = 0
        for i, (ln, s, _e) in enumerate(lines):
            m = _CN_SECTION.match(ln)
            if m and cn_to_int(m.group(1)) == n + 1:
                n += 1
                starts.append((i, n, 0, m.group(0), s + m.end()))
    if len(lines) < 2 or not starts:
        raise NotADraftError("未识别到条款结构（第X条 或 一、二、…）：请确认上传的是行政规范性文件送审稿，"
                             "而不是通知函件、图片或其他材料", path)

    title = lines[0][0].lstrip("#").strip()
    if len(starts) < 3 and not _DOC_TITLE.search(re.sub(r"[（(][^）)]*[）)]$", "", title)):
        # One stray '第16条' in a README or a letter is not a clause structure.
        raise NotADraftError(f"“{title[:30]}”不像行政规范性文件的标题，且只识别到 {len(starts)} 个条款："
                             "请确认上传的是行政规范性文件送审稿", path)

    first_line = starts[0][0]
    head = [ln for ln in lines[:first_line] if lines.index(ln) not in headings]
    doc.title = lines[0][0].lstrip("#").strip()
    doc.is_provisional = bool(re.search(r"暂行|试行", doc.title))
    head_text = "\n".join(ln for ln, _, _ in head[1:6])
    doc.doc_number = find_doc_number(head_text)
    for ln, s, e in head[1:6]:
        issuers = _issuer_from_line(ln)
        if issuers and (all_dates(ln) or not doc.issuer):
            doc.issuers = issuers
            doc.issuer = "、".join(issuers)
            doc.issuer_span = (s, e)
            if all_dates(ln):
                doc.issued = all_dates(ln)[0]
                break
    if doc.issued is None:
        dates = [d for ln, _, _ in head[1:6] for d in all_dates(ln)]
        doc.issued = dates[0] if dates else None
    doc.preamble = "\n".join(ln for ln, _, _ in head[1:])

    # Article spans and clauses.
    path: list[str] = []
    for k, (i, num, sub, label, body_start) in enumerate(starts):
        end_line = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        for j in range(i - 1, -1, -1):
            if j in headings:
                path = [headings[j]]
                break
            if j < (starts[k - 1][0] if k else 0):
                break
        clauses = [Clause(text=text[body_start:lines[i][2]], start=body_start, end=lines[i][2])]
        for j in range(i + 1, end_line):
            if j in headings:
                break
            ln, s, e = lines[j]
            clauses.append(Clause(text=ln, start=s, end=e))
        a_end = clauses[-1].end
        doc.articles.append(DraftArticle(
            number=num, sub=sub, label=label, text="\n".join(c.text for c in clauses),
            start=lines[i][1], end=a_end, body_start=body_start, clauses=clauses, path=list(path)))
    _validity(doc)
    return doc


def _validity(doc: DraftDocument) -> None:
    """施行日期 and 有效期 from the closing articles (附则). A general statement about 有效期 in the
    body (e.g. '文件有效期一般不超过5年') is not this document's own clause: only the article that
    holds the 施行 clause, or one that speaks of 本办法's 有效期, counts."""
    text = doc.text
    tail = doc.articles[-4:] if doc.articles else []
    for art in reversed(tail):
        for cl in art.clauses:
            m = _EFFECTIVE.search(cl.text)
            if not m or "本" not in cl.text[: m.start() + 1] and not cl.text.startswith(("自", "从")):
                continue
            s, e = _sentence_span(text, cl.start + m.start(), cl.start + m.end(), cl.start, cl.end)
            while s < e and text[s] in "，, ":
                s += 1
            doc.validity_article = art.number
            if _ON_ISSUE.search(m.group(1)):
                doc.effective = doc.issued
                doc.effective_rule = "on_issue"
            else:
                d = parse_date(m.group(1))
                if d:
                    doc.effective = d
                    doc.effective_rule = "date"
            # The 有效期 part may follow in the same paragraph ('…起施行，有效期至…').
            doc.validity_span = (s, cl.end if "有效期" in text[e:cl.end] else e)
            break
        if doc.validity_article:
            break
    own = [(art, cl) for art in tail for cl in art.clauses if _OWN_VALIDITY.search(cl.text)]
    if doc.validity_article:
        own.sort(key=lambda x: x[0].number != doc.validity_article)
    for art, cl in own:
        until = _VALID_UNTIL.search(cl.text)
        years = _VALID_YEARS.search(cl.text)
        if until and parse_date(until.group("date")):
            doc.expires = parse_date(until.group("date"))
        elif years:
            try:
                n = cn_to_int(years.group("n"))
            except ValueError:
                continue
            doc.validity_years = float(n)
            if doc.effective:
                doc.expires = _add_years(doc.effective, n) - dt.timedelta(days=1)
        else:
            continue
        doc.has_validity_clause = True
        if not doc.validity_span or not (doc.validity_span[0] <= cl.start < doc.validity_span[1] + 1):
            doc.validity_span = (cl.start, cl.end)
        if not doc.validity_article:
            doc.validity_article = art.number
        break
    if not doc.has_validity_clause:
        for art in tail:
            for cl in art.clauses:
                m = _EXPIRY.search(cl.text)
                if m:
                    doc.expires = parse_date(m.group("date"))
                    doc.has_validity_clause = True
    if doc.expires and doc.effective and doc.validity_years is None:
        days = (doc.expires - doc.effective).days + 1
        doc.validity_years = round(days / 365.25, 2)
    if doc.validity_span:
        doc.validity_text = text[doc.validity_span[0]:doc.validity_span[1]]
