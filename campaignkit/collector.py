"""Pausing Python's cyclic garbage collector around work that makes many objects and few cycles.

Loading a workspace and checking or rendering emails allocate hundreds of
thousands of container objects that either live on (the loaded documents, the
caches of compiled templates) or are freed by reference counting as soon as
an email is done. The collector would walk all of them again on every pass for
nothing: measured, it cost a tenth of loading and a sixth of checking emails,
and pausing it leaves peak memory where it was.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused(kept: bool = False) -> Iterator[None]:
    """The collector off for the block, and back as it was afterwards.

    ``kept``: what the block made lives as long as the command (the loaded documents, what the
    checks cache), so it is frozen out of later collections (``gc.freeze``) before the
    collector is back, whose first pass would otherwise walk all of it at once. Forked
    processes then share its pages instead of copying them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if kept:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()
