# SPDX-License-Identifier: GPL-2.0
"""The seed procedures through tandemadm and one shared configuration file:
create-md, up, primary --force, initial sync, role switch (also the 8.3
form), status --json, net-options --protocol=A then adjust back to C
without a reconnect, split-brain recovery with secondary + connect
--discard-my-data, down. One pair of guests; tests run in order."""
import json
import re

import pytest

import tandemctl as tc

DISKS = [("data", 64)]

# 8.3 habits on purpose: /dev/drbd0 and the syncer section.
CONF = """global { usage-count no; }
common {
    net { protocol C; ping-int 1; ping-timeout 5; connect-int 1; }
    syncer { rate 100M; verify-alg sha1; }
    startup { wfc-timeout 60; become-primary-on alpha; }
    handlers {
        split-brain "echo split-brain $DRBD_RESOURCE minor $DRBD_MINOR >> /root/handlers.log";
    }
}
resource r0 {
    on alpha {
        device    /dev/drbd0;
        disk      /dev/vda;
        address   192.0.2.1:7789;
        meta-disk internal;
    }
    on bravo {
        device    /dev/drbd0;
        disk      /dev/vda;
        address   192.0.2.2:7789;
        meta-disk internal;
    }
}
"""


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("adm")), root, DISKS)
    for g in guests:
        g.check("cat > /etc/tandem.conf <<'EOF'\n%sEOF" % CONF)
        # Every state change of the tests, as tandemadm events shows it.
        g.check("modprobe tandem; (timeout 900 tandemadm events r0 "
                ">/root/events.log 2>&1 </dev/null &); sleep 1")
    yield guests
    tc.finish_pair(guests)


def sha(g):
    return g.check("dd if=/dev/vda bs=1M count=60 iflag=direct status=none | "
                   "sha256sum", timeout=120).split()[0]


def connects(g):
    return g.check("dmesg").count("connected (protocol")


def test_create_md_up_and_initial_sync(nodes):
    alpha, bravo = nodes
    plan = alpha.check("tandemadm -d up r0")
    assert "tandemsetup new-minor r0 0 0" in plan, plan
    assert "--resync-rate=102400" in plan, plan     # syncer rate, 8.3
    for g in nodes:
        g.check("tandemadm create-md r0")
        g.check("tandemadm up r0")
    for g in nodes:
        g.check("tandemadm wait-connect --timeout=60 r0", timeout=90)
        assert g.check("tandemadm cstate r0").strip() == "Connected"
        assert g.check("tandemadm dstate r0").strip() == \
            "Inconsistent/Inconsistent"
    alpha.check("tandemadm primary --force r0")
    for g in nodes:
        tc.wait_proc(g, r"ds:UpToDate/UpToDate", timeout=180)
    assert alpha.check("tandemadm role r0").strip() == "Primary/Secondary"
    assert bravo.check("tandemadm role r0").strip() == "Secondary/Primary"
    assert re.search(r"^\s+0:r0\s+Connected\s+Primary/Secondary\s+"
                     r"UpToDate/UpToDate\s+C r", alpha.check(
                         "tandemadm overview 2>/dev/null"), re.M)
    # status --json is JSON, and says what /proc/tandem says.
    for g, role, peer_role in ((alpha, "Primary", "Secondary"),
                               (bravo, "Secondary", "Primary")):
        st = json.loads(g.check("tandemadm status --json r0 2>/dev/null"))
        proc = tc.minor_block(tc.proc(g))
        assert len(st) == 1 and st[0]["name"] == "r0", st
        r0 = st[0]
        assert r0["role"] == role, st
        assert [(d["minor"], d["disk"]) for d in r0["devices"]] == \
            [(0, "UpToDate")], st
        (conn,) = r0["connections"]
        assert (conn["connection"], conn["role"], conn["protocol"]) == \
            ("Connected", peer_role, "C"), st
        (pdev,) = conn["peer-devices"]
        assert (pdev["replication"], pdev["peer-disk"]) == \
            ("Established", "UpToDate"), st
        assert "cs:Connected ro:%s/%s ds:UpToDate/UpToDate C" % (
            role, peer_role) in proc, proc


def test_role_switch_8_3_form(nodes):
    alpha, bravo = nodes
    alpha.check("tandemadm secondary r0")
    bravo.check("tandemadm -- --overwrite-data-of-peer primary r0")
    tc.wait_proc(alpha, r"ro:Secondary/Primary")
    bravo.check("tandemadm secondary r0")
    alpha.check("tandemadm primary r0")
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:UpToDate/UpToDate")


def test_verify_and_become_primary_on(nodes):
    alpha, bravo = nodes
    # verify-alg came from the 8.3 syncer section, applied at up
    assert "tandemsetup verify 0 1" in alpha.check("tandemadm -d verify r0")
    alpha.check("echo tandem-test-verify > /dev/kmsg")
    alpha.check("tandemadm verify r0")
    tc.wait_proc(bravo, r"cs:(VerifyT|Connected) ro:Secondary/Primary",
                 timeout=30)
    for _ in range(240):
        log = alpha.check("dmesg").rsplit("tandem-test-verify", 1)[1]
        m = re.search(r"online verify done: (\d+) KiB compared in [\d.]+ s,"
                      r" (\d+) KiB out of sync", log)
        if m:
            break
        alpha.check("sleep 0.5")
    assert m, log
    assert int(m.group(1)) > 60 * 1024 and int(m.group(2)) == 0
    # at boot, only the host named by become-primary-on is promoted
    # (2>/dev/null: the 8.3 syncer warnings go to stderr)
    assert alpha.check("tandemadm -d sh-b-pri r0 2>/dev/null").strip() == \
        "tandemsetup primary r0"
    assert bravo.check("tandemadm -d sh-b-pri r0 2>/dev/null").strip() == ""
    bravo.check("tandemadm sh-b-pri r0")
    assert bravo.check("tandemadm role r0 2>/dev/null").strip() == \
        "Secondary/Primary"


def test_protocol_a_then_adjust_back_without_reconnect(nodes):
    alpha, bravo = nodes
    before = {g.name: connects(g) for g in nodes}
    for g in nodes:
        g.check("tandemadm net-options --protocol=A r0")
    for g in nodes:
        tc.wait_proc(g, r"ds:UpToDate/UpToDate A ")
    plan = alpha.check("tandemadm -d adjust r0")
    assert "net-options" in plan and "--protocol=C" in plan, plan
    assert "connect r0" not in plan.replace("net-options", ""), plan
    for g in nodes:
        g.check("tandemadm adjust r0")
    for g in nodes:
        tc.wait_proc(g, r"ds:UpToDate/UpToDate C ")
        assert connects(g) == before[g.name], "%s reconnected" % g.name
    # Nothing left to adjust (warnings about the 8.3 syncer aside).
    assert "tandemsetup" not in alpha.check("tandemadm -d adjust r0 2>/dev/null")


def test_split_brain_recovery(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemadm disconnect r0")
    bravo.check("tandemadm primary r0")
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=64k count=4 seek=40 "
                "oflag=direct status=none")
    bravo.check("dd if=/dev/urandom of=/dev/tandem0 bs=64k count=4 seek=80 "
                "oflag=direct status=none")
    bravo.check("tandemadm secondary r0")
    for g in nodes:
        g.check("tandemadm connect r0")
    for g in nodes:
        tc.wait_proc(g, r"cs:StandAlone", timeout=60)
        assert "split brain detected" in g.check("dmesg")
        # The kernel ran "tandemadm split-brain r0", which ran the
        # handler of the configuration, with the DRBD_* environment.
        g.check("for i in $(seq 50); do test -s /root/handlers.log && "
                "break; sleep 0.2; done")
        assert g.check("cat /root/handlers.log").strip() == \
            "split-brain r0 minor 0", g.name
    survivor = sha(alpha)
    # The victim, in the 8.3 form; then the survivor.
    bravo.check("tandemadm -- --discard-my-data connect r0")
    alpha.check("tandemadm connect r0")
    for g in nodes:
        tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                     timeout=120)
        tc.wait_proc(g, r"oos:0\b")
    assert sha(bravo) == survivor


def test_events_saw_every_change(nodes):
    alpha, bravo = nodes
    log = alpha.check("cat /root/events.log")
    for pattern in (r"^create resource name:r0\b",
                    r"^create device name:r0 minor:0",
                    r"^change device name:r0 .*disk:UpToDate",
                    r"^change connection name:r0 .*connection:Connected",
                    r"^change connection name:r0 .*connection:StandAlone",
                    r"^change resource name:r0 .*role:Primary",
                    r"^change resource name:r0 .*role:Secondary",
                    r"^change peer-device name:r0 .*replication:SyncSource"):
        assert re.search(pattern, log, re.M), (pattern, log[-3000:])
    assert "role:Primary" in bravo.check("cat /root/events.log")


def test_down(nodes):
    for g in nodes:
        g.check("tandemadm down r0", timeout=60)
        assert g.check("tandemadm cstate r0").strip() == "Unconfigured"
        assert not re.search(r"^\s*0: cs:", tc.proc(g), re.M)
