# SPDX-License-Identifier: GPL-2.0
"""Two guests, alpha and bravo, on one virtual Ethernet (MTU 9000):
IP reachability, link cut and restore from outside, soft-RoCE."""
import re

import pytest

RDMA_SETUP = ("modprobe crc32_generic && modprobe rdma_rxe && "
              "rdma link add rxe0 type rxe netdev eth0")


@pytest.fixture(scope="module")
def nodes(pair_module):
    return pair_module


def test_reach_each_other_with_jumbo_frames(nodes):
    alpha, bravo = nodes
    assert alpha.check("hostname").strip() == "alpha"
    assert bravo.check("hostname").strip() == "bravo"
    assert "mtu 9000" in alpha.check("ip link show eth0")
    # 8972 + 28 bytes of headers = 9000, with fragmentation forbidden.
    alpha.check("ping -c 3 -W 5 -M do -s 8972 192.0.2.2", timeout=60)
    bravo.check("ping -c 3 -W 5 -M do -s 8972 192.0.2.1", timeout=60)


def test_cut_and_restore_link(nodes):
    alpha, bravo = nodes
    alpha.check("ping -c 1 -W 5 192.0.2.2", timeout=30)
    alpha.set_link(False)
    try:
        res = alpha.run("ping -c 3 -W 2 192.0.2.2", timeout=30)
        assert res.rc != 0, res
        res = bravo.run("ping -c 3 -W 2 192.0.2.1", timeout=30)
        assert res.rc != 0, res
    finally:
        alpha.set_link(True)
    alpha.check("for i in $(seq 20); do ping -c 1 -W 1 192.0.2.2 && exit 0; "
                "done; exit 1", timeout=60)


def test_soft_roce_send_bandwidth(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check(RDMA_SETUP, timeout=60)
        g.check("for i in $(seq 50); do rdma link show rxe0/1 | "
                "grep -q 'state ACTIVE' && exit 0; sleep 0.2; done; "
                "rdma link show; exit 1", timeout=30)
    bravo.check("timeout 120 ib_send_bw -R -e -F -d rxe0 -n 500 "
                ">/run/server.log 2>&1 </dev/null &")
    out = None
    for _ in range(5):
        res = alpha.run("timeout 120 ib_send_bw -R -e -F -d rxe0 -n 500 "
                        "192.0.2.2", timeout=150)
        if res.rc == 0:
            out = res.out
            break
        alpha.check("sleep 2")
    assert out is not None, "ib_send_bw failed: %r\nserver: %s" % (
        res, bravo.run("cat /run/server.log").out)
    # "#bytes #iterations BW peak[MB/sec] BW average[MB/sec] MsgRate[Mpps]"
    m = re.search(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$",
                  out, re.M)
    assert m, out
    assert int(m.group(2)) == 500
    assert float(m.group(4)) > 0
    print("soft-RoCE ib_send_bw -R -e alpha->bravo: %s bytes x %s, "
          "average %s MB/s" % (m.group(1), m.group(2), m.group(4)))
