"""Files shipped inside the `legalkb.search` package (models, memory, dictionaries)."""

from __future__ import annotations

import re
from importlib import resources


def packaged_bytes(name: str) -> bytes | None:
    """The bytes of a file shipped with the package, or None when this build does not carry it
    (learned artefacts are optional: search works without them, only less well)."""
    try:
        return resources.files("legalkb.search").joinpath(name).read_bytes()
    except FileNotFoundError:
        return None


# The embedding model the shipped unsuffixed artefacts (query_adapter.npz, rerank_hybrid.json.gz)
# were trained for: m3e-small, the test model. Other models' artefacts carry their family's name.
TEST_MODEL_FAMILY = "m3e-small"
_SUFFIX = re.compile(r"-[0-9a-f]{12}-t\d+$")


def model_family(encoder_name: str) -> str:
    """'bge-small-zh-v1.5' for the encoder name 'bge-small-zh-v1.5-f30ce9fda2e3-t64' (folder name,
    weights fingerprint, token limit): what per-model artefact files are named after."""
    return _SUFFIX.sub("", encoder_name or "")


def family_file(base: str, encoder_name: str) -> str:
    """`base` (query_adapter.npz) for the test model, else base-with-family (query_adapter-<family>.npz)."""
    family = model_family(encoder_name)
    if not family or family == TEST_MODEL_FAMILY:
        return base
    stem, dot, ext = base.partition(".")
    return f"{stem}-{family}{dot}{ext}"
