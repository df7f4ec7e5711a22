"""Legality review (合法性审核) of draft 行政规范性文件: parse → citations → resolve → check →
evidence → report. Entry points: review_file / review_text (pipeline), cli_review / cli_eval."""

from legalkb.review.model import NotADraftError, ReviewError, ReviewReport, UnreadableDraftError
from legalkb.review.pipeline import review_file, review_text

__all__ = ["NotADraftError", "ReviewError", "ReviewReport", "UnreadableDraftError", "review_file", "review_text"]
