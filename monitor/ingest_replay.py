"""Store a recorded TWCS file in bulk: `monitor replay` and the benchmarks.

Reading and checking the file is `monitor.sources.replay`'s job; this module batches its posts
into committed transactions through the same `store_posts` the poller uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy.orm import Session
from tqdm import tqdm

from monitor.cases.sla import SlaPolicy
from monitor.db.engine import transaction
from monitor.ingest import store_posts
from monitor.sources.base import IncomingPost
from monitor.sources.replay import MalformedRow, ReplayStats, read_twcs


@dataclass
class ReplaySummary:
    path: Path
    rows_read: int = 0
    stored: int = 0
    duplicates: int = 0
    malformed: int = 0
    malformed_examples: list[MalformedRow] = field(default_factory=list)

    @property
    def malformed_lines(self) -> list[int]:
        return [m.line for m in self.malformed_examples]

    def describe(self) -> str:
        """One line for the CLI: 5000 rows read, 4999 stored, 1 malformed (line 2589: ...)."""
        text = (
            f"{self.path.name}: {self.rows_read} rows read, {self.stored} stored, "
            f"{self.duplicates} already stored, {self.malformed} malformed"
        )
        if self.malformed_examples:
            shown = "; ".join(f"line {m.line}: {m.reason}" for m in self.malformed_examples)
            more = ", ..." if self.malformed > len(self.malformed_examples) else ""
            text += f" ({shown}{more})"
        return text


def replay_file(
    session_factory: Callable[[], Session],
    path: Path,
    *,
    source: str = "replay",
    batch_size: int = 1000,
    progress: bool = False,
    sla: SlaPolicy | None = None,
) -> ReplaySummary:
    """Store a TWCS file's posts, one committed transaction per batch.

    A crash loses at most the current batch, and replaying the file again stores only what
    is missing: posts are deduplicated by (platform, id).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    stats = ReplayStats()
    posts = read_twcs(path, source=source, stats=stats)
    summary = ReplaySummary(Path(path))
    # On a terminal only: a log file or a test gets the one summary line, not bar redraws.
    with tqdm(desc=Path(path).name, unit=" rows", disable=None if progress else True) as bar:
        for batch in _batches(posts, batch_size):
            with transaction(session_factory) as session:
                result = store_posts(session, batch, sla)
            summary.stored += len(result.new_post_ids)
            summary.duplicates += result.duplicates
            bar.update(stats.rows - bar.n)
        bar.update(stats.rows - bar.n)
    summary.rows_read, summary.malformed = stats.rows, stats.malformed
    summary.malformed_examples = list(stats.examples)
    return summary


def _batches(items: Iterable[IncomingPost], size: int) -> Iterator[list[IncomingPost]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
