"""Files shipped inside the `legalkb.search` package (models, memory, dictionaries)."""

from __future__ import annotations

from importlib import resources


def packaged_bytes(name: str) -> bytes | None:
    """The bytes of a file shipped with the package, or None when this build does not carry it
    (learned artefacts are optional: search works without them, only less well)."""
    try:
        return resources.files("legalkb.search").joinpath(name).read_bytes()
    except FileNotFoundError:
        return None
