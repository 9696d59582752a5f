"""Small row batches (planted scenarios) turned into Arrow tables typed from the platform schema."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
from sqlalchemy import Boolean, DateTime, Integer, Numeric, SmallInteger

from workbench.demo.ordinary import Sink, ts_array
from workbench.platform.schema import metadata


def arrow_type(col) -> pa.DataType:
    t = col.type
    if isinstance(t, DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(t, Boolean):
        return pa.bool_()
    if isinstance(t, SmallInteger):
        return pa.int16()
    if isinstance(t, Integer):  # BigInteger is a subclass
        return pa.int32() if type(t) is Integer else pa.int64()
    if isinstance(t, Numeric):
        return pa.float64()
    return pa.string()


class Rows:
    """Collects rows per table; times are given as anchor-relative microseconds."""

    def __init__(self, anchor_us: int) -> None:
        self.anchor_us = anchor_us
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def add(self, table: str, **values) -> dict:
        self.rows[table].append(values)
        return values

    def flush(self, sink: Sink) -> dict[str, int]:
        counts = {}
        for name, rows in self.rows.items():
            table = metadata.tables[name]
            cols = {}
            for col in table.columns:
                vals = [r.get(col.name) for r in rows]
                typ = arrow_type(col)
                if pa.types.is_timestamp(typ):
                    mask = np.array([v is None for v in vals])
                    cols[col.name] = ts_array(
                        self.anchor_us,
                        np.array([0 if v is None else v for v in vals], dtype=np.int64),
                        mask,
                    )
                else:
                    cols[col.name] = pa.array(vals, typ)
            sink(name, pa.table(cols))
            counts[name] = len(rows)
        self.rows.clear()
        return counts
