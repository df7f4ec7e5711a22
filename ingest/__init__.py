"""Ingest: readers for law texts and drafts, and the structured legal document model."""
