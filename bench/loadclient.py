"""The HTTP benchmark's fallback load client (bench/http.py uses ``wrk`` when installed):

    python bench/loadclient.py URL SECONDS CONNECTIONS HEADERS_JSON

runs CONNECTIONS keep-alive connections (one thread each; the server is the bottleneck, not
this process's GIL, at these rates) for SECONDS and prints one JSON line: {"requests", "rps",
"p50_ms", "p95_ms", "non_2xx", "errors"}.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import http.client  # noqa: E402
import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402


def main() -> None:
    url, seconds, connections, headers = sys.argv[1:5]
    seconds, connections, headers = float(seconds), int(connections), json.loads(headers)
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    counts = {"non_2xx": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        non2xx = errors = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    non2xx += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            counts["non_2xx"] += non2xx
            counts["errors"] += errors

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "rps": len(latencies) / elapsed,
                "p50_ms": pct(0.50),
                "p95_ms": pct(0.95),
                **counts,
            }
        )
    )


if __name__ == "__main__":
    main()
