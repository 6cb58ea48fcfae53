# SPDX-License-Identifier: GPL-2.0
"""Helpers that drive tandem inside guests with tandemmeta/tandemsetup."""
import re
import threading
import time

import tandemvm

PORT = 7789
IPS = {"alpha": "192.0.2.1", "bravo": "192.0.2.2"}
NODE_IDS = {"alpha": 0, "bravo": 1}


def peer_of(name):
    return "bravo" if name == "alpha" else "alpha"


RDMA_SETUP = ("modprobe crc32_generic && modprobe rdma_rxe && "
              "rdma link add rxe0 type rxe netdev eth0")


def transport_of(g):
    """The transport a guest's resources use ("tcp" unless set)."""
    return getattr(g, "transport", "tcp")


def net_transport(g):
    """The tandemsetup option that selects the guest's transport."""
    return "--transport=%s" % transport_of(g)


def setup_fabric(g):
    """For rdma: a soft-RoCE device on eth0, port ACTIVE."""
    if transport_of(g) != "rdma":
        return
    g.check(RDMA_SETUP, timeout=60)
    g.check("for i in $(seq 100); do rdma link show rxe0/1 | "
            "grep -q 'state ACTIVE' && exit 0; sleep 0.2; done; "
            "rdma link show; exit 1", timeout=60)


def install(g, root):
    """Install the utilities in the guest (the modules too, unless it
    booted with them staged), load the core, set up the fabric."""
    if g.moddir == g.kernel.moddir:
        g.check("make -s -C %s install" % root, timeout=300)
    else:
        g.check("make -s -C %s install-utils" % root, timeout=120)
    g.check("modprobe tandem")
    setup_fabric(g)


def create_md(g, disk, force=True):
    g.check("tandemmeta %s create-md %s internal --node-id=%d" % (
        "--force" if force else "", disk, NODE_IDS[g.name]))


def up(g, res="r0", minor=0, disk="/dev/vda", port=PORT, net="",
       create=True, disk_opts=""):
    """new-resource + new-minor + attach + connect, like `tandemadm up`."""
    me, peer = g.name, peer_of(g.name)
    if create:
        create_md(g, disk)
    g.check("tandemsetup new-resource %s %d" % (res, NODE_IDS[me]))
    g.check("tandemsetup new-minor %s %d 0" % (res, minor))
    g.check("tandemsetup attach %d %s internal internal %s" % (
        minor, disk, disk_opts))
    g.check("tandemsetup connect %s %d %s:%d %s:%d --connect-int=1 %s %s" % (
        res, NODE_IDS[peer], IPS[me], port, IPS[peer], port,
        net_transport(g), net))


def proc(g):
    return g.check("cat /proc/tandem")


def minor_block(text, minor=0):
    """The lines of /proc/tandem that belong to one minor."""
    lines = text.splitlines()
    out, on = [], False
    for line in lines:
        if re.match(r"^\s*%d: cs:" % minor, line):
            on = True
        elif re.match(r"^\s*\d+: cs:", line):
            on = False
        if on:
            out.append(line)
    return "\n".join(out)


def wait_proc(g, pattern, timeout=120, minor=0):
    """Poll /proc/tandem until the minor's block matches a regex."""
    deadline = time.monotonic() + timeout
    block = ""
    while time.monotonic() < deadline:
        block = minor_block(proc(g), minor)
        if re.search(pattern, block):
            return block
        time.sleep(0.5)
    raise AssertionError("%s: /proc/tandem never matched %r; last:\n%s\n"
                         "dmesg tail:\n%s" % (
                             g.name, pattern, block,
                             g.run("dmesg | tail -30").out))


def counters(block):
    """ns/nr/dw/... of a /proc/tandem block as a dict of ints."""
    return {k: int(v) for k, v in re.findall(r"\b([a-z]{2,3}):(\d+)\b", block)}


def sha_of_device(g, dev, mib, timeout=300):
    """sha256 of the first @mib MiB of @dev in guest @g (O_DIRECT)."""
    return g.check("dd if=%s bs=1M count=%d iflag=direct status=none | "
                   "sha256sum" % (dev, mib), timeout=timeout).split()[0]


def check_data_areas_identical(alpha, bravo, disk="/dev/vda", min_mib=32):
    """Assert that both backing disks hold the same data area: as many
    MiB as /dev/tandem0 has on alpha (at least @min_mib)."""
    mib = int(alpha.check("blockdev --getsize64 /dev/tandem0")) >> 20
    assert mib >= min_mib, "/dev/tandem0 is only %d MiB" % mib
    a = sha_of_device(alpha, disk, mib)
    b = sha_of_device(bravo, disk, mib)
    assert a == b, "backing data areas differ"


def unload(g):
    """Remove the transports that are loaded, then the core."""
    g.check("for m in tandem_transport_tcp tandem_transport_rdma; do "
            "if test -d /sys/module/$m; then modprobe -r $m || exit 1; fi; "
            "done; modprobe -r tandem", timeout=60)


def down(g, res="r0"):
    g.check("tandemsetup down %s" % res, timeout=60)


def on_each(guests, fn):
    """fn(g) for every guest at the same time (each has its own agent
    channel); the first exception is raised once all are done."""
    errors = []

    def one(g):
        try:
            fn(g)
        except BaseException as e:     # re-raised in the caller
            errors.append(e)

    threads = [threading.Thread(target=one, args=(g,)) for g in guests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def boot_installed_pair(kernel, workdir, root, disks, transport="tcp"):
    """alpha and bravo booted together, tandem installed and loaded; their
    resources use @transport (rdma: over soft-RoCE on eth0)."""
    guests = tandemvm.make_pair(workdir, kernel=kernel, disks=disks,
                                staged=True)
    for g in guests:
        g.transport = transport
    try:
        for g in guests:
            g.launch()
        for g in guests:
            g.wait_ready()
        on_each(guests, lambda g: install(g, root))
    except BaseException:
        for g in guests:
            g.kill()
        raise
    return guests


DM_DISK = "/dev/mapper/tdisk"


def dm_disk(g, modules="dm-mod"):
    """/dev/mapper/tdisk: a linear map of /dev/vda whose table a test
    swaps (error, delay, flakey) to make the backing disk misbehave."""
    g.check("modprobe -a %s && dmsetup create --noudevsync tdisk "
            "--table \"0 $(blockdev --getsz /dev/vda) linear /dev/vda 0\""
            " && dmsetup mknodes" % modules)
    return DM_DISK


def finish_pair(guests):
    """Power both off, then fail on any kernel complaint in either log."""
    for g in guests:
        g.shutdown()
    for g in guests:
        g.check_console()
