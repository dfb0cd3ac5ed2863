"""The provider annotation catalog is consistent: every entry has a source, a controller, a
value kind, and internal markers that its own value parser accepts."""

from __future__ import annotations

import json
from importlib import resources

from svclint.k8s.providers import check_data


def test_catalog_integrity() -> None:
    data = json.loads(
        resources.files("svclint").joinpath("data", "provider_annotations.json").read_text()
    )
    assert check_data(data) == []
