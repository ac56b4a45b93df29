"""Which process of a distributed job this is.

Only rank 0 logs by default: every rank of a data-parallel job sees the same (or a
shard's) loss, and N writers to one run would interleave their steps.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional

# The variables launchers set, in the order PyTorch Lightning reads them
# (lightning/fabric/utilities/rank_zero.py, _get_rank): torchrun, accelerate and
# DeepSpeed set RANK; SLURM_PROCID can be set without SLURM managing the processes,
# so LOCAL_RANK comes before it.
RANK_VARIABLES = ("RANK", "LOCAL_RANK", "SLURM_PROCID", "JSM_NAMESPACE_RANK")


def process_rank(env: Optional[Mapping[str, str]] = None) -> int:
    """The global rank: torch.distributed's when it is initialised, else the launcher's.

    torch is never imported here: if the program has not imported it, it has no
    process group to ask.
    """
    distributed = sys.modules.get("torch.distributed")
    if distributed is not None:
        try:
            if distributed.is_available() and distributed.is_initialized():
                return int(distributed.get_rank())
        except Exception:  # noqa: BLE001 - a broken backend must not stop training
            pass
    environ = os.environ if env is None else env
    for name in RANK_VARIABLES:
        value = environ.get(name)
        if value is not None:
            try:
                return int(value)
            except ValueError:
                continue
    return 0
