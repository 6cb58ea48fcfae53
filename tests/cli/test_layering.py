# SPDX-License-Identifier: GPL-2.0
"""The core is transport-agnostic: tandem.ko neither links against the
socket or verbs APIs nor depends on a transport module, and no line of
core code names TCP or RDMA (comments aside; the default transport name
in the uapi header is configuration, not code). The transports are the
ones that use those APIs."""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORE = os.path.join(ROOT, "kernel", "tandem.ko")
TCP = os.path.join(ROOT, "transport-tcp", "tandem_transport_tcp.ko")
RDMA = os.path.join(ROOT, "transport-rdma", "tandem_transport_rdma.ko")

NET_API = re.compile(r"^(kernel_(accept|bind|connect|listen|sendmsg|recvmsg)|"
                     r"sock_\w+|tcp_\w+|ib_\w+|rdma_\w+|__ib_\w+)$")


def undefined_symbols(ko):
    out = subprocess.run(["nm", "-u", ko], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def depends(ko):
    out = subprocess.run(["modinfo", "-F", "depends", ko],
                         capture_output=True, text=True, check=True).stdout
    return {d for d in out.strip().split(",") if d}


@pytest.fixture(scope="module", autouse=True)
def built():
    for ko in (CORE, TCP, RDMA):
        if not os.path.exists(ko):
            pytest.fail("%s not built (make modules)" % ko)


def test_core_uses_no_network_or_verbs_api():
    used = sorted(s for s in undefined_symbols(CORE) if NET_API.match(s))
    assert used == [], used
    assert not depends(CORE) & {"ib_core", "rdma_cm", "tandem_transport_tcp",
                                "tandem_transport_rdma"}, depends(CORE)


def test_transports_are_where_the_apis_are():
    # the check above can fail: the transports do use what it looks for
    assert any(NET_API.match(s) for s in undefined_symbols(TCP))
    assert {s for s in undefined_symbols(RDMA) if s.startswith(("ib_",
                                                                 "rdma_"))}
    assert {"ib_core", "rdma_cm", "tandem"} <= depends(RDMA)
    assert "tandem" in depends(TCP)


def strip_comments(src):
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def test_no_core_code_line_names_tcp_or_rdma():
    bad = []
    for sub in ("", "lib"):
        d = os.path.join(ROOT, "kernel", sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")) or name.endswith(".mod.c"):
                continue
            code = strip_comments(open(os.path.join(d, name)).read())
            for n, line in enumerate(code.splitlines(), 1):
                if re.search(r"tcp|rdma|infiniband|\bib_", line, re.I):
                    bad.append("%s: %s" % (name, line.strip()))
    assert bad == [], bad
