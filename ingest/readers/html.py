"""HTML: visible text, one block element a line."""

from __future__ import annotations

from pathlib import Path

from legalkb.ingest.readers.text import decode_bytes


def read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_bytes(path.read_bytes(), str(path)), "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    text = soup.get_text("\n")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())
