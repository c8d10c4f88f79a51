"""Building a scenario without writing YAML by hand: a skeleton to start from
(``new_scenario``), a spreadsheet round trip (``export_xlsx``, ``import_xlsx``) and
candidate quotes from a source text (``suggest_quotes``).

Every file is read through ``statecraft.files.read_input`` (a regular file, within a size
limit), every result is validated before anything is written, and a file is written to a
temporary name in its folder and moved into place, so an error leaves nothing behind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from statecraft.files import read_input_text
from statecraft.scenario.load import MAX_DOCUMENT_BYTES, Loaded, load_scenario_text
from statecraft.scenario.skeleton import (
    SkeletonSource,
    id_from_text,
    relative_source_path,
    skeleton_text,
)


def write_new_file(target: Path, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to ``target`` whole or not at all: to a temporary file in the same
    folder, then moved into place. Without ``replace`` an existing ``target`` is never
    overwritten (the temporary file is linked to the name, which fails if it exists, so
    nothing can appear there between a check and the write)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise ValueError(f"{target} exists; nothing was written") from None
    finally:
        tmp.unlink(missing_ok=True)


def new_scenario(name: str, sources: Sequence[str | Path] = (), out: str | Path | None = None
                 ) -> tuple[Path, Loaded]:
    """Write a minimal valid scenario called ``name`` with each of ``sources`` registered
    as a document (path relative to the scenario, title from its file name).

    ``out`` defaults to the name as an id plus ``.yaml`` in the current folder. Each source
    must be a regular UTF-8 text file within the source-document size limit (it is read to
    make sure). The text is validated (warnings for its placeholder values are expected)
    before it is written; an existing file is never replaced. Returns the path written and
    the scenario as loaded from its text.
    """
    if not name.strip():
        raise ValueError("the scenario's name is empty; expected a few words naming it")
    target = Path(out) if out is not None else Path(id_from_text(name, set(), "scenario")
                                                    + ".yaml")
    if target.exists() or target.is_symlink():
        raise ValueError(f"{target} exists; nothing was written (choose another name with -o)")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder; nothing was written")
    registered = []
    for src in sources:
        path = Path(src)
        read_input_text(path, limit=MAX_DOCUMENT_BYTES, what="source document")
        registered.append(SkeletonSource(relative_source_path(path, folder), path.name))
    text = skeleton_text(name.strip(), registered)
    loaded = load_scenario_text(text, str(target), base_dir=folder.resolve())
    write_new_file(target, text.encode("utf-8"))
    return target, loaded
