"""PDF via pdfplumber. A scanned PDF (images, no text layer) is refused, never returned empty."""

from __future__ import annotations

from pathlib import Path

from legalkb.ingest.errors import CorruptFileError, ScannedPdfError


def read_pdf(path: Path) -> str:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    pages: list[str] = []
    images = 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                images += len(page.images)
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError) as exc:
        raise CorruptFileError(str(path), f"不是有效的 PDF 文件（{exc.__class__.__name__}）") from exc
    text = "\n".join(pages)
    if len("".join(text.split())) < 10:
        what = "只有图像、没有文字层（扫描件）" if images else "没有可提取的文字"
        raise ScannedPdfError(str(path), f"PDF {what}：请先进行文字识别（OCR）后再导入")
    return text
