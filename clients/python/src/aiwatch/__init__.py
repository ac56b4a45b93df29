"""aiwatch: send training metrics, data records and ground truth to an aiwatch exporter.

The core is standard library only; importing it starts nothing (threads start with
the first client). Framework integrations live in submodules that import their
framework only when used: ``aiwatch.huggingface``, ``aiwatch.lightning``,
``aiwatch.keras`` and ``aiwatch.pytorch``.

    import aiwatch

    run = aiwatch.Run("llama-ft-42", "llama-ft")
    run.log(step, loss=loss, learning_rate=lr)
    run.finish()
"""

from ._version import __version__
from .data_records import DataRecords
from .ground_truth import GroundTruth
from .run import Run
from .stats import DeliveryStats

__all__ = ["DataRecords", "DeliveryStats", "GroundTruth", "Run", "__version__"]
