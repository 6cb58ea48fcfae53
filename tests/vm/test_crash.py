# SPDX-License-Identifier: GPL-2.0
"""Node crash: a guest killed hard keeps what it wrote with O_DIRECT+fsync."""
import hashlib


def test_kill_and_reboot_keeps_synced_writes(guest):
    g = guest
    dev = g.disk_dev("data")
    # 4 MiB of random data at 8 MiB into the disk, O_DIRECT and fsync'ed.
    g.check("head -c 4M /dev/urandom > /run/blob")
    want = g.check("sha256sum < /run/blob").split()[0]
    g.check("dd if=/run/blob of=%s bs=1M seek=8 oflag=direct conv=fsync "
            "status=none" % dev)

    g.kill()                 # no shutdown, no sync: a crash
    g.start()

    got = g.check("dd if=%s bs=1M skip=8 count=4 iflag=direct status=none | "
                  "sha256sum" % dev).split()[0]
    assert got == want

    # The host-side disk file holds the same bytes.
    with open(g.disk_file("data"), "rb") as f:
        f.seek(8 << 20)
        assert hashlib.sha256(f.read(4 << 20)).hexdigest() == want
    assert g.boots == 2
