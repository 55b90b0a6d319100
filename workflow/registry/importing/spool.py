"""A disk spool that partitions validated rows by NIP, so memory does not grow with file size.

The first pass of an import appends every accepted row to one of N partition files chosen by
its NIP; later passes load one partition at a time. All rows of one employee (from every file)
land in the same partition, so duplicates, references and the profile digest are settled
per partition while only that partition is in memory.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final

TARGET_PARTITION_BYTES: Final = 2 * 1024 * 1024
"""Input bytes per partition: a partition in memory is then a few megabytes of rows."""
MAX_PARTITIONS: Final = 512
UNKNOWN_SIZE_PARTITIONS: Final = 128
"""Partitions used when an input's size is not known in advance (a stream)."""
_BUFFERED_ROWS: Final = 32_768
"""Rows held in write buffers across all partitions before they are flushed."""

SpooledRow = tuple[Any, ...]


def partition_count(input_bytes: int | None) -> int:
    """Return how many partitions to spread ``input_bytes`` of input over (None: unknown)."""
    if input_bytes is None:
        return UNKNOWN_SIZE_PARTITIONS
    return max(1, min(MAX_PARTITIONS, math.ceil(input_bytes / TARGET_PARTITION_BYTES)))


class Spool:
    """Partition files in ``directory``: filled by :meth:`add`, read by :func:`read_partitions`."""

    def __init__(self, directory: Path, partitions: int) -> None:
        self._paths = [directory / _partition_name(index) for index in range(partitions)]
        self._files: list[IO[bytes]] = [path.open("wb") for path in self._paths]
        self._buffers: list[list[SpooledRow]] = [[] for _ in self._paths]
        self._flush_at = max(64, _BUFFERED_ROWS // partitions)

    @property
    def partitions(self) -> int:
        """Return the number of partitions."""
        return len(self._paths)

    def add(self, nip: str, row: SpooledRow) -> None:
        """Append ``row`` to the partition of ``nip`` (18 digits)."""
        index = int(nip) % len(self._buffers)
        buffer = self._buffers[index]
        buffer.append(row)
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

    @property
    def directory(self) -> Path:
        """Return the directory holding the partition files."""
        return self._paths[0].parent


def read_partitions(directories: Sequence[Path], partitions: int) -> Iterator[list[SpooledRow]]:
    """Yield each partition's rows from every spool in ``directories``, in file and row order.

    A row's second and third items are its file's position in the import and its row number;
    sorting on them makes the order independent of which process spooled which file.
    """
    for index in range(partitions):
        rows: list[SpooledRow] = []
        for directory in directories:
            with (directory / _partition_name(index)).open("rb") as file:
                while True:
                    try:
                        rows.extend(pickle.load(file))  # noqa: S301 - our own spool
                    except EOFError:
                        break
        rows.sort(key=_file_and_row)
        yield rows


def _file_and_row(row: SpooledRow) -> tuple[int, int]:
    return row[1], row[2]


def _partition_name(index: int) -> str:
    return f"partition-{index:03d}.pickle"
