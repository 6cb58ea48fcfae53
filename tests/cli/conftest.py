# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of the utilities: they run the built binaries on
regular files, no kernel module involved."""
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def utils_dir():
    return os.path.join(ROOT, "utils")
