"""YAML read once with its node tree kept, so problems can point at the author's lines."""

from __future__ import annotations

from typing import Any

import yaml


def load_with_nodes(text: str) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of one YAML document; the node's start_mark gives 0-based lines."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()
