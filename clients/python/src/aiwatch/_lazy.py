"""Building an integration's class on first use, so that importing the integration
(and ``aiwatch``) works without its framework installed."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, Sequence


def import_first(candidates: Sequence[str], attribute: str, integration: str) -> Any:
    """``attribute`` of the first importable module in ``candidates``; ImportError naming
    what to install otherwise."""
    failures = []
    for name in candidates:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            failures.append(f"{name}: {error}")
            continue
        if hasattr(module, attribute):
            return getattr(module, attribute)
        failures.append(f"{name} has no {attribute}")
    raise ImportError(
        f"aiwatch.{integration} needs {' or '.join(candidates)} ({'; '.join(failures)})"
    )


def lazy_classes(namespace: Dict[str, Any], builders: Dict[str, Callable[[], type]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that builds each class in ``builders`` once, when asked."""

    def __getattr__(name: str) -> Any:
        builder = builders.get(name)
        if builder is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        cls = builder()
        namespace[name] = cls
        return cls

    return __getattr__
