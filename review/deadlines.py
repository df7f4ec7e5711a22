"""Time limits a draft gives the public for a remedy or an application, compared with the superior
provision's: '应当在知道或者应知其权益受到损害之日起三个工作日内…提出质疑' where 政府采购法第五十二条
allows 七个工作日. A shorter limit takes away part of a statutory right (rights_restriction); a
longer one, or a limit on the administration itself (作出答复、办结), restricts no one.

Like superior.py: the sentence is searched among laws, administrative regulations and 部门规章
in force on the review date; a provision counts only when one of its segments describes the same
remedy (most of the sentence's content bigrams, the same action word) and sets a limit in the
same unit. Reported only when every such segment allows more time than the draft (a draft may
follow a general rule where an older special one also matches); the closest one is quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from legalkb.review.amounts import NUMBER, parse_number
from legalkb.review.superior import CONDUCT_MATCH, clauses, content_bigrams

DEADLINE_LEVELS = ("法律", "行政法规", "部门规章")
# What the public does within the limit — remedies and applications — most specific first
# ('申请行政复议' is a 复议 limit, not any 申请), each with the name limits are compared under.
_ACTIONS = (("质疑", "质疑"), ("投诉", "投诉"), ("异议", "异议"), ("申诉", "申诉"), ("复议", "复议"),
            ("诉讼", "诉讼"), ("起诉", "诉讼"), ("陈述", "陈述申辩"), ("申辩", "陈述申辩"), ("听证", "听证"),
            ("举报", "举报"), ("复核", "复核"), ("申报", "申报"), ("申请", "申请"))
# The administration's own acts: a limit on these binds the administration, not the public.
_AGENCY = re.compile(r"作出|办结|答复|审查|审核|核实|受理|处理|决定|公示|告知|通知|送达|转送|回复")
_SUBMIT = re.compile(r"[，,]?(提出|提交|申请)")
_SUBMIT_TO = re.compile(r"[，,]?向[^，,；;。]{1,16}?(提出|提交)")
_LIMIT = re.compile(rf"(?P<n>{NUMBER})(?:个)?(?P<unit>工作日|日|天|个月|月|年)(?:内|以内)")
_DAYS = {"日": 1, "天": 1, "月": 30, "年": 365}  # 个 is consumed before the unit
# The action must follow the limit closely, in the same segment ('三个工作日内，以书面形式向采购人提出质疑').
_ACTION_WINDOW = 24


@dataclass(frozen=True)
class Limit:
    value: float   # working days, or calendar days (months × 30, years × 365)
    unit: str      # '工作日' | '日'
    action: str
    start: int
    end: int       # end of the action word: the span a finding quotes
    label: str     # as written: '三个工作日'
    what: str      # from the limit to the action word: '，以书面形式向采购人提出质疑'


@dataclass
class SuperiorDeadline:
    title: str
    article: str
    status: str
    text: str
    draft: Limit      # offsets within the sentence
    superior: Limit


def time_limits(text: str) -> list[Limit]:
    """Limits within which someone must act, each with the remedy or application it is for."""
    out = []
    for m in _LIMIT.finditer(text):
        raw = re.split(r"[；;。]", text[m.end():m.end() + _ACTION_WINDOW], maxsplit=1)[0]
        tail = raw
        agency = _AGENCY.search(tail)
        if agency:
            tail = tail[: agency.start()]
        # The verb right after the limit, or after whom it is submitted to ('一年内向区见义勇为评定委员会
        # 提出').
        submit = _SUBMIT.match(tail) or _SUBMIT_TO.match(tail)
        if submit and _AGENCY.search(raw[: submit.end() + 8]):
            continue  # '五日内，提出书面答复': the administration's act
        # Right after a submit verb ('内提出行政复议申请') or anywhere in the window ('内，以书面形式
        # 向采购人提出质疑').
        window = tail[: submit.end() + 8] if submit else tail
        found = next(((window.find(w), w, name) for w, name in _ACTIONS if w in window), None)
        if found is None and submit:
            # '当事人要求听证的，应当在被告知后二日内提出': the action is named before the limit.
            head = re.split(r"[；;。]", text[max(0, m.start() - _ACTION_WINDOW):m.start()])[-1]
            named = next((name for w, name in _ACTIONS if w in head), None)
            if named is not None:
                found = (0, submit.group(0), named)
        if found is None:
            continue
        try:
            n = parse_number(m.group("n"))
        except ValueError:
            continue
        unit = m.group("unit")
        value, kind = (n, "工作日") if unit == "工作日" else (n * _DAYS[unit], "日")
        at, word, action = found
        out.append(Limit(value, kind, action, m.start(), m.end() + at + len(word), m.group(0).rstrip("内以"),
                         tail[: at + len(word)]))
    return out


def _same_object(mine: Limit, theirs: Limit) -> bool:
    """'申请' says nothing about what is applied for: then the words between the limit and the
    action must match too ('提交…专利申请文件' is not '提出专利申请')."""
    if mine.action != "申请":
        return True
    a, b = content_bigrams(mine.what), content_bigrams(theirs.what)
    return bool(a) and len(a & b) / len(a) >= CONDUCT_MATCH


def _query(sentence: str) -> str:
    return re.sub(rf"{NUMBER}(?:个)?(?:工作日|日|天|个月|月|年)", " ", sentence)


def find_shortened_deadline(sentence: str, retriever: Any,
                            levels: tuple[str, ...] = DEADLINE_LEVELS) -> SuperiorDeadline | None:
    """The superior provision whose limit for the same remedy is longer than the sentence's."""
    if retriever is None:
        return None
    # The clause that sets the limit is what must match ('…告知当事人有要求听证的权利；当事人要求
    # 听证的，应当在被告知后二日内提出'): the rest of the sentence is about something else.
    first = next(((o, c, m) for o, c in clauses(sentence) if (m := time_limits(c))), None)
    if first is None:
        return None
    offset, clause, mine = first
    cb = content_bigrams(_query(clause))
    if len(cb) < 4:
        return None
    # Every segment describing the same remedy (≥ CONDUCT_MATCH of the clause's bigrams, a limit
    # for the same action in the same unit) is a candidate superior rule. Report only when all of
    # them allow more time: a draft may follow the general rule (行政诉讼法: 十五日) where an older
    # special one (广告管理条例: 三十日) also matches. One article may set different limits for
    # neighbouring cases (专利法第三十条), hence per segment. Quote the closest candidate.
    found: list[tuple[float, Any, Limit, Limit]] = []
    # The draft's own province's regulations set limits too (河南省见义勇为人员奖励和保障条例第十一条:
    # 二年内申报); other provinces' and other cities' are no measure for it.
    for h in retriever.superior_provisions(_query(clause), levels):
        for seg in re.split(r"[\n；。]", h.text):
            share = len(cb & content_bigrams(seg)) / len(cb)
            if share < CONDUCT_MATCH:
                continue
            theirs = time_limits(seg)
            for d in mine:
                same = [s for s in theirs if s.unit == d.unit and s.action == d.action and _same_object(d, s)]
                if same:
                    found.append((share, h, d, max(same, key=lambda s: s.value)))
                    break
    if not found or any(sup.value <= d.value for _share, _h, d, sup in found):
        return None
    _share, h, d, longest = max(found, key=lambda f: f[0])
    d = replace(d, start=d.start + offset, end=d.end + offset)
    return SuperiorDeadline(h.title, h.article, h.status, h.text, d, longest)
