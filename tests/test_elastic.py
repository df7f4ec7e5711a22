"""The Elasticsearch engine against a real node: the shared contract, plus what only a cluster has
(alias switch, bulk retry, node down, interrupted ingest).

Needs a node at LEGALKB_ES_URLS (default http://127.0.0.1:9200): `bash scripts/elasticsearch.sh
start`. Without one these tests skip — unless LEGALKB_REQUIRE_ES=1 (CI), where a missing node is
a failure, so a CI run can never pass by silently skipping them.

Failures are real, never mocked: a closed index on the node, a TCP proxy in front of the node that
drops connections, a port nobody listens on, a socket that accepts and never answers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from legalkb.search import es_mapping as em
from legalkb.search.backend import BackendError, BackendUnavailable, FieldQuery, Filters, Record
from legalkb.search.config import Config
from legalkb.search.elastic import ElasticBackend, drop_prefix, wait_for_node
from legalkb.search.library import Library
from legalkb.search.query import build_query
from legalkb.search.records import document_records
from tests.contract import TODAY, BackendContract, _doc, corpus

pytestmark = pytest.mark.elasticsearch

ES_URLS = [u.strip() for u in os.environ.get("LEGALKB_ES_URLS", "http://127.0.0.1:9200").split(",") if u.strip()]
REQUIRE = os.environ.get("LEGALKB_REQUIRE_ES", "") == "1"
_node_up: bool | None = None


def _require_node() -> None:
    global _node_up
    if _node_up is None:
        # CI has just started the node: give it a little time rather than failing on a race.
        _node_up = wait_for_node(ES_URLS, timeout=60 if REQUIRE else 0)
    if not _node_up:
        reason = (f"no Elasticsearch node answers at {','.join(ES_URLS)} (LEGALKB_ES_URLS); "
                  "start one with `bash scripts/elasticsearch.sh start`")
        if REQUIRE:
            pytest.fail(f"LEGALKB_REQUIRE_ES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def _config(tmp_path: Path, **kw: object) -> Config:
    """The environment's ES settings (auth, CA) with a fresh, unique index prefix."""
    base = Config.from_env(home=tmp_path, backend="elasticsearch")
    values: dict[str, object] = {"es_urls": ES_URLS, "es_index": f"legalkb-test-{uuid.uuid4().hex[:12]}"}
    values.update(kw)
    return dataclasses.replace(base, **values)


@pytest.fixture
def es_config(tmp_path: Path) -> Iterator[Config]:
    _require_node()
    cfg = _config(tmp_path)
    yield cfg
    # Whatever a test left behind under its prefix goes, even if its backend is broken.
    admin = Elasticsearch(ES_URLS, request_timeout=30)
    try:
        drop_prefix(admin, cfg.es_index)
    finally:
        admin.close()


def _make(cfg: Config, **kw: object) -> ElasticBackend:
    return ElasticBackend(cfg, **kw)  # type: ignore[arg-type]


class TestElasticBackend(BackendContract):
    @pytest.fixture
    def backend(self, es_config: Config) -> Iterator[ElasticBackend]:
        b = _make(es_config)
        yield b
        b.close()


# -- helpers ---------------------------------------------------------------------------------------
def _synthetic(n: int, articles: int = 4, *, tag: str = "") -> list:
    """n small laws with `articles` articles each; `tag` changes content (a new version's text)."""
    return [_doc(f"测试条例{i:03d}", "2020-01-01",
                 [f"第{i}号条例{tag}第{j}条：行政机关应当依法履行职责{j}。" for j in range(articles)],
                 title=f"测试条例{i:03d}", level="地方性法规")
            for i in range(n)]


def _assert_exactly_once(b: ElasticBackend, docs: list) -> None:
    """Every document present with exactly its own records, nothing else in the index."""
    b.refresh()
    expected = {d.doc_id: {r.id for r in document_records(d)} for d in docs}
    total = sum(len(v) for v in expected.values())
    assert b.count(Filters(kind=None)) == total
    stored = {r.id for r in b.get([i for ids in expected.values() for i in ids])}
    assert stored == set().union(*expected.values())
    for d in docs:
        assert b.count(Filters(kind=None, doc_ids=[d.doc_id])) == len(expected[d.doc_id]), d.doc_id


def _interrupt_after(records: Iterable[Record], n: int) -> Iterator[Record]:
    """Ctrl-C in the middle of an ingest, after `n` records were handed to the engine."""
    for i, r in enumerate(records):
        if i == n:
            raise KeyboardInterrupt
        yield r


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Proxy:
    """A TCP proxy on 127.0.0.1 in front of the real node. `down()` cuts every connection and
    refuses new ones (the node "crashes" for the client); `up()` restores the path."""

    def __init__(self, target: str) -> None:
        host, port = target.split("://", 1)[-1].rstrip("/").rsplit(":", 1)
        self.target = (host, int(port))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._is_down = False
        self._stop = False
        self._srv = socket.create_server(("127.0.0.1", self.port))
        self._srv.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._is_down:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def down(self) -> None:
        self._is_down = True
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def up(self) -> None:
        self._is_down = False

    def close(self) -> None:
        self._stop = True
        self.down()
        self._srv.close()


# -- index layout ----------------------------------------------------------------------------------
def test_versioned_template_alias_and_concrete_index(es_config: Config) -> None:
    b = _make(es_config)
    es = b.es
    alias = f"{es_config.es_index}-records"
    indices = sorted(es.indices.get_alias(name=alias).body)
    assert len(indices) == 1 and indices[0].startswith(f"{alias}-v{em.MAPPING_VERSION}-")
    tpl = es.indices.get_index_template(name=em.template_name(es_config.es_index)).body["index_templates"][0]
    assert tpl["index_template"]["version"] == em.MAPPING_VERSION
    mapping = es.indices.get_mapping(index=alias).body[indices[0]]["mappings"]
    props = mapping["properties"]
    assert mapping["_meta"]["legalkb_mapping"] == em.MAPPING_VERSION
    assert all(props[k]["type"] == "keyword" for k in ("id", "level", "status", "region", "issuer", "cites"))
    assert props["effective"]["type"] == "date" and props["text_tokens"]["analyzer"] == "whitespace"
    # positions is the default for text fields (ES omits defaults when it returns a mapping).
    assert props["chars"].get("index_options", "positions") == "positions" and props["payload"]["index"] is False
    assert "vector" not in props  # added at the first write with vectors, with their dimension
    rec = document_records(corpus()[0])[1]
    rec.vector = [0.1] * 8
    b.upsert([rec])
    props = es.indices.get_mapping(index=alias).body[indices[0]]["mappings"]["properties"]
    assert props["vector"]["type"] == "dense_vector" and props["vector"]["dims"] == 8
    with pytest.raises(BackendError, match="向量维度"):
        rec.vector = [0.1] * 4
        b.upsert([rec])
    # A second process opening the same prefix finds the index, its dims, and creates nothing.
    again = _make(es_config)
    assert again.vector_dims == 8 and sorted(es.indices.get_alias(name=alias).body) == indices
    settings = es.indices.get_settings(index=alias).body[indices[0]]["settings"]["index"]
    assert settings["number_of_shards"] == str(es_config.es_shards)
    assert settings["number_of_replicas"] == str(es_config.es_replicas)


def test_analyzer_or_mapping_mismatch_is_refused(es_config: Config) -> None:
    b = _make(es_config)
    b.es.indices.put_mapping(index=b.alias, meta={"legalkb_mapping": em.MAPPING_VERSION, "analyzer": "0"})
    with pytest.raises(BackendError, match="分词器版本"):
        _make(es_config)


def test_shards_and_replicas_are_configurable(es_config: Config) -> None:
    cfg = dataclasses.replace(es_config, es_shards=2, es_replicas=0)
    b = _make(cfg)
    settings = b.es.indices.get_settings(index=b.alias).body
    assert next(iter(settings.values()))["settings"]["index"]["number_of_shards"] == "2"
    # Two shards use global term statistics, so rankings stay those of the embedded engine.
    lib = Library(b, today=lambda: TODAY)
    lib.add_documents(corpus())
    res = b.search(build_query("拖欠劳动报酬 申请支付令"), Filters(), limit=3)
    assert res.hits[0].id == "劳动合同法@2012-12-28#2"


# -- alias switch ----------------------------------------------------------------------------------
def test_rebuild_switches_alias_atomically_while_searching(es_config: Config) -> None:
    b = _make(es_config)
    Library(b, today=lambda: TODAY).add_documents(corpus()[:3])
    other = _make(es_config)  # another process (e.g. the web app) reading the same alias
    old_index = sorted(b.es.indices.get_alias(name=b.alias).body)
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                seen.append(other.search(FieldQuery(), Filters(kind="document"), limit=0).total)
            except BaseException as exc:  # noqa: BLE001 - any failure during the switch is the bug
                errors.append(exc)
            time.sleep(0.005)

    t = threading.Thread(target=search_loop)
    t.start()
    try:
        staging = b.begin_rebuild()
        Library(staging, today=lambda: TODAY).add_documents(corpus())
        staging.refresh()
        assert staging.count(Filters(kind="document")) == 5
        time.sleep(0.2)
        # Fully loaded but not switched: everyone still reads the old index.
        assert other.count(Filters(kind="document")) == 3 and b.count(Filters(kind="document")) == 3
        out = staging.commit_rebuild()
        time.sleep(0.2)
    finally:
        stop.set()
        t.join()
    assert not errors, errors[:3]
    assert set(seen) <= {3, 5} and 3 in seen and seen[-1] == 5
    assert seen == sorted(seen)  # never back to the old index after the switch
    assert out["replaced"] == old_index and out["records"] == b.count()
    assert other.count(Filters(kind="document")) == 5
    assert not b.es.indices.exists(index=old_index[0]).body  # old index dropped after the switch
    assert sorted(b.es.indices.get_alias(name=b.alias).body) == [out["index"]]
    # The new index serves with normal settings again (refreshes on, replicas as configured).
    settings = b.es.indices.get_settings(index=out["index"]).body[out["index"]]["settings"]["index"]
    assert settings.get("refresh_interval") in (None, "1s")
    lib = Library(other, today=lambda: TODAY)
    assert lib.search("行政处罚法第三条").hits[0].id == "行政处罚法@2021-01-22#3"


def test_failed_rebuild_keeps_old_index_serving(es_config: Config) -> None:
    b = _make(es_config)
    b.upsert(document_records(corpus()[0]))
    b.refresh()
    before = sorted(b.es.indices.get_alias(name=b.alias).body)
    all_records = [r for d in corpus() for r in document_records(d)]
    with pytest.raises(KeyboardInterrupt):
        b.rebuild(_interrupt_after(all_records, 5))
    assert sorted(b.es.indices.get_alias(name=b.alias).body) == before
    assert b.count() == 3
    assert sorted(b.es.indices.get(index=em.index_pattern(b.prefix)).body) == before  # staging dropped
    out = b.rebuild(all_records)
    assert out["written"] == len(all_records) and b.count() == len(all_records)


# -- bulk retry ------------------------------------------------------------------------------------
def test_bulk_rides_out_a_closed_index(es_config: Config, caplog: pytest.LogCaptureFixture) -> None:
    """An operator closes the index in the middle of an ingest and reopens it 2 s later: the
    ingest backs off, retries and finishes, each document exactly once."""
    b = _make(es_config, batch_size=20, chunk_size=10, initial_backoff=0.2, max_backoff=1.0, bulk_retries=12)
    docs = _synthetic(30)
    admin = Elasticsearch(ES_URLS, request_timeout=30)
    concrete = sorted(admin.indices.get_alias(name=b.alias).body)[0]
    reopened = threading.Event()

    def stream() -> Iterator[Record]:
        for i, r in enumerate(r for d in docs for r in document_records(d)):
            if i == 60:
                admin.indices.close(index=concrete)
                threading.Timer(2.0, lambda: (admin.indices.open(index=concrete), reopened.set())).start()
            yield r

    with caplog.at_level(logging.WARNING, logger="legalkb.search.elastic"):
        written = b.upsert(stream())
    assert reopened.is_set()
    assert any("retry" in m for m in caplog.messages), "the closed index was never hit"
    assert written == sum(len(document_records(d)) for d in docs)
    _assert_exactly_once(b, docs)
    admin.close()


def test_bulk_rides_out_dropped_connections(es_config: Config, caplog: pytest.LogCaptureFixture) -> None:
    """The network path to the node drops every connection for ~1.5 s mid-ingest."""
    proxy = _Proxy(ES_URLS[0])
    try:
        cfg = dataclasses.replace(es_config, es_urls=[proxy.url], es_timeout=5)
        b = _make(cfg, batch_size=20, chunk_size=10, initial_backoff=0.2, max_backoff=1.0, bulk_retries=12)
        docs = _synthetic(25)

        def stream() -> Iterator[Record]:
            for i, r in enumerate(r for d in docs for r in document_records(d)):
                if i == 50:
                    proxy.down()
                    threading.Timer(1.5, proxy.up).start()
                yield r

        with caplog.at_level(logging.WARNING, logger="legalkb.search.elastic"):
            b.upsert(stream())
        assert any("retry" in m for m in caplog.messages), "the outage was never hit"
        _assert_exactly_once(b, docs)
    finally:
        proxy.close()


# -- ES down / slow --------------------------------------------------------------------------------
def test_node_down_is_a_clear_error_naming_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    cfg = Config(home=tmp_path, backend="elasticsearch", es_urls=[url], es_timeout=3)
    with pytest.raises(BackendUnavailable) as err:
        ElasticBackend(cfg)
    msg = str(err.value)
    assert msg.startswith("无法连接 Elasticsearch") and url in msg and "LEGALKB_ES_URLS" in msg


def test_cli_reports_node_down(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from legalkb.api.cli import main

    url = f"http://127.0.0.1:{_free_port()}"
    res = CliRunner().invoke(main, ["--home", str(tmp_path), "--backend", "elasticsearch", "search", "行政处罚"],
                             env={"LEGALKB_ES_URLS": url})
    assert res.exit_code != 0
    assert url in res.output and "无法连接 Elasticsearch" in res.output


def test_slow_node_times_out_with_clear_error(tmp_path: Path) -> None:
    """A node that accepts connections but never answers (hung JVM, overloaded proxy)."""
    srv = socket.create_server(("127.0.0.1", 0))
    srv.listen(16)
    url = f"http://127.0.0.1:{srv.getsockname()[1]}"
    try:
        cfg = Config(home=tmp_path, backend="elasticsearch", es_urls=[url], es_timeout=1)
        t0 = time.monotonic()
        with pytest.raises(BackendError) as err:
            ElasticBackend(cfg)
        assert time.monotonic() - t0 < 15
        assert url in str(err.value) and "超时" in str(err.value)
    finally:
        srv.close()


def test_node_lost_after_open_fails_loudly(es_config: Config) -> None:
    """No partial, silent results: once the node is gone, reads and writes raise."""
    proxy = _Proxy(ES_URLS[0])
    try:
        cfg = dataclasses.replace(es_config, es_urls=[proxy.url], es_timeout=3)
        b = _make(cfg, bulk_retries=1, initial_backoff=0.1)
        lib = Library(b, today=lambda: TODAY)
        lib.add_documents(corpus())
        assert lib.search("行政处罚法第三条").hits
        proxy.down()
        proxy._srv.close()  # nothing listens any more: connection refused
        for call in (lambda: lib.search("其他规范性文件不得设定行政处罚"),
                     lambda: b.get(["行政处罚法@2021-01-22#3"]),
                     lambda: b.count(),
                     lambda: b.upsert(document_records(corpus()[0]))):
            with pytest.raises(BackendUnavailable) as err:
                call()
            assert proxy.url in str(err.value)
    finally:
        proxy.close()


# -- interrupted ingest ----------------------------------------------------------------------------
def test_interrupted_ingest_rerun_ends_with_each_document_once(es_config: Config) -> None:
    b = _make(es_config, batch_size=15, chunk_size=7)
    docs = _synthetic(20)
    records = [r for d in docs for r in document_records(d)]
    with pytest.raises(KeyboardInterrupt):
        b.upsert(_interrupt_after(records, 47))
    b.refresh()
    partial = b.count(Filters(kind=None))
    assert 0 < partial < len(records)
    # A document record is only there when all of that document's records are.
    for rec in b.documents(Filters(), limit=100):
        assert b.count(Filters(kind=None, doc_ids=[rec.doc_id])) == 5
    Library(b, today=lambda: TODAY).add_documents(docs)  # the re-run
    _assert_exactly_once(b, docs)


def test_interrupted_update_rerun_leaves_no_stale_articles(es_config: Config) -> None:
    """Version 2 of every document has fewer articles; its ingest dies half-way. The re-run must
    not take a half-written document for 'unchanged', and must leave no version-1 article."""
    b = _make(es_config, batch_size=12, chunk_size=5)
    lib = Library(b, today=lambda: TODAY)
    v1 = _synthetic(15, articles=6)
    lib.add_documents(v1)
    v2 = _synthetic(15, articles=3, tag="（修订）")
    with pytest.raises(KeyboardInterrupt):
        b.upsert(_interrupt_after([r for d in v2 for r in document_records(d)], 30))
    Library(b, today=lambda: TODAY).add_documents(v2)
    _assert_exactly_once(b, v2)
    texts = {r.text for r in b.get([f"{d.doc_id}#{j}" for d in v2 for j in range(1, 7)])}
    assert all("修订" in t for t in texts)


def test_upsert_sees_its_own_unrefreshed_writes(es_config: Config) -> None:
    """Two upserts of one document without a refresh between them still replace, not add."""
    b = _make(es_config)
    doc = corpus()[1]
    b.upsert(document_records(doc))
    doc.articles = doc.articles[:1]
    b.upsert(document_records(doc))
    b.refresh()
    assert b.count(Filters(kind=None, doc_ids=[doc.doc_id])) == 2


def test_documents_pages_past_the_result_window(es_config: Config) -> None:
    b = _make(es_config)
    recs = [Record(id=f"d{i:05d}", kind="document", doc_id=f"d{i:05d}", law_key=f"k{i}", title="t",
                   short_title="t", level="法律", status="现行有效") for i in range(10_050)]
    b.rebuild(recs)
    got = b.documents(Filters(), limit=1_000_000)
    assert len(got) == 10_050 and len({r.id for r in got}) == 10_050


def test_library_open_selects_elasticsearch(es_config: Config) -> None:
    """LEGALKB_BACKEND=elasticsearch (here: the config) gives a Library on this engine."""
    lib = Library.open(config=es_config)
    try:
        assert isinstance(lib.backend, ElasticBackend)
        assert lib.backend.info()["engine"] == "elasticsearch"
    finally:
        lib.close()


def test_rankings_and_scores_match_the_embedded_engine(es_config: Config, tmp_path: Path) -> None:
    """Same records, same FieldQuery → same order, scores within a few percent (BM25 statistics
    are computed slightly differently by Lucene and tantivy; see docs/elasticsearch.md)."""
    from legalkb.search.embedded import EmbeddedBackend

    es, emb = _make(es_config), EmbeddedBackend(tmp_path / "emb")
    for b in (es, emb):
        Library(b, today=lambda: TODAY).add_documents(corpus())
    queries = [build_query("其他规范性文件不得设定行政处罚"), build_query("拖欠劳动报酬 申请支付令"),
               build_query("犬只 罚款"), FieldQuery(tokens=["设定", "行政许可"], phrases=[list("行政许可")]),
               FieldQuery(tokens=["设定"], law_boosts={"行政许可法": 2.0})]
    for q in queries:
        # kind=None: tantivy adds 1.0 per filter clause to every hit, Elasticsearch 0 (filter context).
        a = emb.search(q, Filters(kind=None), limit=5).hits
        b = es.search(q, Filters(kind=None), limit=5).hits
        assert [h.score for h in b] == pytest.approx([h.score for h in a], rel=0.05), q
        distinct = [i for i in range(len(a)) if all(abs(a[i].score - h.score) > 0.05 * a[i].score
                                                     for j, h in enumerate(a) if j != i)]
        assert [a[i].id for i in distinct] == [b[i].id for i in distinct], q  # ties may swap
    emb.close()


def test_citing_articles_and_stated_repeals_match_the_embedded_engine(es_config: Config, tmp_path: Path) -> None:
    """Library features built on the backend protocol (phrase search + filters) give the same
    answers on Elasticsearch as on the embedded engine (tests/test_cited_by.py)."""
    from tests.test_cited_by import write_citing_corpus

    corpus_dir = write_citing_corpus(tmp_path / "corpus")
    libs = {"es": Library.open(config=es_config),
            "embedded": Library.open(home=tmp_path / "embedded", backend="embedded")}
    try:
        seen = {}
        for name, lib in libs.items():
            assert not lib.ingest_paths([corpus_dir]).failures
            by_article = lib.cited_by("行政处罚法")
            old = lib.versions("东临市旧执法规定")[-1]
            seen[name] = ({k: [(a.title, a.article) for a in v] for k, v in by_article.items()},
                          (old.status, old.in_force_until, old.successor))
        assert seen["es"] == seen["embedded"]
        assert seen["es"][0]["16"] == [("东临市行政执法条例", "第二条"), ("东临市行政执法条例", "第三条")]
        assert seen["es"][1][0] == "已废止" and seen["es"][1][2] == "东临市执法监督条例"
    finally:
        for lib in libs.values():
            lib.close()
