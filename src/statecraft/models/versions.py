"""Each model's behaviour version: raised by hand whenever a change moves its forecasts.

Measured model errors (``statecraft.calibration``) are valid only for the version they
were measured on; a forecast refuses an error file whose version differs, and a test
regenerates the bundled error file to catch a change that forgot to raise its version.
"""

from __future__ import annotations

MODEL_VERSIONS: dict[str, int] = {
    "compromise": 1,
    "median": 1,
    "eum": 2,  # 2: runs end at a fixed point or a cycle; a cycle or a run at the cap is averaged
    "smp": 2,  # 2: the same
    "ensemble": 2,  # 2: its EUM and SMP components
}
