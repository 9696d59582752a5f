"""The rows of a read gathered into a DataFrame without holding a large result twice.

A small result is kept as rows and becomes a DataFrame at the end, as ``from_records`` makes it.
Once the rows kept pass :data:`COLUMNAR_BYTES`, text columns are moved into Arrow chunks batch
by batch as they arrive (pandas keeps text in Arrow anyway): converting a 256 MB result at the
end would need its text in memory twice or three times over. The frame is the same either way
(the same dtypes and values); so is the result hash, which is fed as the rows come.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.queries.digest import RowHasher

#: Past this many bytes kept, text columns go to Arrow batch by batch.
COLUMNAR_BYTES = 16_000_000


class ResultBuilder:
    """Takes the accepted rows of a read (:meth:`add`), hashes them and builds the frame."""

    def __init__(self, columns: list[str], text: set[int] | None = None) -> None:
        self.columns = columns
        self.text = set(text or ())
        self.count = 0
        self._hasher = RowHasher(columns)
        self._rows: list[tuple] | None = []
        self._cols: list[list[Any]] = []
        self._chunks: dict[int, list[Any]] = {}

    def add(self, rows: list[tuple], size_so_far: int) -> None:
        """Add accepted rows; ``size_so_far`` is the bytes kept including these."""
        if not rows:
            return
        self._hasher.update(rows)
        self.count += len(rows)
        if self._rows is not None:
            self._rows.extend(rows)
            if size_so_far > COLUMNAR_BYTES and self.text:
                self._go_columnar()
            return
        self._append_columns(rows)

    def _go_columnar(self) -> None:
        rows, self._rows = self._rows or [], None
        self._cols = [[] for _ in self.columns]
        self._chunks = {i: [] for i in self.text}
        self._append_columns(rows)

    def _append_columns(self, rows: list[tuple]) -> None:
        import pyarrow as pa

        for i in range(len(self.columns)):
            values = [r[i] for r in rows]
            if i in self._chunks:
                try:
                    self._chunks[i].append(pa.array(values, type=pa.large_string()))
                    continue
                except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text after all
                    self._cols[i] = [v for c in self._chunks.pop(i) for v in c.to_pylist()]
            self._cols[i].extend(values)

    def digest(self) -> str:
        return self._hasher.hexdigest()

    def frame(self) -> pd.DataFrame:
        """The DataFrame (the builder lets go of its rows)."""
        names = self.columns
        if self.count == 0:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in names}, columns=names)
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
        import pyarrow as pa

        parts: dict[int, Any] = {}
        for i, chunks in list(self._chunks.items()):
            arr = pa.chunked_array(chunks, type=pa.large_string())
            if arr.null_count < len(arr):  # all missing: object dtype, as from_records infers
                parts[i] = pd.Series(pd.array(arr, dtype="str"))
            else:
                self._cols[i] = [None] * len(arr)
            del self._chunks[i]
        rest = [i for i in range(len(names)) if i not in parts]
        if rest:
            records = list(zip(*(self._cols[i] for i in rest)))
            self._cols = []
            other = pd.DataFrame.from_records(
                records, columns=[f"c{i}" for i in rest], coerce_float=True
            )
            for i in rest:
                parts[i] = other[f"c{i}"]
        df = pd.concat([parts[i].reset_index(drop=True) for i in range(len(names))], axis=1)
        df.columns = names
        return df
