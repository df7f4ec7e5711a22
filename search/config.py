"""Configuration from the environment (a government intranet box has no config service).

LEGALKB_HOME      data folder (default: the per-user data dir, e.g. ~/.local/share/legalkb)
LEGALKB_BACKEND   'embedded' (default) or 'elasticsearch'
LEGALKB_ES_URLS   comma-separated node URLs (default http://127.0.0.1:9200)
LEGALKB_ES_API_KEY / LEGALKB_ES_USER + LEGALKB_ES_PASSWORD / LEGALKB_ES_CA_CERTS
LEGALKB_ES_INDEX  index/alias prefix (default 'legalkb')
LEGALKB_ES_TIMEOUT request timeout in seconds (default 30)
LEGALKB_ES_SHARDS / LEGALKB_ES_REPLICAS  index settings (default 1 / 0)
LEGALKB_ES_VECTOR_DIMS / LEGALKB_ES_VECTOR_INDEX  dense_vector size and index type
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir


@dataclass
class Config:
    home: Path
    backend: str = "embedded"
    es_urls: list[str] = field(default_factory=lambda: ["http://127.0.0.1:9200"])
    es_api_key: str = ""
    es_user: str = ""
    es_password: str = ""
    es_ca_certs: str = ""
    es_index: str = "legalkb"
    es_timeout: float = 30.0
    es_shards: int = 1
    es_replicas: int = 0
    es_vector_dims: int | None = None     # embedding size; None = taken from the first vector written
    es_vector_index: str = "int8_hnsw"    # dense_vector index_options type

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @classmethod
    def from_env(cls, home: str | Path | None = None, backend: str | None = None) -> Config:
        env = os.environ
        return cls(
            home=Path(home or env.get("LEGALKB_HOME") or user_data_dir("legalkb", appauthor=False)),
            backend=(backend or env.get("LEGALKB_BACKEND") or "embedded").lower(),
            es_urls=[u.strip() for u in env.get("LEGALKB_ES_URLS", "http://127.0.0.1:9200").split(",") if u.strip()],
            es_api_key=env.get("LEGALKB_ES_API_KEY", ""),
            es_user=env.get("LEGALKB_ES_USER", ""),
            es_password=env.get("LEGALKB_ES_PASSWORD", ""),
            es_ca_certs=env.get("LEGALKB_ES_CA_CERTS", ""),
            es_index=env.get("LEGALKB_ES_INDEX", "legalkb"),
            es_timeout=float(env.get("LEGALKB_ES_TIMEOUT", "30")),
            es_shards=int(env.get("LEGALKB_ES_SHARDS", "1")),
            es_replicas=int(env.get("LEGALKB_ES_REPLICAS", "0")),
            es_vector_dims=int(env["LEGALKB_ES_VECTOR_DIMS"]) if env.get("LEGALKB_ES_VECTOR_DIMS", "").isdigit() else None,
            es_vector_index=env.get("LEGALKB_ES_VECTOR_INDEX", "int8_hnsw"),
        )
