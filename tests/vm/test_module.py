# SPDX-License-Identifier: GPL-2.0
"""tandem.ko in one guest: install, load, /proc/tandem, the transport
registry (on-demand loading, pinning), clean unload."""
import os
import re

import pytest

HERE = os.path.dirname(__file__)
DBG = "/sys/kernel/debug/tandem/transports"


def uapi_define(name):
    path = os.path.join(HERE, "..", "..", "kernel", "uapi", "tandem_version.h")
    with open(path) as f:
        m = re.search(r"#define\s+%s\s+(\S+)" % name, f.read())
    return m.group(1).strip('"')


@pytest.fixture(scope="module")
def installed(guest_module, root):
    """The guest, with `make install` done (modules and utilities)."""
    guest_module.check("make -s -C %s install" % root, timeout=300)
    return guest_module


@pytest.fixture
def guest(installed):
    yield installed
    # Leave the guest as the next test expects it: nothing loaded.
    installed.run("for i in 1 2 3 4; do echo 'destroy tcp' > %s; "
                  "echo 'destroy rdma' > %s; done; "
                  "modprobe -r tandem_transport_tcp tandem_transport_rdma "
                  "tandem" % (DBG, DBG))


def loaded(g, mod):
    return g.run("test -d /sys/module/%s" % mod).rc == 0


def refcnt(g, mod):
    return int(g.check("cat /sys/module/%s/refcnt" % mod))


def test_load_transport_on_demand_pin_and_unload(guest):
    g = guest
    g.check("modprobe tandem")

    first = g.check("head -n1 /proc/tandem").strip()
    want = "version: %s (api:%s/proto:%s-%s)" % (
        uapi_define("TANDEM_VERSION"), uapi_define("TANDEM_GENL_API_VERSION"),
        uapi_define("TANDEM_PROTO_MIN"), uapi_define("TANDEM_PROTO_MAX"))
    assert first == want

    # Nothing has asked for tcp yet.
    assert not loaded(g, "tandem_transport_tcp")
    assert "tcp (" not in g.check("cat /proc/tandem")

    # Asking the core for "tcp" loads the module on demand and pins it.
    g.check("echo 'create tcp' > %s" % DBG)
    assert loaded(g, "tandem_transport_tcp")
    assert refcnt(g, "tandem_transport_tcp") == 1
    assert re.search(r"^Transports \(api:\d+\): .*\btcp \(%s\)" %
                     re.escape(uapi_define("TANDEM_VERSION")),
                     g.check("cat /proc/tandem"), re.M)
    assert g.check("cat %s" % DBG).split() == ["tcp"]

    # A second instance takes a second reference.
    g.check("echo 'create tcp' > %s" % DBG)
    assert refcnt(g, "tandem_transport_tcp") == 2

    # Pinned: unloading the transport is refused, as is unloading the core.
    res = g.run("rmmod tandem_transport_tcp")
    assert res.rc != 0 and "in use" in res.out, res
    res = g.run("rmmod tandem")
    assert res.rc != 0 and "in use" in res.out, res
    assert loaded(g, "tandem_transport_tcp")

    g.check("echo 'destroy tcp' > %s" % DBG)
    assert refcnt(g, "tandem_transport_tcp") == 1
    assert g.run("rmmod tandem_transport_tcp").rc != 0
    g.check("echo 'destroy tcp' > %s" % DBG)
    assert refcnt(g, "tandem_transport_tcp") == 0

    # Unpinned: everything unloads cleanly.
    g.check("rmmod tandem_transport_tcp")
    assert "tcp (" not in g.check("cat /proc/tandem")
    g.check("rmmod tandem")
    assert g.run("test -e /proc/tandem").rc != 0
    assert not loaded(g, "tandem")
    assert "tandem unloaded" in g.check("dmesg")


def test_bad_transport_names_are_refused(guest):
    g = guest
    g.check("modprobe tandem")

    # A name that could escape the module namespace never reaches modprobe.
    for bad in ("../../tmp/x", "TCP", "tcp-x", "abcdefghijklmnop"):
        res = g.run("echo 'create %s' > %s" % (bad, DBG))
        assert res.rc != 0 and "Invalid argument" in res.out, (bad, res)

    # A well-formed name no module provides: a clear log line, no crash.
    res = g.run("echo 'create nosuch' > %s" % DBG)
    assert res.rc != 0 and "No such file or directory" in res.out, res
    assert "transport nosuch: no such transport" in g.check("dmesg")

    res = g.run("echo 'destroy tcp' > %s" % DBG)
    assert res.rc != 0, res
    res = g.run("echo 'bogus tcp' > %s" % DBG)
    assert res.rc != 0 and "Invalid argument" in res.out, res

    g.check("rmmod tandem")


def test_rdma_transport_registers_and_tandemadm_reports_versions(guest):
    g = guest
    out = g.check("tandemadm --version")
    assert "TANDEMADM_VERSION=%s" % uapi_define("TANDEM_VERSION") in out
    assert "TANDEM_KERNEL_VERSION" not in out   # module not loaded yet

    g.check("modprobe tandem")
    g.check("echo 'create rdma' > %s" % DBG)
    assert loaded(g, "tandem_transport_rdma")
    assert " rdma (" in g.check("cat /proc/tandem")
    out = g.check("tandemadm --version")
    assert "TANDEM_KERNEL_VERSION=%s" % uapi_define("TANDEM_VERSION") in out

    g.check("echo 'destroy rdma' > %s" % DBG)
    g.check("modprobe -r tandem_transport_rdma tandem")
    assert not loaded(g, "tandem")
