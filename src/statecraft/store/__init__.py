"""The run store: a SQLite registry (WAL) plus one Parquet file per run (see DESIGN.md)."""

from statecraft.store.errors import RunNotFound, StoreBusy, StoreDamaged, StoreError
from statecraft.store.registry import RunRecord, RunSummary
from statecraft.store.runs import DEFAULT_DIR, Leftover, RunStore, RunWriter, default_store_dir

__all__ = ["DEFAULT_DIR", "Leftover", "RunNotFound", "RunRecord", "RunStore", "RunSummary",
           "RunWriter", "StoreBusy", "StoreDamaged", "StoreError", "default_store_dir"]
