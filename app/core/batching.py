"""Work in slices: IN lists and executemany batches small enough for every database."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Bound parameters per statement stay far below SQLite's limit (32 766) and psycopg's (65 535).
IN_LIST_SIZE = 1000


def chunks(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """Consecutive slices of `items`, each at most `size` long."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
