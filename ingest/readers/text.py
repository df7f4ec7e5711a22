"""Plain text with encoding detection. Government files still arrive in GBK/GB18030."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from legalkb.ingest.errors import EmptyFileError, EncodingError


def decode_bytes(data: bytes, path: str = "<bytes>") -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a superset of GBK/GB2312).

    Strict UTF-8 first: it almost never decodes non-UTF-8 Chinese text by accident. Then GB18030,
    which is what Chinese Windows software writes. charset-normalizer only as a last resort.
    """
    if not data.strip():
        raise EmptyFileError(path, "文件为空")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_chinese(text):
            return text
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise EncodingError(path, "无法识别文件编码（不是 UTF-8 或 GBK/GB18030 文本）")
    return str(best)


def _looks_chinese(text: str) -> bool:
    sample = text[:4000]
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    return han >= max(1, len(sample.strip()) // 10)


def read_text(path: Path) -> str:
    return decode_bytes(path.read_bytes(), str(path))
