"""Stage 4: apply the rule catalogue to a parsed draft and its resolved citations → findings.

Pattern rules look at one sentence at a time (a sentence ends at 。 or at the end of a paragraph /
list item) so a quote is the offending sentence, not the whole article. Near misses are handled
by three layers, cheapest first: the rule's own exception patterns; `cited_superior` (the sentence
applies a cited superior article that itself provides the measure — then the draft creates
nothing, only the range is checked); `restatement` (the sentence repeats a superior provision
found by search). One finding per (category, article): a reviewer wants one opinion per clause.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from legalkb.corpus.crosswalk import bigrams, containment
from legalkb.ingest.metadata import book_title
from legalkb.ingest.numerals import article_label
from legalkb.review.amounts import Range, penalty_ranges
from legalkb.review.approvals import find_moved_approval
from legalkb.review.deadlines import find_shortened_deadline
from legalkb.review.evidence import Retriever
from legalkb.review.model import (
    FOUND,
    NONEXISTENT,
    NOT_FOUND,
    RENUMBERED,
    REPEALED,
    Basis,
    DraftArticle,
    DraftDocument,
    Finding,
    ResolvedCitation,
)
from legalkb.review.rules import BasisRef, Rule
from legalkb.review.superior import (
    DEFAULT_PROVINCE,
    city_of,
    compare_by_actor,
    conduct_of,
    content_bigrams,
    find_superior_penalty,
    fines_for_conduct,
    names_no_conduct,
    province_of,
    without_own_references,
)
from legalkb.review.thresholds import find_lowered_share
from legalkb.review.waivers import find_waived_licence

UNVERIFIED = "未核实"


@dataclass
class Sentence:
    text: str
    start: int
    end: int
    article: DraftArticle
    clause_start: int
    clause_end: int


_ITEM_MARK = re.compile(r"[（(][一二三四五六七八九十]+[）)]")
_PENALTY_WORD = re.compile(r"罚款|没收|吊销|警告|拘留|责令停")


def _pieces(part: str) -> list[tuple[int, str]]:
    """A sentence as (offset, text) pieces: one per item when it lists penalties item by item
    ('有下列情形之一的，按照以下规定处理：（一）…的，处…罚款；（二）…的，可以处…罚款'), so that each
    item's fine is checked against the superior provision for its own conduct; else itself."""
    marks = [m.start() for m in _ITEM_MARK.finditer(part)]
    if len(marks) < 2 or not part[: marks[0]].rstrip().endswith(("：", ":")):
        return [(0, part)]
    bounds = marks + [len(part)]
    items = [(a, part[a:b].rstrip().rstrip("；;")) for a, b in zip(bounds, bounds[1:], strict=False)]
    if sum(1 for _a, t in items if _PENALTY_WORD.search(t)) < 2:
        return [(0, part)]
    return [(0, part[: marks[0]])] + items


def sentences(draft: DraftDocument) -> list[Sentence]:
    out = []
    for art in draft.articles:
        for cl in art.clauses:
            pos = 0
            for part in re.split(r"(?<=。)", cl.text):
                for off, piece in _pieces(part):
                    if piece.strip():
                        lead = len(piece) - len(piece.lstrip())
                        s = cl.start + pos + off + lead
                        out.append(Sentence(piece.strip(), s, s + len(piece.strip()), art, cl.start, cl.end))
                pos += len(part)
    return out


class BasisResolver:
    """Quotes rule bases from the corpus (cached); a basis not in the corpus is marked 未核实."""

    def __init__(self, library: Any, as_of: dt.date | None) -> None:
        self.library = library
        self.as_of = as_of
        self._cache: dict[BasisRef, Basis] = {}

    def __call__(self, ref: BasisRef) -> Basis:
        if ref in self._cache:
            return self._cache[ref]
        label = ref.label or (article_label(ref.article) if ref.article else "")
        if ref.paragraph:
            label += f"第{'一二三四五六七八九十'[ref.paragraph - 1]}款" if ref.paragraph <= 10 else ""
        basis = Basis(title=ref.law, article=label, status=UNVERIFIED, text=ref.gist)
        got = None
        if ref.verified and ref.article and self.library is not None:
            try:
                got = self.library.article(ref.law, ref.article, 0, as_of=self.as_of)
            except Exception:
                got = None
        if got:
            doc, art = got
            text = art.text
            if ref.paragraph and ref.paragraph <= len(art.paragraphs):
                text = art.paragraphs[ref.paragraph - 1].text
            basis = Basis(title=doc.title, article=label, status=doc.status if doc.status != "已修改" else "现行有效",
                          text=text)
        self._cache[ref] = basis
        return basis


def _fmt(template: str, **kw: Any) -> str:
    try:
        return template.format(**kw)
    except (KeyError, IndexError, ValueError):
        return template


def _citations_near(sent: Sentence, cites: list[ResolvedCitation]) -> list[ResolvedCitation]:
    """Citations that govern a sentence: in the same paragraph; else referrals elsewhere in the
    same article (依照前款…的规定 patterns spread over paragraphs)."""
    cites = [c for c in cites if c.citation.kind != "doc_number"]
    own = [c for c in cites if sent.start <= c.citation.start < sent.end]
    if own:
        return own
    # Another sentence's citation governs this one only when this one points back to it ('按照上述
    # 规定', '依照前款'): '…按照《河南省义务植树条例》…执行。…逾期仍未完成的，按照每人每年九十元的
    # 标准缴纳义务植树绿化费' sets the fee on its own.
    if not _POINTS_BACK.search(sent.text):
        return []
    same = [c for c in cites if sent.clause_start <= c.citation.start < sent.clause_end]
    if same:
        return same
    return [c for c in cites if c.citation.draft_article == sent.article.number and c.citation.referral]


_POINTS_BACK = re.compile(r"前款|前项|前条|上述|前述|上款|该(法|法律|条例|规定|办法|细则|决定)")


# How the names of laws, regulations and normative documents end (法, 条例, 办法, 意见, 通知 …).
_LAW_NAME_END = re.compile(r"(法|条例|规定|办法|决定|解释|细则|规则|意见|通知|规程|批复|答复|决议|公约|协定|"
                           r"章程|纲要|准则|标准|方案|规划|令|号|〕)$")


def _cited_superior_applies(rule: Rule, near: list[ResolvedCitation], sent_text: str = "",
                            retriever: Retriever | None = None) -> bool:
    """True when the sentence applies a cited superior provision instead of creating the measure,
    or when the citation itself is broken (missing / unverified): that is reported as a citation
    finding, and the measure cannot be judged against a text we do not have. A repealed law excuses
    nothing — the measure has lost its basis ('依照《档案法实施办法》第二十一条的规定…收取档案查阅服务费'). A licence
    the sentence names may be named in another article of the cited law (民办教育促进法第十二条
    provides the 审批, its 第十八条 the 办学许可证)."""
    provides = re.compile(rule.params.get("superior_provides", "处罚"))
    names = _named_items(rule, sent_text)
    for c in near:
        if c.resolution == NOT_FOUND and not _LAW_NAME_END.search(c.citation.law.strip()):
            continue    # 《…推荐目录》《…核准意见书》: a document the draft itself creates, not a superior law
        if c.resolution in (NONEXISTENT, NOT_FOUND):
            return True
        if c.resolution in (FOUND, RENUMBERED):
            if not c.citation.article:
                if c.citation.referral:
                    return True
                continue
            for t in (c.text or "", c.old_text or ""):
                if provides.search(t) and (not names or any(n.search(t) for n in names)
                                           or _named_in_law(names, c.title, retriever)) \
                        and _same_object(rule, sent_text, t):
                    return True
    return False


def _named_in_law(names: list[re.Pattern[str]], title: str, retriever: Retriever | None) -> bool:
    """True when an article of the law in force (`title`) names one of the sentence's items."""
    if retriever is None or not title:
        return False
    return any(n.search(a.text) for a in retriever.articles_in_force(title) for n in names)


_QUALIFIER = re.compile(r"大型|中型|重大|特大|重点|规模以上|[0-9一二三四五六七八九十百千万]+(?:平方米|米|吨|人|层|万元)以上|超过[^，。；]{1,10}的")


def _same_object(rule: Rule, sent_text: str, superior: str) -> bool:
    """With `superior_object`, a cited article excuses the approval only if its approval covers the
    sentence's object. A superior approval limited to a qualified subset (城市市容和环境卫生管理条例
    第十一条第二款: 大型户外广告; 重大 / 规模以上 / 500平方米以上 …) does not cover an object the
    sentence does not qualify the same way (招牌, 户外广告 of any size)."""
    if not rule.params.get("superior_object") or not sent_text:
        return True
    provides = re.compile(rule.params.get("superior_provides", "处罚"))
    segs = [g for g in re.split(r"[\n。；]", superior) if provides.search(g)]
    quals = [set(m.group(0) for m in _QUALIFIER.finditer(g)) for g in segs]
    if not segs or not all(quals):
        return True
    return any(q in sent_text for qs in quals for q in qs)


_LICENCE_WORDS = frozenset({"许可证", "许可", "资格证", "执照"})
_OBTAIN_VERBS = frozenset({"取得", "领取", "申领", "办理", "持有", "获得", "核发", "发给", "颁发", "申请", "依法"})


def _named_items(rule: Rule, text: str) -> list[re.Pattern[str]]:
    """What the sentence names (生活垃圾处理费, 办学许可证 …) as patterns the cited article must
    match: a citation only excuses a fee or licence that the cited provision itself provides. The
    name's last two characters before the fee / licence word, that word allowing a few characters
    in between (the draft's 生活垃圾处理费 is 固废法's 生活垃圾处理收费)."""
    pat = rule.params.get("superior_names")
    if not pat:
        return []
    out = []
    for m in re.finditer(pat, text):
        stem, kind = m.group("stem"), m.group("kind")
        root = re.sub(r"(证|用)$", "", kind) or kind
        # '取得许可证后方可经营' names no licence: the verb before it is no name to look for (a fee's
        # verb stays: '缴纳登记申请费' names the 申请费).
        if len(stem) >= 2 and not (kind in _LICENCE_WORDS and stem[-2:] in _OBTAIN_VERBS):
            out.append(re.compile(re.escape(stem[-2:]) + r"[^。；]{0,4}" + re.escape(root)))
    return out


def _amounts_fit(sentence: str, superior: str) -> bool:
    """A sentence that copies a provision's conduct but changes its fine amounts is not a
    restatement: every fine range of the sentence must fit a same-kind range of the provision, for
    the same party (个人 / 单位). A penalty sentence restates a provision only if the provision
    fines the same conduct: similar boilerplate (由…主管部门责令改正，处…合同价款…罚款) about other
    conduct is not a restatement."""
    mine = penalty_ranges(sentence)
    if not mine:
        return True
    conduct = conduct_of(sentence)
    # '设置大型户外广告，应当…经批准后方可设置；擅自设置的，由…处…罚款': the provision may fine only
    # the last clause's conduct (擅自设置), the duty before it being its other paragraph.
    # The whole conduct first, then its last ；-part: an ordered pair (a set's order changes from run
    # to run, and the first fine found decides).
    tried = [content_bigrams(c) for c in dict.fromkeys((conduct, re.split(r"[；;]", conduct)[-1]))]
    fines = [f for cb in tried if len(cb) >= 3 and (f := fines_for_conduct(superior, cb, conduct=conduct)) is not None]
    if any(len(cb) >= 3 for cb in tried) and not fines:
        return False
    # Against the fine for that conduct, not any range of the article: 大气污染防治法第一百一十八条
    # fines 油烟 5,000–50,000 and 露天烧烤 500–20,000, and 2,000–20,000 for 油烟 is no restatement.
    scope = fines[0] if fines else superior
    return compare_by_actor(sentence, scope) is None and all(
        any(r.within(t) for t in penalty_ranges(scope)) for r in mine)


def _clause_of(c: ResolvedCitation, sents: list[Sentence]) -> str:
    """The draft sentence that contains a citation."""
    for s in sents:
        if s.start <= c.citation.start < s.end:
            return s.text
    return ""


def _quote_span(sent: Sentence, m: re.Match[str] | None = None) -> tuple[int, int]:
    s, e = sent.start, sent.end
    # Drop a trailing full stop: the quote is the clause, the 。 is punctuation.
    text = sent.text
    if text.endswith("。"):
        e -= 1
    return s, e


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _dates_before(text: str, day: dt.date | None) -> bool:
    """The text names a date earlier than `day` (the draft's effective date)."""
    if day is None:
        return False
    for m in _DATE.finditer(text):
        try:
            if dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) < day:
                return True
        except ValueError:
            continue
    return False


# Who pays whom. A fee rule is about money the public pays to an organ (or to an account it
# designates). A sentence whose predicate pays money OUT (财政…给予…补贴, 按其缴纳…费的三分之二给予
# 补贴) only uses the contribution as the base of the grant; a price an operator collects from its
# own customers (房费, 货款, 租金) through whatever channel is not an administrative charge.
_PAY_OUT = re.compile(r"(给予|发放|拨付|兑现|予以|提供)[^。；，]{0,12}(补贴|补助|奖励|资助|奖补|补偿|扶持|津贴)"
                      r"|(补贴|补助|资助|奖补)[^。；，]{0,8}(其|个人|单位|参保人)?[^。；，]{0,6}(缴纳|缴费|应缴)")
_PAY_IN = re.compile(r"(向|缴至|缴入|交至|汇入|存入|缴到)[^。；，]{0,16}(局|中心|政府|部门|办事处|委员会|所|站|队|账户|专户|财政)")
_OPERATOR_PRICE = re.compile(r"(房费|餐费|货款|房租|租金|票款|车费|运费|菜金|住宿费|门票款)")


def _money_flows_out(sent_text: str, m: re.Match[str]) -> bool:
    """True when the triggering fee mention is the base of a grant the organ pays out, or a price an
    operator collects from its customers — nobody is charged by the administration."""
    seg_start = max(sent_text.rfind(c, 0, m.start()) for c in "；。") + 1
    ends = [i for i in (sent_text.find(c, m.end()) for c in "；。") if i != -1]
    seg = sent_text[seg_start:min(ends) if ends else len(sent_text)]
    if _PAY_IN.search(seg):
        return False
    if _PAY_OUT.search(seg):
        return True
    if re.search(r"按照|按|计收|征收", m.group(0)):
        return False  # a price used as the base of a charge (按照流转价款的百分之二计收) is a charge
    fee = re.findall(r"[\u4e00-\u9fa5]{0,3}(?:费|款|金)", sent_text[max(0, m.start() - 3):m.end()])
    return bool(fee) and all(_OPERATOR_PRICE.search(f) for f in fee)


# Procedural safeguards. A sentence that mentions a measure only as the occasion (实施强制拆除时/前/
# 过程中) of the organ's duties (应当通知当事人到场、清点造册、录音录像、制作笔录 — 行政强制法第十八条、
# 第二十四条), or that limits it (不得在夜间或者法定节假日实施 — 第四十三条), creates no measure.
# Loosening a safeguard (可以在夜间实施) grants a power (可以) and stays a finding.
_SAFEGUARD_DUTY = re.compile(r"应当[^。；]{0,60}(通知|告知|清点|登记|造册|清单|记录|录像|录音|笔录|出示|见证|签字|签名|"
                             r"公告|催告|送达|听取|陈述|申辩|批准|拍照|封存|妥善保管)")
_OCCASION = re.compile(r"(时|前|之前|过程中|期间|中)[，,]")


def _is_safeguard(sent_text: str, m: re.Match[str]) -> bool:
    if re.search(r"可以|有权|可[^以]|径行|直接", sent_text):
        return False
    after = sent_text[m.end():m.end() + 12]
    before = sent_text[max(0, m.start() - 30):m.start()]
    # A limit on the measure: 强制拆除不得…实施 / 不得在…组织强制拆除.
    if re.match(r"[^。；，]{0,4}不得", after) or re.search(r"不得[^。；]{0,24}(实施|组织|采取|进行)?$", before):
        return True
    return bool(_OCCASION.match(after) or re.match(r"[^。；，]{0,6}(时|前|过程中|期间)[，,]", after)) \
        and bool(_SAFEGUARD_DUTY.search(sent_text[m.end():]))


# A ；-part that continues the one before ('逾期不改正的，处…', '情节严重的，…'). Narrower than
# superior.CONTINUES for a clause: '经责令改正拒不改正的，强制执行…' is a measure of its own here.
_CONTINUES = re.compile(r"^\s*(逾期|拒不|仍不|仍未|情节|再次|多次|屡次|造成|继续|经[^，]{0,6}(后|仍))")


def _restatement_holds(rule: Rule, piece: str, superior: str, matched: str) -> bool:
    """Whether `superior`, the provision `piece` restates, carries what the rule is about: the
    rule's params say what a restatement must keep."""
    params = rule.params
    provides = params.get("superior_provides", "$^")
    if not params.get("restatement_ignores_amounts") and not _amounts_fit(piece, superior):
        return False
    if params.get("restatement_names_subject") and not re.search(provides, superior):
        return False
    if params.get("restatement_weaker") and _weaker(_restated_paragraph(piece, superior),
                                                    params["restatement_weaker"], provides):
        return False
    # A list that copies the superior's and adds one (居住证暂行条例第九条's materials + 婚育情况证明)
    # restates the list, not the addition: what triggered must be there too.
    # The pronoun 其 is the draft's ('通报其所在单位' restates '通报所在单位').
    return not params.get("restatement_keeps_match") or \
        containment(bigrams(re.sub(r"其(?![他余中次])", "", matched)), superior) >= 0.8


def _restated_paragraph(piece: str, superior: str) -> str:
    """The 款 of a superior article a piece restates (most of its bigrams): 人力资源市场暂行条例第十八条
    gives a licence in its first 款 and only a 备案 in the second, the one a draft copies when it
    turns the 备案 into an approval."""
    paras = [p for p in superior.split("\n") if p.strip()] or [superior]
    cb = bigrams(piece)
    return max(paras, key=lambda p: containment(cb, p))


def _weaker(paragraph: str, weaker: str, provides: str) -> bool:
    """The restated 款 provides only the weaker step (a 备案) and none of what the rule is about."""
    return bool(re.search(weaker, paragraph)) and not re.search(provides, paragraph)


def _fining_units(text: str, triggers: list[re.Pattern[str]]) -> list[str]:
    """The ；-parts of a sentence that trigger a rule, each joined with the parts that continue it
    (情节严重的… / 逾期不改正的… / 有违法所得的…)."""
    units: list[str] = []
    for part in re.split(r"(?<=[；;])", text):
        if units and (_CONTINUES.match(part) or len(content_bigrams(conduct_of(part))) < 5):
            units[-1] += part
        else:
            units.append(part)
    return [u for u in units if any(t.search(u) for t in triggers)]


def _part_of(text: str, m: re.Match[str]) -> str:
    """The ；-part of `text` holding the match (all the parts it spans)."""
    start = max(text.rfind("；", 0, m.start()), text.rfind(";", 0, m.start())) + 1
    ends = [i for i in (text.find("；", m.end()), text.find(";", m.end())) if i != -1]
    return text[start: min(ends) + 1 if ends else len(text)]


def previous_sentences(sents: list[Sentence]) -> dict[int, Sentence]:
    """The sentence before each one in its article (by id): '有前述行为之一的，…罚款' and '违反规定的，…罚款'
    take their conduct from it."""
    return {id(b): a for a, b in zip(sents, sents[1:], strict=False) if a.article is b.article}


def check_pattern(rule: Rule, sents: list[Sentence], cites: list[ResolvedCitation],
                  retriever: Retriever | None, effective: dt.date | None = None,
                  previous: dict[int, Sentence] | None = None) -> list[tuple[Sentence, tuple[int, int], str]]:
    need = [re.compile(p) for p in rule.params.get("requires_sentence") or []]
    previous = previous_sentences(sents) if previous is None else previous
    hits = []
    for sent in sents:
        m = None
        for t in rule.triggers:
            m = t.search(sent.text)
            if m:
                break
        if not m:
            continue
        if rule.requires_article and not rule.requires_article.search(sent.article.text):
            continue
        if any(not p.search(sent.text) for p in need):
            continue
        scope = _part_of(sent.text, m) if rule.params.get("exceptions_in_part") else sent.text
        if any(x.search(scope) for x in rule.exceptions):
            continue
        if "date_before_effective" in rule.checks and not _dates_before(m.group(0), effective):
            continue
        if "payment_direction" in rule.checks and _money_flows_out(sent.text, m):
            continue
        if "procedural_safeguard" in rule.checks and _is_safeguard(sent.text, m):
            continue
        note = ""
        if "cited_superior" in rule.checks and _cited_superior_applies(rule, _citations_near(sent, cites), sent.text,
                                                                       retriever):
            continue
        if "restatement" in rule.checks and retriever is not None:
            # The whole sentence, then the ；-part holding the trigger: a sentence may set a new fine
            # and then repeat a superior measure ('…处一百元以上二百元以下罚款；非机动车驾驶人拒绝接受
            # 罚款处罚的，可以扣留其非机动车' — 道交法第八十九条).
            def restated(piece: str, m: re.Match[str] = m) -> bool:
                r = retriever.restates(without_own_references(piece))
                return r is not None and _restatement_holds(rule, piece, r.text, m.group(0))

            # Every ；-part that triggers the rule must be a restatement, not only the first: '单位…的，
            # 处五千元以上五万元以下罚款（消防法第六十条）；个人…的，处五百元以上一千元以下罚款' repeats
            # the unit's fine and raises the individual's.
            # A part without a conduct of its own ('情节严重的，处…罚款', '有违法所得的，没收违法所得')
            # continues the one before and is judged with it — a tier is compared with the superior's
            # tier (快递暂行条例第四十条: 1万元以下; 情节严重的，1万至5万元).
            units = _fining_units(sent.text, rule.triggers)
            if not any(m.group(0) in u for u in units):
                # The trigger spans a ；: '应当…申请取得《…许可证》；未取得许可证的，不得从事代办服务' —
                # the bare second part restates any licensing law (电影管理条例第五条) and says nothing.
                units = []
            prev = previous.get(id(sent))
            if prev is not None and names_no_conduct(sent.text):
                # '违反规定的，…处…罚款' restates only with the duty it enforces: without it, any provision with
                # the same amounts and boilerplate (油烟 for 扬尘) would pass for the superior one.
                if restated(prev.text + sent.text):
                    continue
            elif restated(sent.text) or all(restated(u) for u in units or [sent.text]):
                continue
        hits.append((sent, _quote_span(sent, m), note))
    return hits


def check_penalty_range(sents: list[Sentence], cites: list[ResolvedCitation]
                        ) -> list[tuple[Sentence, list[Range], list[Range], ResolvedCitation]]:
    """Sentences whose fine ranges fall outside every range of the same kind in the cited article."""
    out = []
    for sent in sents:
        draft_r = penalty_ranges(sent.text)
        if not draft_r:
            continue
        for c in _citations_near(sent, cites):
            # A renumbered citation is measured against the article it means today (军人抚恤优待条例
            # 第四十八条 of 2019 is 第五十七条 of 2024, whose fine is higher): the range is wrong as well.
            if c.resolution not in (FOUND, RENUMBERED) or not c.citation.article or not c.text:
                continue
            if not penalty_ranges(c.text):
                continue
            got = compare_by_actor(sent.text, c.text)
            if got:
                out.append((sent, got[0], got[1], c))
                break
    return out


@dataclass
class _Run:
    """What every check of one draft shares: its text and sentences, the citations, the evidence, and
    the findings so far. Each rule kind is one function over it (`_CHECKS`)."""
    draft: DraftDocument
    sents: list[Sentence]
    cites: list[ResolvedCitation]
    retriever: Retriever | None
    bres: Callable[[BasisRef], Basis]
    province: str
    city: str
    range_rule: Rule | None
    previous: dict[int, Sentence]    # previous_sentences(sents)
    findings: list[Finding]

    @property
    def text(self) -> str:
        return self.draft.text

    def add(self, rule: Rule, article: int, span: tuple[int, int], message: str, suggestion: str,
            extra: list[Basis] | None = None) -> None:
        s, e = span
        self.findings.append(Finding(
            category=rule.category, rule=rule.id, severity=rule.severity, article=article,
            quote=self.text[s:e], message=message, basis=(extra or []) + [self.bres(b) for b in rule.basis],
            suggestion=suggestion, start=s, end=e))

    def add_against(self, rule: Rule, sent: Sentence, span: tuple[int, int], sup: Any, **kw: str) -> None:
        # A finding measured against one superior provision (`sup`: title, article, status, text): the
        # provision is {cited} in the message and the first basis.
        kw["cited"] = f"{book_title(sup.title)}{sup.article}"
        self.add(rule, sent.article.number, (sent.start + span[0], sent.start + span[1]),
                 _fmt(rule.message, **kw), _fmt(rule.suggestion, **kw),
                 extra=[Basis(title=sup.title, article=sup.article, status=sup.status, text=sup.text)])

    def add_uncited_range(self, rule: Rule, sent: Sentence, sp: Any) -> None:
        # The draft's fine outside the range of a superior provision it does not cite (or cites by a
        # number the law lacks, or without one): that provision is the measure, quoted as the basis.
        kw = dict(draft_range="、".join(r.label() for r in sp.bad), cited=f"{book_title(sp.title)}{sp.article}",
                  superior_range="、".join(r.label() for r in sp.superior))
        self.add(rule, sent.article.number, self.fine_span(sent, sp.bad[0]),
                 _fmt(rule.params.get("message_uncited", rule.message), **kw), _fmt(rule.suggestion, **kw),
                 extra=[Basis(title=sp.title, article=sp.article, status=sp.status, text=sp.text)])

    def fine_span(self, sent: Sentence, r: Range) -> tuple[int, int]:
        # Quote the whole phrase: from the amount to the end of '…罚款', or of the ban ('…活动').
        text = self.text
        span = (r.start + sent.start, r.end + sent.start)
        if r.kind == "years":
            end = re.search(r"[，,；;。]", text[span[1]:sent.end])
            return (span[0], span[1] + end.start()) if end else (span[0], sent.end)
        tail = text.find("罚款", span[1], sent.end)
        return (span[0], tail + 2) if tail != -1 else span


def _check_pattern(rule: Rule, run: _Run) -> None:
    for sent, span, _note in check_pattern(rule, run.sents, run.cites, run.retriever, run.draft.effective, run.previous):
        if rule.params.get("superior_search") and run.range_rule is not None:
            others = [(_clause_of(c, run.sents), c) for c in run.cites
                      if not (sent.clause_start <= c.citation.start < sent.clause_end)]
            prev = run.previous.get(id(sent))
            sp = find_superior_penalty(sent.text, run.retriever, others, run.province, run.city,
                                       context=prev.text if prev else "")
            if sp is not None and not sp.bad:
                continue  # a superior provision fines this conduct within these amounts
            if sp is not None and not sp.superior:
                # The superior clause on this very conduct sets no fine (土地管理法第七十八条: 责令退还、
                # 限期拆除): the fine is the draft's own — a creation, with that clause as the evidence.
                kw = dict(draft_range="、".join(r.label() for r in sp.bad), cited=f"{book_title(sp.title)}{sp.article}")
                run.add(rule, sent.article.number, span,
                        _fmt(rule.params.get("message_no_fine", rule.message), **kw), rule.suggestion,
                        extra=[Basis(title=sp.title, article=sp.article, status=sp.status, text=sp.text)])
                continue
            if sp is not None:
                run.add_uncited_range(run.range_rule, sent, sp)
                continue
        run.add(rule, sent.article.number, span, rule.message, rule.suggestion)


def _check_penalty_range(rule: Rule, run: _Run) -> None:
    for sent, bad, sup, c in check_penalty_range(run.sents, run.cites):
        label = article_label(c.current_article) if c.resolution == RENUMBERED else c.citation.article_label
        kw = dict(draft_range="、".join(r.label() for r in bad), cited=f"{book_title(c.title)}{label}",
                  superior_range="、".join(r.label() for r in sup))
        run.add(rule, sent.article.number, run.fine_span(sent, bad[0]), _fmt(rule.message, **kw),
                _fmt(rule.suggestion, **kw), extra=[Basis(title=c.title, article=label, status=c.status, text=c.text)])
    # A fine under an article the cited law does not have ('依照《…条例》第五十三条的规定…处五千元以上
    # 三万元以下的罚款', the law ending at 第四十九条), or under a law named without an article ('违反《生猪
    # 屠宰管理条例》规定，…并处2万元以上5万元以下的罚款'): the fine is still measured against the provision
    # that does fine this conduct, found as for an uncited fine.
    for sent in run.sents:
        governing = _citations_near(sent, run.cites)
        near = [c for c in governing if _unnumbered(c)]
        # A valid numbered citation beside it governs the fine (and is checked above): '单位…依照《重庆市消防
        # 条例》第六十六条的规定，处…罚款；个人…依照《消防法》第七十九条的规定处理'.
        if not near or not penalty_ranges(sent.text) or \
                any(c.resolution in (FOUND, RENUMBERED) and c.citation.article for c in governing):
            continue
        sp = find_superior_penalty(sent.text, run.retriever, [], run.province, run.city)
        # Only the cited law's own fining article: the drafter named the law, not the number
        # (another law's fine found by wording — 航道法 for a 河道 — is no evidence).
        if sp is not None and sp.bad and sp.superior and any(c.title == sp.title for c in near):
            run.add_uncited_range(rule, sent, sp)


def _against_superior(find: Callable[[str, Any], Any], span: Callable[[Any], tuple[int, int]],
                      fields: Callable[[Rule, Any], dict[str, str]]) -> Callable[[Rule, _Run], None]:
    """A check that measures each sentence against one superior provision `find` returns (an approval it
    moves, a licence it waives, a deadline it shortens, a share of consent it lowers): the finding quotes
    `span` of the sentence and fills the rule's message with `fields`."""
    def check(rule: Rule, run: _Run) -> None:
        for sent in run.sents:
            hit = find(sent.text, run.retriever)
            if hit is not None:
                run.add_against(rule, sent, span(hit), hit, **fields(rule, hit))
    return check


_check_approval_moved = _against_superior(
    find_moved_approval, lambda ma: (ma.start, ma.end),
    lambda rule, ma: dict(draft_organ=ma.draft_organ, superior=ma.superior, why=rule.params.get(f"why_{ma.why}", "")))
_check_licence_waived = _against_superior(
    find_waived_licence, lambda wl: (wl.start, wl.end), lambda _rule, wl: dict(licence=wl.licence, waiver=wl.waiver))
_check_deadline_shortened = _against_superior(
    find_shortened_deadline, lambda sd: (sd.draft.start, sd.draft.end),
    lambda _rule, sd: dict(action=sd.draft.action, draft_limit=sd.draft.label, superior_limit=sd.superior.label))
_check_consent_lowered = _against_superior(
    find_lowered_share, lambda ls: (ls.start, ls.end),
    lambda _rule, ls: dict(draft_share=ls.draft, superior_share=ls.superior))


def _check_issuer(rule: Rule, run: _Run) -> None:
    draft = run.draft
    allowed = re.compile(rule.params.get("allowed", r"$^"))
    forbidden = [re.compile(p) for p in rule.params.get("forbidden", [])]
    bad = [i for i in draft.issuers if not allowed.search(i) and any(p.search(i) for p in forbidden)]
    if bad and draft.issuer_span:
        run.add(rule, 0, draft.issuer_span, _fmt(rule.message, issuer="、".join(bad)), rule.suggestion)


def _check_validity_missing(rule: Rule, run: _Run) -> None:
    draft = run.draft
    if not draft.has_validity_clause:
        run.add(rule, 0, draft.validity_span or (0, len(draft.title)), rule.message, rule.suggestion)


def _check_validity_too_long(rule: Rule, run: _Run) -> None:
    draft = run.draft
    pat = rule.params.get("title_pattern")
    if pat and not re.search(pat, draft.title):
        return
    years = int(rule.params.get("max_years", 5))
    if draft.has_validity_clause and draft.effective and draft.expires:
        limit = _add_years(draft.effective, years) - dt.timedelta(days=1)
        if draft.expires > limit and draft.validity_span:
            kw = dict(effective=draft.effective.isoformat(), expires=draft.expires.isoformat(),
                      years=f"{draft.validity_years:g}" if draft.validity_years else "?",
                      limit=f"{limit.year}年{limit.month}月{limit.day}日")
            run.add(rule, 0, draft.validity_span, _fmt(rule.message, **kw), _fmt(rule.suggestion, **kw))


def _check_effective_before_issue(rule: Rule, run: _Run) -> None:
    draft = run.draft
    if draft.effective and draft.issued and draft.effective < draft.issued and draft.validity_span:
        kw = dict(effective=draft.effective.isoformat(), issued=draft.issued.isoformat())
        run.add(rule, draft.validity_article, draft.validity_span, _fmt(rule.message, **kw), rule.suggestion)


def _check_citation(rule: Rule, run: _Run) -> None:
    want = rule.params.get("resolution")
    for c in run.cites:
        if c.resolution != want:
            continue
        law = book_title(c.title or c.citation.law)
        kw = dict(law=law, cited=f"{law}{c.citation.article_label}", note=c.note,
                  successor=book_title(c.successor) if c.successor else "现行有效的法律法规",
                  successor_note=f"（{c.note}）" if c.note else "",
                  current=article_label(c.current_article) if c.current_article else "")
        extra = []
        if c.resolution == RENUMBERED and c.text:
            extra.append(Basis(title=c.title, article=article_label(c.current_article), status=c.status, text=c.text))
        elif c.resolution == REPEALED and c.successor:
            extra.append(Basis(title=book_title(c.successor), article="", status="现行有效", text=c.note))
        elif c.resolution == NONEXISTENT:
            extra.append(Basis(title=c.title, article=c.citation.article_label, status=c.status, text=c.note))
        run.add(rule, c.citation.draft_article, (c.citation.start, c.citation.end), _fmt(rule.message, **kw),
                _fmt(rule.suggestion, **kw), extra=extra)


# One function per rule kind (rules.KINDS): each reads the draft through `_Run` and adds its findings.
_CHECKS: dict[str, Callable[[Rule, _Run], None]] = {
    "pattern": _check_pattern,
    "penalty_range": _check_penalty_range,
    "approval_moved": _check_approval_moved,
    "licence_waived": _check_licence_waived,
    "deadline_shortened": _check_deadline_shortened,
    "consent_lowered": _check_consent_lowered,
    "issuer": _check_issuer,
    "validity_missing": _check_validity_missing,
    "validity_too_long": _check_validity_too_long,
    "effective_before_issue": _check_effective_before_issue,
    "citation": _check_citation,
}


def run_checks(draft: DraftDocument, cites: list[ResolvedCitation], rules: list[Rule],
               library: Any = None, as_of: dt.date | None = None,
               retriever: Retriever | None = None,
               basis_resolver: Callable[[BasisRef], Basis] | None = None, province: str = "") -> list[Finding]:
    """All findings for the draft, ordered by article then category. `province`: the draft's, when
    the caller knows it (else read from the text, default 山东省)."""
    as_of = as_of or draft.effective or dt.date.today()
    sents = sentences(draft)
    range_rule = next((r for r in rules if r.kind == "penalty_range"), None)
    province = province or province_of(
        draft.text, range_rule.params.get("province", DEFAULT_PROVINCE) if range_rule else DEFAULT_PROVINCE)
    run = _Run(draft=draft, sents=sents, cites=cites, retriever=retriever,
               bres=basis_resolver or BasisResolver(library, as_of), province=province,
               city=city_of(draft.text, province), range_rule=range_rule,
               previous=previous_sentences(sents),
               findings=[])
    for rule in rules:
        _CHECKS[rule.kind](rule, run)
    return _dedupe(_one_category_per_problem(run.findings, draft.text), draft.text)


# Who may not fine at all (a property company, a village committee, a service centre): its fine is a
# power it is given (power_expansion), not a fine the document creates. An organ that may fine (a
# 街道办事处, a 镇人民政府) fining without a basis is a created fine (penalty_creation).
_NON_ORGAN_RULES = {"A03", "A05"}
_NON_ORGAN = re.compile(r"民委员会|居委会|村委会|物业|网格员|业主委员会|协会|中心|企业|公司")
# …and an organ fining on the strength of the draft's own delegation ('经区卫生健康委员会书面授权，街道办事处…
# 可以以自己的名义…作出警告、罚款的决定'): the power handed over is the defect.
_DELEGATED = re.compile(r"授权|委托|交由|下放")
DELEGATION_WINDOW = 24


def _unnumbered(c: ResolvedCitation) -> bool:
    """A citation of a law that names no article of it that exists: an article the law lacks, or none."""
    return bool(c.title) and (c.resolution == NONEXISTENT or (c.resolution == FOUND and not c.citation.article))


_SEIZE = re.compile(r"扣押|查封|暂扣|扣留|收缴")
_GOVERNMENT = re.compile(r"人民政府|办事处")
GOVERNMENT_WINDOW = 30     # the actor is named just before the power it is given


def _one_category_per_problem(findings: list[Finding], text: str) -> list[Finding]:
    """One category for one problem in one sentence, as the labelled sets (and a reviewer) name it: a
    fine by a body that is no organ is its want of power, by an organ a created fine; a benefit withheld
    from those who pass over the organ's pick is the competition restricted."""
    def overlaps(a: Finding, b: Finding) -> bool:
        return a.article == b.article and a.start < b.end and b.start < a.end

    # A benefit withheld from those who do not use the organ's pick ('未通过该公司组团参展的，不予享受展位费补贴')
    # is how the competition is restricted: one finding, fair_competition.
    picks = [f for f in findings if f.rule in ("C03", "C05")]   # a named pick, or a list
    findings = [f for f in findings
                if not (f.category == "rights_restriction" and any(overlaps(p, f) for p in picks))]
    # A township or street office given a seizure: the labelled sets, like a reviewer, name the seizure
    # (compulsory_measure) — the organ may act, the measure has no basis. A body that is no organ (A03), or
    # an organ given another power (停产整顿, 停止供电), stays power_expansion.
    seizures = [f for f in findings if f.rule == "B05" and _SEIZE.search(f.quote)]

    def actor(f: Finding) -> str:      # the words before the power, within its own article (line)
        before = text[max(0, f.start - GOVERNMENT_WINDOW):f.end]
        return before[before.rfind("\n") + 1:]

    findings = [f for f in findings
                if not (f.rule == "A04" and any(overlaps(z, f) for z in seizures) and _GOVERNMENT.search(actor(f)))]
    # A company told to cut the water and change the locks to force a tenant out ('逾期拒不腾退的，运营单位可以采取停止
    # 供水、供电…或者更换门锁等措施'): the coercion is the measure (B05), not a third party's service refused (B11).
    measures = [f for f in findings if f.rule == "B05"]
    findings = [f for f in findings if not (f.rule == "B11" and any(overlaps(m, f) for m in measures))]
    fines = [f for f in findings if f.rule == "B01"]
    powers = [f for f in findings if f.category == "power_expansion" and f.rule in {*_NON_ORGAN_RULES, "A04"}]
    drop: set[int] = set()
    for p in powers:
        for f in fines:
            if not overlaps(p, f):
                continue
            # (The delegation is usually named before the body: '经…书面授权，街道办事处…'.)
            if p.rule in _NON_ORGAN_RULES or _NON_ORGAN.search(p.quote[:40]) or \
                    _DELEGATED.search(text[max(0, p.start - DELEGATION_WINDOW):p.end]):
                drop.add(id(f))
            else:
                drop.add(id(p))
    return [f for f in findings if id(f) not in drop]


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _dedupe(findings: list[Finding], text: str) -> list[Finding]:
    """One finding per (category, article); a second hit of the same category in the same article
    widens the quote when the two spans are adjacent (e.g. 《立法法》第八十条、第八十二条). A second hit
    that says something else (two misnamed laws in one 第一条) keeps its message and basis in the
    one finding, so the reviewer still reads both."""
    out: dict[tuple[str, int], Finding] = {}
    for f in findings:
        key = (f.category, f.article)
        if key not in out:
            out[key] = f
            continue
        prev = out[key]
        if 0 <= prev.start <= f.start and f.start - prev.end <= 2:
            prev.end = max(prev.end, f.end)
            prev.quote = text[prev.start:prev.end]
        if f.message not in prev.message:
            prev.message += f.message
            prev.basis += [b for b in f.basis if b not in prev.basis]
    return sorted(out.values(), key=lambda f: (f.article, f.start))

