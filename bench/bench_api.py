"""Load benchmark of GET /api/search over loopback: requests/s and latency percentiles.

Starts `legalkb serve`-equivalent uvicorn in a subprocess on 127.0.0.1:<free port> against an
existing index (LEGALKB_HOME), then drives it with an async httpx client: a fixed number of
requests (or a time limit, whichever comes first) at a fixed concurrency. Loopback only; the run
is bounded and stops by itself.

    python bench/bench_api.py --home /tmp/lkb-api                       # mixed queries, 1 worker
    python bench/bench_api.py --home /tmp/lkb-api --workers 2 --requests 5000
    python bench/bench_api.py --home /tmp/lkb-api --unique              # no query repeats (cold)

Queries: citations, keywords and STARD questions (../shared/eval/stard/train.jsonl when present).
The client runs on the same 2-core machine and takes CPU from the server: the numbers are a
floor for what a separate client would see.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
STARD = REPO.parent / "shared" / "eval" / "stard" / "train.jsonl"
BUILTIN = ["行政处罚法第十六条", "其他规范性文件不得设定行政处罚", "劳动合同 解除 经济补偿", "养犬 管理",
           "民法典第一千一百六十五条", "行政许可 设定", "拖欠工资怎么办", "交通事故 赔偿 责任",
           "刑法第二百五十三条之一", "个人信息 保护", "行政复议 申请 期限", "房屋 租赁 合同 解除",
           "未成年人 保护", "食品安全 罚款", "政府信息公开 申请", "消费者 退货"]


def queries(unique: bool, n: int, seed: int = 7) -> list[str]:
    pool = list(BUILTIN)
    if STARD.exists():
        with STARD.open(encoding="utf-8") as f:
            pool += [json.loads(line)["question"] for line in f if line.strip()]
    rng = random.Random(seed)
    if unique:
        rng.shuffle(pool)
        return pool[:n]
    # Realistic-ish: a small hot set (citations, common topics) repeated, plus a tail.
    hot = pool[:len(BUILTIN)] + rng.sample(pool[len(BUILTIN):], min(84, len(pool) - len(BUILTIN)))
    return [rng.choice(hot) for _ in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: str, port: int, workers: int, cache: bool = True, plain: bool = False) -> subprocess.Popen:
    env = {**os.environ, "LEGALKB_HOME": home, "LEGALKB_AUTH": "auto", "LEGALKB_SERVE_HOST": "127.0.0.1",
           "LEGALKB_SEARCH_CACHE": "4096" if cache else "0"}
    cmd = [sys.executable, "-m", "uvicorn", "legalkb.api.server_cli:app_from_env", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
           "--no-access-log", *(["--loop", "asyncio", "--http", "h11"] if plain else [])]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited before it answered /api/health")
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("server did not answer /api/health within 60 s")


async def run(base: str, qs: list[str], concurrency: int, max_seconds: float, facets: str) -> dict:
    latencies: list[float] = []
    errors = 0
    it = iter(qs)
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal errors
            for q in it:
                if time.monotonic() > deadline:
                    return
                t0 = time.perf_counter()
                r = await client.get("/api/search", params={"q": q, "facets": facets})
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1) if latencies else 0.0

    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": round(max(latencies, default=0), 1),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0}


WRK_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i - 1) %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "errors": %%d, "non2xx": %%d, "seconds": %%.2f, "p50_ms": %%.1f, '
    .. '"p90_ms": %%.1f, "p99_ms": %%.1f, "max_ms": %%.1f, "mean_ms": %%.1f}\\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
"""


def run_wrk(base: str, qs: list[str], concurrency: int, seconds: float, facets: str) -> dict:
    """wrk (Debian package) as the client: C, one thread, so the server gets most of the CPU."""
    import shutil
    import tempfile
    from urllib.parse import urlencode

    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install -y wrk")
    paths = ",".join(json.dumps("/api/search?" + urlencode({"q": q, "facets": facets})) for q in qs)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA % paths)
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "10s",
                              "-s", f.name, base], capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(f.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {out.stdout}{out.stderr}")
    res = json.loads(line[4:])
    res["rps"] = round(res["requests"] / res["seconds"], 1) if res["seconds"] else 0.0
    res["errors"] += res.pop("non2xx")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=os.environ.get("LEGALKB_HOME"), help="index folder (LEGALKB_HOME)")
    ap.add_argument("--url", help="benchmark an already running server (loopback only) instead")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--requests", type=int, default=3000, help="at most this many requests")
    ap.add_argument("--seconds", type=float, default=60.0, help="and at most this long")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--unique", action="store_true", help="every query different (no repeats)")
    ap.add_argument("--facets", default="level,status,region",
                    help="facets param ('' for none, the API default; the search page asks for all three)")
    ap.add_argument("--client", choices=["httpx", "wrk"], default="httpx",
                    help="httpx: async Python client (bounded by --requests and --seconds); "
                         "wrk: Debian's wrk for --seconds (less client CPU)")
    ap.add_argument("--no-cache", action="store_true", help="start the server with its search cache off")
    ap.add_argument("--plain", action="store_true",
                    help="pure-Python asyncio + h11 in uvicorn (as without uvloop/httptools installed)")
    args = ap.parse_args()
    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("loopback addresses only")
    proc = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        if not args.home:
            raise SystemExit("--home (or LEGALKB_HOME) is required")
        port = free_port()
        proc = start_server(args.home, port, args.workers, cache=not args.no_cache, plain=args.plain)
        base = f"http://127.0.0.1:{port}"
    try:
        health = httpx.get(f"{base}/api/health", timeout=10).json()
        asyncio.run(run(base, queries(False, args.warmup, seed=1), min(args.concurrency, 8), 30, args.facets))
        qs = queries(args.unique, args.requests)
        if args.client == "wrk":
            result = run_wrk(base, qs, args.concurrency, min(args.seconds, 120), args.facets)
        else:
            result = asyncio.run(run(base, qs, args.concurrency, args.seconds, args.facets))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=20)
    out = {"engine": health.get("engine"), "documents": health.get("documents"), "articles": health.get("articles"),
           "client": args.client, "workers": args.workers, "concurrency": args.concurrency,
           "unique_queries": args.unique, "cache": not args.no_cache, "plain": args.plain,
           "facets": args.facets, "cpus": os.cpu_count(), **result}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
