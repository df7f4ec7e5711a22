"""Benchmark: review time per draft on the embedded engine.

Usage: python bench/bench_review.py [DRAFT_DIR] [--home LEGALKB_HOME]
Without --home, builds a temporary index of the national laws + 山东 local regulations from
../shared/corpus/lawrefbook (~30 s). Prints one row per draft (characters, cold/warm seconds,
findings) and a synthetic ~6,000-character draft (target ≤ 0.5 s warm).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def build_library(home: str | None):
    from legalkb.search.library import Library

    if home:
        return Library.open(home)
    root = SHARED / "corpus" / "lawrefbook"
    if not root.is_dir():
        sys.exit(f"needs {root} (or --home with an existing index)")
    lib = Library.open(tempfile.mkdtemp(prefix="legalkb-bench-"))
    paths = [p for p in root.iterdir() if p.is_dir() and p.name not in ("DLC", "案例")]
    paths.append(root / "DLC" / "山东地方法规")
    t = time.perf_counter()
    rep = lib.ingest_paths(paths)
    print(f"indexed {rep.documents} documents in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return lib


def synthetic(drafts: list[Path], chars: int = 6000) -> str:
    """A ~6,000-character draft: header of the first draft, then articles from all drafts."""
    from legalkb.ingest.numerals import int_to_cn
    from legalkb.review.parse import parse_draft

    first = drafts[0].read_text(encoding="utf-8").split("\n")[:3]
    body: list[str] = []
    n = 0
    for p in drafts:
        for a in parse_draft(p.read_text(encoding="utf-8")).articles[:-1]:
            if sum(len(x) for x in body) > chars:
                break
            n += 1
            body.append(f"第{int_to_cn(n)}条　{a.text}")
    body.append(f"第{int_to_cn(n + 1)}条　本办法自2026年9月1日起施行，有效期至2031年8月31日。")
    return "\n".join(first) + "\n\n" + "\n\n".join(body)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("drafts", nargs="?", default=str(SHARED / "eval" / "review" / "drafts"))
    ap.add_argument("--home")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from legalkb.review.pipeline import review_file, review_text

    lib = build_library(args.home)
    drafts = sorted(Path(args.drafts).glob("*.txt"))
    print(f"{'draft':12} {'chars':>6} {'cold s':>7} {'warm s':>7} {'findings':>8}")
    for p in drafts:
        t = time.perf_counter()
        rep = review_file(p, lib)
        cold = time.perf_counter() - t
        warm = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            review_file(p, lib)
            warm.append(time.perf_counter() - t)
        print(f"{p.name:12} {len(p.read_text(encoding='utf-8')):>6} {cold:>7.3f} {statistics.median(warm):>7.3f} "
              f"{len(rep.findings):>8}")
    if drafts:
        text = synthetic(drafts)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            rep = review_text(text, lib)
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        print(f"{'synthetic':12} {len(text):>6} {times[0]:>7.3f} {med:>7.3f} {len(rep.findings):>8}   "
              f"target ≤ 0.5 s: {'OK' if med <= 0.5 else 'SLOW'}")


if __name__ == "__main__":
    main()
