"""Errors a user can act on. Messages are Chinese-first because the users are; the CLI prints
them without a traceback."""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be read into a document. `reason` is a short code for reports."""

    reason = "unreadable"

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class EmptyFileError(IngestError):
    reason = "empty"


class UnsupportedFormatError(IngestError):
    reason = "unsupported_format"


class EncodingError(IngestError):
    reason = "encoding"


class ScannedPdfError(IngestError):
    reason = "scanned_pdf"


class CorruptFileError(IngestError):
    reason = "corrupt"


class TooLargeError(IngestError):
    reason = "too_large"
