"""The Elasticsearch engine: the same contract as the embedded tantivy engine, on a cluster.

Layout: readers and writers use the alias `{es_index}-records`, which points at exactly one
concrete index `{es_index}-records-v<MAPPING_VERSION>-<timestamp>` (mapping in es_mapping.py,
installed as an index template). A full rebuild loads a new concrete index and then moves the alias
in one atomic `_aliases` call, so searches never see a half-built index; the old index is deleted
only after the switch succeeded.

Semantics mirror search/embedded.py exactly (same tokens, same per-field term boosts, required and
bonus phrases on `chars`, constant-score law boosts, the same filters and as-of rule), so the
shared contract tests in tests/contract.py pass on both engines.

Writes are idempotent: a record's `_id` is its deterministic `Record.id`, stale records of a
document are deleted by id (the integ-test-zip distribution has no delete_by_query), and a
document's own record — which carries the content hash that tells a re-run "unchanged" — is
written only after all its other records. An ingest interrupted anywhere can be re-run and ends
with every document exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    Elasticsearch,
    NotFoundError,
    TransportError,
    helpers,
)

from legalkb.search import es_mapping as em
from legalkb.search.analysis import ANALYZER_VERSION
from legalkb.search.backend import (
    BackendError,
    BackendUnavailable,
    EngineHit,
    EngineResult,
    FieldQuery,
    Filters,
    Record,
)
from legalkb.search.config import Config

log = logging.getLogger(__name__)

_RECORD_FIELDS = {f.name for f in fields(Record)}
_DATE_FIELDS = ("effective", "in_force_until")
# Item failures worth retrying: overload, unavailable shards, a closed or blocked index (an
# operator's maintenance, a disk watermark) — all clear up by themselves or by an operator.
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
_RETRY_TYPES = {"index_closed_exception", "cluster_block_exception", "unavailable_shards_exception",
                "es_rejected_execution_exception", "no_shard_available_action_exception",
                "circuit_breaking_exception", "process_cluster_event_timeout_exception"}
# Indexed into empty token fields; analysis.py never makes it (it keeps only word characters).
_EMPTY_FIELD = "\u2400"
_PAGE = 5000          # search_after page size (below the default max_result_window of 10,000)
_MGET_CHUNK = 1000
_TERMS_CHUNK = 1000   # doc_ids per terms lookup


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def _api_reason(exc: ApiError) -> str:
    """'type: reason' of the root cause in an Elasticsearch error body."""
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error")
    if isinstance(err, dict):
        cause = (err.get("root_cause") or [err])[0]
        return f"{cause.get('type', '')}: {cause.get('reason', '')}".strip(": ")
    return _short(exc)


def _item_error(res: dict[str, Any]) -> tuple[str, str]:
    """(error type, human text) of one failed bulk item."""
    err = res.get("error")
    if isinstance(err, dict):
        return str(err.get("type", "")), f"{err.get('type')}: {err.get('reason')}"
    return "", str(err)


class ElasticBackend:
    """SearchBackend on Elasticsearch 9 (official client). Thread-safe: the client is; the only
    shared mutable state (whether unrefreshed writes exist) is behind a lock."""

    name = "elasticsearch"

    def __init__(self, config: Config, *, client: Elasticsearch | None = None,
                 vector_dims: int | None = None, vector_index: str | None = None,
                 batch_size: int = 5000, chunk_size: int = 1000, bulk_threads: int = 2, bulk_retries: int = 8,
                 initial_backoff: float = 0.5, max_backoff: float = 10.0,
                 _target: str | None = None) -> None:
        self.config = config
        self.urls = list(config.es_urls) or ["http://127.0.0.1:9200"]
        self._where = "、".join(self.urls)
        self.prefix = config.es_index
        self.alias = em.alias_name(self.prefix)
        self.timeout = float(config.es_timeout)
        self.shards = int(config.es_shards)
        self.replicas = int(config.es_replicas)
        # Dimensions from configuration, else inferred from the first record written with a vector.
        self._configured_dims: int | None = vector_dims or config.es_vector_dims
        self.vector_dims = self._configured_dims
        self.vector_index = vector_index or config.es_vector_index
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.bulk_threads = max(1, bulk_threads)
        self._executor: ThreadPoolExecutor | None = None
        self.bulk_retries = bulk_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self._owns_client = client is None
        self.es = client if client is not None else self._client()
        self._lock = threading.Lock()
        self._dirty = False
        # The live backend reads and writes through the alias, so a rebuild committed by another
        # process is picked up at once; a staging backend (begin_rebuild) targets its new concrete
        # index directly.
        self._staging = _target is not None
        self._live: ElasticBackend | None = None
        self.index = _target or self.alias
        if _target is None:
            self._open()

    # -- connection ------------------------------------------------------------------------
    def _client(self) -> Elasticsearch:
        cfg = self.config
        kwargs: dict[str, Any] = {
            "request_timeout": self.timeout,
            # A slow cluster must surface as an error, not as a doubled wait: reads are not retried
            # on timeout. Connection failures are retried on the other nodes of the URL list.
            "max_retries": 2,
            "retry_on_timeout": False,
            "retry_on_status": (502, 503, 504),
        }
        if cfg.es_api_key:
            kwargs["api_key"] = cfg.es_api_key
        elif cfg.es_user:
            kwargs["basic_auth"] = (cfg.es_user, cfg.es_password)
        if cfg.es_ca_certs:
            kwargs["ca_certs"] = cfg.es_ca_certs
        try:
            from elasticsearch.serializer import OrjsonSerializer  # faster bulk bodies when present

            kwargs["serializer"] = OrjsonSerializer()
        except ImportError:
            pass
        try:
            return Elasticsearch(self.urls, **kwargs)
        except (ValueError, TypeError) as exc:
            raise BackendError(f"Elasticsearch 配置无效（LEGALKB_ES_URLS={','.join(self.urls)}）：{exc}") from exc

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Turn client errors into BackendError/BackendUnavailable naming the nodes and the step."""
        try:
            yield
        except BackendError:
            raise
        except ConnectionTimeout as exc:
            raise BackendError(
                f"Elasticsearch（{self._where}）{what}超时：{self.timeout:g} 秒内没有响应。"
                f"集群可能过载或网络不通；可调大 LEGALKB_ES_TIMEOUT。详情：{_short(exc)}") from exc
        except ConnectionError as exc:
            detail = _short(exc)
            hint = "请确认 Elasticsearch 已启动，并检查 LEGALKB_ES_URLS"
            if "CERTIFICATE" in detail.upper() or "SSL" in detail.upper():
                hint = "TLS 证书校验失败：请检查 LEGALKB_ES_CA_CERTS 与地址中的 https"
            elif "refused" in detail:
                detail = f"连接被拒绝（Connection refused）。{detail}"
            raise BackendUnavailable(
                f"无法连接 Elasticsearch（{self._where}）：{what}失败。{hint}。详情：{detail}") from exc
        except AuthenticationException as exc:
            raise BackendError(
                f"Elasticsearch（{self._where}）拒绝了认证（HTTP 401），{what}失败：请检查 "
                f"LEGALKB_ES_API_KEY 或 LEGALKB_ES_USER/LEGALKB_ES_PASSWORD。详情：{_api_reason(exc)}") from exc
        except AuthorizationException as exc:
            raise BackendError(
                f"Elasticsearch（{self._where}）权限不足（HTTP 403），{what}失败：该账号需要对索引 "
                f"{self.prefix}-records* 的读写与管理权限。详情：{_api_reason(exc)}") from exc
        except NotFoundError as exc:
            raise BackendError(
                f"Elasticsearch（{self._where}）{what}失败：找不到索引 {self.index}（{_api_reason(exc)}）。"
                "它可能被删除了；重新打开 legalkb 会新建空索引，再导入即可") from exc
        except ApiError as exc:
            raise BackendError(
                f"Elasticsearch（{self._where}）{what}失败（HTTP {exc.status_code}）：{_api_reason(exc)}") from exc
        except TransportError as exc:
            raise BackendError(f"Elasticsearch（{self._where}）{what}失败：{_short(exc)}") from exc

    # -- index lifecycle -------------------------------------------------------------------
    def _new_index_name(self) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.prefix}-records-v{em.MAPPING_VERSION}-{stamp}"

    def _ensure_template(self) -> None:
        name = em.template_name(self.prefix)
        with self._guard(f"读取索引模板 {name}"):
            got = self.es.options(ignore_status=404).indices.get_index_template(name=name)
        current = got.body.get("index_templates", []) if got.meta.status == 200 else []
        version = current[0]["index_template"].get("version") if current else None
        if version is not None and version > em.MAPPING_VERSION:
            raise BackendError(
                f"Elasticsearch 索引模板 {name} 的映射版本为 {version}，高于本程序支持的 {em.MAPPING_VERSION}："
                "请升级 legalkb")
        if version != em.MAPPING_VERSION:
            body = em.template(self.prefix)
            with self._guard(f"创建索引模板 {name}"):
                self.es.indices.put_index_template(
                    name=name, index_patterns=body["index_patterns"], version=body["version"],
                    priority=body["priority"], template=body["template"], meta=body["meta"])

    def _create_index(self, *, bulk: bool, alias: bool) -> str:
        name = self._new_index_name()
        mappings = em.mappings(self.vector_dims, self.vector_index)
        with self._guard(f"创建索引 {name}"):
            self.es.indices.create(
                index=name, settings=em.index_settings(self.shards, self.replicas, bulk=bulk),
                mappings=mappings, aliases={self.alias: {}} if alias else None,
                wait_for_active_shards="1")
        return name

    def _alias_indices(self) -> list[str]:
        with self._guard(f"读取别名 {self.alias}"):
            got = self.es.options(ignore_status=404).indices.get_alias(name=self.alias)
        return sorted(got.body) if got.meta.status == 200 else []

    def _open(self) -> str:
        """Check (or create, with the alias, on first use) the concrete index behind the alias."""
        self._ensure_template()
        indices = self._alias_indices()
        if not indices:
            with self._guard(f"检查索引 {self.alias}"):
                clash = self.es.indices.exists(index=self.alias).body
            if clash:
                raise BackendError(
                    f"Elasticsearch（{self._where}）已有名为 {self.alias} 的普通索引，与 legalkb 的别名冲突："
                    "请改用其他 LEGALKB_ES_INDEX 或删除该索引")
            self._create_index(bulk=False, alias=True)
            indices = self._alias_indices()
            if len(indices) > 1:
                # Two processes opened an empty cluster at once: keep the oldest, drop the rest.
                keep, extra = indices[0], indices[1:]
                with self._guard("整理重复创建的索引"):
                    self.es.indices.update_aliases(actions=[
                        {"remove": {"index": i, "alias": self.alias}} for i in extra])
                    self.es.options(ignore_status=404).indices.delete(index=",".join(extra))
                indices = [keep]
        if len(indices) != 1:
            raise BackendError(f"别名 {self.alias} 指向 {len(indices)} 个索引（{', '.join(indices)}），"
                               "应只有一个：请检查集群上的别名设置")
        index = indices[0]
        self._check_mapping(index)
        return index

    def _check_mapping(self, index: str) -> None:
        with self._guard(f"读取索引 {index} 的映射"):
            got = self.es.indices.get_mapping(index=index).body
        mapping = next(iter(got.values()), {}).get("mappings", {})  # keyed by the concrete name
        meta = mapping.get("_meta", {})
        if str(meta.get("analyzer")) != ANALYZER_VERSION or meta.get("legalkb_mapping") != em.MAPPING_VERSION:
            raise BackendError(
                f"Elasticsearch 索引 {index} 由分词器版本 {meta.get('analyzer')}、映射版本 "
                f"{meta.get('legalkb_mapping')} 建立，当前为分词器 {ANALYZER_VERSION}、映射 {em.MAPPING_VERSION}："
                "请重建索引（全量重新导入，切换别名不停机）")
        vec = mapping.get("properties", {}).get("vector")
        if vec:
            self.vector_dims = int(vec["dims"])

    def _ensure_vector_mapping(self, dims: int) -> None:
        if self.vector_dims is None:
            with self._guard(f"为索引 {self.index} 添加 {dims} 维向量字段"):
                self.es.indices.put_mapping(
                    index=self.index, properties={"vector": em.vector_mapping(dims, self.vector_index)})
            self.vector_dims = dims
        elif dims != self.vector_dims:
            raise BackendError(f"向量维度 {dims} 与索引 {self.index} 的 {self.vector_dims} 维不一致："
                               "更换向量模型后需要重建索引")

    # -- writing ---------------------------------------------------------------------------
    def _source(self, r: Record) -> dict[str, Any]:
        src: dict[str, Any] = {}
        for name in _RECORD_FIELDS:
            value = getattr(r, name)
            if value is None or value == "" or value == []:
                continue  # absent = open date range, no region, …; keeps documents small
            if name in _DATE_FIELDS:
                value = value.isoformat()
            src[name] = value
        for name in em.TOKEN_FIELDS:
            # Lucene's BM25 counts only records that have a field (IDF, average length); tantivy
            # counts every record. One never-queried token in an empty field makes the statistics,
            # and so the scores, the embedded engine's (within ~2 %). Not in _source (excluded).
            src.setdefault(name, _EMPTY_FIELD)
        return src

    def _batches(self, records: Iterable[Record]) -> Iterator[list[Record]]:
        """Lazily cut the stream into batches of about `batch_size`, only between documents, so a
        document's records are replaced together."""
        batch: list[Record] = []
        for r in records:
            if len(batch) >= self.batch_size and r.doc_id != batch[-1].doc_id:
                yield batch
                batch = []
            batch.append(r)
        if batch:
            yield batch

    def upsert(self, records: Iterable[Record]) -> int:
        written = 0
        ids_by_doc: dict[str, set[str]] = {}  # records written by this call, per document
        for batch in self._batches(records):
            written += self._write_batch(batch, ids_by_doc, replace=True)
        return written

    def _write_batch(self, batch: list[Record], ids_by_doc: dict[str, set[str]], *, replace: bool) -> int:
        first_seen = {r.doc_id for r in batch} - ids_by_doc.keys()
        for r in batch:
            ids_by_doc.setdefault(r.doc_id, set()).add(r.id)
        dims = {len(r.vector) for r in batch if r.vector is not None}
        if len(dims) > 1:
            raise BackendError(f"同一批记录的向量维度不一致：{sorted(dims)}")
        if dims:
            self._ensure_vector_mapping(dims.pop())
        stale: list[str] = []
        if replace and first_seen:
            existing = self._ids_of(sorted(first_seen))
            stale = [i for i, d in existing if i not in ids_by_doc[d]]
        # Phase 1: article (and other) records, and deletion of the document's stale records.
        # Phase 2: document records. The content hash lives on the document record, so it only
        # claims "this version is indexed" once everything else of that version is.
        first: list[dict[str, Any]] = [
            {"_op_type": "index", "_id": r.id, "_source": self._source(r)} for r in batch if r.kind != "document"]
        first += [{"_op_type": "delete", "_id": i} for i in stale]
        second = [{"_op_type": "index", "_id": r.id, "_source": self._source(r)}
                  for r in batch if r.kind == "document"]
        self._bulk(first)
        self._bulk(second)
        return len(batch)

    def _send(self, actions: list[dict[str, Any]]) -> tuple[list[tuple[bool, dict[str, Any]]], BaseException | None]:
        """One helpers.streaming_bulk pass (it retries 429 rejections itself, with back-off).
        Returns the per-item results it got and the exception that cut it short, if any."""
        results: list[tuple[bool, dict[str, Any]]] = []
        client = self.es.options(request_timeout=max(self.timeout, 60.0))
        try:
            for ok, item in helpers.streaming_bulk(
                    client, actions, index=self.index, chunk_size=self.chunk_size,
                    max_chunk_bytes=20 * 1024 * 1024, raise_on_error=False, raise_on_exception=False,
                    max_retries=3, initial_backoff=self.initial_backoff, max_backoff=self.max_backoff,
                    retry_on_status=(429,)):
                results.append((ok, item))
        except (ConnectionError, ConnectionTimeout, TransportError, ApiError) as exc:
            return results, exc  # the rest of `actions` is unconfirmed: the caller retries it
        return results, None

    def _bulk(self, actions: list[dict[str, Any]]) -> None:
        """Bulk write with back-off: `bulk_threads` streaming_bulk passes side by side (one bulk
        request is indexed by one thread on the node; two keep both cores of a small box busy),
        then our own retry of whatever still failed (connection loss, timeouts, a closed or
        read-only index), resubmitting only the failed actions. Index and delete by id are
        idempotent, so a resubmitted action is harmless."""
        if not actions:
            return
        with self._lock:
            self._dirty = True
        pending = actions
        attempt = 0
        delay = self.initial_backoff
        while True:
            parts = min(self.bulk_threads, -(-len(pending) // self.chunk_size))
            if parts <= 1:
                outcomes = [self._send(pending)]
            else:
                size = -(-len(pending) // parts)
                slices = [pending[i:i + size] for i in range(0, len(pending), size)]
                outcomes = list(self._pool().map(self._send, slices))
            done: set[tuple[str, str]] = set()
            retry: set[tuple[str, str]] = set()
            fatal: list[str] = []
            last = ""
            unreachable = False
            for results, exc in outcomes:
                if exc is not None:
                    last = (f"HTTP {exc.status_code} {_api_reason(exc)}" if isinstance(exc, ApiError)
                            else _short(exc))
                    unreachable = unreachable or isinstance(exc, ConnectionError)
                for ok, item in results:
                    op, res = next(iter(item.items()))
                    key = (op, str(res.get("_id")))
                    done.add(key)
                    if ok:
                        continue
                    status = int(res.get("status") or 0)
                    etype, text = _item_error(res)
                    if op == "delete" and status == 404:
                        continue  # already gone: the goal of a delete
                    if status in _RETRY_STATUS or etype in _RETRY_TYPES or "closed" in text:
                        retry.add(key)
                        last = f"HTTP {status} {text}"
                    else:
                        fatal.append(f"{res.get('_id')}: HTTP {status} {text}")
            if fatal:
                raise BackendError(
                    f"Elasticsearch（{self._where}）批量写入索引 {self.index} 时有 {len(fatal)} 条记录被拒绝，"
                    f"例如：{'；'.join(fatal[:3])}")
            pending = [a for a in pending if (a["_op_type"], a["_id"]) in retry
                       or (a["_op_type"], a["_id"]) not in done]
            if not pending:
                return
            attempt += 1
            if attempt > self.bulk_retries:
                error = BackendUnavailable if unreachable else BackendError
                raise error(
                    f"Elasticsearch（{self._where}）批量写入索引 {self.index} 失败：{len(pending)} 条记录重试 "
                    f"{self.bulk_retries} 次后仍未写入（最后的错误：{last}）。已写入的部分不会重复："
                    "记录 ID 是确定的，集群恢复后重新运行导入即可")
            log.warning("bulk write to %s: %d actions to retry in %.1fs (attempt %d/%d): %s",
                        self.index, len(pending), delay, attempt, self.bulk_retries, last)
            time.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.bulk_threads,
                                                    thread_name_prefix="legalkb-bulk")
            return self._executor

    @staticmethod
    def _transient(exc: BaseException) -> bool:
        if isinstance(exc, ConnectionError | ConnectionTimeout):
            return True
        if isinstance(exc, ApiError):
            return exc.status_code in _RETRY_STATUS or _api_reason(exc).split(":")[0] in _RETRY_TYPES
        return False

    def _retrying(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run a request of the write path (the refresh and lookups around a bulk) with the same
        back-off as the bulk itself, so an ingest rides out the same transient failures."""
        delay = self.initial_backoff
        for attempt in range(self.bulk_retries + 1):
            try:
                return fn()
            except (ApiError, TransportError) as exc:
                if attempt >= self.bulk_retries or not self._transient(exc):
                    with self._guard(what):
                        raise
                log.warning("%s: retry in %.1fs (attempt %d/%d): %s", what, delay, attempt + 1,
                            self.bulk_retries, _short(exc))
                time.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
        raise AssertionError("unreachable")

    def _refresh_if_dirty(self) -> None:
        # Finding a document's records is a search, which only sees refreshed writes: make our own
        # recent writes visible first so a second upsert of the same document replaces the first.
        with self._lock:
            dirty, self._dirty = self._dirty, False
        if dirty:
            try:
                self._retrying(f"刷新索引 {self.index}", lambda: self.es.indices.refresh(index=self.index))
            except BaseException:
                with self._lock:
                    self._dirty = True
                raise

    def _scan(self, query: dict[str, Any], source: Any, what: str, *,
              retry: bool = False) -> Iterator[dict[str, Any]]:
        """Every hit of `query` in `id` order, page by page with search_after (no scroll state to
        leak, and no max_result_window limit)."""
        after: list[Any] | None = None
        while True:
            def page(after: list[Any] | None = after) -> Any:
                return self.es.search(index=self.index, query=query, size=_PAGE, sort=[{"id": "asc"}],
                                      search_after=after, source=source, track_total_hits=False,
                                      allow_partial_search_results=False)
            if retry:
                resp = self._retrying(what, page)
            else:
                with self._guard(what):
                    resp = page()
            self._check_complete(resp.body, what)
            hits = resp.body["hits"]["hits"]
            yield from hits
            if len(hits) < _PAGE:
                return
            after = hits[-1]["sort"]

    def _ids_of(self, doc_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(record id, doc_id) of every stored record of these documents."""
        self._refresh_if_dirty()
        out: list[tuple[str, str]] = []
        for i in range(0, len(doc_ids), _TERMS_CHUNK):
            chunk = list(doc_ids[i:i + _TERMS_CHUNK])
            for h in self._scan({"terms": {"doc_id": chunk}}, ["doc_id"], "查找文档的已有记录", retry=True):
                out.append((h["_id"], h["_source"]["doc_id"]))
        return out

    def delete_documents(self, doc_ids: Sequence[str]) -> int:
        ids = [i for i, _ in self._ids_of(list(doc_ids))]
        self._bulk([{"_op_type": "delete", "_id": i} for i in ids])
        return len(ids)

    def refresh(self) -> None:
        with self._lock:
            self._dirty = False
        with self._guard(f"刷新索引 {self.index}"):
            self.es.indices.refresh(index=self.index)

    def clear(self) -> None:
        """Remove everything. On the live alias this is a switch to a new empty index (searches
        never fail in between); a staging index is recreated in place."""
        if self._staging:
            with self._guard(f"清空索引 {self.index}"):
                self.es.indices.delete(index=self.index)
                self.es.indices.create(
                    index=self.index, settings=em.index_settings(self.shards, self.replicas, bulk=True),
                    mappings=em.mappings(self._configured_dims, self.vector_index))
            self.vector_dims = self._configured_dims
            return
        self.vector_dims = self._configured_dims
        new = self._create_index(bulk=False, alias=False)
        self._switch(new)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._owns_client:
            self.es.close()

    # -- rebuild: new index, atomic alias switch -------------------------------------------
    def begin_rebuild(self) -> ElasticBackend:
        """A backend over a new, empty concrete index that nobody searches yet. Load it (e.g.
        `Library(staging).add_documents(...)`), then `commit_rebuild()` switches the alias to it,
        or `abort_rebuild()` drops it. Writes made through the live backend meanwhile go to the
        old index and are not carried over: run a rebuild instead of, not next to, an ingest."""
        if self._staging:
            raise BackendError("不能在重建中再次开始重建")
        target = self._create_index(bulk=True, alias=False)
        staging = ElasticBackend(self.config, client=self.es, vector_dims=self.vector_dims,
                                 vector_index=self.vector_index, batch_size=self.batch_size,
                                 chunk_size=self.chunk_size, bulk_threads=self.bulk_threads,
                                 bulk_retries=self.bulk_retries,
                                 initial_backoff=self.initial_backoff, max_backoff=self.max_backoff,
                                 _target=target)
        staging._configured_dims = self._configured_dims
        staging._live = self
        return staging

    def commit_rebuild(self) -> dict[str, Any]:
        """(On the staging backend.) Make it live: restore serving settings, refresh, wait until
        its shards are allocated, then switch the alias atomically and delete the old index."""
        live = self._live
        if not self._staging or live is None:
            raise BackendError("commit_rebuild() 只能在 begin_rebuild() 返回的对象上调用")
        with self._guard(f"恢复索引 {self.index} 的服务设置"):
            self.es.indices.put_settings(index=self.index, settings=em.serving_settings(self.replicas))
            self.es.indices.refresh(index=self.index)
            health = self.es.cluster.health(index=self.index, wait_for_status="yellow",
                                            timeout=f"{int(max(self.timeout, 30))}s")
        if health.body.get("timed_out"):
            raise BackendError(f"新索引 {self.index} 的分片未能分配（集群状态 {health.body.get('status')}），"
                               "未切换别名，旧索引继续服务")
        old = live._switch(self.index)
        live.vector_dims = self.vector_dims
        self._staging = False
        self.close()  # its bulk threads; the client is the live backend's
        return {"alias": self.alias, "index": self.index, "replaced": old, "records": live.count()}

    def abort_rebuild(self) -> None:
        if self._staging:
            self.close()
            with self._guard(f"删除未完成的索引 {self.index}"):
                self.es.options(ignore_status=404).indices.delete(index=self.index)

    def rebuild(self, records: Iterable[Record]) -> dict[str, Any]:
        """Full rebuild from `records` (the complete corpus, each record once) with zero downtime.
        On any failure the new index is dropped and the old one keeps serving."""
        staging = self.begin_rebuild()
        try:
            n = 0
            for batch in staging._batches(records):
                # A fresh index holds nothing to replace: skip the per-batch lookup of old records.
                n += staging._write_batch(batch, {}, replace=False)
            out = staging.commit_rebuild()
        except BaseException:
            staging.abort_rebuild()
            raise
        out["written"] = n
        return out

    def _switch(self, new: str) -> list[str]:
        """Point the alias at `new` only, in one `_aliases` call; then delete what it pointed at."""
        old = [i for i in self._alias_indices() if i != new]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        with self._guard(f"切换别名 {self.alias} → {new}"):
            self.es.indices.update_aliases(actions=actions)
        with self._lock:
            self._dirty = False
        for i in old:
            try:
                with self._guard(f"删除旧索引 {i}"):
                    self.es.options(ignore_status=404).indices.delete(index=i)
            except BackendError as exc:  # the switch succeeded; a leftover index is only disk space
                log.warning("%s", exc)
        return old

    def drop(self) -> None:
        """Delete every index, the alias and the template of this prefix (tests, uninstall)."""
        with self._guard(f"删除 {self.prefix} 的全部索引"):
            drop_prefix(self.es, self.prefix)

    # -- reading ---------------------------------------------------------------------------
    def _check_complete(self, body: dict[str, Any], what: str) -> None:
        """No partial silent results: a timed-out search or a failed shard is an error."""
        shards = body.get("_shards") or {}
        if body.get("timed_out") or shards.get("failed"):
            reasons = [f"{f.get('index')}[{f.get('shard')}]: {f.get('reason', {}).get('reason')}"
                       for f in shards.get("failures", [])[:3]]
            raise BackendError(
                f"Elasticsearch（{self._where}）{what}结果不完整：{shards.get('failed', 0)}/{shards.get('total', 0)} "
                f"个分片失败{'、查询超时' if body.get('timed_out') else ''}。{'；'.join(reasons)}")

    @staticmethod
    def _record(src: dict[str, Any]) -> Record:
        data = {k: v for k, v in src.items() if k in _RECORD_FIELDS and k != "vector"}
        for k in _DATE_FIELDS:
            if data.get(k):
                data[k] = dt.date.fromisoformat(data[k])
        return Record(**data)

    def _filter_clauses(self, f: Filters) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []

        out.extend({"terms": {field: values}} for field, values in f.term_filters())

        def missing(field: str) -> dict[str, Any]:
            return {"bool": {"must_not": {"exists": {"field": field}}}}

        # As in embedded.py: no effective date counts as "always", no end date as "open-ended".
        if f.as_of:
            d = f.as_of.isoformat()
            out.append({"bool": {"should": [{"range": {"effective": {"lte": d}}}, missing("effective")],
                                 "minimum_should_match": 1}})
            out.append({"bool": {"should": [{"range": {"in_force_until": {"gt": d}}},
                                            missing("in_force_until")], "minimum_should_match": 1}})
        if f.effective_from:
            rng: dict[str, str] = {"gte": f.effective_from.isoformat()}
            if f.effective_to:
                rng["lte"] = f.effective_to.isoformat()
            out.append({"range": {"effective": rng}})
        elif f.effective_to:
            out.append({"bool": {"should": [{"range": {"effective": {"lte": f.effective_to.isoformat()}}},
                                            missing("effective")], "minimum_should_match": 1}})
        return out

    def _query(self, q: FieldQuery, f: Filters) -> dict[str, Any]:
        """The embedded engine's query, clause for clause (see EmbeddedBackend._query)."""
        must: list[dict[str, Any]] = []
        should: list[dict[str, Any]] = []
        should.extend({"term": {name: {"value": tok, "boost": boost}}} for name, tok, boost in q.term_boosts())
        for phrase in q.phrases:
            if phrase:
                must.append({"match_phrase": {"chars": {"query": " ".join(phrase),
                                                        "boost": q.phrase_boost}}})
        for phrase in q.should_phrases:
            if len(phrase) >= 2:
                should.append({"match_phrase": {"chars": {"query": " ".join(phrase),
                                                          "boost": q.should_phrase_boost}}})
        bonus: list[dict[str, Any]] = []
        if should:
            must.append({"bool": {"should": should}})  # only `should` inside: at least one must match
            bonus = [{"constant_score": {"filter": {"term": {"law_key": key}}, "boost": boost}}
                     for key, boost in q.law_boosts.items()]
        filters = self._filter_clauses(f)
        if not must and not filters:
            return {"match_all": {}}
        return {"bool": {"filter": filters, "must": must, "should": bonus}}

    def _search_kwargs(self) -> dict[str, Any]:
        # With several shards, BM25 statistics must be global or rankings drift from the embedded
        # engine's on small or skewed corpora.
        return {"search_type": "dfs_query_then_fetch"} if self.shards > 1 else {}

    def search(self, query: FieldQuery, filters: Filters, *, limit: int = 10, offset: int = 0,
               facets: Sequence[str] = ()) -> EngineResult:
        aggs = {name: {"terms": {"field": name, "size": 200}} for name in facets if name in em.FACETABLE}
        with self._guard("检索"):
            resp = self.es.search(
                index=self.index, query=self._query(query, filters), size=max(limit, 0), from_=offset,
                track_total_hits=True, aggs=aggs or None, source_excludes=["payload"],
                allow_partial_search_results=False, **self._search_kwargs())
        body = resp.body
        self._check_complete(body, "检索")
        hits = [EngineHit(id=h["_id"], score=float(h["_score"] or 0.0), record=self._record(h["_source"]))
                for h in body["hits"]["hits"]] if limit > 0 else []
        out = EngineResult(total=int(body["hits"]["total"]["value"]), hits=hits)
        if aggs:
            raw = body.get("aggregations", {})
            out.facets = {name: {b["key"]: b["doc_count"] for b in raw.get(name, {}).get("buckets", [])}
                          for name in aggs}
        return out

    def get(self, ids: Sequence[str]) -> list[Record]:
        found: dict[str, Record] = {}
        ids = list(ids)
        for i in range(0, len(ids), _MGET_CHUNK):
            with self._guard("按 ID 读取记录"):
                resp = self.es.mget(index=self.index, ids=ids[i:i + _MGET_CHUNK])
            for d in resp.body["docs"]:
                if d.get("error"):
                    raise BackendError(f"Elasticsearch（{self._where}）读取记录 {d.get('_id')} 失败："
                                       f"{d['error'].get('type')}: {d['error'].get('reason')}")
                if d.get("found"):
                    found[d["_id"]] = self._record(d["_source"])
        return [found[i] for i in ids if i in found]

    def documents(self, filters: Filters, *, limit: int = 10_000) -> list[Record]:
        f = Filters(**{**filters.__dict__, "kind": "document"})
        out: list[Record] = []
        query = {"bool": {"filter": self._filter_clauses(f)}}
        for h in self._scan(query, {"excludes": ["payload"]}, "列出文档"):
            out.append(self._record(h["_source"]))
            if len(out) >= limit:
                break
        return out

    def count(self, filters: Filters | None = None) -> int:
        query = {"match_all": {}} if filters is None else self._query(FieldQuery(), filters)
        with self._guard("计数"):
            resp = self.es.count(index=self.index, query=query)
        self._check_complete(resp.body, "计数")
        return int(resp.body["count"])

    def payload(self, doc_id: str) -> str | None:
        """The stored LegalDocument JSON of a document record."""
        recs = self.get([doc_id])
        return recs[0].payload if recs else None

    def vector_search(self, vector: Sequence[float], filters: Filters, *, limit: int = 10) -> list[EngineHit]:
        if self.vector_dims is None and not self._staging:
            self._check_mapping(self.index)  # another process may have added vectors since
        if self.vector_dims is None or limit <= 0:
            return []  # nothing was ever written with a vector
        if len(vector) != self.vector_dims:
            raise BackendError(f"查询向量维度 {len(vector)} 与索引的 {self.vector_dims} 维不一致")
        # Like the embedded engine: only article records carry searchable vectors; filters apply
        # before the k nearest are chosen (ES pre-filters inside the HNSW search).
        clauses = self._filter_clauses(filters) + [{"term": {"kind": "article"}}]
        knn = {"field": "vector", "query_vector": [float(x) for x in vector], "k": limit,
               "num_candidates": min(max(limit * 10, 100), 10_000), "filter": {"bool": {"filter": clauses}}}
        with self._guard("向量检索"):
            resp = self.es.search(index=self.index, knn=knn, size=limit, source_excludes=["payload"],
                                  allow_partial_search_results=False)
        self._check_complete(resp.body, "向量检索")
        # ES reports cosine as (1 + cos) / 2; give back the cosine itself, as embedded does.
        return [EngineHit(id=h["_id"], score=2.0 * float(h["_score"]) - 1.0, record=self._record(h["_source"]))
                for h in resp.body["hits"]["hits"]]

    def info(self) -> dict[str, Any]:
        with self._guard("读取集群信息"):
            health = self.es.cluster.health(index=self.index).body
            nodes = self.es.nodes.info(filter_path="nodes.*.version").body.get("nodes", {})
        versions = sorted({n.get("version", "") for n in nodes.values()})
        concrete = [self.index] if self._staging else self._alias_indices()
        return {
            "engine": self.name,
            "location": f"{','.join(self.urls)} {self.alias} → {','.join(concrete)}",
            "records": self.count(),
            "documents": self.count(Filters(kind="document")),
            "articles": self.count(Filters(kind="article")),
            "analyzer": ANALYZER_VERSION,
            "mapping_version": em.MAPPING_VERSION,
            "alias": self.alias,
            "index": ",".join(concrete),
            "cluster_status": health.get("status"),
            "es_version": ",".join(versions),
            "shards": self.shards,
            "replicas": self.replicas,
            "vector_dims": self.vector_dims,
        }


def drop_prefix(es: Elasticsearch, prefix: str) -> None:
    """Delete the concrete indices (and with them the alias) and the template of `prefix`, by
    name: clusters often forbid wildcard deletes (action.destructive_requires_name)."""
    got = es.options(ignore_status=404).indices.get(index=em.index_pattern(prefix), expand_wildcards="all")
    names = sorted(got.body) if got.meta.status == 200 else []
    for i in range(0, len(names), 50):
        es.options(ignore_status=404).indices.delete(index=",".join(names[i:i + 50]))
    es.options(ignore_status=404).indices.delete_index_template(name=em.template_name(prefix))


def wait_for_node(urls: Sequence[str], timeout: float = 0.0,
                  sleep: Callable[[float], None] = time.sleep) -> bool:
    """True if a node answers at any of `urls` within `timeout` seconds. Asks cluster health, not
    `GET /`, which the integ-test-zip distribution does not serve. A 401/403 from a secured node
    counts as an answer: opening the backend then reports the real problem."""
    client = Elasticsearch(list(urls), request_timeout=3, max_retries=0)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                client.cluster.health()
                return True
            except ApiError as exc:
                if exc.status_code in (401, 403):
                    return True
                if time.monotonic() >= deadline:  # e.g. 503 while the node is still starting
                    return False
                sleep(1.0)
            except TransportError:
                if time.monotonic() >= deadline:
                    return False
                sleep(1.0)
    finally:
        client.close()
