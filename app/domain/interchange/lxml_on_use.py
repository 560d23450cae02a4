"""lxml's `etree` and `html`, imported when first used rather than when the interchange modules are.

Loading lxml's C extension costs about 70 ms of CPU and 4 MB in every process that imports it, and every
web worker imports the interchange modules (the authoring pages import and export questions), though only
an import or an export ever parses or builds XML. tests/web/test_startup.py pins it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


class _OnFirstUse:
    """Stands for a module: the first attribute read imports it (later reads find it in sys.modules)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


if TYPE_CHECKING:
    from lxml import etree, html
else:
    etree = _OnFirstUse("lxml.etree")
    html = _OnFirstUse("lxml.html")
