#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make demo: boot alpha and bravo, install tandem in both, show it.

Each step prints the node and the command it runs, then the output.
The guests are powered off at the end; their consoles stay in the
work folder printed at the start.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tandemvm  # noqa: E402


def step(g, cmd, timeout=120):
    print("%s# %s" % (g.name, cmd))
    out = g.check(cmd, timeout=timeout)
    if out.strip():
        print("  " + out.rstrip().replace("\n", "\n  "))


def main():
    workdir = tempfile.mkdtemp(prefix="tandem-demo-")
    print("demo: booting alpha and bravo under QEMU (work folder %s)" % workdir)
    guests = tandemvm.make_pair(workdir, disks=[("data", 64)])
    try:
        for g in guests:
            g.launch()
        for g in guests:
            g.wait_ready()
        alpha, bravo = guests
        for g in guests:
            step(g, "make -s -C %s install" % tandemvm.ROOT, timeout=300)
            step(g, "modprobe tandem")
            step(g, "echo 'create tcp' > /sys/kernel/debug/tandem/transports")
            step(g, "cat /proc/tandem")
            step(g, "tandemadm --version")
        step(alpha, "ping -c 2 -M do -s 8972 bravo")
        for g in guests:
            g.check_console()
        print("demo: done, no kernel warnings on either node")
    finally:
        for g in guests:
            g.shutdown()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except tandemvm.VMError as e:
        print("demo failed: %s" % e, file=sys.stderr)
        sys.exit(1)
