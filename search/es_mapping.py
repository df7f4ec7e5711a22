"""The Elasticsearch index layout for legalkb records, versioned.

Bump MAPPING_VERSION whenever a field's type or analysis changes: an existing index then refuses to
open (like the embedded engine's analyzer check) and must be rebuilt into a new concrete index,
which the alias switch makes a zero-downtime operation.

Only analysis that exists in every Elasticsearch distribution is used (the integ-test-zip has no
analysis-common module): the prebuilt `whitespace` analyser for the token streams that
legalkb.search.analysis already made in Python, and the `standard` analyser (one token per Han
character) for the display text that native highlighting works on.
"""

from __future__ import annotations

from typing import Any

from legalkb.search.analysis import ANALYZER_VERSION

MAPPING_VERSION = 1

# Token streams are looked up, never shown: keep them out of _source (smaller index, faster bulk;
# the embedded engine does not store them either, so records read back are the same).
TOKEN_FIELDS = ("title_tokens", "path_tokens", "text_tokens", "chars")
KEYWORD_FIELDS = ("id", "kind", "doc_id", "law_key", "level", "status", "region", "issuer",
                  "category", "cites")
FACETABLE = ("level", "status", "region", "issuer", "category", "law_key", "kind")


def alias_name(prefix: str) -> str:
    """What every reader and writer talks to; it points at exactly one concrete index."""
    return f"{prefix}-records"


def index_pattern(prefix: str) -> str:
    """Concrete indices are `{prefix}-records-v<MAPPING_VERSION>-<timestamp>`."""
    return f"{prefix}-records-v*"


def template_name(prefix: str) -> str:
    return f"{prefix}-records"


def _ws(index_options: str) -> dict[str, Any]:
    # norms stay on: BM25 length normalisation must match tantivy's fieldnorms.
    return {"type": "text", "analyzer": "whitespace", "index_options": index_options}


def vector_mapping(dims: int, index_type: str = "int8_hnsw") -> dict[str, Any]:
    """dense_vector for article embeddings. `flat` is exact (brute force); the hnsw variants scale.
    All three exist in the integ-test-zip (x-pack-core)."""
    return {"type": "dense_vector", "dims": dims, "similarity": "cosine", "index": True,
            "index_options": {"type": index_type}}


def mappings(vector_dims: int | None = None, vector_index: str = "int8_hnsw") -> dict[str, Any]:
    props: dict[str, Any] = {name: {"type": "keyword"} for name in KEYWORD_FIELDS}
    props.update({
        # Exact-title lookups and aggregation; very long titles are still stored, just not indexed.
        "title": {"type": "keyword", "ignore_above": 1024},
        "short_title": {"type": "keyword", "ignore_above": 1024},
        "doc_number": {"type": "keyword", "ignore_above": 256},
        "article_no": {"type": "integer"},
        "article_sub": {"type": "integer", "index": False},
        "ordinal": {"type": "integer", "index": False},
        "article": {"type": "keyword", "index": False, "doc_values": False},
        "path": {"type": "text", "index": False},
        # The field for native highlighting: `standard` cuts Han text into single characters, so
        # ES highlighters can mark query characters without the Python analyser.
        "text": {"type": "text", "analyzer": "standard", "index_options": "offsets"},
        "effective": {"type": "date", "format": "strict_date"},
        "in_force_until": {"type": "date", "format": "strict_date"},
        "title_tokens": _ws("freqs"),
        "path_tokens": _ws("freqs"),
        "text_tokens": _ws("freqs"),
        "chars": _ws("positions"),   # phrases need positions
        "content_hash": {"type": "keyword", "index": False, "doc_values": False},
        # The whole LegalDocument JSON (document records only): returned, never searched.
        "payload": {"type": "text", "index": False},
    })
    if vector_dims:
        props["vector"] = vector_mapping(vector_dims, vector_index)
    return {
        # strict: a Record field added in Python without a mapping here fails loudly at the first
        # write instead of being guessed by dynamic mapping.
        "dynamic": "strict",
        "_source": {"excludes": list(TOKEN_FIELDS)},
        "_meta": {"legalkb_mapping": MAPPING_VERSION, "analyzer": ANALYZER_VERSION},
        "properties": props,
    }


def index_settings(shards: int, replicas: int, *, bulk: bool = False) -> dict[str, Any]:
    """Settings given at index creation. `bulk` is for a rebuild target nobody reads yet: no
    refreshes and no replicas while loading (both restored by `serving_settings`)."""
    out: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": 0 if bulk else replicas}
    if bulk:
        out["refresh_interval"] = "-1"
    return out


def serving_settings(replicas: int) -> dict[str, Any]:
    return {"index": {"number_of_replicas": replicas, "refresh_interval": None}}


def template(prefix: str) -> dict[str, Any]:
    """Composable index template: concrete indices created by anyone (a rebuild, an operator by
    hand) get the same mapping. Its `version` is the mapping version, so a newer legalkb updates
    it and an older one can tell."""
    return {
        "name": template_name(prefix),
        "index_patterns": [index_pattern(prefix)],
        "version": MAPPING_VERSION,
        "priority": 200,
        "template": {"mappings": mappings()},
        "meta": {"description": "legalkb records (search/es_mapping.py)",
                 "legalkb_mapping": MAPPING_VERSION},
    }
