"""Build the answered-question memory (search/qa_stard.jsonl.gz) from a STARD training file.

    LEGALKB_HOME=/tmp/lkb-ir python scripts/train_qa.py ../shared/eval/stard/train.jsonl

Gold law titles are resolved to law keys with the library's aliases (the same resolution as
citation search), so the memory refers to laws the way the index does. Only the training split
goes in: the held-out split is never read.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from legalkb.search.evaluate import load_questions
from legalkb.search.library import Library
from legalkb.search.qa_memory import MEMORY_FILE


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    args = ap.parse_args()
    lib = Library.open()
    lines = []
    unresolved = set()
    for q in load_questions(args.file):
        refs = []
        for title, number, sub in q.gold:
            key = lib.resolve_law(title)
            if key is None:
                unresolved.add(title)
                continue
            refs.append([key, number, sub])
        if refs:
            lines.append(json.dumps({"id": q.id, "q": q.question, "refs": refs}, ensure_ascii=False))
    lib.close()
    out = Path(__file__).resolve().parents[1] / "search" / MEMORY_FILE
    out.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), 9, mtime=0))
    print(f"wrote {out} ({len(lines)} questions, {out.stat().st_size // 1024} KB); "
          f"unresolved titles: {sorted(unresolved) or 'none'}")


if __name__ == "__main__":
    main()
