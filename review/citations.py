"""Stage 2: find references to superior law in a draft, with spans.

Forms handled: 《…》第X条(之Y)(第Y款)(第（Z）项) with chains (、第Y条 / 和第Z条 / 至第W条), a version
note between title and article (《…》（2023年修订）第二十条), back references (本法/该法/该条例/上述
法律 第X条 → the nearest preceding title), '依照/根据/按照 …的规定' marking a referral, and 文号
references (国办发〔2018〕37号). Titles that name certificates or forms (《…许可证》) are not law.
"""

from __future__ import annotations

import re

from legalkb.ingest.metadata import DOC_NUMBER
from legalkb.ingest.numerals import CN_NUM_CHARS, cn_to_int
from legalkb.review.model import Citation, DraftDocument

_N = rf"[0-9０-９{CN_NUM_CHARS}]+"
_TITLE = re.compile(r"《([^《》\n]{2,80})》")
_VERSION_NOTE = re.compile(r"^[（(][^（）()]{0,20}(?:年|修订|修正|版)[^（）()]{0,10}[）)]")
_ART = re.compile(rf"第\s*({_N})\s*条(?:之\s*({_N}))?(?:第\s*({_N})\s*款)?(?:第?\s*[（(]?\s*({_N})\s*[）)]?\s*项)?")
_CHAIN_SEP = re.compile(r"^(?:、|，|,|和|及|以及|或者|或|至|到)\s*(?=第)")
_BACKREF = re.compile(rf"(本法|该法|本条例|该条例|同法|上述法律|前述法律|上述法规|该法规|上述规定|该规定|上位法)(?=第\s*{_N}\s*条)")
_REFERRAL_BEFORE = re.compile(r"(依照|依据|根据|按照|参照|遵照|适用)[^。；，]{0,6}$")
# Names that are laws, regulations or normative documents (not certificates, forms or books).
# (总则 / 通则: 民法总则 and 民法通则, both repealed, end in neither 法 nor 规则.)
_LAW_LIKE = re.compile(r"(法|法典|条例|规定|办法|细则|决定|解释|规则|总则|通则|通知|意见|纲要|规划|目录|标准|清单|方案|"
                       r"决议|公约|章程|准则|批复|答复|令)$")
# A title right after a verb of issuing / obtaining names a document the organ issues (取得《…审核意见》
# 后方可…), not a law the draft relies on.
_ISSUED_DOC_BEFORE = re.compile(r"(取得|领取|核发|出具|颁发|发放|签发|持有?|凭|申领|换领|开具|填写|填报|获得)[^。；，《》]{0,6}$")
_NOT_LAW = re.compile(r"(证|证书|书|表|卡|牌|单|册|证明|登记簿|告知书|协议)$")


def _num(s: str | None) -> int:
    if not s:
        return 0
    try:
        return cn_to_int(s)
    except ValueError:
        return 0


def _article_chain(text: str, pos: int, limit: int) -> list[tuple[int, int, int, int, int, int]]:
    """Article refs starting at `pos`: (start, end, number, sub, paragraph, item)."""
    out = []
    m = _ART.match(text, pos, limit)
    while m:
        out.append((m.start(), m.end(), _num(m.group(1)), _num(m.group(2)), _num(m.group(3)), _num(m.group(4))))
        sep = _CHAIN_SEP.match(text[m.end():limit])
        if not sep:
            break
        m = _ART.match(text, m.end() + sep.end(), limit)
    return out


def _is_referral(text: str, start: int, lo: int) -> bool:
    before = text[max(lo, start - 14):start]
    return bool(_REFERRAL_BEFORE.search(before))


def extract_citations(draft: DraftDocument) -> list[Citation]:
    """All citations in the articles (and preamble) of the draft, in text order."""
    text = draft.text
    out: list[Citation] = []
    for art in draft.articles:
        lo, hi = art.body_start, art.end
        last_law = ""
        # Titles, in order; back references inherit the nearest preceding title.
        events: list[tuple[int, str, re.Match[str]]] = [(m.start(), "title", m) for m in _TITLE.finditer(text, lo, hi)]
        events += [(m.start(), "back", m) for m in _BACKREF.finditer(text, lo, hi)]
        events.sort(key=lambda e: e[0])
        for _pos, kind, m in events:
            if kind == "title":
                name = m.group(1).strip()
                after = m.end()
                note = _VERSION_NOTE.match(text[after:hi])
                chain_pos = after + (note.end() if note else 0)
                chain = _article_chain(text, chain_pos, hi)
                if _NOT_LAW.search(name) and not chain:
                    continue
                if not chain and not _LAW_LIKE.search(name):
                    continue
                if not chain and _ISSUED_DOC_BEFORE.search(text[max(lo, m.start() - 10):m.start()]):
                    continue
                last_law = name
                referral = _is_referral(text, m.start(), lo)
                if not chain:
                    out.append(Citation(raw=text[m.start():m.end()], law=name, start=m.start(), end=m.end(),
                                        draft_article=art.number, referral=referral))
                    continue
                for k, (s, e, n, sub, para, item) in enumerate(chain):
                    start = m.start() if k == 0 else s
                    out.append(Citation(raw=text[start:e], law=name, start=start, end=e,
                                        draft_article=art.number, article=n, sub=sub, paragraph=para,
                                        item=item, referral=referral))
            else:
                if not last_law:
                    continue
                for s, e, n, sub, para, item in _article_chain(text, m.end(), hi):
                    start = m.start() if s == m.end() else s
                    out.append(Citation(raw=text[start:e], law=last_law, start=start, end=e,
                                        draft_article=art.number, article=n, sub=sub, paragraph=para,
                                        item=item, kind="back_ref", referral=_is_referral(text, m.start(), lo)))
        for m in DOC_NUMBER.finditer(text, lo, hi):
            raw = m.group(0)
            bracket = re.search(r"[〔\[［【(（]\s*\d{4}", raw)
            if bracket is None:
                continue
            # DOC_NUMBER's leading characters may swallow running text (按照国办发…): keep the
            # agency code, which follows any verb or punctuation and is at most 8 characters.
            code = re.split(r"按照|依照|根据|依据|参照|执行|落实|贯彻|印发|转发|和|及|与|、|《|》", raw[:bracket.start()])[-1][-8:]
            if not code:
                continue
            s = m.start() + bracket.start() - len(code)
            out.append(Citation(raw=text[s:m.end()], law=text[s:m.end()], start=s, end=m.end(),
                                draft_article=art.number, kind="doc_number"))
    out.sort(key=lambda c: c.start)
    return out
