#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make demo: two nodes replicating a file system, and a failover.

alpha and bravo boot under QEMU and get tandem installed and the demo
configuration (docs/examples/tandem.conf) as /etc/tandem.conf. Then, with
tandemadm only: create-md and up on both, primary --force on alpha, the
initial sync with its progress in /proc/tandem, a file system made and
written on alpha; alpha crashes (QEMU killed), bravo becomes Primary and
reads the same files. Each step prints the node and the command it runs,
then the output. The consoles stay in the work folder printed at the start.
"""
import os
import re
import sys
import tempfile
import time

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
        with open(os.path.join(tandemvm.ROOT, "docs", "examples",
                               "tandem.conf")) as f:
            conf = f.read()
        for g in guests:
            step(g, "make -s -C %s install" % tandemvm.ROOT, timeout=300)
            g.check("cat > /etc/tandem.conf <<'EOF'\n%sEOF" % conf)
            step(g, "tandemadm create-md r0")
            step(g, "tandemadm up r0")
        for g in guests:
            step(g, "tandemadm wait-connect --timeout=60 r0", timeout=90)
        step(alpha, "tandemadm primary --force r0")
        # The initial sync, as /proc/tandem shows it.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            text = bravo.check("cat /proc/tandem")
            if "sync'ed" in text:
                step(bravo, "cat /proc/tandem")
            if re.search(r"ds:UpToDate/UpToDate", text):
                break
            time.sleep(1)
        step(alpha, "cat /proc/tandem")
        step(alpha, "tandemadm status r0")
        step(alpha, "mkfs.ext4 -q -L demo /dev/tandem0", timeout=180)
        step(alpha, "mkdir -p /mnt/demo && mount /dev/tandem0 /mnt/demo")
        step(alpha, "tandemadm overview")
        step(alpha, "for i in 1 2 3; do echo \"file $i written on $(hostname) "
                    "at $(date +%T)\" > /mnt/demo/file$i.txt; done; "
                    "cp /etc/tandem.conf /mnt/demo/; sync; ls -l /mnt/demo")
        print("demo: alpha crashes now (its QEMU is killed)")
        alpha.kill()
        deadline = time.monotonic() + 60     # ping-int 1, ping-timeout 0.5 s
        while (bravo.check("tandemadm cstate r0").strip() == "Connected" and
               time.monotonic() < deadline):
            time.sleep(1)
        step(bravo, "cat /proc/tandem")
        step(bravo, "tandemadm primary r0")
        step(bravo, "mkdir -p /mnt/demo && mount /dev/tandem0 /mnt/demo")
        print("demo: the files, read on bravo after the failover:")
        step(bravo, "ls -l /mnt/demo && cat /mnt/demo/file*.txt && "
                    "sha256sum /mnt/demo/tandem.conf /etc/tandem.conf")
        step(bravo, "umount /mnt/demo")
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
