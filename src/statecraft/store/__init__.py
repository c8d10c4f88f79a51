"""The run store: a SQLite registry (WAL) plus one Parquet file per run (see DESIGN.md)."""

from statecraft.store.registry import RunRecord, StoreBusy, StoreError
from statecraft.store.runs import DEFAULT_DIR, Leftover, RunStore, RunWriter, default_store_dir

__all__ = ["DEFAULT_DIR", "Leftover", "RunRecord", "RunStore", "RunWriter", "StoreBusy",
           "StoreError", "default_store_dir"]
