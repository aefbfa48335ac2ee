"""pytest plugin for retell-sdk's own suite: run the tests it skips for want of a mock server."""

from __future__ import annotations

import pytest

REASON = "Mock server tests are disabled"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.own_markers[:] = [
            mark
            for mark in item.own_markers
            if not (mark.name == "skip" and mark.kwargs.get("reason") == REASON)
        ]
