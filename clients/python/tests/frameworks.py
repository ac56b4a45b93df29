"""Stand-ins for framework base classes Debian does not package (transformers,
Lightning, Keras), with the shape their sources give them, for the tests that call
the integrations exactly as each framework does. Where the real framework is
importable, the tests use it instead.

Checked against: transformers ``src/transformers/trainer_callback.py`` at commit
55093b758b (TrainerCallback events, CallbackHandler.call_event); Lightning 2.6.2
(commit 7f0c3436cd; ``fabric/loggers/logger.py``, ``pytorch/loggers/logger.py``,
``pytorch/trainer/call.py``, ``connectors/logger_connector/logger_connector.py``);
Keras 3.16.0 (commit 3422977a5e; ``callbacks/callback.py``, ``callback_list.py``,
``backend/torch/trainer.py``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import pytest

HF_EVENTS = (
    "on_init_end", "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_step_begin", "on_pre_optimizer_step", "on_optimizer_step", "on_substep_end",
    "on_step_end", "on_evaluate", "on_predict", "on_save", "on_log", "on_prediction_step",
)


def real(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def install_transformers(monkeypatch: pytest.MonkeyPatch) -> str:
    """``transformers.TrainerCallback``: the real one, or its shape. Returns which."""
    if real("transformers"):
        return "real"
    module = types.ModuleType("transformers")

    class TrainerCallback:
        pass

    for event in HF_EVENTS:
        setattr(TrainerCallback, event, lambda self, args, state, control, **kwargs: None)
    module.TrainerCallback = TrainerCallback  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "transformers", module)
    return "stand-in"


@dataclass
class TrainerState:
    """The fields of transformers.TrainerState the callback reads."""

    epoch: Optional[float] = None
    global_step: int = 0
    max_steps: int = 0
    is_local_process_zero: bool = True
    is_world_process_zero: bool = True
    log_history: List[Dict[str, float]] = field(default_factory=list)


def hf_call_event(callbacks: list, event: str, args: Any, state: TrainerState, control: Any, **kwargs: Any) -> None:
    """``CallbackHandler.call_event``: positional args/state/control, the rest by keyword."""
    for callback in callbacks:
        getattr(callback, event)(
            args, state, control, model=None, processing_class=None, optimizer=None,
            lr_scheduler=None, train_dataloader=None, eval_dataloader=None, **kwargs,
        )


def install_lightning(monkeypatch: pytest.MonkeyPatch) -> str:
    """``lightning.pytorch.loggers.Logger``: the real one, or its shape."""
    if real("lightning") or real("pytorch_lightning"):
        return "real"

    class Logger(ABC):
        @property
        @abstractmethod
        def name(self) -> Optional[str]: ...

        @property
        @abstractmethod
        def version(self) -> Any: ...

        @property
        def root_dir(self) -> Optional[str]:
            return None

        @property
        def log_dir(self) -> Optional[str]:
            return None

        @property
        def save_dir(self) -> Optional[str]:
            return None

        @property
        def group_separator(self) -> str:
            return "/"

        @abstractmethod
        def log_metrics(self, metrics: Dict[str, float], step: Optional[int] = None) -> None: ...

        @abstractmethod
        def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None: ...

        def log_graph(self, model: Any, input_array: Any = None) -> None:
            pass

        def save(self) -> None:
            pass

        def finalize(self, status: str) -> None:
            self.save()

        def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
            pass

    packages = {name: types.ModuleType(name) for name in ("lightning", "lightning.pytorch", "lightning.pytorch.loggers")}
    packages["lightning.pytorch.loggers"].Logger = Logger  # type: ignore[attr-defined]
    for name, module in packages.items():
        monkeypatch.setitem(sys.modules, name, module)
    return "stand-in"


def install_keras(monkeypatch: pytest.MonkeyPatch) -> str:
    """``keras.callbacks.Callback``: the real one, or its shape."""
    if real("keras") or real("tensorflow"):
        return "real"

    class Callback:
        def __init__(self) -> None:
            self.params = None
            self._model = None

        def set_params(self, params: Any) -> None:
            self.params = params

        def set_model(self, model: Any) -> None:
            self._model = model

        @property
        def model(self) -> Any:
            return self._model

    for event in ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
                  "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"):
        setattr(Callback, event, lambda self, batch, logs=None: None)
    for event in ("on_epoch_begin", "on_epoch_end"):
        setattr(Callback, event, lambda self, epoch, logs=None: None)
    for event in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end"):
        setattr(Callback, event, lambda self, logs=None: None)
    keras = types.ModuleType("keras")
    callbacks = types.ModuleType("keras.callbacks")
    callbacks.Callback = Callback  # type: ignore[attr-defined]
    keras.callbacks = callbacks  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keras", keras)
    monkeypatch.setitem(sys.modules, "keras.callbacks", callbacks)
    return "stand-in"


def fresh_integration(module_name: str) -> types.ModuleType:
    """The integration module with the class it built on first use forgotten (a reload
    alone keeps it: reloading re-runs the module in the same namespace)."""
    module = importlib.import_module(module_name)
    for name in ("AiwatchCallback", "AiwatchLogger"):
        module.__dict__.pop(name, None)
    return module
