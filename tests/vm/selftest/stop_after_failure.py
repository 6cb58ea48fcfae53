# SPDX-License-Identifier: GPL-2.0
"""Run by test_harness.py, not by the suite (TANDEM_VM_TRANSPORTS=tcp,rdma):
a module whose tests build on each other. Over tcp the first test fails,
so the second must fail at once without running; over rdma both pass."""
import os

STOP_AFTER_FAILURE = True


def test_first(transport):
    assert transport != "tcp", "the first test fails over tcp"


def test_second(transport):
    with open(os.environ["SELFTEST_RAN"], "a") as f:
        f.write("second[%s]\n" % transport)
