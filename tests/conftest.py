"""Groups for running the integration and browser tests on several workers (pytest-xdist, `--dist loadgroup`).

A test file runs whole on one worker, so its module fixtures are set up once. The availability tests share
one three-node cluster (a session fixture): all of them run on the same worker, or each worker would start
a cluster of its own on a machine that can barely hold one.
"""

from pathlib import Path

import pytest

AVAILABILITY = Path(__file__).parent / "integration" / "availability"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = "availability" if AVAILABILITY in item.path.parents else str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))
