"""What the operations layers cost per request and per transition (prints figures).

1. A request to ``/healthz`` through the whole app (request id, WhiteNoise's lookup,
   Flask, the latency histogram, the JSON access line written to /dev/null at INFO, as
   in production) against the same Flask app called without those outer layers.
2. A call of a function wrapped like ``advance.fire`` (``workflow.signals``) with the
   Prometheus counters subscribed, against the bare function: the price the hot path
   pays for being counted.

Rounds alternate so neither variant profits from a warmer cache. Times are the process's
CPU time (``time.process_time``), so other jobs on a shared machine inflate them less
than they would wall-clock time.

    .venv/bin/python benchmarks/ops_overhead.py [--n 5000] [--rounds 6]
"""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# benchmarks/transitions.py would shadow the ``transitions`` package the engine imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from flask import Flask  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from web import create_app, metrics  # noqa: E402
from web.logs import logging_config  # noqa: E402
from workflow import signals  # noqa: E402
from workflow.errors import GuardRejected  # noqa: E402
from workflow.settings import Settings  # noqa: E402


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def per_request(call: Callable[..., Any], environ: dict[str, Any], n: int) -> float:
    """CPU microseconds per request, the body read and closed as a server would."""
    started = time.process_time()
    for _ in range(n):
        body = call(dict(environ), _start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return (time.process_time() - started) / n * 1e6


def requests(app: Flask, n: int, rounds: int) -> tuple[float, float]:
    environ = EnvironBuilder(path="/healthz").get_environ()
    full = app.wsgi_app

    def bare(env: dict[str, Any], start: Any) -> Any:
        return Flask.wsgi_app(app, env, start)

    per_request(full, environ, 200)  # warm up both
    per_request(bare, environ, 200)
    with_ops, without = [], []
    for _ in range(rounds):
        with_ops.append(per_request(full, environ, n))
        without.append(per_request(bare, environ, n))
    return statistics.median(with_ops), statistics.median(without)


def transitions(n: int, rounds: int) -> tuple[float, float, float]:
    """CPU µs per call: bare, wrapped and counted (fired), wrapped and counted (refused)."""

    def fire(rt: Any, actor: Any, case_id: int, trigger: str, **_: Any) -> int:
        return case_id

    def refuse(rt: Any, actor: Any, case_id: int, trigger: str, **_: Any) -> int:
        raise GuardRejected(trigger, [])

    class _Rt:
        class rules:  # noqa: N801 - the shape advance.fire's runtime has
            class states:  # noqa: N801
                triggers = ("consult",)

    counted, refused = signals.reports_transitions(fire), signals.reports_transitions(refuse)

    def timed(fn: Callable[..., Any], catch: bool = False) -> float:
        started = time.process_time()
        for i in range(n):
            try:
                fn(_Rt, None, i, "consult")
            except GuardRejected:
                if not catch:
                    raise
        return (time.process_time() - started) / n * 1e6

    bare, fired, no = [], [], []
    for _ in range(rounds):
        bare.append(timed(fire))
        fired.append(timed(counted))
        no.append(timed(refused, catch=True))
    return statistics.median(bare), statistics.median(fired), statistics.median(no)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()

    config = logging_config()
    config["handlers"]["stderr"]["stream"] = open(os.devnull, "w")  # noqa: SIM115
    logging.config.dictConfig(config)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            mode="test",
            secret_key="b" * 40,
            database_url=f"sqlite:///{tmp}/bench.sqlite3",
            instance_dir=Path(tmp),
        )
        app = create_app(settings)
        full, bare = requests(app, args.n, args.rounds)
        app.extensions["inkubators"].engine.dispose()
    metrics.subscribe()
    plain, fired, refused = transitions(args.n * 10, args.rounds)

    print(f"GET /healthz, {args.n} requests x {args.rounds} rounds (median CPU µs/request):")
    print(f"  whole app (ids, static lookup, metrics, JSON access line): {full:8.1f}")
    print(f"  Flask alone:                                               {bare:8.1f}")
    print(f"  operations layers:                                         {full - bare:8.1f}")
    print(f"fire wrapper, {args.n * 10} calls x {args.rounds} rounds (median CPU µs/call):")
    print(f"  bare function:              {plain:6.2f}")
    print(f"  counted, fired:             {fired:6.2f}  (+{fired - plain:.2f})")
    print(f"  counted, refused by guard:  {refused:6.2f}")
    print(
        f"ops overhead: request_us={full - bare:.1f} fire_us={fired - plain:.2f} "
        f"request_share={(full - bare) / full:.2f}"
    )


if __name__ == "__main__":
    main()
