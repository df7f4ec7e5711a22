"""Parse the body of a legal text into divisions (编/分编/章/节) and articles (条/款/项).

Works on cleaned lines from any reader (Markdown headings or plain lines). Article numbering must
increase: a paragraph that happens to start with '第三条规定…' does not open a new article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from legalkb.ingest.model import Article, Division, Item, Paragraph
from legalkb.ingest.numerals import CN_NUM_CHARS, cn_to_int

_NUM = rf"[0-9{CN_NUM_CHARS}]+"
ARTICLE_START = re.compile(rf"^第({_NUM})条(?:之({_NUM}))?(?=[\s\u3000：:，,]|$|[^\s款项])")
HEADING = re.compile(rf"^#*\s*第({_NUM})(编|分编|章|节)(?:[\s\u3000]+(.*))?$")
ITEM = re.compile(r"^[（(]([一二三四五六七八九十百]+)[）)]")
_RANK = {"编": 0, "分编": 1, "章": 2, "节": 3}


@dataclass
class ParsedBody:
    preamble: str = ""
    articles: list[Article] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)


def _heading(line: str) -> Division | None:
    m = HEADING.match(line.strip())
    if not m:
        return None
    title = (m.group(3) or "").strip()
    # A heading is short and is not a sentence.
    if len(title) > 40 or title.endswith(("。", "；", "：")):
        return None
    kind = m.group(2)
    num = cn_to_int(m.group(1))
    heading = f"第{m.group(1)}{kind}" + (f" {title}" if title else "")
    return Division(kind=kind, number=num, title=title, heading=heading)


def parse_body(lines: list[str], top: Division | None = None) -> ParsedBody:
    """Parse cleaned body lines. `top` is an enclosing division (e.g. a 民法典 编 file)."""
    out = ParsedBody()
    stack: list[Division] = [top] if top else []
    roots: list[Division] = [top] if top else []
    preamble: list[str] = []
    current: Article | None = None
    last_key = (0, 0)

    for raw in lines:
        line = raw.strip().replace("\u3000", " ")
        if not line or line.startswith("<!--"):
            continue
        div = _heading(line)
        if div is not None:
            while stack and _RANK.get(stack[-1].kind, -1) >= _RANK[div.kind] and stack[-1] is not top:
                stack.pop()
            (stack[-1].children if stack else roots).append(div)
            stack.append(div)
            current = None
            continue
        if line.startswith("#"):
            # A Markdown heading that is not 第X章 (e.g. '## 附则' or an empty '##'): keep as a
            # division only when it has text, so articles after it get a path.
            title = line.lstrip("#").strip()
            if title:
                div = Division(kind="章", number=0, title=title, heading=title)
                while stack and stack[-1] is not top and _RANK.get(stack[-1].kind, -1) >= 2:
                    stack.pop()
                (stack[-1].children if stack else roots).append(div)
                stack.append(div)
            current = None
            continue
        m = ARTICLE_START.match(line)
        if m:
            key = (cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0)
            if key > last_key:
                rest = line[m.end():].strip()
                current = Article(number=key[0], sub=key[1], path=[d.heading for d in stack])
                if rest:
                    current.paragraphs.append(Paragraph(number=1, text=rest))
                out.articles.append(current)
                for d in stack[-1:]:
                    d.article_keys.append(current.key)
                last_key = key
                continue
        if current is None:
            preamble.append(line)
            continue
        im = ITEM.match(line)
        if im and current.paragraphs:
            current.paragraphs[-1].items.append(Item(label=im.group(0), text=line[im.end():].strip()))
            current.paragraphs[-1].text += "\n" + line
        else:
            current.paragraphs.append(Paragraph(number=len(current.paragraphs) + 1, text=line))
    out.preamble = "\n".join(preamble)
    out.divisions = roots
    return out
