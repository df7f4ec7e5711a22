"""The backend contract: one test class every search engine's tests subclass (haystack style).

A subclass provides a `backend` fixture yielding a fresh, empty engine. Everything here goes through
the SearchBackend protocol or the Library on top of it, so passing it means the engine is a
drop-in replacement for the other.
"""

from __future__ import annotations

import datetime as dt

import pytest

from legalkb.ingest.model import Article, LegalDocument, Paragraph
from legalkb.search.backend import FieldQuery, Filters, Record, SearchBackend
from legalkb.search.library import Library
from legalkb.search.query import build_query
from legalkb.search.records import document_records

TODAY = dt.date(2026, 11, 28)


def _doc(short: str, date: str, articles: list[str], *, title: str | None = None, level: str = "法律",
         region: str = "", effective: str | None = None) -> LegalDocument:
    d = dt.date.fromisoformat(date)
    return LegalDocument(
        title=title or f"中华人民共和国{short}", short_title=short, level=level, region=region,
        promulgated=d, effective=dt.date.fromisoformat(effective) if effective else d, version_date=d,
        articles=[Article(number=i + 1, paragraphs=[Paragraph(1, t)], path=["第一章 总则"])
                  for i, t in enumerate(articles)],
        content_hash=f"{short}-{date}-{len(articles)}-{hash(tuple(articles)) & 0xffff}",
    )


def corpus() -> list[LegalDocument]:
    return [
        _doc("行政处罚法", "2017-09-01", ["为了规范行政处罚的设定和实施，制定本法。",
                                      "其他规范性文件不得设定行政处罚。"]),
        _doc("行政处罚法", "2021-01-22", ["为了规范行政处罚的设定和实施，制定本法。",
                                      "法律可以设定各种行政处罚。",
                                      "除法律、法规、规章外，其他规范性文件不得设定行政处罚。"],
             effective="2021-07-15"),
        _doc("行政许可法", "2019-04-23", ["为了规范行政许可的设定和实施，制定本法。",
                                      "其他规范性文件一律不得设定行政许可。"]),
        _doc("东临市养犬管理条例", "2022-05-01", ["携带犬只出户的，应当束犬链。",
                                          "违反本条例规定的，由公安机关处二百元以下罚款。"],
             title="东临市养犬管理条例", level="地方性法规", region="山东省"),
        _doc("劳动合同法", "2012-12-28", ["用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。",
                                      "用人单位拖欠或者未足额支付劳动报酬的，劳动者可以依法向当地人民法院申请支付令。"]),
    ]


def _with_unit_vectors(backend: SearchBackend) -> list[Record]:
    """Index the corpus with article i's vector = the i-th unit vector (16 dims); its articles."""
    recs = [r for d in corpus() for r in document_records(d)]
    arts = [r for r in recs if r.kind == "article"]
    for i, r in enumerate(arts):
        r.vector = [1.0 if j == i else 0.0 for j in range(16)]
    backend.upsert(recs)
    backend.refresh()
    return arts


class BackendContract:
    """Subclass and provide `backend` (a fresh, empty engine)."""

    @pytest.fixture
    def library(self, backend: SearchBackend) -> Library:
        lib = Library(backend, today=lambda: TODAY)
        lib.add_documents(corpus())
        return lib

    # -- protocol ------------------------------------------------------------------------------
    def test_is_a_backend(self, backend: SearchBackend) -> None:
        assert isinstance(backend, SearchBackend)

    def test_upsert_get_count(self, backend: SearchBackend) -> None:
        recs = document_records(corpus()[0])
        assert backend.upsert(recs) == 3
        backend.refresh()
        assert backend.count() == 3
        got = backend.get([recs[2].id, "missing", recs[0].id])
        assert [r.id for r in got] == [recs[2].id, recs[0].id]
        assert got[0].text == "其他规范性文件不得设定行政处罚。"
        assert got[0].article_no == 2 and got[0].article == "第二条"
        assert got[1].payload and "行政处罚法" in got[1].payload

    def test_upsert_replaces_whole_document(self, backend: SearchBackend) -> None:
        doc = corpus()[0]
        backend.upsert(document_records(doc))
        backend.refresh()
        doc.articles = doc.articles[:1]
        backend.upsert(document_records(doc))
        backend.refresh()
        assert backend.count(Filters(kind=None, doc_ids=[doc.doc_id])) == 2

    def test_delete_documents(self, backend: SearchBackend) -> None:
        for d in corpus():
            backend.upsert(document_records(d))
        backend.refresh()
        before = backend.count()
        backend.delete_documents(["行政许可法@2019-04-23"])
        backend.refresh()
        assert backend.count() == before - 3
        assert backend.get(["行政许可法@2019-04-23"]) == []

    def test_bm25_ranks_matching_article_first(self, library: Library) -> None:
        res = library.backend.search(build_query("拖欠劳动报酬 申请支付令"), Filters(), limit=3)
        assert res.hits[0].id == "劳动合同法@2012-12-28#2"
        assert res.total >= 2

    def test_filters(self, library: Library) -> None:
        b = library.backend
        q = build_query("罚款 行政处罚 设定")
        only_local = b.search(q, Filters(level=["地方性法规"]), limit=10)
        assert only_local.hits and all(h.record.level == "地方性法规" for h in only_local.hits)
        region = b.search(build_query("犬只"), Filters(region=["山东省"]), limit=10)
        assert region.hits and all(h.record.region == "山东省" for h in region.hits)
        assert b.search(build_query("犬只"), Filters(region=["北京市"]), limit=10).total == 0
        keys = b.search(q, Filters(law_keys=["行政许可法"]), limit=10)
        assert keys.hits and {h.record.law_key for h in keys.hits} == {"行政许可法"}
        docs = b.search(FieldQuery(), Filters(kind="document"), limit=100)
        assert docs.total == 5 and all(h.record.kind == "document" for h in docs.hits)

    def test_as_of_picks_the_version_in_force(self, library: Library) -> None:
        b = library.backend
        q = build_query("其他规范性文件不得设定行政处罚")
        old = b.search(q, Filters(as_of=dt.date(2020, 1, 1), law_keys=["行政处罚法"]), limit=10)
        assert old.hits and {h.record.doc_id for h in old.hits} == {"行政处罚法@2017-09-01"}
        new = b.search(q, Filters(as_of=dt.date(2022, 1, 1), law_keys=["行政处罚法"]), limit=10)
        assert {h.record.doc_id for h in new.hits} == {"行政处罚法@2021-01-22"}
        # Between promulgation (2021-01-22) and effect (2021-07-15) the old text still applies.
        gap = b.search(q, Filters(as_of=dt.date(2021, 3, 1), law_keys=["行政处罚法"]), limit=10)
        assert {h.record.doc_id for h in gap.hits} == {"行政处罚法@2017-09-01"}

    def test_status_filter_and_version_chain(self, library: Library) -> None:
        res = library.backend.search(FieldQuery(), Filters(kind="document", status=["已修改"]), limit=10)
        assert [h.record.doc_id for h in res.hits] == ["行政处罚法@2017-09-01"]
        versions = library.versions("行政处罚法")
        assert [v.status for v in versions] == ["已修改", "现行有效"]
        assert versions[0].in_force_until == dt.date(2021, 7, 15)

    def test_facets(self, library: Library) -> None:
        res = library.backend.search(FieldQuery(), Filters(kind="document"), limit=0,
                                     facets=("level", "status"))
        assert res.facets["level"] == {"法律": 4, "地方性法规": 1}
        assert res.facets["status"] == {"现行有效": 4, "已修改": 1}

    def test_phrase_required_and_bonus(self, library: Library) -> None:
        b = library.backend
        must = FieldQuery(tokens=["设定"], phrases=[list("不得设定行政许可")])
        res = b.search(must, Filters(), limit=10)
        assert [h.id for h in res.hits] == ["行政许可法@2019-04-23#2"]
        bonus = build_query("不得设定行政处罚")
        top = b.search(bonus, Filters(as_of=TODAY), limit=3).hits[0]
        assert top.id == "行政处罚法@2021-01-22#3"

    def test_cites_filter(self, backend: SearchBackend) -> None:
        from legalkb.search.backend import Record

        backend.upsert([Record(id="case1", kind="case", doc_id="case1", law_key="case1", title="某案",
                               short_title="某案", level="案例", status="现行有效",
                               cites=["民法典@2020-05-28#1165"], text_tokens="侵权 责任")])
        backend.refresh()
        hit = backend.search(FieldQuery(), Filters(kind="case", cites=["民法典@2020-05-28#1165"]), limit=5)
        assert [h.id for h in hit.hits] == ["case1"]
        assert backend.search(FieldQuery(), Filters(kind="case", cites=["民法典@2020-05-28#1"]), limit=5).total == 0

    def test_vector_search_with_filters(self, backend: SearchBackend) -> None:
        arts = _with_unit_vectors(backend)
        query = [1.0, 0.5] + [0.0] * 14
        hits = backend.vector_search(query, Filters(), limit=2)
        assert [h.id for h in hits] == [arts[0].id, arts[1].id]
        filtered = backend.vector_search(query, Filters(law_keys=["劳动合同法"]), limit=1)
        assert filtered and filtered[0].record.law_key == "劳动合同法"

    def test_vector_search_within_one_law(self, backend: SearchBackend) -> None:
        # The reranker searches the best laws on their own by meaning: the law's articles must come
        # back in similarity order even when every other law's articles are closer to the query.
        arts = _with_unit_vectors(backend)
        query = [0.0] * 16
        query[2], query[3], query[4] = 0.2, 0.9, 0.5          # 行政处罚法 2021, articles 1–3
        for j in range(5, 11):
            query[j] = 3.0                                    # every other law: far closer
        own = [a for a in arts if a.law_key == "行政处罚法"]
        hits = backend.vector_search(query, Filters(law_keys=["行政处罚法"]), limit=10)
        assert {h.id for h in hits} == {a.id for a in own}
        assert [h.id for h in hits[:3]] == [arts[3].id, arts[4].id, arts[2].id]
        norm = sum(x * x for x in query) ** 0.5
        # Cosine, as far as the engine's vector quantisation allows (ES int8_hnsw: ~0.003 off).
        assert abs(hits[0].score - 0.9 / norm) < 0.01, (hits[0].score, 0.9 / norm)
        one_doc = backend.vector_search(query, Filters(doc_ids=[arts[2].doc_id]), limit=2)
        assert [h.id for h in one_doc] == [arts[3].id, arts[4].id]

    def test_clear_and_info(self, library: Library) -> None:
        info = library.backend.info()
        assert info["documents"] == 5 and info["articles"] == 11
        library.backend.clear()
        assert library.backend.count() == 0

    # -- library on top of the engine ------------------------------------------------------------
    def test_citation_lookup(self, library: Library) -> None:
        for q in ("行政处罚法第三条", "《中华人民共和国行政处罚法》第3条", "行政处罚法3条"):
            res = library.search(q)
            assert res.hits[0].id == "行政处罚法@2021-01-22#3", q
            assert res.hits[0].match == "citation"
        old = library.search("行政处罚法第二条", as_of=dt.date(2019, 1, 1))
        assert old.hits[0].id == "行政处罚法@2017-09-01#2"

    def test_pages_do_not_repeat_and_citation_leads_page_one(self, library: Library) -> None:
        q = "行政处罚法第三条 设定 行政处罚"
        first = library.search(q, top_k=2)
        second = library.search(q, top_k=2, offset=2)
        assert first.hits[0].match == "citation" and first.hits[0].id == "行政处罚法@2021-01-22#3"
        assert second.hits and all(h.match == "text" for h in second.hits)
        assert not {h.id for h in first.hits} & {h.id for h in second.hits}
        pure = library.search("行政处罚法第三条")
        assert [h.id for h in pure.hits] == ["行政处罚法@2021-01-22#3"] and pure.total == 1

    def test_default_search_is_current_law_with_highlight(self, library: Library) -> None:
        res = library.search("其他规范性文件不得设定行政处罚", top_k=3)
        assert res.hits[0].id == "行政处罚法@2021-01-22#3"
        assert all(h.status == "现行有效" for h in res.hits)
        assert "<em>" in res.hits[0].highlight

    def test_reingest_is_idempotent(self, library: Library) -> None:
        before = library.backend.count()
        from legalkb.search.library import IngestReport

        rep = IngestReport()
        library.add_documents(corpus(), rep)
        assert rep.unchanged == 5 and rep.documents == 0
        assert library.backend.count() == before
