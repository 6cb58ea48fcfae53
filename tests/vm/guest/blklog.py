#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Logged block writes for the VM tests, run inside a guest.

  blklog.py write DEV FIRST COUNT LOG   O_DIRECT|O_SYNC writes of random
                                        4 KiB blocks FIRST.. of DEV; each
                                        one that succeeds is appended to
                                        LOG as "BLOCK SHA256"; prints
                                        fails=N (the writes that failed)
  blklog.py check DEV LOG               reads every block LOG names
                                        (O_DIRECT; the last line of a
                                        block counts) and prints
                                        n=BLOCKS bad=MISMATCHES
  blklog.py ranges DEV FILE             O_DIRECT writes of random data,
                                        one per line "SECTOR COUNT" of
                                        FILE (512-byte sectors), in
                                        order; stops at the first error
                                        (exit 1); prints writes=N

One process for the whole run: under emulation a process per block
costs more than the I/O."""
import hashlib
import mmap
import os
import sys

BLOCK = 4096


def write(dev, first, count, log):
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT | os.O_SYNC)
    buf = mmap.mmap(-1, BLOCK)      # page aligned, as O_DIRECT wants
    fails = 0
    with open(log, "a") as lf:
        for blk in range(first, first + count):
            data = os.urandom(BLOCK)
            buf.seek(0)
            buf.write(data)
            try:
                os.pwrite(fd, buf, blk * BLOCK)
            except OSError:
                fails += 1
                continue
            lf.write("%d %s\n" % (blk, hashlib.sha256(data).hexdigest()))
            lf.flush()
    os.close(fd)
    print("fails=%d" % fails)


def check(dev, log):
    want = {}
    with open(log) as lf:
        for line in lf:
            blk, digest = line.split()
            want[int(blk)] = digest
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    buf = mmap.mmap(-1, BLOCK)
    bad = 0
    for blk, digest in sorted(want.items()):
        try:
            got = os.preadv(fd, [buf], blk * BLOCK)
        except OSError:
            got = -1
        if got != BLOCK or hashlib.sha256(buf[:]).hexdigest() != digest:
            bad += 1
    os.close(fd)
    print("n=%d bad=%d" % (len(want), bad))


def ranges(dev, path):
    with open(path) as f:
        writes = [tuple(map(int, line.split())) for line in f
                  if line.strip()]
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
    buf = mmap.mmap(-1, max([n for _, n in writes] + [1]) * 512)
    for sector, n in writes:
        buf.seek(0)
        buf.write(os.urandom(n * 512))
        if os.pwrite(fd, memoryview(buf)[:n * 512], sector * 512) != n * 512:
            print("short write at sector %d" % sector)
            return 1
    os.close(fd)
    print("writes=%d" % len(writes))
    return 0


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "ranges":
        return ranges(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
