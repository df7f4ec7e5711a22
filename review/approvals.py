"""Approvals a draft gives to an organ the superior provision does not: '经区人力资源和社会保障局负责人
批准' where 保障农民工工资支付条例第四十条 requires a department of a 设区的市 or above, or '由区民政局审核批准'
where 地名管理条例第十二条 gives the naming of 住宅区、楼宇 to the 住房和城乡建设主管部门 (the 地名 authority is
only consulted). Either way the draft moves a power the superior text placed elsewhere (power_expansion).

Like deadlines.py: the clause holding the approval is searched among laws, administrative regulations,
部门规章 and the province's local regulations in force on the review date; the segment describing the
same matter best (most of the clause's content bigrams, organ names left out) decides, and only when
it names an approver itself. Two checks, both conservative: a level (设区的市级以上, 省级, 国务院 …) the
superior sets where no county-level organ is allowed, and a department of another field than the
draft's (住房和城乡建设 vs 民政) — fields an institutional reform merged (文化、旅游、体育; 规划、国土、
自然资源、林业; 农业农村、水利) count as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from legalkb.review.superior import CONDUCT_MATCH, clauses, content_bigrams

APPROVAL_LEVELS = ("法律", "行政法规", "部门规章")
# 认定 / 确认 too: 古树名木保护条例第十条 has the 一级 trees 认定 by the province's department.
# 审定 too: 上海市城市更新条例第十八条 has the 更新行动计划 审定 by the 市人民政府.
_VERB = r"(?:审核|审查)?(?:批准|审批|核准|认定|确认|审定)"
# The draft's approver: a district or county organ (经区人力资源和社会保障局负责人批准, 由县民政局…审核批准).
# Or the organ as the subject of its own clause: '…提出申请，县民政局征求县住房和城乡建设局意见后审核批准'.
# Or opening the sentence: '县工业和信息化局负责审批确定本县食盐定点批发企业' (食盐专营办法第十三条: the province's).
_DRAFT = re.compile(rf"(?:(?:经|由|报|[，,])(?P<organ>(?:区|县)[^。；，]{{1,40}}?)(?:负责人)?"
                    rf"|^(?P<subject>(?:区|县)[^。；，、]{{1,20}}?(?:局|委员会|委|办公室|人民政府))(?:负责)?){_VERB}")
# A level above the county that the superior reserves the approval to.
_HIGHER = re.compile(rf"(设区的市级以上|市级以上|省级以上|省级|省、自治区、直辖市|国务院)[^。；，]{{0,40}}?(?:负责人)?{_VERB}")
_COUNTY_OK = re.compile(r"县")
_SUBJECT = re.compile(r"\s*(国务院|省|自治区|直辖市|设区的市|县级以上|市)[^。；，]{0,30}?(人民政府|部门|机关|机构)")
# Words of any approval procedure ('…会同…拟定，报…批准后向社会公布'): they match every article that sets one, so they are no
# evidence that an article is about the draft's matter (工业产品生产许可证管理条例第三条 for a 活禽禁止交易区).
_PROCEDURE = frozenset(content_bigrams("会同拟定制定编制，报批准后向社会公布，组织实施，征求意见，审核后"))
_FILING = re.compile(r"[，,]并?报[^，。；]{0,30}备案")
_CONSULTED = re.compile(r"征求[^。；，]{0,30}?意见|会同[^。；，]{0,20}?(部门|机关|局)")
_ORGAN = re.compile(r"(区|县)[^。；，、]{0,20}?(局|委员会|委|办公室|中心|人民政府|政府|办)")
# Fields of government: a reform merged the names in one group, so a draft using today's name for a
# department the superior text calls by its old one is not flagged.
_FIELDS = {
    "住房和城乡建设": r"住房和城乡建设|住房城乡建设|住建|建设行政|建设主管",
    "民政": r"(?<!人)民政(?!府)|地名行政",   # not the 民政 inside 人民政府
    "自然资源": r"自然资源|规划|国土|林业|林草",
    "交通运输": r"交通运输|交通",
    # Many counties' 农业农村局 took over 水利 (and 自然资源和规划局 took over 林业) in the 2019 reforms.
    "农业农村": r"农业农村|农业|畜牧|渔业|水利|水务|水行政",
    "生态环境": r"生态环境|环境保护",
    "市场监督管理": r"市场监督|市场监管|工商|质量技术监督|食品药品",
    "卫生健康": r"卫生健康|卫生",
    "教育": r"教育",
    "公安": r"公安",
    "文化和旅游": r"文化|旅游|文广|广播电视|体育",
    "应急管理": r"应急管理|安全生产监督",
    "商务": r"商务",
    "人力资源和社会保障": r"人力资源和社会保障|人力资源社会保障|人社|劳动保障",
    "发展和改革": r"发展和改革|发展改革|价格",
    "财政": r"财政",
    "城市管理": r"城市管理|城管|综合行政执法|市容",
}
_FIELD_RE = {k: re.compile(v) for k, v in _FIELDS.items()}


@dataclass
class MovedApproval:
    title: str
    article: str
    status: str
    text: str
    start: int          # the draft's approval phrase, offsets within the sentence
    end: int
    draft_organ: str
    superior: str       # the superior segment's approval phrase
    why: str            # 'level' | 'field'


def _fields(text: str) -> set[str]:
    return {k for k, r in _FIELD_RE.items() if r.search(text)}


# What names the approver: 由 / 经 X 批准 (not the 经 of 经济 / 经营). '由编制部门报市人民政府审定': the one it
# is sent up to approves. (A bare '…编制…规划，报本级人民政府批准' names no approver: that boilerplate is in
# every planning law, and a draft's own plan sent up to its own government matches it word for word.)
_APPROVER_MARK = re.compile(r"由|经(?![济营费])")


def _approver(segment: str, subject_ok: bool = False) -> tuple[str, str] | None:
    """The superior segment's approver (what follows its last 由/经 before the approval verb — or the 报
    after it —, without the organs only consulted) and its approval phrase (from that mark to the verb)."""
    m = re.search(_VERB, segment)
    if not m:
        return None
    marks = list(_APPROVER_MARK.finditer(segment, 0, m.start()))
    if not marks:
        # The organ as the subject of the approval: '省、自治区、直辖市人民政府盐业主管部门按照…要求审批确定食盐定点批发
        # 企业' (食盐专营办法第十三条).
        subject = _SUBJECT.match(segment[: m.start()]) if subject_ok else None
        return (subject.group(0), segment[: m.end()]) if subject else None
    at = marks[-1].start()
    approver = _CONSULTED.sub("", segment[at + 1: m.start()])
    if marks[-1].group(0) == "由" and "报" in approver:
        approver = approver[approver.rfind("报") + 1:]
    return approver, segment[at: m.end()]


def _scopes(segment: str) -> list[str]:
    """The segment cut after each ，-part holding an approval verb: each piece is one case and its
    approver ('（六）…住宅区、楼宇的命名、更名，由…主管部门…批准')."""
    out, cur = [], ""
    for part in re.split(r"(?<=[，,；;])", segment):
        cur += part
        if re.search(_VERB, part):
            out.append(cur)
            cur = ""
    return out


def find_moved_approval(sentence: str, retriever: Any, levels: tuple[str, ...] = APPROVAL_LEVELS
                        ) -> MovedApproval | None:
    if retriever is None:
        return None
    for offset, clause in clauses(sentence):
        mine = _DRAFT.search(clause)
        found = _moved(clause, mine, offset, retriever, levels) if mine else None
        if found is not None:
            return found
    return None


def _moved(clause: str, mine: re.Match[str], offset: int, retriever: Any, levels: tuple[str, ...]
           ) -> MovedApproval | None:
    organ = _CONSULTED.sub("", mine.group("organ") or mine.group("subject"))
    draft_fields = _fields(organ)
    # A filing after the approval ('，报市住房城乡建设管理部门备案') is another step, not the matter approved.
    query = _ORGAN.sub(" ", _FILING.sub("", clause))
    cb = content_bigrams(query) - _PROCEDURE
    if len(cb) < 6:
        return None
    best: tuple[float, Any, str] | None = None
    for h in retriever.superior_provisions(query, levels):
        for seg in re.split(r"[\n。]", h.text):
            if not re.search(_VERB, seg):
                continue
            share = len(cb & content_bigrams(seg)) / len(cb)
            if share >= CONDUCT_MATCH and (best is None or share > best[0]):
                best = (share, h, seg)
    if best is None:
        return None
    _share, h, seg = best
    # One segment may give each case its own approver ('一级…由省、自治区、直辖市人民政府…认定，二级、三级…
    # 分别由设区的市级、县级…认定'): the ，-parts up to each approval verb, the one closest to the clause decides.
    # (Only pieces that name an approver: '按照批准限额捕捞' approves nothing.)
    # (An approver named as the subject counts only against a draft that names its own so: '县…局负责审批确定…'.)
    named = [(sc, a) for sc in _scopes(seg) if (a := _approver(sc, subject_ok=bool(mine.group("subject"))))]
    if not named:
        return None
    seg, (approver, phrase) = max(named, key=lambda t: len(cb & content_bigrams(t[0])))
    span = (offset + mine.start(), offset + mine.end())
    # Or a city's department in a regulation of a 直辖市 (上海市古树名木…条例第九条: 二级 trees 由市绿化行政管理部门
    # …确认) or of a 设区的市: above a district, as long as the scope names no 区/县 organ.
    higher = _HIGHER.search(seg) or (re.match(r"\s*本?市(?!政|容|场)", approver) and not re.search(r"区", seg))
    if higher and not _COUNTY_OK.search(seg):
        return MovedApproval(h.title, h.article, h.status, h.text, *span, organ, phrase, "level")
    theirs = _fields(approver)
    if draft_fields and theirs and not draft_fields & theirs:
        return MovedApproval(h.title, h.article, h.status, h.text, *span, organ, phrase, "field")
    return None
