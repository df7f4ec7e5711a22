"""Which superior provision already penalises the conduct a draft fines without citing one.

A draft that fines conduct with no citation is either creating a penalty (penalty_creation) or
re-pricing a penalty a law or administrative regulation already provides (penalty_range). The two
need different fixes (delete the 罚则 vs. cite the law and keep its range), so before calling it a
creation we look for the superior provision:

1. search — the conduct clause (the part before '的，' / '，由…') plus '罚款' is searched among
   laws and administrative regulations in force on the review date; a hit counts only when one
   of its segments (a list item or sentence, e.g. 固废法第一百一十一条（七）'在运输过程中沿途丢弃、
   遗撒生活垃圾的') contains most of the conduct's character bigrams;
2. the draft's own citations — another clause of the draft applies a cited superior article with
   a fine to the same conduct (same subject words), or the sentence orders 从重处罚 for conduct the
   draft elsewhere penalises under a cited article (same enforcement organ): 从重 is bounded by
   that article's range.

Only when the draft's amounts fall outside every range of the same kind (for the same kind of
party — 个人 / 单位 — when the superior provision distinguishes them) do we report penalty_range,
quoting the superior provision. Amounts inside the range, ranges of another kind (倍 vs 元) and
per-unit tariffs without a range stay penalty_creation: we only re-label with evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import takewhile
from typing import Any

import yaml

from legalkb.corpus.crosswalk import bigrams
from legalkb.ingest.numerals import article_label, cn_to_int
from legalkb.review.amounts import Range, penalty_ranges
from legalkb.review.model import FOUND, ResolvedCitation

PENALTY_LEVELS = ("法律", "行政法规")
# Local regulations of the draft's province are superior too (a 区/县 document may not re-price a
# 省 地方性法规's fine); only province-level ones (title starts with the province name) are used,
# since the draft's city is not known. The corpus is Shandong's, hence the default.
LOCAL_LEVELS = ("地方性法规",)
DEFAULT_PROVINCE = "山东省"
_PROVINCE = re.compile(r"((?:河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|"
                       r"贵州|云南|陕西|甘肃|青海|台湾)省|(?:内蒙古|广西壮族|西藏|宁夏回族|新疆维吾尔)自治区|"
                       # The municipalities are provinces too: a 北京 district's superior local law is 北京市's.
                       r"(?:北京|上海|天津|重庆)市)")
# A permit / certificate named in the conduct (未取得《…准营证》/ 未取得登记证): the superior
# provision fines the same conduct only if it names the same document — a certificate the draft
# invents has no superior fine to exceed (the fine is created, penalty_creation).
_CERT = re.compile(r"《([^》]{2,30})》|(?:未|没有|无)(?:依法)?(?:取得|领取|办理|持有?|申领)([\u4e00-\u9fa5]{1,12}?(?:许可证|登记证|备案证|证书|证|卡|牌照|牌|许可|登记|备案))")
# Share of the conduct clause's content bigrams that must occur in one segment of the superior
# provision (search path) or in the citing clause of the draft (citation path).
CONDUCT_MATCH = 0.5
# Share of the whole conduct an article must hold before one side of its 或者 is matched alone.
ALTERNATIVE_MIN_WHOLE = 0.35
# A conduct of at least this many bigrams may match a whole fining paragraph at this share (see
# fines_for_conduct): stricter than one sentence, as a paragraph holds more words.
PARAGRAPH_CONDUCT_MIN = 10
PARAGRAPH_CONDUCT_MATCH = 0.6
_CITE = re.compile(r"(依照|依据|根据|按照)?《[^》]*》(第[^，。；、]{1,12}条)?(第[^，。；、]{1,6}款)?(的规定)?")
_COND_END = re.compile(r"(?:的，|的,|，由|，(?:处|并处|可以处|责令|给予))")
_LEAD = re.compile(r"^([（(][一二三四五六七八九十]+[）)]|对于?|凡是?|有下列(情形|行为)之一的?)")
_VIOLATE = re.compile(r"违反本(办法|规定|细则|措施|决定|条例|通知)[^，。；]{0,16}?规定[，,的]?")
# Bigrams that say nothing about which conduct is meant.
# Words of any duty, not of a conduct: '未按要求张贴承诺书' must not match '未按要求采取安全保护措施'.
_GENERIC = frozenset({"的，", "违反", "反本", "本办", "办法", "规定", "的规", "定的", "个人", "单位", "有关", "按照",
                      "依照", "行为", "以上", "以下", "之一", "下列", "一年", "年内", "三次", "次以",
                      "未按", "按要", "要求", "按规"})
_BY_ORGAN = re.compile(r"由[^，。；]{0,24}?(机构|部门|局|机关|政府|办事处|委员会|大队|中心)")
_PERSON = re.compile(r"个人|公民|自然人|行人|驾驶人|用户|消费者|居民|村民|乘客|游客|养犬人")
_ORG = re.compile(r"单位|企业|公司|经营者|机构|法人|组织|运营者|经营户")
_BODY = re.compile(r"由([^，。；、]{2,24}?)(?:依照|依据|按照|根据|责令|处以?|给予|从重|加重|对|予以|没收|并处)")


def without_own_references(text: str) -> str:
    """The sentence without the draft's references to its own articles (违反本办法第十一条规定，):
    they match a superior provision only by the accident of numbering (违反本条例第十一条规定)."""
    return _VIOLATE.sub("", text)


# (Or no rule named at all: '…应当密闭贮存；不能密闭的，应当设置…围挡。违反规定的，…处…罚款' — the duty before.)
_BACKREF = re.compile(r"^[^，。；]{0,8}?(有|违反)?(前述|前款|上述|前项|以上|前两款|前三款)(规定)?(行为|情形)?(之一)?$"
                      r"|^违反(本条)?(规定|要求)$")
# A conduct that only continues the one before: 逾期不改正 / 拒不改正 / 逾期不委托 / 仍不停止.
# (违反 too, not of a rule named: '外卖配送员驾驶电动自行车｜违反交通信号通行' against '驾驶非机动车有下列行为之一的
# …（一）违反交通信号通行的'.)
_ACT_START = re.compile(r"未(取得|办理|按照|按|经|依法)|擅自|违规|不按|超出|超过|违反(?!本|规定|前|上述|有关|国家|法律|《)"
                        r"|侵占|截留|挪用|骗取|冒领|套取|虚报|伪造|篡改")
# A clause or ；-part that only continues the one before ('逾期不改正的' / '情节严重的' / '经劝阻拒不
# 改正'): it names no conduct of its own.
CONTINUES = re.compile(r"^\s*(经[^，,]{0,10}(后|仍)|(经[^，,]{0,10})?(逾期|拒不|仍不|仍未|情节|再次|多次|屡次|造成|继续))")
# The draft's own article as the rule followed (未按照本办法第九条规定委托…).
_OWN_RULE = re.compile(r"按照本(办法|规定|细则|条例)第[^，。；]{1,12}条(第[^，。；]{1,6}款)?(的)?规定")
_ONLY_CONTINUES = re.compile(r"^((逾期|拒不|仍不|仍未|逾期仍)[^，。；]{0,8}|违反(上述|前述|前款|本条)?规定)$")
_AGGRAVATE = re.compile(r"从重(处罚|处理|处以)|加重(处罚|处理)")


@dataclass
class SuperiorPenalty:
    title: str
    article: str
    status: str
    text: str
    bad: list[Range]
    superior: list[Range]
    how: str  # 'search' | 'draft_citation'


# 非 negating what follows — not the words 非法, 非经 (= 未经), 非常, 非但, 非营利.
_NEGATED = re.compile(r"非(?!法|经|常|但|营利)([\u4e00-\u9fa5]{2})")


def negation_flipped(conduct: str, superior: str) -> bool:
    """The draft fines the opposite case: '在非禁止吸烟场所吸烟…' copies 控烟条例's '在禁止吸烟场所吸烟…'
    word for word but for 非."""
    return any(m.group(1) in superior and f"非{m.group(1)}" not in superior for m in _NEGATED.finditer(conduct))


def names_no_conduct(sentence: str) -> bool:
    """'违反规定的，…处…罚款', '有前款行为之一的，…': the fined conduct is told in the sentence before."""
    return bool(_BACKREF.search(conduct_of(sentence)))


# A duty's scope opening a sentence whose fine comes in a later ；-part: '从事机动车维修经营的，应当…向区交通运输局
# 进行备案；未按规定进行备案的，由…处…罚款' fines 从事机动车维修经营 + 未按规定进行备案 (道路运输条例第六十五条第四款).
_DUTY_SCOPE = re.compile(r"^([^，。；]{2,30})的[，,](?:应当|须|必须)")


def conduct_of(sentence: str) -> str:
    """The conduct a penalty sentence is about: the condition before '的，' or '，由…'."""
    t = _CITE.sub("", sentence)
    parts = re.split(r"[；;]", t)
    scope = _DUTY_SCOPE.match(parts[0])
    fining = next((p for p in parts[1:] if "罚款" in p and _COND_END.search(p)), None) if scope else None
    if scope and fining is not None and "罚款" not in parts[0]:
        t = scope.group(1) + fining.lstrip()
    m = _COND_END.search(t)
    c = t[: m.start()] if m else t
    c = _VIOLATE.sub("", _LEAD.sub("", c.strip()))
    return c.strip("，,；; ")


def _conduct_variants(conduct: str, cb: set[str]) -> tuple[list[set[str]], list[tuple[set[str], str | None]]]:
    """Other ways to match a conduct in a regulation the draft cites, after the whole `cb`:
    (the two sides of its 或者 — tried only where the whole conduct half matches: '携带电动自行车或者
    其蓄电池进入电梯轿厢' splits an object, not a conduct; the parts always tried, each with the text
    its certificates come from, None for the sentence's).
    Parts: the last clause after a circumstance ('利用未依法取得…的自建住宅从事民宿经营，未按照本办法
    第九条规定委托房屋安全鉴定' — the omission; the circumstance's 施工许可证 is not what it fines), and
    the act without its long subject ('提供餐饮服务的托管机构未取得小餐饮登记证从事食品经营' vs
    '食品小作坊、小餐饮未取得登记证从事食品生产经营')."""
    sides = [v for v in map(content_bigrams, alternatives(conduct)) if len(v) >= 5 and v != cb]
    seen = [cb, *sides]
    parts: list[tuple[set[str], str | None]] = []
    clauses = [c for c in re.split(r"[，,]", conduct) if c.strip()]
    if len(clauses) > 1 and not CONTINUES.match(clauses[-1]):   # '经劝阻拒不改正' names no conduct
        tail = content_bigrams(_OWN_RULE.sub("", clauses[-1]))
        if len(tail) >= 6 and tail not in seen:
            parts.append((tail, clauses[-1]))
            seen.append(tail)
    core = act_core(conduct)
    if core is not None and core not in seen:
        parts.append((core, None))
    return sides, parts


def act_core(conduct: str) -> set[str] | None:
    """The bigrams of a one-clause conduct's act without its long subject ('提供餐饮服务的托管机构｜未取得小餐饮
    登记证从事食品经营', '村（居）民委员会及其他项目实施单位｜侵占、截留、挪用后期扶持资金'); None when there is none to
    take, or too little of it."""
    act = _ACT_START.search(conduct)
    if not act or act.start() < 6 or len([c for c in re.split(r"[，,]", conduct) if c.strip()]) != 1:
        return None
    core = content_bigrams(conduct[act.start():])
    return core if len(core) >= 6 else None


# Where the act begins after its actor ('绿色公共建筑的所有权人、使用权人｜未建立运行管理制度').
_ACT_AFTER_SUBJECT = re.compile(r"未|不按|擅自|违反|拒不|超过|超出")
# Share of the act (the conduct without its actor) a provision must hold to be taken as fining that conduct.
REFERRED_ACT_MATCH = 0.3


_ACTOR_END = re.compile(r"(人|单位|企业|经营者|机构|公司|业主|组织|经营户|(?<!或)者)[，,、\s]*$")


def _act_of(conduct: str) -> str | None:
    """The act of a conduct that opens with its actor ('…的所有权人、使用权人｜未建立运行管理制度', '举办者｜未申报');
    None when it does not (what is done or used may come first: '超重、超高、超长车辆未经同意…')."""
    m = _ACT_AFTER_SUBJECT.search(conduct)
    if not m or m.start() < 2 or not _ACTOR_END.search(conduct[: m.start()]):
        return None
    act = conduct[m.start():]
    # '农药使用者为个人，违反前述规定': the act is told elsewhere, nothing to compare.
    return None if _BACKREF.search(act) else act


def _act_shared(conduct: str, provision: str) -> bool:
    """The provision matches the conduct by its act, not only by its actor: '绿色公共建筑的所有权人、使用权人未建立运行
    管理制度' shares half its words with 上海市绿色建筑条例第二十九条 ('大型公共建筑的所有权人或者使用权人应当定期…
    报送…数据') through the actor alone."""
    act = _act_of(conduct)
    if act is None:
        return True
    ab = content_bigrams(act)
    return not ab or len(ab & content_bigrams(provision)) / len(ab) >= REFERRED_ACT_MATCH


def alternatives(conduct: str) -> list[str]:
    """The two sides of a conduct joined by 或者 ('改装动力装置或者拆除限速装置后上道路行驶'), [] for
    a conduct without one (or with several: a list is judged whole)."""
    parts = conduct.split("或者")
    return parts if len(parts) == 2 and all(len(p) >= 4 for p in parts) else []


def content_bigrams(text: str) -> set[str]:
    return {b for b in bigrams(text) if b not in _GENERIC and not re.search(r"[0-9零一二两三四五六七八九十百千万元]{2}", b)}


def _actor(text: str) -> str:
    p, o = bool(_PERSON.search(text)), bool(_ORG.search(text))
    return "person" if p and not o else "org" if o and not p else ""


def _segments(text: str) -> list[str]:
    return [s for s in re.split(r"[\n；。]", text) if s.strip()]


def actor_ranges(text: str, default: str = "") -> list[tuple[str, Range]]:
    """Fine ranges of `text`, each with the party it applies to: the nearest 个人 / 单位 word before
    the range in the same segment and after the previous range ('对单位处10万元以下罚款，对个人处
    1000元以下罚款' → org, person); `default` when none is named."""
    out: list[tuple[str, Range]] = []
    pos = 0
    for seg in re.split(r"(?<=[\n；。])", text):
        prev = 0
        for r in penalty_ranges(seg):
            # The organ that fines (由消防救援机构处…) is not the party fined.
            window = _BY_ORGAN.sub(lambda m: "　" * len(m.group(0)), seg[prev:r.start])
            last = max(((m.end(), "person") for m in _PERSON.finditer(window)), default=(-1, ""))
            last_o = max(((m.end(), "org") for m in _ORG.finditer(window)), default=(-1, ""))
            who = max(last, last_o)[1] or default
            out.append((who, Range(r.kind, r.low, r.high, r.start + pos, r.end + pos)))
            prev = r.end
        pos += len(seg)
    return out


def _superior_ranges(text: str, actor: str) -> list[Range]:
    """Fine ranges of a superior article; those for `actor` when the article distinguishes 个人/单位."""
    per = actor_ranges(text)
    if not per:
        return []
    if actor:
        mine = [r for a, r in per if a == actor]
        if mine:
            return mine
    return [r for _a, r in per]


def _compare(draft: list[Range], sup: list[Range]) -> tuple[list[Range], list[Range]] | None:
    same = [r for r in draft if any(s.kind == r.kind for s in sup)]
    if not same:
        return None
    bad = [r for r in same if not any(r.within(s) for s in sup)]
    if not bad:
        return None
    return bad, [s for s in sup if s.kind == bad[0].kind]


def compare_by_actor(sentence: str, superior: str, actor: str = "") -> tuple[list[Range], list[Range]] | None:
    """Draft fine ranges outside the superior ranges for the same party: a draft that fines 单位 and
    个人 separately is compared half by half (the 个人 range against the superior 个人 range)."""
    paired = _compare_by_segment(sentence, superior)
    if paired:
        return paired
    mine = actor_ranges(sentence, actor)
    for who, r in mine:
        got = _compare([r], _superior_ranges(superior, who))
        if got:
            return got
    # The same tiers in the same order (一般 / 情节严重): each against its own. '处一万元以上三万元以下
    # 罚款；情节严重的，处三万元以上五万元以下罚款' fits 快递暂行条例第四十条's 1万元以下 / 1万至5万元
    # range by range only if the ordinary case is compared with the ordinary case.
    if _SEVERITY.search(sentence) and _SEVERITY.search(superior):
        for who in dict.fromkeys(w for w, _r in mine):
            ds = [r for w, r in mine if w == who]
            ss = [r for r in _superior_ranges(superior, who) if r.kind == ds[0].kind]
            if len(ds) == len(ss) > 1 and all(d.kind == ds[0].kind for d in ds) \
                    and _tiered(sentence, ds) and _tiered(superior, ss):
                bad = [d for d, t in zip(ds, ss, strict=True) if not d.within(t)]
                if bad:
                    return bad, ss
    return None


def _ranged_segments(text: str) -> list[tuple[str, str, list[Range]]]:
    """The ；/。-segments of `text` that set a fine: (the segment, its words before the first fine, its
    ranges with offsets within `text`)."""
    out, pos = [], 0
    for seg in re.split(r"(?<=[\n；。])", text):
        rs = penalty_ranges(seg)
        if rs:
            out.append((seg, seg[: rs[0].start], [Range(r.kind, r.low, r.high, r.start + pos, r.end + pos) for r in rs]))
        pos += len(seg)
    return out


def _compare_by_segment(sentence: str, superior: str) -> tuple[list[Range], list[Range]] | None:
    """Each fining segment of the sentence against the superior segment that describes it, when the
    superior fines more than one party or conduct: '…吸烟、饮酒的，…处一千元以上二千元以下罚款' against
    未成年人保护法第一百二十四条 — the smoker's 1,000–2,000 is measured against the smoker's 500元以下,
    not against the 一万元以下 of the manager who does not stop him."""
    mine, theirs = _ranged_segments(sentence), _ranged_segments(superior)
    if not mine or len(theirs) < 2:
        return None
    for _seg, conduct, ranges in mine:
        cb = content_bigrams(conduct)
        if len(cb) < 4:
            continue
        shares = sorted(((len(cb & content_bigrams(t)) / len(cb), i) for i, (t, _c, _r) in enumerate(theirs)),
                        reverse=True)
        (best, i), (second, _j) = shares[0], shares[1]
        if best < SEGMENT_MATCH or best - second < SEGMENT_MARGIN:
            continue
        got = _compare(ranges, theirs[i][2])
        if got:
            return got
    return None


SEGMENT_MATCH = 0.5    # share of the draft segment's bigrams in the superior segment it is paired with
SEGMENT_MARGIN = 0.2   # …ahead of the next best: otherwise the pairing is a guess
_SEVERITY = re.compile(r"情节(严重|较重|特别严重)|逾期不(改正|履行)|拒不改正")


def _tiered(text: str, ranges: list[Range]) -> bool:
    """True when each range after the first is the next tier of the one before (情节严重的，处…),
    not another conduct's fine."""
    gaps = [text[a.end:b.start] for a, b in zip(ranges, ranges[1:], strict=False)]
    return all(_SEVERITY.search(g) and "\n" not in g and len(g) < 40 for g in gaps)


def _verdict(sentence: str, fines: str | None, actor: str, certs: list[str], other_kind: bool = False
             ) -> tuple[list[Range], list[Range]] | None:
    """(the sentence's ranges outside the superior `fines`, the superior ranges), with [] as the
    first when all fit — a repeated superior penalty, not a created one. None when `fines` is no
    evidence: absent, or about another certificate. With `other_kind` (the provision is known to be
    about this conduct: curated, or cited by the draft), a fine of another kind than the superior's
    (五万元以上二十万元以下 where 民办教育促进法第六十四条 fines 违法所得一倍以上五倍以下) changes the
    superior's range: those ranges are outside it. Found by wording alone, another kind is no
    evidence either way ('未按时报送' matches many articles)."""
    if fines is None or not _names_certificates(certs, fines):
        return None
    got = compare_by_actor(sentence, fines, actor)
    if got:
        return got
    superior = penalty_ranges(fines)
    theirs = {r.kind for r in superior}
    mine = penalty_ranges(sentence)
    if not mine:
        return None
    other = [r for r in mine if r.kind not in theirs]
    if not other:
        return [], superior
    money = ("yuan", "ratio")
    return (other, superior) if other_kind and all(r.kind in money for r in other) and theirs & set(money) else None


def _body(text: str) -> str:
    m = _BODY.search(text)
    return m.group(1) if m else ""


def province_of(text: str, default: str = DEFAULT_PROVINCE) -> str:
    """The province a draft belongs to: the first 《××省…》 it cites or ××省 it names, else `default`."""
    m = re.search(r"《" + _PROVINCE.pattern, text) or _PROVINCE.search(text)
    return m.group(1) if m else default


def draft_province(text: str, library: Any = None) -> str:
    """The draft's province when the draft tells: a province it cites or names (`province_of`), else
    the province of a city the corpus knows in its first lines (杭州市西湖区人民政府 → 浙江省); ''
    when neither does."""
    found = province_of(text, "")
    if found or library is None or not hasattr(library, "gazetteer"):
        return found
    head = "\n".join(text.strip().splitlines()[:3])
    places = library.gazetteer().find(head)
    return places[0].region if places else ""


_CITY = re.compile(r"《((?:[\u4e00-\u9fa5]{2,6}?)市)(?![^》]*(?:省|自治区))[^》]{2,40}(?:条例|规定|办法|决定)》")


def city_of(text: str, province: str) -> str:
    """The 设区的市 a draft belongs to, when it cites one of that city's regulations (《临沂市文明行为
    促进条例》): its regulations are superior too. '' when the draft cites none."""
    for m in _CITY.finditer(text):
        name = m.group(1)
        # 《城市市容和环境卫生管理条例》 is national. A wrong guess costs one search: hits must
        # carry the city's name at the start of their title.
        if not name.startswith("城市") and not (province and name.startswith(province)):
            return name
    return ""


def certificates_of(conduct: str) -> list[str]:
    """Permits / certificates whose absence the conduct is about (未取得《…》 / 未取得登记证)."""
    out = []
    for m in _CERT.finditer(conduct):
        name = m.group(1) or m.group(2)
        if m.group(1) and not re.search(r"(证|卡|牌|书|许可|登记|备案|证明|凭证|执照)$", name):
            continue
        out.append(name)
    return out


def _names_certificates(certs: list[str], superior: str) -> bool:
    """Every certificate of the conduct is named by the superior text (by its last 2–4 characters
    when the draft qualifies it: 《经营性停车场准营证》 needs 准营证 in the superior text)."""
    for c in certs:
        if c in superior:
            continue
        if not any(len(c) > k and c[-k:] in superior for k in (4, 3)):
            return False
    return True


def find_superior_penalty(sentence: str, retriever: Any,
                          draft_cites: list[tuple[str, ResolvedCitation]] = (),
                          province: str = "", city: str = "", context: str = "") -> SuperiorPenalty | None:
    """The superior provision that penalises this sentence's conduct: with `bad` = the sentence's
    ranges outside its range, or `bad` = [] when it allows them; None when none is found.
    `draft_cites`: (citing clause, resolved citation) pairs of the rest of the draft."""
    draft = penalty_ranges(sentence)
    if not draft:
        return None
    conduct = conduct_of(sentence)
    # '有前述行为之一的，…处…罚款': the conduct is the duties listed before (`context`, the preceding
    # sentence of the article); the superior article then lists them as items, matched as a whole.
    whole = bool(context) and bool(_BACKREF.search(conduct))
    if whole:
        conduct = context
    elif context and _ONLY_CONTINUES.match(conduct):
        # '…未委托房屋安全鉴定的，由…责令限期委托；逾期不委托的，处…罚款': the fined conduct is the
        # one ordered corrected in the sentence before (the superior article has the same shape).
        conduct = conduct_of(context)
    cb = content_bigrams(conduct)
    if len(cb) < 3:
        return None
    actor = _actor(conduct)
    # 1. The draft's own citations of superior penalty provisions.
    aggravate = bool(_AGGRAVATE.search(sentence))
    body = _body(sentence)
    for clause, c in draft_cites:
        if c.resolution != FOUND or not c.citation.article or not c.text or not penalty_ranges(c.text):
            continue
        other = content_bigrams(conduct_of(clause))
        share = len(cb & other) / len(cb)
        same_body = bool(body) and body == _body(clause)
        if share >= CONDUCT_MATCH or (aggravate and same_body and cb & other):
            got = compare_by_actor(sentence, c.text, actor or _actor(conduct_of(clause)))
            if got:
                return SuperiorPenalty(c.title, c.citation.article_label, c.status, c.text, got[0], got[1],
                                       "draft_citation")
    if retriever is None:
        return None
    # 2. Conduct a superior provision describes in other words (骗取补贴 → 财政违法行为处罚处分条例
    #    第十四条, corpus/penalty_conducts.yaml).
    for pattern, title, number in _known_conducts():
        if pattern.search(conduct):
            art = next((a for a in retriever.articles_in_force(title) if a.label == article_label(number)), None)
            verdict = _verdict(sentence, art.text, actor, [], other_kind=True) if art else None
            if art and verdict is not None:
                return SuperiorPenalty(art.title, art.label, art.status, art.text, *verdict, "known_conduct")
    # 3. Search among laws and administrative regulations in force, then among the province's
    #    local regulations.
    m = _COND_END.search(sentence)
    certs = certificates_of(sentence[: m.start()] if m else sentence)  # before 《》 are stripped
    # (levels, region searched, title prefix a hit must have, depth): a city's regulations are
    # searched among the province's, so deeper — other cities' rules on the same conduct compete.
    tiers: list[tuple[tuple[str, ...], tuple[str, ...], str, int]] = [(PENALTY_LEVELS, (), "", 5)]
    if province:
        tiers.append((LOCAL_LEVELS, (province,), province, 5))
        if city:
            tiers.append((LOCAL_LEVELS, (province,), city, 20))
    cited = {c.title for _clause, c in draft_cites if c.resolution == FOUND}
    # A local regulation the draft names as its basis (根据《济宁市城镇容貌和环境卫生管理条例》…) is
    # read article by article: search may rank another of the city's regulations first.
    # The article describing the conduct best decides, not the first that passes the threshold
    # (未按要求提供相关资料 vs 未按要求公告相关信息 share most of their words).
    best: tuple[float, Any, tuple[list[Range], list[Range]]] | None = None
    sides, parts = _conduct_variants(conduct, cb)
    core = act_core(conduct)
    # The province's and city's regulations the draft cites, and the national laws it cites (城市道路
    # 管理条例第四十二条 fines 第二十七条's conduct by reference: search on the conduct finds 第二十七条,
    # which sets no fine).
    readable = [t for t in cited if any(p and t.startswith(p) for p in (province, city)) or retriever.is_national(t)]
    for title in sorted(readable):
        # A national law is long and general: only the whole conduct is matched in it, and a fine of
        # another kind counts only against its very wording (the looser matching is for the local
        # regulation the draft implements).
        national = not any(p and title.startswith(p) for p in (province, city))
        for art in retriever.fining_articles(title):
            tried: list[tuple[set[str], str | None]] = [(cb, None)]
            if not national:
                whole_share = max(_best_share(art.text, cb),
                                  len(cb & content_bigrams(art.referred)) / len(cb) if art.referred else 0.0)
                if whole_share >= ALTERNATIVE_MIN_WHOLE:
                    tried += [(v, None) for v in sides]
                tried += parts
            for vcb, certs_text in tried:
                vcerts = certificates_of(certs_text) if certs_text is not None else certs
                fines = fines_for_conduct(art.text, vcb, whole=whole, conduct=conduct)
                if fines is not None and not whole and not _act_shared(conduct, art.text):
                    fines = None   # matched by its actor alone (see _act_shared)
                described = art.text
                if fines is None and art.referred and penalty_ranges(art.text) and \
                        len(vcb & content_bigrams(art.referred)) / len(vcb) >= CONDUCT_MATCH and \
                        _act_shared(conduct, art.referred) and not negation_flipped(conduct, art.text):
                    # '在森林防火区有本条例第二十一条第一款规定行为之一的，…处…罚款': the conduct is
                    # described in the article it refers to. The negation is judged on what is fined:
                    # 控烟条例第十四条 names 非禁止吸烟场所 duties, its 第二十五条 fines 禁止吸烟场所 only.
                    fines, described = art.text, art.referred
                verdict = _verdict(sentence, fines, actor, vcerts, other_kind=not national or (
                    len(vcb) >= SAME_CONDUCT_MIN and _best_share(described, vcb) >= SAME_CONDUCT))
                if verdict is not None:
                    share = _best_share(described, vcb)
                    if best is None or share > best[0]:
                        best = (share, art, verdict)
                    break
    local = None
    if best is not None:
        art = best[1]
        local = SuperiorPenalty(art.title, art.label, art.status, art.text, *best[2], "draft_citation")
        if not local.bad:
            return local
        # A national law or administrative regulation on the same conduct prevails over the
        # province's (立法法第九十九条): the draft restating 城镇燃气管理条例第四十五条's 五万元以上
        # 五十万元以下 is lawful though 山东省燃气管理条例 fines less.
        tiers = tiers[:1]
    for levels, region, prefix, depth in tiers:
        hits = retriever.provisions(conduct + " 罚款", levels, top_k=depth, region=region)
        # The regulations the draft itself cites first: another of the city's regulations may
        # describe the same conduct (文明行为促进条例 vs 城镇容貌和环境卫生管理条例).
        for h in sorted(hits, key=lambda h: h.title not in cited):
            if prefix and not h.title.startswith(prefix):
                continue  # another city's regulation: not known to bind the draft's area
            if not penalty_ranges(h.text):
                # (Where the province's regulation fines the conduct, a law that does not is no
                # evidence against it: 行政处罚法第十二条 lets a 地方性法规 add the fine.)
                unfined = None if local is not None else \
                    _liability_without_amount(h, cb, conduct, sentence, actor, certs, retriever)
                if unfined is not None:
                    return unfined
                continue
            fines = fines_for_conduct(h.text, cb, whole=whole, conduct=conduct)
            if fines is None and core is not None:
                # The act without a long actor: '村（居）民委员会及其他项目实施单位｜侵占、截留、挪用后期扶持资金' against
                # 大中型水利水电工程建设征地补偿和移民安置条例第六十条 ('侵占、截留、挪用…水库移民后期扶持资金的').
                fines = fines_for_conduct(h.text, core, whole=whole, conduct=conduct)
            if fines is None or not _names_certificates(certs, fines):
                continue
            # A conduct matched by its actor alone ('举办者未申报' and 食品安全法第一百三十条's 展销会的举办者…未履行检查、
            # 报告等义务) is no evidence that a law fines it.
            if not whole and not _act_shared(conduct, h.text):
                continue
            # The best-matching provision decides; None when it fines in another kind (元 vs 倍) and
            # is not surely about the conduct: no evidence either way, the creation finding stands.
            # Another kind of fine counts as a range change when the provision is surely about this
            # conduct: the draft cites it, or copies its wording (制造、销售封建迷信殡葬用品 — 殡葬管理
            # 条例第二十二条 fines 1 to 3 times the sales).
            verdict = _verdict(sentence, fines, actor, certs, other_kind=h.title in cited or (
                len(cb) >= SAME_CONDUCT_MIN and _best_share(fines, cb) >= SAME_CONDUCT))
            if local is not None:
                return SuperiorPenalty(h.title, h.article, h.status, h.text, *verdict, "search") \
                    if verdict is not None and not verdict[0] else local
            return SuperiorPenalty(h.title, h.article, h.status, h.text, *verdict, "search") if verdict else None
    return local


_ITEM = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")
_ITEM_REF = re.compile(r"第([一二三四五六七八九十]+)项")
# A liability clause: who orders / punishes ('由…主管部门责令退还…限期拆除').
_LIABILITY = re.compile(r"由[^。；]{0,40}(责令|处罚|处以|给予|没收)")
# Conduct share above which a liability clause is taken to be about the draft's very conduct even
# though it sets no amount (its wording is what the draft copied).
SAME_CONDUCT = 0.8
# …of a conduct long enough to be specific ('未按时报送' alone matches many articles' items).
SAME_CONDUCT_MIN = 8


def _liability_without_amount(hit: Any, cb: set[str], conduct: str, sentence: str, actor: str,
                              certs: list[str], retriever: Any) -> SuperiorPenalty | None:
    """A superior liability clause describing the draft's conduct almost word for word but setting
    no amount. Either it fines without one (土地管理法第八十二条 '并处罚款') and the amount is in the
    implementing regulation's article that cites it (实施条例第六十条 '违法所得的百分之十以上百分之三十
    以下'), or it sets no fine at all (土地管理法第七十八条: 责令退还、限期拆除) — then the draft's fine
    is a penalty the law does not provide for this conduct (no superior range: `superior` = [])."""
    segs = [g for g in re.split(r"[\n。]", hit.text) if _LIABILITY.search(g)]
    best = max(segs, key=lambda g: len(cb & content_bigrams(g)), default="")
    if not best or len(cb & content_bigrams(best)) / len(cb) < SAME_CONDUCT or negation_flipped(conduct, best):
        return None
    if "罚款" not in best:
        if re.search(r"罚款|处罚|没收", hit.text):
            return None   # another paragraph of the article punishes: not clearly unfined
        return SuperiorPenalty(hit.title, hit.article, hit.status, hit.text, penalty_ranges(sentence), [], "search")
    for art in retriever.citing(hit.title, hit.article):
        if penalty_ranges(art.text) and "罚款" in art.text:
            verdict = _verdict(sentence, art.text, actor, certs)
            if verdict is not None:
                return SuperiorPenalty(art.title, art.label, art.status, art.text, *verdict, "search")
    return None


@lru_cache(maxsize=1)
def _known_conducts() -> list[tuple[re.Pattern[str], str, int]]:
    data = yaml.safe_load(resources.files("legalkb.corpus").joinpath("penalty_conducts.yaml").read_text("utf-8"))
    return [(re.compile(c["conduct"]), str(c["law"]), int(c["article"])) for c in data.get("conducts", [])]


def _segment_shares(paras: list[str], cb: set[str], subject: set[str] = frozenset()) -> list[tuple[float, int]]:
    """(share of the conduct's bigrams, paragraph index) for every sentence or ；-part of `paras`;
    a list item （一）… counts with `subject`, the bigrams of its lead paragraph's subject."""
    out = []
    for i, para in enumerate(paras):
        extra = subject if _ITEM.match(para) else set()
        out += [(len(cb & (content_bigrams(seg) | extra)) / len(cb), i)
                for seg in re.split(r"[；。]", para) if seg.strip()]
    return out


def _best_share(text: str, cb: set[str]) -> float:
    """The largest share of the conduct's bigrams found in one sentence of `text`."""
    return max((share for share, _ in _segment_shares(text.split("\n"), cb)), default=0.0)


def fines_for_conduct(text: str, cb: set[str], whole: bool = False, conduct: str = "") -> str | None:
    """The part of a superior article that fines the conduct (see _fines_for); with `conduct`, the
    conduct's text, also None when the draft fines the opposite case (在非禁止吸烟场所吸烟)."""
    fines = _fines_for(text, cb, whole)
    if fines is None and conduct and not whole:
        fines = _narrowed_fines(text, conduct)
    return None if fines is not None and conduct and negation_flipped(conduct, fines) else fines


# A superior conduct this short or generic says too little to be narrowed ('违反本条例规定').
_NARROWABLE_MIN = 4
_GENERIC_CONDUCT = re.compile(r"^(违反|有下列|有前款|有本条|有第)")


def _narrowed_fines(text: str, conduct: str) -> str | None:
    """The fining sentence of `text` whose conduct the draft's narrows to one kind of object or
    place: '盗伐菌材林木' is 森林法第七十六条's '盗伐林木' with a word inserted — every character of the
    superior conduct, in order, and at most as many again added (shared bigrams miss it: 伐菌 and 材林
    break 伐林)."""
    draft = re.sub(r"[^\u4e00-\u9fff]", "", conduct)
    for para in (p for p in text.split("\n") if p.strip()):
        for seg in re.split(r"(?<=[；。])", para):
            if not penalty_ranges(seg):
                continue
            theirs = re.sub(r"[^\u4e00-\u9fff]", "", conduct_of(seg))
            if len(theirs) < _NARROWABLE_MIN or _GENERIC_CONDUCT.match(theirs) or len(draft) > 2 * len(theirs) \
                    or theirs == draft:
                continue
            rest = iter(draft)
            if all(ch in rest for ch in theirs):   # a subsequence: consumes `rest` in order
                return seg
    return None


def clauses(sentence: str, ends: str = "；;") -> list[tuple[int, str]]:
    """The sentence cut after each of `ends`, with each piece's offset in the sentence."""
    out, offset = [], 0
    for piece in re.split(f"(?<=[{ends}])", sentence):
        out.append((offset, piece))
        offset += len(piece)
    return out


# A paragraph that fines what an earlier one describes: '违反前款规定的', '有前款违法情形的', '违反规定的'.
_PRIOR = r"(?:有|违反)(?:前款|前两款|本条第一款|上款)"
_BREACH = re.compile(rf"{_PRIOR}|(?:有|违反)(?:本条)?规定(?:的|行为)")
_OTHER_SUBJECT = re.compile(rf"^\s*([^，。；]{{2,30}}?){_PRIOR}")
# Share of a paragraph's own subject that must be in the draft's conduct for that paragraph to apply.
SAME_SUBJECT = 0.6


def _fines_for(text: str, cb: set[str], whole: bool = False) -> str | None:
    """The part of a superior article that fines the conduct, or None when no segment describes it.
    The conduct must be described in a paragraph that itself sets a fine, or in a list item
    （一）（二）… of an article whose other paragraphs set the fines; a paragraph that only refers
    the conduct elsewhere (依照《…》追究法律责任) does not count."""
    paras = [p for p in text.split("\n") if p.strip()]
    if whole:  # the conduct is several duties: the article's items together must describe them
        if len(cb & content_bigrams(text)) / len(cb) < CONDUCT_MATCH:
            return None
        rest = "\n".join(p for p in paras if not _ITEM.match(p))
        return rest if penalty_ranges(rest) else None
    # A list item's subject is in the lead paragraph ('民办学校举办者及实际控制人…有下列情形之一的'):
    # it counts with each item ('（二）…抽逃出资、挪用办学经费的').
    lead = next((p for p in paras if not _ITEM.match(p)), "")
    subject = content_bigrams(lead[: lead.find("有下列")]) if "有下列" in lead else set()
    # The first sentence with the largest share decides (max keeps the first of equals).
    best, where = max(_segment_shares(paras, cb, subject), key=lambda t: t[0], default=(0.0, -1))
    if best < CONDUCT_MATCH and len(cb) >= PARAGRAPH_CONDUCT_MIN:
        # A paragraph may spread one conduct over its sentences ('违反前款规定，擅自设置…障碍物的，道路
        # 范围内由…；…其他公共场所内，由…并处…罚款'): a long conduct may match a fining paragraph whole.
        para_shares = [(len(cb & content_bigrams(p)) / len(cb), i) for i, p in enumerate(paras) if penalty_ranges(p)]
        share, i = max(para_shares, key=lambda t: t[0], default=(0.0, -1))
        if share >= PARAGRAPH_CONDUCT_MATCH:
            return paras[i]
    if best < CONDUCT_MATCH or where < 0:
        # A draft that joins several items' conducts in one sentence ('使用虚假证明材料骗领居住证，出租、
        # 出借、转让居住证，或者非法扣押他人居住证' — 居住证暂行条例第十八条 (一) to (三)): the items
        # together describe it, and their article's fine applies to each.
        items = [p for p in paras if _ITEM.match(p)]
        rest = "\n".join(p for p in paras if not _ITEM.match(p))
        if len(items) > 1 and len(cb & content_bigrams("\n".join(items))) / len(cb) >= SAME_CONDUCT \
                and penalty_ranges(rest):
            return rest
        return None
    para = paras[where]
    # '道路货物运输站（场）经营者有前款违法情形的，…处3000元以上3万元以下的罚款' (道路运输条例第七十条第二款): the
    # same conduct by another subject, fined apart — the draft's subject decides which paragraph applies.
    for later in paras[where + 1:where + 3]:
        m = _OTHER_SUBJECT.match(later)
        if m and penalty_ranges(later):
            theirs = content_bigrams(m.group(1))
            shared = len(theirs & cb)
            if theirs and shared >= SAME_SUBJECT * len(theirs) and shared > len(theirs & content_bigrams(para)):
                return later
    if penalty_ranges(para):
        return para
    # '…没收违法所得，并依照下列规定处以罚款：' and the items '（一）涉及实行一级保护的古树和名木的，处每株
    # 50万元以上100万元以下的罚款；…' (古树名木保护条例第二十六条): the items below set the fine.
    if para.rstrip().endswith(("：", ":")):
        items = list(takewhile(lambda p: bool(_ITEM.match(p)), paras[where + 1:]))
        if items and penalty_ranges("\n".join(items)):
            return "\n".join([para, *items])
    # '任何单位和个人不得擅自…张贴…广告。' + '违反前款规定的，对…处以…罚款': the next paragraph fines
    # the conduct this one prohibits.
    # Or a paragraph further on fines a breach of the article ('违反规定的，责令限期拆除；…并处五百元以上五千元
    # 以下罚款' — 重庆市市容环境卫生管理条例第五十六条, after a paragraph on lawful 清洗场所).
    for later in paras[where + 1:where + 3]:
        if _BREACH.match(later) and penalty_ranges(later):
            return later
    if _ITEM.match(para):
        others = [p for p in paras if not _ITEM.match(p)]
        # '单位有前款第一项、第七项行为之一，处五万元以上五十万元以下的罚款；单位有前款第二项、…第四项…
        # 行为之一，处十万元以上一百万元以下的罚款' (固废法第一百一十一条): the fine for this item only.
        number = cn_to_int(_ITEM.match(para).group(0).strip(" （()）"))
        listed = [seg for p in others for seg in re.split(r"[；;]", p) if _ITEM_REF.search(seg)]
        mine = [seg for seg in listed if number in {cn_to_int(n) for n in _ITEM_REF.findall(seg)}]
        if mine and penalty_ranges("；".join(mine)):
            # A lead paragraph that fines every item (消防法第六十条: 单位…有下列行为之一的，…处五千元
            # 以上五万元以下罚款：) still applies beside the item-specific sentence.
            head = [lead] if lead and penalty_ranges(lead) else []
            return "\n".join([*head, "；".join(mine)])
        rest = "\n".join(others)
        # With the item itself: the certificate the draft names (健康证明) is in 食品安全法第一百二十六条's
        # item （六）, not in the paragraph that fines every item.
        return "\n".join([rest, para]) if penalty_ranges(rest) else None
    return None
