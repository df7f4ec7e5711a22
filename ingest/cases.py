"""Court cases: the model, and what can be read off any case text — 案号, court and its level,
procedure, parties, dates, and the law articles a case cites.

Readers for the three source formats live beside this module: LawRefBook 典型案例 Markdown and
裁判文书-style judgments in `legalkb.ingest.judgment`, the bureau's own YAML / front-matter
cases here (`parse_local`). `load_case(path)` picks the reader. Linking citations to corpus
articles needs the library and happens in `legalkb.search.cases`.

Parsing never raises on odd content: a field that cannot be found stays empty and a warning says
so, because a half-parsed case is still useful to a lecturer and a crash on one file is not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from legalkb.ingest.errors import CorruptFileError, EmptyFileError
from legalkb.ingest.metadata import all_dates
from legalkb.ingest.normalize import clean_text
from legalkb.ingest.numerals import CN_NUM_CHARS, article_key, article_label, cn_to_int, int_to_cn

SOURCE_TYPICAL = "典型案例"
SOURCE_JUDGMENT = "裁判文书"
SOURCE_LOCAL = "本地案例"

COURT_LEVELS = ("基层", "中级", "高级", "最高")


# -- model -------------------------------------------------------------------------------------
@dataclass
class CitedArticle:
    """One law article a case cites, as written and (after linking) as found in the corpus."""

    law: str                 # law name as written, brackets removed: 中华人民共和国合同法 / 民法典
    number: int
    sub: int = 0             # 之一
    detail: str = ""         # finer part of the first mention: 第一款第（五）项
    raw: str = ""            # the citation text as found
    quote: str = ""          # article text quoted right after the citation, if any
    mentions: int = 1
    # Filled by legalkb.search.cases.link_case:
    law_key: str = ""
    article_id: str = ""     # '民法典@2020-05-28#1165' when the cited version is in the corpus
    status: str = ""         # 现行有效 / 已修改 / 已废止 / 未收录 …
    successor: str = ""      # law_key of the replacing law (repealed laws, via the registry)
    note: str = ""

    @property
    def key(self) -> str:
        return article_key(self.number, self.sub)

    @property
    def label(self) -> str:
        return article_label(self.number, self.sub)

    @property
    def ref_id(self) -> str:
        """Version-less id '民法典#1165': how a case is found by 'law + article number' whatever
        version it applied (and for repealed laws, whose texts are not in the corpus)."""
        return f"{self.law_key or self.law}#{self.key}"

    def display(self) -> str:
        return f"《{self.law}》{self.label}{self.detail}"


@dataclass
class Case:
    case_id: str
    title: str                           # case name: 孙银山诉南京欧尚超市有限公司江宁店买卖合同纠纷案
    headline: str = ""                   # the published point/question heading, if any
    case_number: str = ""                # 案号, normalised: （2012）江宁开民初字第646号
    other_numbers: list[str] = field(default_factory=list)   # further 案号 mentioned (other instances)
    court: str = ""
    court_level: str = ""                # 基层 / 中级 / 高级 / 最高
    date: dt.date | None = None          # judgment date
    date_estimated: bool = False         # True: no judgment date found; latest date in the text
    cause: str = ""                      # 案由
    procedure: str = ""                  # 一审 / 二审 / 再审 / 执行 / 仲裁 …
    doc_type: str = ""                   # 判决书 / 裁定书 / 调解书
    parties: list[str] = field(default_factory=list)          # as published: '原告：孙银山'
    claims: str = ""                     # 诉讼请求
    facts: str = ""                      # 基本案情
    issues: str = ""                     # 争议焦点
    holding: str = ""                    # 裁判要点 / 裁判要旨
    reasoning: str = ""                  # 裁判理由 / 本院认为 / 案例分析
    result: str = ""                     # 裁判结果 / 判决如下
    significance: str = ""               # 典型意义 / 法官解读
    provisions: str = ""                 # 相关法条 as printed with the case
    keywords: list[str] = field(default_factory=list)
    region: str = ""                     # province of the court, or as the local case says
    category: str = ""                   # publication folder / topic: 消费购物
    source: str = ""                     # where it was published / who wrote it
    source_kind: str = ""                # 典型案例 / 裁判文书 / 本地案例
    source_path: str = ""
    cites: list[CitedArticle] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return f"case:{self.case_id}"

    @property
    def year(self) -> int | None:
        if self.date:
            return self.date.year
        m = CASE_NUMBER.search(self.case_number) if self.case_number else None
        return int(m.group("year")) if m else None

    def full_text(self) -> str:
        return "\n".join(x for x in (self.headline, self.facts, self.claims, self.issues, self.holding,
                                      self.reasoning, self.result, self.significance, self.provisions) if x)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        d["doc_id"] = self.doc_id
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Case:
        d = dict(d)
        d.pop("doc_id", None)
        if d.get("date"):
            d["date"] = dt.date.fromisoformat(d["date"])
        d["cites"] = [CitedArticle(**c) for c in d.get("cites", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


# -- 案号 -----------------------------------------------------------------------------------------
# （2021）鲁13行终123号, (2007)朝民初字第18230号, ［2019］最高法民再100号. The middle part is a court code
# (Han + digits) and a case-type code; '字第' is the pre-2016 style.
CASE_NUMBER = re.compile(
    r"[（(〔\[［【]\s*(?P<year>(?:19|20)\d{2})\s*[）)〕\]］】]\s*"
    r"(?P<code>[\u4e00-\u9fa50-9 \t]{1,30}?)\s*(?:字)?\s*第?\s*(?P<seq>\d{1,7})\s*(?:-\d+\s*)?号"
)
# Case-type codes in 案号 → procedure. Order matters: 民申 before 民, 终 before 初.
_PROCEDURE_CODES = (("执恢", "执行"), ("执异", "执行"), ("执复", "执行"), ("执", "执行"),
                    ("再", "再审"), ("申", "再审审查"), ("监", "审判监督"), ("终", "二审"),
                    ("初", "一审"), ("特", "特别程序"), ("破", "破产"), ("赔", "国家赔偿"))


def normalize_case_number(text: str) -> str:
    """Canonical form: full-width brackets, no spaces. '(2021)鲁13行终123号' → '（2021）鲁13行终123号'."""
    m = CASE_NUMBER.search(text)
    if not m:
        return ""
    raw = re.sub(r"\s+", "", m.group(0))
    return re.sub(r"^[（(〔\[［【](\d{4})[）)〕\]］】]", r"（\1）", raw)


def find_case_numbers(text: str) -> list[str]:
    out: list[str] = []
    for m in CASE_NUMBER.finditer(text):
        n = normalize_case_number(m.group(0))
        # A 文号 such as 法释〔2020〕26号 looks alike; a case number has a case-type code.
        if n and n not in out and re.search(r"[民刑行执赔商知破申终初再监特]", m.group("code")):
            out.append(n)
    return out


def procedure_from_number(number: str) -> str:
    m = CASE_NUMBER.search(number)
    if not m:
        return ""
    code = m.group("code")
    for token, name in _PROCEDURE_CODES:
        if token in code:
            return name
    return ""


_TEXT_PROCEDURES = (("再审", "再审"), ("二审", "二审"), ("第二审", "二审"), ("上诉", "二审"),
                    ("一审", "一审"), ("第一审", "一审"), ("仲裁", "仲裁"), ("执行", "执行"))


def procedure_from_text(text: str) -> str:
    """The highest stage the text mentions (a case that went to 二审 also mentions 一审)."""
    found = [name for word, name in _TEXT_PROCEDURES if word in text]
    for stage in ("再审", "二审", "一审", "仲裁", "执行"):
        if stage in found:
            return stage
    return ""


# -- courts ---------------------------------------------------------------------------------
PROVINCES = ("北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
             "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
             "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
             "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
             "香港特别行政区", "澳门特别行政区")
_PROVINCE_SHORT = {p[:3] if p.startswith(("内蒙古", "黑龙江")) else p[:2]: p for p in PROVINCES}
COURT = re.compile(
    r"最高人民法院|[\u4e00-\u9fa5]{2,30}?(?:高级|中级)?人民法院(?:[\u4e00-\u9fa5]{1,8}人民法庭)?"
    r"|[\u4e00-\u9fa5]{2,20}?(?:海事|知识产权|互联网|金融|铁路运输|军事)法院"
)
# Words that precede a court name in running text and are not part of it.
_COURT_LEAD = re.compile(r"^.*?(?:由|向|经|后|时|的|和|及|与|将|被|在|至|到|于|为|称|诉|认为|作出|提交|提起|上诉|判决|裁定|审理|起诉)")
# A real court name starts with a place (ending in an administrative unit) or is a special court.
_COURT_SHAPE = re.compile(r"^(?:最高人民法院|[\u4e00-\u9fa5]{1,24}?(?:省|市|区|县|旗|州|盟|自治州)"
                          r"|[\u4e00-\u9fa5]{2,12}(?:海事|知识产权|互联网|金融|铁路运输|军事)法院)")
_GENERIC_COURT = re.compile(r"^(?:本院|原审|一审|二审|再审|基层|上级|下级|各级|地方|受诉|原|该|我|贵|各|上述|两审|人民)"
                            r"(?:高级|中级)?人民法院$")


def clean_court(name: str) -> str:
    """Trim running text off a regex match: '江苏省南京市江宁区人民法院' stays, '后诉至南京市…人民法院'
    loses '后诉至'. Returns '' for generic mentions (本院, 一审人民法院)."""
    name = re.sub(r"\s+", "", name)
    for short in _PROVINCE_SHORT:
        i = name.find(short)
        if i > 0:
            name = name[i:]
            break
    else:
        if name != "最高人民法院":
            name = _COURT_LEAD.sub("", name)
    if _GENERIC_COURT.match(name) or not _COURT_SHAPE.match(name):
        return ""
    return name


def find_courts(text: str) -> list[str]:
    """Court names in order of mention; names inside 《》 (最高人民法院关于…的解释) are titles, not courts."""
    text = re.sub(r"《[^《》]*》", "《》", text)
    out: list[str] = []
    for m in COURT.finditer(text):
        c = clean_court(m.group(0))
        if c and c not in out:
            out.append(c)
    return out


def court_level(court: str) -> str:
    if not court:
        return ""
    if court.startswith("最高人民法院"):
        return "最高"
    if "高级人民法院" in court:
        return "高级"
    if "中级人民法院" in court or re.search(r"(海事|知识产权|金融)法院$", court):
        return "中级"
    if court.endswith(("人民法院", "人民法庭", "互联网法院", "铁路运输法院")):
        return "基层"
    return ""


def region_of(court: str) -> str:
    """Province of a court name; '' when the name does not say (江宁区人民法院)."""
    if court.startswith("最高人民法院"):
        return "全国"
    for short, full in _PROVINCE_SHORT.items():
        if court.startswith(short):
            return full
    return ""


# -- 案由 and parties from a case name -----------------------------------------------------------
# Where a party name ends: an organisation suffix or an anonymised person (某, 某某, A).
_PARTY_END = re.compile(
    r"(?:有限责任公司|股份有限公司|有限公司|公司|（集团）|超市|店|局|人民政府|政府|办事处|委员会|办公室|"
    r"银行|支行|医院|机构|广场|书店|影楼|报社|网站|中心|厂|某某|某|[A-Z]|[甲乙丙丁])"
)
_NAME_TAIL = re.compile(r"(?:一案|之案|案)$")


def split_case_name(name: str) -> tuple[list[str], str]:
    """'孙银山诉南京欧尚超市有限公司江宁店买卖合同纠纷案' → (['原告：孙银山', '被告：南京欧尚超市有限公司江宁店'],
    '买卖合同纠纷'). Heuristic: the cause starts after the last party-name ending."""
    if not _NAME_TAIL.search(name.strip()):
        return [], ""  # a headline ('…玩家起诉游戏公司被驳回'), not a case name
    base = _NAME_TAIL.sub("", name.strip())
    sep = re.search(r"申请执行|诉|与", base)
    if not sep:
        return [], ""
    left, right = base[:sep.start()], base[sep.end():]
    ends = list(_PARTY_END.finditer(right))
    if not ends:
        return [], ""
    cut = ends[-1].end()
    other, cause = right[:cut], re.sub(r"^(?:等人|等|要求|请求)", "", right[cut:])
    if len(cause) < 2:
        return [], ""
    roles = ("申请执行人", "被执行人") if sep.group(0) == "申请执行" else (
        ("原告", "被告") if sep.group(0) == "诉" else ("当事人", "当事人"))
    parties = [f"{roles[0]}：{p}" for p in re.split(r"[、，,]", left) if p]
    parties += [f"{roles[1]}：{p}" for p in re.split(r"[、，,]", other) if p]
    return parties, cause


# -- citations --------------------------------------------------------------------------------
_N = rf"[0-9{CN_NUM_CHARS}]+"
_ART = rf"第\s*(?P<num>{_N})\s*条(?:\s*之\s*(?P<sub>{_N}))?"
_DETAIL = rf"(?P<detail>(?:\s*第\s*{_N}\s*款)?(?:\s*第?\s*[（(]?\s*{_N}\s*[）)]?\s*项)?)"
_ARTICLE_REF = re.compile(_ART + _DETAIL)
# What may stand between a law name and 第X条: an alias or 文号 in brackets, a 编 name, 的.
_GAP = re.compile(r"^(?:\s*[（(][^（）()]{0,60}[）)])*\s*(?:[\u4e00-\u9fa5]{2,6}编)?\s*(?:中的|的)?\s*$")
# Continuation of a list of articles: 第十条、第十一条和第十二条 / 第二百二十六条及第二百二十八条.
_LIST_SEP = re.compile(r"^\s*(?:、|，|,|和|及|以及|与|或者|或|至)\s*$")
_BRACKETED = re.compile(r"《(?P<name>[^《》]{2,80})》")
_ALIAS = re.compile(r"\s*[（(]\s*(?:以下)?(?:简称|称|下称)\s*[《“\"]?(?P<alias>[^》”\"）)]{2,30})[》”\"]?\s*[）)]")
_REFER = re.compile(r"(?:该法|本法|该条例|该规定|该解释|上述法律)$")
# Bare (unbracketed) law names end like this; the run of Han text before them is trimmed below.
_BARE_NAME = re.compile(r"(?:中华人民共和国)?[\u4e00-\u9fa5]{1,24}?(?:法典|法|条例|实施细则|细则)$")
_BARE_LEAD = re.compile(
    r"^.*(?:依据|依照|根据|按照|违反|适用|参照|参照适用|符合|属于|关于|构成|主张|援引|引用|规定|对照|结合|"
    r"我国|即|是|为|了|的|在|依|据|按|及|与|或|和|、|并|且|由|将|对于|其中|以及|基于|鉴于)"
)
_NORM_SUFFIX = re.compile(
    r"(?:法典|法|条例|规定|办法|细则|解释|决定|规则|意见|通知|批复|纪要|答复|复函|规范)(?:[（(][一二三四五六七八九十]+[）)])?$"
)
_NOT_A_NORM = re.compile(r"(?:协议|合同|约定|章程|协议书|通知书|决定书|判决书|裁定书)$")
QUOTE = re.compile(r"\s*(?:之)?(?:的)?规定\s*[：:，,]?\s*[“\"]([^“”\"]{4,800})[”\"]", re.S)
_NEAR = 300
# Names courts and commentators use that are no title: colloquial short names, and aliases that a
# collection defines once for many cases (行政协议司法解释).
KNOWN_ALIASES = {
    "行政协议司法解释": "最高人民法院关于审理行政协议案件若干问题的规定",
    "土地承包法": "农村土地承包法",
    "消法": "消费者权益保护法",
    "消保法": "消费者权益保护法",
    "民诉法": "民事诉讼法",
    "行诉法": "行政诉讼法",
}  # chars: how far back a bare 第X条 may refer to the last named law


def _int(text: str | None) -> int:
    return cn_to_int(re.sub(r"\s+", "", text)) if text else 0


def _norm_detail(text: str) -> str:
    text = re.sub(r"\s+", "", text or "")
    out = ""
    m = re.search(rf"第({_N})款", text)
    if m:
        out += f"第{int_to_cn(_int(m.group(1)))}款"
    m = re.search(rf"[（(]?({_N})[）)]?项", text)
    if m:
        out += f"第（{int_to_cn(_int(m.group(1)))}）项"
    return out


def _bare_law(before: str) -> str:
    """The law name at the end of `before` ('…依据民法典' → '民法典'), or ''."""
    run = re.search(r"[\u4e00-\u9fa5]{2,40}$", before)
    if not run:
        return ""
    text = run.group(0)
    cut = text.rfind("中华人民共和国")
    text = text[cut:] if cut >= 0 else _BARE_LEAD.sub("", text)
    return text if len(text) >= 2 and _BARE_NAME.match(text) else ""


def is_norm_name(name: str) -> bool:
    """Looks like the title of a law/regulation/interpretation, not a contract or a document."""
    return bool(_NORM_SUFFIX.search(name)) and not _NOT_A_NORM.search(name)


@dataclass
class _Mention:
    name: str
    end: int


def extract_citations(text: str) -> list[CitedArticle]:
    """Law articles cited in `text`, in order of first mention, one entry per (law, article).

    Handles 《中华人民共和国消费者权益保护法》第四十九条, 《民法典》第1165条第1款, 合同法第五十二条,
    aliases (以下简称《食品安全法》), 该法第二十八条, lists (第十条、第十一条和第十二条), and the
    '《某解释》。\\n第十二条 …' layout of printed provisions. Contracts (《安置协议》第六条) are skipped.
    """
    text = clean_text(text)
    aliases: dict[str, str] = dict(KNOWN_ALIASES)
    mentions: list[_Mention] = []
    alias_end = -1
    for m in _BRACKETED.finditer(text):
        if m.start() < alias_end:
            continue  # the 《食品安全法》 inside '（以下简称《食品安全法》）' is the alias, not a mention
        name = m.group("name").strip()
        a = _ALIAS.match(text, m.end())
        if a:
            aliases[a.group("alias").strip("《》")] = name
            alias_end = a.end()
        mentions.append(_Mention(aliases.get(name, name), m.end()))
    out: dict[tuple[str, int, int], CitedArticle] = {}
    last: _Mention | None = None
    pos = 0
    for m in _ARTICLE_REF.finditer(text):
        try:
            number, sub = _int(m.group("num")), _int(m.group("sub"))
        except ValueError:
            continue
        if number <= 0 or number > 2000:
            continue
        law = ""
        # 1. a bracketed name right before (allowing an alias/文号 bracket or 编 name in between)
        prior = [x for x in mentions if x.end <= m.start()]
        if prior and _GAP.match(text[prior[-1].end:m.start()]):
            law = prior[-1].name
        before = text[max(0, m.start() - 60):m.start()]
        if not law:
            # 2. a bare name: 民法典第1217条, 该法第二十八条, or an alias used without brackets
            stripped = re.sub(r"\s+$", "", before)
            if _REFER.search(stripped) and (last or prior):
                law = max([x for x in (last, prior[-1] if prior else None) if x], key=lambda x: x.end).name
            else:
                for alias, full in aliases.items():
                    if stripped.endswith(alias):
                        law = full
                        break
                else:
                    law = _bare_law(stripped)
        recent = max([x for x in (last, prior[-1] if prior else None) if x], key=lambda x: x.end, default=None)
        if not law and recent is not None and m.start() - recent.end <= _NEAR:
            # 3. a bare article right after a named law: a list (第十条、第十一条), a following
            #    sentence (…第四十一条规定…。第四十三条规定…), or a printed provision line
            #    ('《…解释（一）》。' then '第十二条 …').
            gap = text[pos:m.start()]
            line_start = m.start() == 0 or text[m.start() - 1] == "\n"
            follows = re.match(r"\s*(?:规定|的规定|之规定|明确规定)", text[m.end():])
            if ((last is recent and _LIST_SEP.match(gap)) or line_start
                    or (follows and not re.search(r"(合同|协议|约定)\S{0,3}$", before))):
                law = recent.name
        if not law:
            continue
        law = aliases.get(law, law)
        if not is_norm_name(law):
            continue
        law = law.strip()
        last = _Mention(law, m.end())
        pos = m.end()
        key = (re.sub(r"^中华人民共和国", "", law), number, sub)
        quote_m = QUOTE.match(text, m.end())
        if key in out:
            out[key].mentions += 1
            if quote_m and not out[key].quote:
                out[key].quote = re.sub(r"\s+", "", quote_m.group(1))
            continue
        out[key] = CitedArticle(law=law, number=number, sub=sub, detail=_norm_detail(m.group("detail")),
                                raw=re.sub(r"\s+", "", m.group(0)),
                                quote=re.sub(r"\s+", "", quote_m.group(1)) if quote_m else "")
    return list(out.values())


def parse_citation(text: str) -> tuple[str, int, int] | None:
    """A user's '民法典第1165条' / '合同法 52' / '《民法典》第一千一百六十五条之一' → (law, number, sub)."""
    t = clean_text(text).strip()
    m = re.match(rf"^《?(?P<law>[^《》\d第]+?)》?\s*(?:第\s*)?(?P<num>{_N})\s*(?:条)?(?:\s*之\s*(?P<sub>{_N}))?\s*$", t)
    if not m:
        return None
    try:
        return m.group("law").strip(), _int(m.group("num")), _int(m.group("sub"))
    except ValueError:
        return None


# -- dates ------------------------------------------------------------------------------------
_JUDGED_ON = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日)[^。；\n]{0,12}?(?:作出|判决|裁定|宣判|审结)")


def judgment_date(text: str) -> dt.date | None:
    """A date the text says a decision was made on ('于2012年9月10日作出…判决'); the last one."""
    found = [d for m in _JUDGED_ON.finditer(text) for d in all_dates(m.group(1))]
    return max(found) if found else None


def latest_date(text: str, not_after: dt.date | None = None) -> dt.date | None:
    limit = not_after or dt.date.today()
    found = [d for d in all_dates(text) if dt.date(1949, 10, 1) <= d <= limit]
    return max(found) if found else None


def split_keywords(text: str) -> list[str]:
    return [k.strip(" 。.\u3000") for k in re.split(r"[、，,；;\s]+", text or "") if k.strip(" 。.\u3000")]


def fill_derived(case: Case) -> Case:
    """Fields computable from others: level and region from the court, procedure from the 案号,
    cited articles from the text, an estimated date. Keeps what a reader already set."""
    if case.case_number:
        case.case_number = normalize_case_number(case.case_number) or case.case_number
    if case.court and not case.court_level:
        case.court_level = court_level(case.court)
    if case.court and not case.region:
        case.region = region_of(case.court)
    if not case.procedure:
        case.procedure = procedure_from_number(case.case_number) or procedure_from_text(case.result)
    if not case.cites:
        case.cites = extract_citations(case.full_text())
    if case.date is None:
        est = latest_date(case.full_text())
        if est:
            case.date, case.date_estimated = est, True
    if not case.case_number:
        case.warnings.append("未找到案号")
    if not case.court:
        case.warnings.append("未识别出审理法院")
    elif not case.court_level:
        case.warnings.append(f"无法判断法院层级：{case.court}")
    if case.date is None:
        case.warnings.append("未找到裁判日期")
    return case


def make_case_id(case: Case) -> str:
    return case.case_number or re.sub(r"\s+", "", case.title)[:80] or Path(case.source_path).stem


# -- the bureau's own format ------------------------------------------------------------------
# Chinese keys as a bureau writes them, and English ones for scripts. Value: Case field.
LOCAL_KEYS = {
    "案号": "case_number", "标题": "title", "案件名称": "title", "名称": "title", "要点标题": "headline",
    "法院": "court", "审理法院": "court", "法院层级": "court_level", "审级": "court_level",
    "裁判日期": "date", "日期": "date", "案由": "cause", "程序": "procedure", "审理程序": "procedure",
    "文书类型": "doc_type", "当事人": "parties", "诉讼请求": "claims", "基本案情": "facts", "案情": "facts",
    "争议焦点": "issues", "裁判要点": "holding", "裁判要旨": "holding", "裁判理由": "reasoning",
    "裁判结果": "result", "典型意义": "significance", "相关法条": "provisions", "关键词": "keywords",
    "地区": "region", "分类": "category", "来源": "source", "引用法条": "cited",
    "case_number": "case_number", "title": "title", "headline": "headline", "court": "court",
    "court_level": "court_level", "date": "date", "cause": "cause", "procedure": "procedure",
    "doc_type": "doc_type", "parties": "parties", "claims": "claims", "facts": "facts", "issues": "issues",
    "holding": "holding", "reasoning": "reasoning", "result": "result", "significance": "significance",
    "provisions": "provisions", "keywords": "keywords", "region": "region", "category": "category",
    "source": "source", "cites": "cited", "cited": "cited",
}
# Markdown section headings → Case fields (shared with the LawRefBook reader).
SECTION_FIELDS = {
    "基本案情": "facts", "简要案情": "facts", "案情回顾": "facts", "案情简介": "facts", "案情": "facts",
    "原告诉讼请求": "claims", "申请人请求": "claims", "诉讼请求": "claims",
    "争议焦点": "issues",
    "裁判要点": "holding", "裁判要旨": "holding",
    "裁判理由": "reasoning", "案例分析": "reasoning", "法院裁判": "reasoning", "法院认为": "reasoning",
    "适用解析": "significance", "法官解读": "significance", "典型意义": "significance",
    "裁判结果": "result", "处理结果": "result",
    "司法解释相关法条": "provisions", "司法解释相关条文": "provisions", "相关法条": "provisions",
    "关键词": "keywords",
}


# A line break inside a sentence (YAML block text wrapped by an editor) is not a paragraph end.
_SOFT_BREAK = re.compile(r"(?<=[^。！？；：”」』\n])\n(?=[^\n])")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return _SOFT_BREAK.sub("", str(value).strip())


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _as_text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        found = all_dates(text)
        return found[0] if found else None


def parse_local(data: dict[str, Any], body_sections: dict[str, str] | None = None,
                source_path: str = "") -> Case:
    """A case from the bureau's YAML mapping (plus Markdown sections for the front-matter form)."""
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for k, v in (data or {}).items():
        fname = LOCAL_KEYS.get(str(k).strip())
        if fname:
            values[fname] = v
        else:
            unknown.append(str(k))
    for heading, text in (body_sections or {}).items():
        fname = SECTION_FIELDS.get(heading)
        if fname and not values.get(fname):
            values[fname] = text
    case = Case(case_id="", title=_as_text(values.get("title")), source_kind=SOURCE_LOCAL,
                source_path=source_path)
    for name in ("headline", "case_number", "court", "court_level", "cause", "procedure", "doc_type",
                 "claims", "facts", "issues", "holding", "reasoning", "result", "significance",
                 "provisions", "region", "category", "source"):
        setattr(case, name, _as_text(values.get(name)))
    case.date = _as_date(values.get("date"))
    if values.get("date") and case.date is None:
        case.warnings.append(f"无法识别的裁判日期：{values.get('date')}")
    parties = values.get("parties")
    case.parties = [str(p) for p in parties] if isinstance(parties, list) else split_keywords(_as_text(parties))
    kw = values.get("keywords")
    case.keywords = [str(k) for k in kw] if isinstance(kw, list) else split_keywords(_as_text(kw))
    cites = extract_citations(case.full_text())
    declared = values.get("cited") or []
    for item in declared if isinstance(declared, list) else [declared]:
        parsed = parse_citation(str(item))
        if parsed is None:
            case.warnings.append(f"无法识别的引用法条：{item}")
            continue
        law, number, sub = parsed
        if not any(c.law.removeprefix("中华人民共和国") == law.removeprefix("中华人民共和国")
                   and c.number == number and c.sub == sub for c in cites):
            cites.append(CitedArticle(law=law, number=number, sub=sub, raw=str(item)))
    case.cites = cites
    if not case.title:
        case.title = Path(source_path).stem if source_path else case.case_number
        case.warnings.append("缺少案件名称（标题），已用文件名代替")
    if unknown:
        case.warnings.append("未识别的字段：" + "、".join(unknown))
    if not case.source:
        case.source = "本地案例"
    fill_derived(case)
    case.case_id = make_case_id(case)
    return case


_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n---\s*\n(?P<body>.*)\Z", re.S)


def markdown_sections(text: str, level: str = "##") -> tuple[list[tuple[str, str]], str]:
    """→ ([(heading, text)], text before the first heading). `level` '##' splits on '## ' only."""
    parts = re.split(rf"(?m)^{level}(?!#)\s*(.+?)\s*$", text)
    head = parts[0]
    out = []
    for i in range(1, len(parts), 2):
        body = re.sub(r"<!--.*?-->", "", parts[i + 1], flags=re.S)
        body = "\n".join(ln.strip() for ln in body.split("\n") if ln.strip())
        out.append((parts[i].strip().strip("\u3000 "), body))
    return out, head


def parse_local_text(text: str, source_path: str = "", markdown: bool = False) -> Case:
    """YAML file text, or Markdown with YAML front matter and '## 基本案情' style sections."""
    text = clean_text(text)
    sections: dict[str, str] = {}
    if markdown:
        m = _FRONT_MATTER.match(text)
        if not m:
            raise CorruptFileError(source_path, "缺少 YAML 头部（以 --- 开始和结束）")
        yaml_text, body = m.group("yaml"), m.group("body")
        found, _ = markdown_sections(body)
        sections = {h: _as_text(t) for h, t in found}
    else:
        yaml_text = text
    try:
        data = yaml.safe_load(yaml_text) if yaml_text.strip() else {}
    except yaml.YAMLError as exc:
        raise CorruptFileError(source_path, f"YAML 格式错误：{exc}") from exc
    if not isinstance(data, dict):
        raise CorruptFileError(source_path, "YAML 内容应为“字段: 值”的映射")
    return parse_local(data, sections, source_path)


CASE_SUFFIXES = {".yaml", ".yml", ".md", ".markdown", ".txt", ".docx", ".pdf", ".html", ".htm"}


def load_case(path: Path) -> Case:
    """One case file → Case, whatever its format. Raises IngestError subclasses for files that
    cannot be read at all; content it cannot understand becomes warnings."""
    from legalkb.ingest import judgment
    from legalkb.ingest.loader import read_any
    from legalkb.ingest.readers.text import decode_bytes

    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        raw = path.read_bytes()
        if not raw.strip():
            raise EmptyFileError(str(path), "文件为空")
        return parse_local_text(decode_bytes(raw, str(path)), str(path))
    text = read_any(path)
    if suffix in (".md", ".markdown"):
        if _FRONT_MATTER.match(clean_text(text)):
            return parse_local_text(text, str(path), markdown=True)
        if "<!-- INFO END -->" in text[:3000]:
            return judgment.parse_typical_case(text, str(path))
    return judgment.parse_judgment(text, str(path))
