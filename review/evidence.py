"""Stage 5: retrieve the superior provisions behind obligation / restriction clauses.

Two uses. (1) Evidence in the report: for every clause that imposes an obligation or restricts
rights, the best-matching provisions of laws, regulations and local regulations in force on the
review date, so the reviewer sees the basis (or its absence) next to the clause. (2) The
`restatement` exception of the rule checks: a clause that repeats a superior provision almost word
for word (e.g. copies 城市市容和环境卫生管理条例第十七条's approval requirement) is not a new
requirement created by the draft, so it must not be flagged.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from legalkb.corpus.crosswalk import bigrams, containment
from legalkb.ingest.numerals import article_key, article_label, cn_to_int
from legalkb.review.model import DraftDocument, Evidence, EvidenceHit
from legalkb.review.resolve import in_force

NATIONAL_LEVELS = ("宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章")
# Levels that can be a superior basis of a district 行政规范性文件.
SUPERIOR_LEVELS = ("宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章", "地方性法规", "地方政府规章")
# Share of a clause's character bigrams that must occur in one superior provision for the clause to
# count as a restatement of it. Tuned on the dev set: restated near misses score 0.6–1.0, defects
# that merely share vocabulary with a law score below 0.5.
RESTATE_THRESHOLD = 0.62
# For the evidence panel: a provision that covers this much of the clause is shown as its basis.
BASIS_THRESHOLD = 0.4
OBLIGATION = re.compile(r"(应当|不得|禁止|严禁|必须|须|不予|方可|限制|取消)")
# Obligations addressed to the administration itself (区××局应当…) are duties, not burdens on the public.
_AGENCY_SUBJECT = re.compile(r"^(区|县|市|镇|乡|街道|各|有关|本)[^，。；]{0,16}(局|人民政府|政府|部门|办公室|委员会|中心|办事处|分局|司法所|机关)")
_CITE = re.compile(r"《[^》]*》(第[^，。；、]{1,12}条)?(第[^，。；、]{1,6}款)?")
MAX_EVIDENCE_CLAUSES = 30
EVIDENCE_WORKERS = 2


_N = "[一二三四五六七八九十百零〇]+"
# '本办法第二十四条第一款、第二十八条、第三十条' — every article of the list, not just the first.
_SELF_REF = re.compile(rf"本(?:条例|法|规定|办法|细则)(第{_N}条(?:第{_N}(?:条|款|项)|、|，|和|及|或者|以及)*)")
_ART_NO = re.compile(rf"第({_N})(条|款)")


@dataclass(frozen=True)
class LawArticle:
    title: str
    label: str        # 第四十一条
    status: str
    text: str
    referred: str     # text of the articles this one refers to ('有本条例第二十一条第一款规定行为之一的')


class Retriever:
    """Cached superior-provision search for one review (one as_of date)."""

    def __init__(self, library: Any, as_of: dt.date | None, top_k: int = 5, region: str = "") -> None:
        """`region`: the draft's province. Local regulations of other provinces are no basis for it
        (a 山东 district's clause does not restate 上海市非机动车安全管理条例), so they are left out."""
        self.library = library
        self.as_of = as_of
        self.top_k = top_k
        self.region = region
        self._cache: dict[str, list[EvidenceHit]] = {}
        self._national: dict[str, bool] = {}
        self._articles: dict[str, list[LawArticle]] = {}

    def hits(self, clause: str) -> list[EvidenceHit]:
        q = _CITE.sub("", clause).strip()
        if len(q) < 6 or self.library is None or not hasattr(self.library, "search"):
            return []
        if q in self._cache:
            return self._cache[q]
        try:
            # Twice the depth: hits of other provinces are dropped below.
            res = self.library.search(q, top_k=self.top_k * (2 if self.region else 1), as_of=self.as_of,
                                      level=SUPERIOR_LEVELS, rerank=False)
        except Exception:  # evidence is advisory: a search failure must not stop the review
            self._cache[q] = []
            return []
        bq = bigrams(q)
        out = []
        for h in getattr(res, "hits", []):
            if not h.text or not self.applies(getattr(h, "region", "")):
                continue
            out.append(EvidenceHit(title=h.title, article=h.article or "", status=h.status, text=h.text,
                                   score=float(h.score), overlap=round(containment(bq, h.text), 3)))
        out = out[:self.top_k]
        out.sort(key=lambda e: -e.overlap)
        self._cache[q] = out
        return out

    def applies(self, region: str) -> bool:
        """True for national provisions and for those of the draft's own province."""
        return not region or not self.region or region == self.region

    def provisions(self, query: str, levels: tuple[str, ...], top_k: int = 5,
                   region: tuple[str, ...] = ()) -> list[EvidenceHit]:
        """Provisions of the given levels (and region, for local regulations) in force on the
        review date, in search order (used to find the superior penalty for a conduct the draft
        fines without citing one, the superior time limit of a remedy the draft shortens)."""
        key = "\x00P" + "|".join(levels) + "|" + "|".join(region) + "\x00" + query
        if key in self._cache:
            return self._cache[key]
        out: list[EvidenceHit] = []
        if self.library is not None and hasattr(self.library, "search") and len(query) >= 6:
            try:
                kw: dict[str, Any] = {"region": region} if region else {}
                res = self.library.search(query, top_k=top_k, as_of=self.as_of, level=levels, rerank=False, **kw)
            except Exception:  # advisory: a search failure must not stop the review
                res = None
            for h in getattr(res, "hits", []) or []:
                if h.text:
                    out.append(EvidenceHit(title=h.title, article=h.article or "", status=h.status, text=h.text,
                                           score=float(h.score), overlap=0.0))
        self._cache[key] = out
        return out

    def superior_provisions(self, query: str, levels: tuple[str, ...]) -> list[EvidenceHit]:
        """Provisions of `levels` and the draft's province's own regulations on `query`: what a draft's
        clause is measured against (approvals, deadlines, waived licences)."""
        return self.provisions(query, levels) + self.own_regulations(query)

    def own_regulations(self, query: str, top_k: int = 5) -> list[EvidenceHit]:
        """The draft's province's own 地方性法规 on `query` (a 直辖市's are its own): a 设区的市's regulation
        binds only that city, and the draft may belong to another (杭州市城市绿化管理条例 is no measure for a
        county elsewhere in 浙江). [] when the province is not known."""
        if not self.region:
            return []
        return [h for h in self.provisions(query, ("地方性法规",), top_k=top_k, region=(self.region,))
                if h.title.startswith(self.region)]

    def articles_in_force(self, law: str) -> list[LawArticle]:
        """Every article of the version of `law` in force on the review date, each with the text of
        the articles it refers to (本条例第X条); [] when the library has no such law. Cached: the
        superior-penalty check reads a cited regulation once per review, not once per sentence."""
        key = "\x00A" + law
        if key not in self._articles:
            versions = self.library.versions(law) if self.library is not None and hasattr(self.library, "versions") else []
            doc = in_force(versions, self.as_of or dt.date.today())
            out = []
            for a in doc.articles if doc else ():
                # 第五十九条第一款 is that 款 only: 未成年人保护法第一百二十三条 fines 第五十九条第一款 (selling near
                # schools), 第一百二十四条 its 第二款 (smoking there) — the whole article would match both.
                refs = dict.fromkeys(ref for chain in _SELF_REF.findall(a.text) for ref in _references(chain))
                referred = "\n".join(t for t in (_referred_text(doc.article(n), k) for n, k in refs
                                                   if n != a.number) if t)
                out.append(LawArticle(doc.title, article_label(a.number, a.sub), doc.status, a.text, referred))
            self._articles[key] = out
        return self._articles[key]

    def fining_articles(self, title: str) -> list[LawArticle]:
        """The articles of `title` in force that set a fine (what the superior-penalty check reads)."""
        from legalkb.review.amounts import penalty_ranges

        key = "\x00F" + title
        if key not in self._articles:
            self._articles[key] = [a for a in self.articles_in_force(title) if penalty_ranges(a.text)]
        return self._articles[key]

    def is_national(self, title: str) -> bool:
        """True when the law named `title` is national (法律, 行政法规 …), not local. Cached: asked
        for every cited law of every penalty sentence."""
        if title not in self._national:
            versions = self.library.versions(title) if self.library is not None and hasattr(self.library, "versions") else []
            self._national[title] = bool(versions) and versions[-1].level in NATIONAL_LEVELS
        return self._national[title]

    def citing(self, title: str, label: str) -> list[LawArticle]:
        """Articles of other laws in force that cite `title` `label` (第八十二条): an implementing
        regulation's article giving the amount of a fine its law leaves open (土地管理法实施条例第六十条)."""
        key = f"\x00C{title}\x00{label}"
        if key not in self._articles:
            out: list[LawArticle] = []
            m = re.fullmatch(r"第([一二三四五六七八九十百零〇]+)条(?:之([一二三四五六七八九十]+))?", label)
            if m and self.library is not None and hasattr(self.library, "cited_by"):
                try:
                    by = self.library.cited_by(title, as_of=self.as_of)
                except Exception:  # advisory, as every search here
                    by = {}
                k = article_key(cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0)
                out = [LawArticle(a.title, a.article, a.status, a.text, "") for a in by.get(k, [])
                       if self.applies(a.region)]
            self._articles[key] = out
        return self._articles[key]

    def restates(self, clause: str, threshold: float = RESTATE_THRESHOLD) -> EvidenceHit | None:
        """The superior provision this clause repeats, if any."""
        for h in self.hits(clause):
            if h.overlap >= threshold:
                return h
        return None


def _references(chain: str) -> list[tuple[int, int]]:
    """(article, 款 or 0 for the whole article) of a chain of references: '第二十三条第二款、第三款、第二十五条'
    → (23, 2), (23, 3), (25, 0)."""
    out: list[tuple[int, int]] = []
    for n, unit in _ART_NO.findall(chain):
        if unit == "条":
            out.append((cn_to_int(n), 0))
        elif out:
            article = out[-1][0]
            if out[-1][1] == 0:
                out.pop()
            out.append((article, cn_to_int(n)))
    return out


def _referred_text(article: Any, paragraph: int) -> str:
    """The text of a referred article, or of the 款 named (when the article has it)."""
    if article is None:
        return ""
    if paragraph and 0 < paragraph <= len(article.paragraphs):
        return article.paragraphs[paragraph - 1].text
    return article.text


def _sentences(text: str, start: int) -> list[tuple[str, int]]:
    out = []
    pos = 0
    for part in re.split(r"(?<=[。；])", text):
        if part.strip():
            out.append((part, start + pos))
        pos += len(part)
    return out


def _clauses_to_evidence(draft: DraftDocument) -> list[tuple[int, str]]:
    """(article, sentence) of the obligation / restriction clauses addressed to the public, at most
    MAX_EVIDENCE_CLAUSES."""
    out: list[tuple[int, str]] = []
    for art in draft.articles:
        for cl in art.clauses:
            for sent, _s in _sentences(cl.text, cl.start):
                if not OBLIGATION.search(sent) or _AGENCY_SUBJECT.match(sent.strip()):
                    continue
                if len(out) >= MAX_EVIDENCE_CLAUSES:
                    return out
                out.append((art.number, sent))
    return out


def gather_evidence(draft: DraftDocument, retriever: Retriever, workers: int = EVIDENCE_WORKERS) -> list[Evidence]:
    """Evidence for obligation / restriction clauses addressed to the public."""
    todo = _clauses_to_evidence(draft)
    # The searches are most of a review's time, and the search engine releases the GIL while it
    # searches (two threads: 1.9× on the two-core machine), so they run `workers` at a time.
    if workers > 1 and len(todo) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            found = list(pool.map(lambda t: retriever.hits(t[1])[:3], todo))
    else:
        found = [retriever.hits(sent)[:3] for _n, sent in todo]
    return [Evidence(article=n, quote=sent.strip(), hits=hits,
                     basis_found=bool(hits and hits[0].overlap >= BASIS_THRESHOLD))
            for (n, sent), hits in zip(todo, found, strict=True)]
