"""A disk spool that partitions validated rows by NIP, so memory does not grow with file size.

The first pass of an import appends every accepted row to one of N partition files chosen by
its NIP; later passes load one partition at a time. All rows of one employee (from every file)
land in the same partition, so duplicates, references and the profile digest are settled
per partition while only that partition is in memory.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

TARGET_PARTITION_BYTES: Final = 2 * 1024 * 1024
"""Input bytes per partition: a partition in memory is then a few megabytes of rows."""
MAX_PARTITIONS: Final = 512
_BUFFERED_ROWS: Final = 32_768
"""Rows held in write buffers across all partitions before they are flushed."""

SpooledRow = tuple[Any, ...]


def partition_count(input_bytes: int) -> int:
    """Return how many partitions to spread ``input_bytes`` of input over."""
    return max(1, min(MAX_PARTITIONS, math.ceil(input_bytes / TARGET_PARTITION_BYTES)))


class Spool:
    """Partition files in ``directory``, filled with :meth:`add`, then read with :meth:`read`."""

    def __init__(self, directory: Path, partitions: int) -> None:
        self._paths = [directory / f"partition-{index:03d}.pickle" for index in range(partitions)]
        self._files: list[IO[bytes]] = [path.open("wb") for path in self._paths]
        self._buffers: list[list[SpooledRow]] = [[] for _ in self._paths]
        self._flush_at = max(64, _BUFFERED_ROWS // partitions)
        self.rows = 0

    @property
    def partitions(self) -> int:
        """Return the number of partitions."""
        return len(self._paths)

    def add(self, nip: str, row: SpooledRow) -> None:
        """Append ``row`` to the partition of ``nip`` (18 digits)."""
        index = int(nip) % len(self._buffers)
        buffer = self._buffers[index]
        buffer.append(row)
        self.rows += 1
        if len(buffer) >= self._flush_at:
            pickle.dump(buffer, self._files[index], protocol=pickle.HIGHEST_PROTOCOL)
            buffer.clear()

    def close(self) -> None:
        """Flush every buffer and close the partition files; reading may start."""
        for buffer, file in zip(self._buffers, self._files, strict=True):
            if buffer:
                pickle.dump(buffer, file, protocol=pickle.HIGHEST_PROTOCOL)
                buffer.clear()
            file.close()

    def read(self, index: int) -> list[SpooledRow]:
        """Return every row of partition ``index``, in the order they were added."""
        rows: list[SpooledRow] = []
        with self._paths[index].open("rb") as file:
            while True:
                try:
                    rows.extend(pickle.load(file))  # noqa: S301 - our own spool, written above
                except EOFError:
                    return rows

    def __iter__(self) -> Iterator[list[SpooledRow]]:
        for index in range(len(self._paths)):
            yield self.read(index)
