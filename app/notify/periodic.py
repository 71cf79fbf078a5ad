"""A background thread that runs periodic jobs (delivery, ticket deadlines) inside `serve`."""

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from app.core import clock

logger = logging.getLogger("xiaowei.periodic")

# A job gets the current time; it opens and commits its own sessions.
Job = Callable[[datetime], object]


class PeriodicRunner:
    """Runs every job now and then every `interval` seconds until stop().

    A failing job is logged and retried on the next round; it never stops the others or the
    thread. Several app servers may each run one: the jobs are safe to run concurrently
    (delivery claims rows with SKIP LOCKED; the ticket tick deduplicates its notifications).
    """

    def __init__(self, jobs: Sequence[tuple[str, Job]], *, interval: float) -> None:
        self.jobs = list(jobs)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xiaowei-periodic", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self, now: datetime | None = None) -> dict[str, object]:
        """Run each job once; returns each job's result, or the exception it raised."""
        moment = now or clock.now()
        results: dict[str, object] = {}
        for name, job in self.jobs:
            try:
                results[name] = job(moment)
            except Exception as exc:
                logger.exception("periodic job %s failed", name)
                results[name] = exc
            else:
                logger.debug("periodic job %s: %s", name, results[name])
        return results

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)
