"""Stage 3: resolve each citation against the corpus as of the draft's planned effective date.

Outcomes: found / repealed (with successor) / renumbered (old → new via crosswalk and version diff)
/ nonexistent article / law not found (未核实 — never presented as valid) / not yet in force.
The resolver is anything with the Library's lookup methods (see `Resolver`), so tests can use a
small in-memory fake and the product uses `legalkb.search.library.Library`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from legalkb.corpus.crosswalk import bigrams, mapping
from legalkb.ingest.metadata import TAKES_EFFECT, parse_date, short_title
from legalkb.ingest.model import REPEALED as DOC_REPEALED
from legalkb.ingest.model import Article, LegalDocument
from legalkb.ingest.numerals import article_label, int_to_cn
from legalkb.review.model import (
    FOUND,
    NONEXISTENT,
    NOT_FOUND,
    NOT_YET,
    RENUMBERED,
    REPEALED,
    Citation,
    DraftDocument,
    ResolvedCitation,
)

RULES_DIR = Path(__file__).parent / "rules"
UNVERIFIED = "未核实"
# How many character bigrams the citing clause must share only with the old version's article
# (and not with the current article of the same number) before we say the number is outdated.
RENUMBER_MIN_SHARED = 3
# A clause on which facts, by date, a rule applies to cites the 不溯及既往 article without its words ('依照《立法法》
# 第九十三条的规定，本办法提高后的…补助标准适用于2025年1月1日以后发放的年度补助': 2015 第九十三条, 2023 第一百零四条).
_APPLIES_IN_TIME = re.compile(r"溯及|追溯|适用于[^。；]{0,30}(以前|以后|之前|之后|前|后)(发生|发放|作出|取得|签订|实施|的)")
# Bigrams of legal boilerplate that say nothing about what a provision is about.
_GENERIC = frozenset({"的规", "规定", "依照", "按照", "根据", "本法", "有关", "应当", "已经", "措施", "进行", "可以",
                      "不得", "人民", "政府", "行政", "法律", "本办", "办法", "本措", "施行", "之日", "的，", "或者"})


class Resolver(Protocol):
    """What the review engine needs from the library (legalkb.search.library.Library has it)."""

    registry: Any

    def resolve_law(self, name: str) -> str | None: ...

    def versions(self, law: str) -> list[LegalDocument]: ...

    def search(self, text: str, *, top_k: int = 10, level: Sequence[str] = (),
               as_of: dt.date | None = None, **kw: Any) -> Any: ...

    def law_titles(self, level: str) -> list[str]: ...


@dataclass(frozen=True)
class Repeal:
    title: str
    short_title: str
    repealed: dt.date | None
    successor: str
    basis: str


@lru_cache(maxsize=1)
def _successor_table() -> dict[str, Repeal]:
    """Curated repeals that the library's status registry may lack (review/rules/successors.yaml)."""
    path = RULES_DIR / "successors.yaml"
    out: dict[str, Repeal] = {}
    if not path.is_file():
        return out
    for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("laws", []):
        rep = item.get("repealed")
        r = Repeal(item["title"], item["short_title"],
                   rep if isinstance(rep, dt.date) else (dt.date.fromisoformat(rep) if rep else None),
                   item.get("successor", ""), item.get("basis", ""))
        out[r.title] = out[r.short_title] = r
    return out


def _registry_lookup(library: Resolver, name: str) -> Repeal | None:
    reg = getattr(library, "registry", None)
    e = reg.lookup(name) if reg is not None else None
    if e is not None:
        return Repeal(e.title, e.short_title, e.repealed, e.successor or "", getattr(e, "basis", "") or "")
    table = _successor_table()
    return table.get(name) or table.get(short_title(name))


# '本条例自2017年6月1日起施行。1997年…通过…的《…》同时废止': the repeal may follow in the next sentence.
_REPEAL_TEXT = re.compile(TAKES_EFFECT.pattern + r"。?[^。]*?》?[^。]{0,40}同时废止")


def _find_successor(library: Resolver, title: str, as_of: dt.date | None) -> Repeal | None:
    """Find the law whose closing article says '《title》同时废止' (version diff in the corpus)."""
    try:
        res = library.search(f"《{title}》同时废止", top_k=5, as_of=as_of, rerank=False)
    except Exception:  # a search failure must not stop citation checking
        return None
    names = {title, short_title(title)}
    for h in getattr(res, "hits", []):
        text = h.text or ""
        if "废止" in text and any(f"《{n}》" in text or f"{n}》" in text for n in names):
            m = _REPEAL_TEXT.search(text)
            return Repeal(title, short_title(title), parse_date(m.group("date")) if m else None,
                          h.short_title, f"{h.title}{h.article}")
    return None


# A corpus with this many 法律 carries the national statute book (LawRefBook: 329, repealed ones
# included); with fewer (the demo corpus, a partial import) a title it lacks proves nothing.
STATUTE_BOOK_MIN = 250
# At most this many characters added or dropped: '食品安全管理法' for 食品安全法, '治安处罚法' for 治安管理处罚法.
MISNAMED_MAX_DIFF = 4
_NAMED_LAW = re.compile(r"^(?:中华人民共和国)?[\u4e00-\u9fff]{2,30}(?<!办)法$")


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _misnamed_law(library: Resolver, name: str) -> list[str]:
    """The national laws a title the corpus lacks is most likely a misnaming of: the cited name adds
    or drops a few characters of one (食品安全管理法 → 食品安全法). Only a substitution-free misnaming
    is claimed: a name that swaps words (民营经济促进法 beside 循环经济促进法) may be a law newer than
    the corpus, and stays 未核实. Empty when the corpus does not carry the whole statute book."""
    name = name.strip().strip("《》")
    cited = short_title(name)
    if not _NAMED_LAW.match(name) or len(cited) < 4:    # '土地法', '合同法': too short to tell
        return []
    titles = library.law_titles("法律")
    if len(titles) < STATUTE_BOOK_MIN:
        return []
    near = []
    for core in map(short_title, titles):
        short, long = sorted((cited, core), key=len)
        if short != long and len(long) - len(short) <= MISNAMED_MAX_DIFF and _subsequence(short, long):
            near.append(core)
    return near if 0 < len(near) <= 3 else []


def _start(d: LegalDocument) -> dt.date:
    return d.effective or d.version_date or d.promulgated or dt.date.min


def in_force(versions: list[LegalDocument], day: dt.date) -> LegalDocument | None:
    """The version in force on `day` (the latest started, not ended, not repealed), or None."""
    live = [v for v in versions if _start(v) <= day and (v.in_force_until is None or day < v.in_force_until)
            and v.status != DOC_REPEALED]
    return live[-1] if live else None


def _context(draft: DraftDocument | None, c: Citation) -> str:
    """The clause around the citation, without the citation itself: what the drafter says the
    cited provision provides."""
    if draft is None:
        return ""
    art = draft.article(c.draft_article)
    if art is None:
        return ""
    for cl in art.clauses:
        if cl.start <= c.start < cl.end:
            return (draft.text[cl.start:c.start] + draft.text[c.end:cl.end])
    return art.text


# A clause that describes what it cites in this many words, sharing less than this share of them with an article (its
# subject words — 生产经营单位 — aside, which every article of the law has), is not about it.
SAYS_MIN = 8
SAYS_SHARE = 0.15


_ORGAN_NAME = re.compile(r"(区|县|市)[^。；，、]{0,16}?(局|委员会|部门|人民政府)")


def _says_otherwise(ctx: str, article: str, title: str) -> bool:
    # Not the law's own subject (安全生产) nor the organ's name (应急管理局): every article of it shares those.
    described = bigrams(_ORGAN_NAME.sub(" ", re.sub(r"《[^》]*》", "", ctx))) - _GENERIC - bigrams(title)
    return len(described) >= SAYS_MIN and len(described & bigrams(article)) < SAYS_SHARE * len(described)


def _article_text(doc: LegalDocument | None, n: int, sub: int) -> Article | None:
    return doc.article(n, sub) if doc else None


def resolve_one(c: Citation, library: Resolver, as_of: dt.date, draft: DraftDocument | None = None) -> ResolvedCitation:
    if c.kind == "doc_number":
        return ResolvedCitation(c, NOT_FOUND, title=c.raw, status=UNVERIFIED,
                                note="语料库未收录该文号文件，无法核对其现行效力，未核实")
    key = library.resolve_law(c.law)
    versions = library.versions(key) if key else []
    repeal = _registry_lookup(library, c.law)
    if not versions and repeal is None:
        # Not in the corpus nor in the registry: a law in the corpus may still say it replaced it
        # ('…自2017年6月1日起施行。…《山东省食品摊贩和城乡集市贸易食品卫生管理条例》同时废止').
        repeal = _find_successor(library, c.law, as_of)
    if not versions:
        if repeal is not None:
            if repeal.repealed is None or repeal.repealed <= as_of:
                return ResolvedCitation(
                    c, REPEALED, law_key=repeal.short_title, title=repeal.title, status="已废止",
                    successor=repeal.successor,
                    note=f"《{repeal.title}》已于{repeal.repealed or '此前'}废止"
                         + (f"，由《{repeal.successor}》取代" if repeal.successor else "")
                         + (f"（{repeal.basis}）" if repeal.basis else ""))
            return ResolvedCitation(c, FOUND, law_key=repeal.short_title, title=repeal.title, status=UNVERIFIED,
                                    note=f"将于{repeal.repealed}废止；语料库无其文本，条文未核实")
        misnamed = _misnamed_law(library, c.law)
        if misnamed:
            names = "》《".join(misnamed)
            return ResolvedCitation(c, NONEXISTENT, title=c.law, status="无此法律",
                                    note=f"法律库收录的法律中没有这一名称，名称相近的是《{names}》；"
                                         f"如系法律库更新之后新制定的法律，请核对后忽略")
        return ResolvedCitation(c, NOT_FOUND, title=c.law, status=UNVERIFIED,
                                note="语料库中未找到该法律法规，引用未核实（不代表引用正确）")
    latest = versions[-1]
    title = latest.title
    # Repealed: the registry or the source says so, and the repeal took effect by as_of.
    repealed_on: dt.date | None = None
    if repeal is not None:
        repealed_on = repeal.repealed
    elif latest.status == DOC_REPEALED:
        found = _find_successor(library, latest.title, as_of)
        repeal = found or Repeal(latest.title, latest.short_title, None, latest.successor, "")
        repealed_on = repeal.repealed
    if repeal is not None and (repealed_on is None or repealed_on <= as_of):
        art = _article_text(latest, c.article, c.sub) if c.article else None
        return ResolvedCitation(
            c, REPEALED, law_key=latest.law_key, title=title, status="已废止",
            successor=repeal.successor or latest.successor, text=art.text if art else "", version=latest.doc_id,
            note=f"《{title}》已于{repealed_on or '此前'}废止"
                 + (f"，由《{repeal.successor}》取代" if repeal.successor else "")
                 + (f"（{repeal.basis}）" if repeal.basis else ""))
    current = in_force(versions, as_of)
    if current is None:
        first = versions[0]
        if _start(first) > as_of:
            return ResolvedCitation(c, NOT_YET, law_key=first.law_key, title=first.title, status="尚未生效",
                                    version=first.doc_id, note=f"{as_of} 时该法尚未施行（{_start(first)} 起施行）")
        current = latest
    res = ResolvedCitation(c, FOUND, law_key=current.law_key, title=current.title, status=current.status,
                           version=current.doc_id)
    if current.status != "现行有效" and current is not latest:
        res.status = "现行有效"  # in force on as_of even if amended since (status describes today)
    if not c.article:
        return res
    art = current.article(c.article, c.sub)
    older = [v for v in versions if _start(v) < _start(current)]
    label = article_label(c.article, c.sub)
    if art is None:
        ctx = _context(draft, c)
        for old in reversed(older):
            old_art = old.article(c.article, c.sub)
            if old_art is None:
                continue
            new_no = mapping(old, current).get(c.article)
            if new_no and _says_otherwise(ctx, old_art.text, current.title):
                # The clause says what the old article did not either ('未在有限空间出入口设置…安全警示标志的，…依照
                # 《北京市安全生产条例》第七十二条的规定处理', where 2016 第七十二条 is an information platform): a number
                # no version gives this provision.
                nums = [a.number for a in current.articles]
                res.resolution, res.old_text = NONEXISTENT, old_art.text
                res.note = (f"《{current.title}》共{int_to_cn(max(nums)) if nums else '零'}条，没有{label}"
                            f"（{old.effective.year if old.effective else '旧'}年版{label}规定的是其他内容）")
                return res
            if new_no:
                new_art = current.article(new_no)
                res.resolution, res.current_article = RENUMBERED, new_no
                res.text = new_art.text if new_art else ""
                res.old_text = old_art.text
                res.note = (f"{label}是{old.effective.year if old.effective else ''}年版的条号，"
                            f"现行版本为{article_label(new_no)}")
                return res
            res.resolution, res.old_text = NONEXISTENT, old_art.text
            res.note = f"{label}仅见于旧版本，修订后已删除"
            return res
        nums = [a.number for a in current.articles]
        res.resolution = NONEXISTENT
        res.note = f"《{current.title}》共{max(nums) if nums else 0}条，没有{label}"
        return res
    res.text = art.text
    if c.paragraph and c.paragraph > len(art.paragraphs):
        # The 款 may be an older version's, moved with its article (科学技术普及法 2002 第二十四条第二款 →
        # 2024 第四十六条第二款): outdated, not nonexistent.
        for old in reversed(older):
            old_art = old.article(c.article, c.sub)
            new_no = mapping(old, current).get(c.article) if old_art and c.paragraph <= len(old_art.paragraphs) else None
            new_art = current.article(new_no) if new_no and new_no != c.article else None
            if new_art is not None and c.paragraph <= len(new_art.paragraphs):
                res.resolution, res.current_article = RENUMBERED, new_no
                res.text, res.old_text = new_art.text, old_art.text  # type: ignore[union-attr]
                para = f"第{int_to_cn(c.paragraph)}款"
                res.note = (f"{label}{para}是{old.effective.year if old.effective else '旧'}年版的条号，"
                            f"现行版本为{article_label(new_no)}{para}")
                return res
        res.resolution = NONEXISTENT
        res.note = f"{label}只有{int_to_cn(len(art.paragraphs))}款，没有第{int_to_cn(c.paragraph)}款"
        return res
    # Same number exists now: did the drafter mean an older version's article that moved?
    ctx = _context(draft, c)
    if ctx and older:
        # Book titles name laws, not what the provision says (中华人民共和国 is in old articles too).
        bctx, bcur = bigrams(re.sub(r"《[^》]*》", "", ctx)), bigrams(art.text)
        if _APPLIES_IN_TIME.search(ctx):
            bctx |= bigrams("不溯及既往")
        for old in reversed(older):
            old_art = old.article(c.article, c.sub)
            if old_art is None:
                continue
            new_no = mapping(old, current).get(c.article, c.article)
            if new_no == c.article:
                continue
            # Bigrams the clause shares with one version's article but not the other's: what the
            # drafter says the provision is about. The old article must clearly win.
            bold = bigrams(old_art.text)
            for_old = len((bctx & bold) - bcur - _GENERIC)
            for_cur = len((bctx & bcur) - bold - _GENERIC)
            # …clearly: twice the bigrams, or twice the share of its own article — a clause paraphrasing a
            # short old article (职业教育法 1996 第十八条, 实用技术的培训) shares as many bigrams by chance with
            # a long current one (2022 第十八条 on 残疾人职业教育, whose 职业培训机构 the clause also names).
            share_old = for_old / max(len(bold - _GENERIC), 1)
            share_cur = for_cur / max(len(bcur - _GENERIC), 1)
            if for_old < RENUMBER_MIN_SHARED or (for_old < 2 * for_cur and share_old < 2 * share_cur):
                continue
            rewritten = new_no is None
            if rewritten:
                # Rewritten beyond the crosswalk's reach (妇女权益保障法 2018 第二十三条 → 2022 第四十三、
                # 四十四条): still outdated, if one current article clearly holds what the clause
                # paraphrases of the old one (not the cited article, which says something else).
                focus = (bctx & bold) - bcur - _GENERIC
                shared = [(len(focus & b), a) for a, b in zip(current.articles, _article_bigrams(current), strict=True)
                          if a is not art]
                best_shared, near = max(shared, key=lambda t: t[0], default=(0, None))
                if near is None or best_shared < RENUMBER_MIN_SHARED:
                    continue
                new_no = near.number
            new_art = current.article(new_no)
            res.resolution, res.current_article = RENUMBERED, new_no
            res.old_text = old_art.text
            res.text = new_art.text if new_art else ""
            year = old.effective.year if old.effective else "旧"
            res.note = (f"引用内容对应{year}年版{label}，修订后" + ("该条已改写，相应内容见" if rewritten else "为")
                        + f"{article_label(new_no)}；现行{label}规定的是其他内容")
            return res
    # No older version in the corpus explains it, yet the clause may paraphrase another article of
    # the current version while the cited one says something else: a number kept from a text the
    # corpus does not hold (行政处罚法 2017 第二十七条 → 2021 第三十三条).
    moved = _content_elsewhere(ctx, current, art) if ctx else None
    if moved is not None:
        res.resolution, res.current_article = RENUMBERED, moved.number
        res.text = moved.text
        res.note = f"引用内容见现行{article_label(moved.number)}；现行{label}规定的是其他内容"
    return res


# The other article must share this many distinctive bigrams with the clause, three times the
# cited article's and 1.5 times the next article's (听证 is in 第六十三条 and 第六十四条): a loose
# paraphrase or a penalty clause naming its conduct must not move a citation.
MOVED_MIN_SHARED = 10


_ARTICLE_BIGRAMS: OrderedDict[tuple[str, int], list[set[str]]] = OrderedDict()


def _article_bigrams(doc: LegalDocument) -> list[set[str]]:
    """Bigram sets of a version's articles, kept for the last few versions: a draft citing ten
    articles of 民法典 would otherwise rebuild 1,260 sets (~35 ms) for each."""
    # Keyed by the texts themselves (str hashes are cached, so this is cheap): a content hash may be
    # empty, and one doc_id may carry other text after a re-ingest.
    key = (doc.doc_id, hash(tuple(a.text for a in doc.articles)))
    if key not in _ARTICLE_BIGRAMS:
        _ARTICLE_BIGRAMS[key] = [bigrams(a.text) for a in doc.articles]
        if len(_ARTICLE_BIGRAMS) > 16:
            _ARTICLE_BIGRAMS.popitem(last=False)
    _ARTICLE_BIGRAMS.move_to_end(key)
    return _ARTICLE_BIGRAMS[key]


def _content_elsewhere(ctx: str, doc: LegalDocument, cited: Article) -> Article | None:
    bctx = bigrams(ctx) - _GENERIC
    bcited = bigrams(cited.text)
    for_cited = len(bctx & bcited)
    scored = sorted(((len((bctx & b) - bcited), a) for a, b in zip(doc.articles, _article_bigrams(doc), strict=True)
                     if a is not cited), key=lambda t: -t[0])
    if not scored:
        return None
    best, art = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if best >= MOVED_MIN_SHARED and best >= 3 * for_cited + 2 and best >= 1.5 * runner_up:
        # The cited article names the one the clause paraphrases: it is that article's penalty or
        # procedure, cited on purpose ('…不履行承诺的，依照…第四十四条的规定处理', where 第四十四条 punishes a
        # breach of the 第二十四条 承诺 the clause describes).
        if article_label(art.number, art.sub) in cited.text:
            return None
        return art
    return None


def resolve_citations(citations: list[Citation], library: Resolver, as_of: dt.date,
                      draft: DraftDocument | None = None) -> list[ResolvedCitation]:
    """Resolve all citations; one lookup per distinct (law, article) thanks to a small cache."""
    cache: dict[tuple[Any, ...], ResolvedCitation] = {}
    out = []
    for c in citations:
        key = (c.kind, c.law, c.article, c.sub, c.paragraph, c.draft_article)
        if key not in cache:
            cache[key] = resolve_one(c, library, as_of, draft)
        r = cache[key]
        out.append(ResolvedCitation(**{**r.__dict__, "citation": c}))
    return out
