# SPDX-License-Identifier: GPL-2.0
"""tandemmeta on sparse regular files: create, dump, wipe, show-gi and
outdate for internal, flexible and indexed metadata, refusals and errors.

The layout arithmetic and the superblock format are recomputed here
independently of kernel/lib/md_layout.c (a search instead of its closed
form, Python's struct instead of its encoder), so that the tool is checked
against docs/METADATA.md rather than against itself."""
import json
import os
import shutil
import struct
import subprocess

import pytest

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
TiB = 1024 * GiB
BLK = 4096
SLOT = 128 * MiB
BITS = 8 * BLK          # data blocks one bitmap block covers
AL_BLOCKS = 8           # 32 KiB activity log
MAGIC = 0x54414E444D443031

EX_OK, EX_NO_MD, EX_USAGE, EX_IO, EX_REFUSED = 0, 10, 20, 30, 40

# flags
CONSISTENT, WAS_UP_TO_DATE, AL_CLEAN, OUTDATED = 1, 2, 16, 64


@pytest.fixture(scope="session")
def tool(utils_dir):
    path = os.path.join(utils_dir, "tandemmeta")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} not built (make utils)")
    return path


@pytest.fixture
def run(tool):
    def _run(*args, check=None, cwd=None):
        r = subprocess.run([tool, *map(str, args)], capture_output=True,
                           text=True, timeout=120, cwd=cwd)
        if check is not None:
            assert r.returncode == check, (
                f"tandemmeta {' '.join(map(str, args))}: exit {r.returncode}, "
                f"want {check}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
        return r
    return _run


def sparse(path, size):
    with open(path, "wb") as f:
        f.truncate(size)
    return str(path)


# ---- the format, independently -----------------------------------------

def crc32c(data, crc=0xFFFFFFFF):
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32c_reference():
    assert crc32c(b"123456789") == 0xE3069283


SB_HEAD = struct.Struct(">QIIIIIIIIQQ4Q6QII")
PEER = struct.Struct(">IIQ16x")
HEAD_FIELDS = ("magic version sb_bytes checksum flags kind node_id max_peers "
               "al_extents device_uuid current_uuid h0 h1 h2 h3 data_sect "
               "md_size_sect al_offset_sect al_size_sect bm_offset_sect "
               "bm_slot_sect bm_block_bytes al_extent_bytes").split()
assert SB_HEAD.size == 144


def read_block(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        block = f.read(BLK)
    assert len(block) == BLK
    return block


def parse_sb(block):
    sb = dict(zip(HEAD_FIELDS, SB_HEAD.unpack_from(block, 0)))
    sb["history"] = [sb.pop(f"h{i}") for i in range(4)]
    sb["peers"] = [PEER.unpack_from(block, 144 + 32 * i) for i in range(31)]
    return sb


def write_sb(path, offset, block):
    """Write @block with a correct checksum (the field counted as zero)."""
    block = bytearray(block)
    block[16:20] = b"\0\0\0\0"
    struct.pack_into(">I", block, 16, crc32c(bytes(block)))
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(block)


def ceil_div(a, b):
    return -(-a // b)


def internal_layout(disk_bytes, peers):
    """Largest data area (whole 4 KiB) such that data, a bitmap per peer
    covering it, the AL and the superblock fit; found by bisection."""
    total = disk_bytes // BLK

    def fits(n):
        return n + peers * ceil_div(n, BITS) + AL_BLOCKS + 1 <= total

    lo, hi = 0, total
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    data = lo
    md = total - data
    return dict(data_sect=data * 8, md_size_sect=md * 8,
                bm_offset_sect=0, bm_slot_sect=ceil_div(data, BITS) * 8,
                al_offset_sect=(md - 9) * 8, al_size_sect=64,
                md_offset=data * BLK, sb_offset=(total - 1) * BLK)


def external_layout(disk_bytes, area_bytes, area_offset):
    data = disk_bytes // BLK
    md = area_bytes // BLK
    return dict(data_sect=data * 8, md_size_sect=md * 8,
                bm_offset_sect=0, bm_slot_sect=ceil_div(data, BITS) * 8,
                al_offset_sect=(md - 9) * 8, al_size_sect=64,
                md_offset=area_offset,
                sb_offset=area_offset + md * BLK - BLK)


def dump_json(run, disk, meta):
    r = run("dump-md", "--json", disk, meta, check=EX_OK)
    return json.loads(r.stdout)


def dump_text(run, disk, meta):
    r = run("dump-md", disk, meta, check=EX_OK)
    out = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition(": ")
        out[key] = value
    return out


def check_dump(run, disk, meta, want, kind, peers=1, node_id=0):
    d = dump_json(run, disk, meta)
    for key, value in want.items():
        assert d[key] == value, key
    assert d["kind"] == kind
    assert d["max_peers"] == peers
    assert d["node_id"] == node_id
    assert d["al_extents"] == 1237
    assert d["version"] == 1
    assert d["sb_bytes"] == 4096
    assert d["bm_block_bytes"] == 4096
    assert d["al_extent_bytes"] == 4 * MiB
    assert d["flags"] == ["AL_CLEAN"]
    assert d["disk_state"] == "Inconsistent"
    assert d["current_uuid"] == "0" * 16
    assert d["history"] == ["0" * 16] * 4
    assert d["peers"] == []
    assert d["device_uuid"] != "0" * 16

    # the bytes on disk say the same, big-endian, with a valid CRC32C
    area_dev = disk if kind == "internal" else meta.split("[")[0]
    block = read_block(area_dev, want["sb_offset"])
    sb = parse_sb(block)
    assert sb["magic"] == MAGIC
    assert block[:8] == b"TANDMD01"
    for key in ("data_sect", "md_size_sect", "al_offset_sect",
                "al_size_sect", "bm_offset_sect", "bm_slot_sect"):
        assert sb[key] == want[key], key
    assert sb["kind"] == {"internal": 0, "flexible": 1, "indexed": 2}[kind]
    assert sb["flags"] == AL_CLEAN
    assert "%016X" % sb["device_uuid"] == d["device_uuid"]
    assert "0x%08X" % sb["checksum"] == d["checksum"]
    zeroed = block[:16] + b"\0\0\0\0" + block[20:]
    assert crc32c(zeroed) == sb["checksum"]
    assert all(p[0] == 0xFFFFFFFF for p in sb["peers"])
    assert not any(block[1136:])

    # text form: the same values
    t = dump_text(run, disk, meta)
    assert t["data_sect"].split()[0] == str(want["data_sect"])
    assert t["bm_slot_sect"].split()[0] == str(want["bm_slot_sect"])
    assert t["kind"] == kind
    assert t["flags"] == "0x00000010 (AL_CLEAN)"
    assert t["device_uuid"] == d["device_uuid"]
    assert t["magic"].startswith("0x54414E444D443031")
    return d


# ---- create / dump / wipe per placement ---------------------------------

@pytest.mark.parametrize("size,peers", [
    (1 * GiB, 1),
    (1 * GiB + 1234, 1),
    (3 * GiB + 5 * BLK, 7),
    ((256 + 1 + 9) * BLK, 1),            # the smallest that works
    ((BITS + 2 + 9) * BLK + 2 * BLK, 2),  # room that cannot become data
    (10 * TiB + 512, 31),
])
def test_internal_create_dump_wipe(run, tmp_path, size, peers):
    disk = sparse(tmp_path / "disk", size)
    r = run("create-md", f"--max-peers={peers}", disk, "internal",
            check=EX_OK)
    want = internal_layout(size, peers)
    assert f"data: {want['data_sect'] * 512} bytes" in r.stdout
    assert "remain for data" in r.stdout
    check_dump(run, disk, "internal", want, "internal", peers)

    run("wipe-md", disk, "internal", check=EX_OK)
    assert not any(read_block(disk, want["sb_offset"]))
    r = run("dump-md", disk, "internal", check=EX_NO_MD)
    assert "bad magic" in r.stderr


def test_internal_data_area_arithmetic(run, tmp_path):
    """Block by block across a bitmap-block edge, the data area grows by
    one block except where another bitmap block per peer is needed."""
    base = (BITS + 9) * BLK
    for extra in range(0, 5):
        disk = sparse(tmp_path / f"d{extra}", base + extra * BLK)
        run("create-md", "--max-peers=2", disk, "internal", check=EX_OK)
        d = dump_json(run, disk, "internal")
        want = internal_layout(base + extra * BLK, 2)
        assert d["data_sect"] == want["data_sect"]
        assert d["md_size_sect"] + d["data_sect"] == (base // BLK + extra) * 8
        assert d["bm_slot_sect"] * 512 * 8 * BLK >= d["data_sect"] * 512


@pytest.mark.parametrize("disk_size,meta_size,peers", [
    (10 * GiB, 1 * MiB, 1),
    (10 * GiB + 3000, 400 * KiB, 1),
    (1 * MiB, 40 * KiB, 1),
    (2 * TiB, 3 * GiB + 100, 31),
])
def test_flexible_create_dump_wipe(run, tmp_path, disk_size, meta_size,
                                   peers):
    disk = sparse(tmp_path / "disk", disk_size)
    meta = sparse(tmp_path / "meta", meta_size)
    r = run("create-md", "--max-peers", peers, disk, meta, check=EX_OK)
    assert f"all of {disk}" in r.stdout
    want = external_layout(disk_size, meta_size, 0)
    check_dump(run, disk, meta, want, "flexible", peers)
    run("wipe-md", disk, meta, check=EX_OK)
    run("dump-md", disk, meta, check=EX_NO_MD)


def test_indexed_create_dump_wipe(run, tmp_path):
    disk = sparse(tmp_path / "disk", 20 * GiB)
    meta = sparse(tmp_path / "meta", 3 * SLOT)
    # what the other slots hold must survive
    marks = {0: b"slot0 data", 1: b"slot1 data"}
    with open(meta, "r+b") as f:
        for i, m in marks.items():
            f.seek(i * SLOT + SLOT - BLK)
            f.write(m)
            f.seek(i * SLOT)
            f.write(m)
    r = run("create-md", "--node-id=3", disk, f"{meta}[2]", check=EX_OK)
    assert f"at byte {2 * SLOT} of {meta}" in r.stdout
    want = external_layout(20 * GiB, SLOT, 2 * SLOT)
    assert want["sb_offset"] == 3 * SLOT - BLK
    check_dump(run, disk, f"{meta}[2]", want, "indexed", node_id=3)
    with open(meta, "rb") as f:
        for i, m in marks.items():
            f.seek(i * SLOT + SLOT - BLK)
            assert f.read(len(m)) == m
            f.seek(i * SLOT)
            assert f.read(len(m)) == m
    # slot 0 holds no metadata
    r = run("dump-md", disk, f"{meta}[0]", check=EX_NO_MD)
    assert "bad magic" in r.stderr
    run("wipe-md", disk, f"{meta}[2]", check=EX_OK)
    run("dump-md", disk, f"{meta}[2]", check=EX_NO_MD)


def test_flexible_and_indexed_are_told_apart(run, tmp_path):
    """A 128 MiB meta file: slot 0 and the whole file end at the same
    superblock; the kind stored in it tells which was meant."""
    disk = sparse(tmp_path / "disk", 1 * GiB)
    meta = sparse(tmp_path / "meta", SLOT)
    run("create-md", disk, f"{meta}[0]", check=EX_OK)
    r = run("dump-md", disk, meta, check=EX_NO_MD)
    assert "kind: indexed" in r.stdout
    assert "another placement" in r.stderr


# ---- refusals ---------------------------------------------------------

def test_existing_metadata_needs_force(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    first = dump_json(run, disk, "internal")["device_uuid"]
    r = run("create-md", "--max-peers=2", disk, "internal", check=EX_REFUSED)
    assert "found existing: internal metadata" in r.stderr
    assert first in r.stderr
    assert "--force" in r.stderr
    assert dump_json(run, disk, "internal")["device_uuid"] == first
    run("create-md", "--force", "--max-peers=2", disk, "internal",
        check=EX_OK)
    d = dump_json(run, disk, "internal")
    assert d["device_uuid"] != first
    assert d["max_peers"] == 2


def test_internal_area_not_zero_needs_force(run, tmp_path):
    size = 64 * MiB
    disk = sparse(tmp_path / "disk", size)
    with open(disk, "r+b") as f:
        f.seek(size - 20 * KiB)
        f.write(b"file system data")
    r = run("create-md", disk, "internal", check=EX_REFUSED)
    assert "not all zero" in r.stderr
    assert str(internal_layout(size, 1)["data_sect"] * 512) in r.stderr
    run("dump-md", disk, "internal", check=EX_NO_MD)
    run("create-md", "--force", disk, "internal", check=EX_OK)
    d = dump_json(run, disk, "internal")
    # the bitmap and the AL were zeroed
    with open(disk, "rb") as f:
        f.seek(d["md_offset"])
        assert not any(f.read(d["md_size_sect"] * 512 - BLK))


def test_damaged_metadata_needs_force(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    flip(disk, 1 * GiB - BLK + 100)
    r = run("create-md", disk, "internal", check=EX_REFUSED)
    assert "damaged tandem metadata" in r.stderr
    assert "bad checksum" in r.stderr
    run("create-md", "--force", disk, "internal", check=EX_OK)


def test_wipe_without_metadata_needs_force(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    r = run("wipe-md", disk, "internal", check=EX_REFUSED)
    assert "no valid tandem metadata" in r.stderr
    run("wipe-md", "--force", disk, "internal", check=EX_OK)


# ---- unsuitable devices -----------------------------------------------

def test_disk_too_small(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * MiB)
    r = run("create-md", disk, "internal", check=EX_IO)
    assert "too small" in r.stderr
    assert str((256 + 1 + 9) * BLK) in r.stderr
    meta = sparse(tmp_path / "meta", 1 * MiB)
    small = sparse(tmp_path / "small", 1 * MiB - BLK)
    r = run("create-md", small, meta, check=EX_IO)
    assert "too small" in r.stderr


def test_meta_too_small(run, tmp_path):
    disk = sparse(tmp_path / "disk", 100 * GiB)
    need = (ceil_div(100 * GiB // BLK, BITS) * 2 + 9) * BLK
    meta = sparse(tmp_path / "meta", need - BLK)
    r = run("create-md", "--max-peers=2", disk, meta, check=EX_IO)
    assert "meta device too small" in r.stderr
    assert str(need) in r.stderr
    os.truncate(meta, need)
    run("create-md", "--max-peers=2", disk, meta, check=EX_OK)


def test_index_beyond_end(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    meta = sparse(tmp_path / "meta", 2 * SLOT + 10 * MiB)
    r = run("create-md", disk, f"{meta}[2]", check=EX_IO)
    assert "beyond the end" in r.stderr
    assert "2 slot(s)" in r.stderr
    r = run("dump-md", disk, f"{meta}[7]", check=EX_NO_MD)
    assert "beyond the end" in r.stderr
    run("create-md", disk, f"{meta}[1]", check=EX_OK)


def test_slot_too_small_for_disk(run, tmp_path):
    disk = sparse(tmp_path / "disk", 5 * TiB)
    meta = sparse(tmp_path / "meta", SLOT)
    r = run("create-md", "--max-peers=2", disk, f"{meta}[0]", check=EX_IO)
    assert "128 MiB index slot" in r.stderr
    # with one peer a slot serves 32759 bitmap blocks: just under 4 TiB
    run("create-md", "--max-peers=1", disk, f"{meta}[0]", check=EX_IO)
    os.truncate(disk, 4 * TiB - 64 * GiB)
    run("create-md", "--max-peers=1", disk, f"{meta}[0]", check=EX_OK)


def test_missing_device(run, tmp_path):
    r = run("dump-md", tmp_path / "nope", "internal", check=EX_IO)
    assert "No such file" in r.stderr


def test_same_device_for_disk_and_meta(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    r = run("create-md", disk, disk, check=EX_USAGE)
    assert "same device" in r.stderr


# ---- corruption -------------------------------------------------------

def flip(path, offset, mask=0x01):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ mask]))


@pytest.mark.parametrize("where", [20, 95, 144, 1500, 4095])
def test_flipped_byte_is_bad_checksum(run, tmp_path, where):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    flip(disk, 1 * GiB - BLK + where)
    for cmd in ("dump-md", "show-gi", "outdate"):
        r = run(cmd, disk, "internal", check=EX_NO_MD)
        assert "bad checksum" in r.stderr, cmd
        assert str(1 * GiB - BLK) in r.stderr
    r = run("dump-md", "--json", disk, "internal", check=EX_NO_MD)
    assert r.stdout == ""


@pytest.mark.parametrize("where,reason", [
    (0, "bad magic"), (7, "bad magic"),
    (8, "unknown metadata format version"), (11, "version"),
    (12, "sb_bytes"), (15, "sb_bytes"),
])
def test_flipped_header_byte(run, tmp_path, where, reason):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    meta = sparse(tmp_path / "meta", 1 * MiB)
    run("create-md", disk, meta, check=EX_OK)
    flip(meta, 1 * MiB - BLK + where, 0x80)
    r = run("dump-md", disk, meta, check=EX_NO_MD)
    assert reason in r.stderr


def test_inconsistent_fields_with_good_checksum(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    off = 1 * GiB - BLK
    block = bytearray(read_block(disk, off))
    struct.pack_into(">I", block, 32, 0)       # max_peers 0
    write_sb(disk, off, block)
    r = run("dump-md", disk, "internal", check=EX_NO_MD)
    assert "max-peers" in r.stderr
    block = bytearray(read_block(disk, off))
    struct.pack_into(">I", block, 32, 1)
    struct.pack_into(">Q", block, 128, 0)      # bm_slot_sect 0
    write_sb(disk, off, block)
    r = run("dump-md", disk, "internal", check=EX_NO_MD)
    assert "bitmap" in r.stderr


def test_devices_changed_since_create(run, tmp_path):
    disk = sparse(tmp_path / "disk", 2 * GiB)
    meta = sparse(tmp_path / "meta", 1 * MiB)
    run("create-md", disk, meta, check=EX_OK)
    os.truncate(disk, 1 * GiB)
    r = run("dump-md", disk, meta, check=EX_NO_MD)
    assert "data_sect: 4194304" in r.stdout      # still dumped
    assert "data area larger than the backing device" in r.stderr
    r = run("outdate", disk, meta, check=EX_NO_MD)
    os.truncate(disk, 4 * GiB)                   # grown: fine
    run("dump-md", disk, meta, check=EX_OK)


# ---- generation identifiers and outdate -------------------------------

def set_fields(path, off, flags=None, current=None, history=None, peer=None):
    block = bytearray(read_block(path, off))
    if flags is not None:
        struct.pack_into(">I", block, 20, flags)
    if current is not None:
        struct.pack_into(">Q", block, 48, current)
    if history is not None:
        struct.pack_into(">4Q", block, 56, *history)
    if peer is not None:
        slot, node, pflags, uuid = peer
        struct.pack_into(">IIQ", block, 144 + 32 * slot, node, pflags, uuid)
    write_sb(path, off, block)


def test_show_gi(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", "--max-peers=2", "--node-id=0", disk, "internal",
        check=EX_OK)
    r = run("show-gi", disk, "internal", check=EX_OK)
    assert "current: 0000000000000000" in r.stdout
    assert "Inconsistent" in r.stdout
    off = 1 * GiB - BLK
    set_fields(disk, off, flags=CONSISTENT | WAS_UP_TO_DATE | AL_CLEAN,
               current=0xA1B2C3D4E5F60718, history=[1, 2, 3, 4],
               peer=(1, 7, 1, 0xDEADBEEF00000001))
    r = run("show-gi", disk, "internal", check=EX_OK)
    assert "current: A1B2C3D4E5F60718" in r.stdout
    assert "bitmap[node 7]: DEADBEEF00000001" in r.stdout
    assert ("history: 0000000000000001 0000000000000002 0000000000000003 "
            "0000000000000004") in r.stdout
    assert "disk_state: UpToDate" in r.stdout
    g = json.loads(run("show-gi", "--json", disk, "internal",
                       check=EX_OK).stdout)
    assert g["current_uuid"] == "A1B2C3D4E5F60718"
    assert g["peers"] == [{"slot": 1, "node_id": 7,
                           "flags": ["CONNECTED_ONCE"],
                           "bitmap_uuid": "DEADBEEF00000001"}]
    d = dump_json(run, disk, "internal")
    assert d["flags"] == ["CONSISTENT", "WAS_UP_TO_DATE", "AL_CLEAN"]
    assert d["peers"][0]["node_id"] == 7
    t = run("dump-md", disk, "internal", check=EX_OK).stdout
    assert ("peer[1]: node_id 7, flags CONNECTED_ONCE, "
            "bitmap_uuid DEADBEEF00000001") in t


def test_outdate(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    meta = sparse(tmp_path / "meta", 2 * SLOT)
    run("create-md", disk, f"{meta}[1]", check=EX_OK)
    # a fresh disk is Inconsistent: outdate leaves it alone
    r = run("outdate", disk, f"{meta}[1]", check=EX_OK)
    assert "Inconsistent" in r.stdout
    assert dump_json(run, disk, f"{meta}[1]")["flags"] == ["AL_CLEAN"]
    off = 2 * SLOT - BLK
    set_fields(meta, off, flags=CONSISTENT | WAS_UP_TO_DATE | AL_CLEAN)
    assert dump_json(run, disk, f"{meta}[1]")["disk_state"] == "UpToDate"
    r = run("outdate", disk, f"{meta}[1]", check=EX_OK)
    assert "Outdated" in r.stdout
    d = dump_json(run, disk, f"{meta}[1]")
    assert d["flags"] == ["CONSISTENT", "AL_CLEAN", "OUTDATED"]
    assert d["disk_state"] == "Outdated"
    sb = parse_sb(read_block(meta, off))
    assert sb["flags"] == CONSISTENT | AL_CLEAN | OUTDATED
    r = run("outdate", disk, f"{meta}[1]", check=EX_OK)
    assert "already Outdated" in r.stdout


# ---- activity log and bitmaps -----------------------------------------
#
# The AL ring is written here by a Python model of the module's writer
# (format of kernel/lib/al.h, encoded with struct, not with al.c), and the
# ring tandemmeta writes back is checked by a Python replay.

AL_MAGIC = 0x544E414C           # "TNAL"
AL_HEAD = struct.Struct(">IIQIHHII")
AL_MAX_UPDATES = 64
AL_CTX_OFFSET = 32 + 8 * AL_MAX_UPDATES
NO_EXTENT = 0xFFFFFFFF
EXTENT_BITS = 4 * MiB // BLK    # bitmap bits per AL extent
assert AL_HEAD.size == 32


def al_ctx_per_block(nr):
    return min(ceil_div(nr, AL_BLOCKS - 1), nr)


def al_block(seq, table, updates, ctx_start):
    """One transaction block; returns it and where the next window
    starts."""
    nr = len(table)
    n_ctx = al_ctx_per_block(nr)
    b = bytearray(BLK)
    AL_HEAD.pack_into(b, 0, AL_MAGIC, 0, seq, nr, len(updates), n_ctx,
                      ctx_start, 0)
    for i, (slot, extent) in enumerate(updates):
        struct.pack_into(">II", b, 32 + 8 * i, slot, extent)
    for i in range(n_ctx):
        struct.pack_into(">I", b, AL_CTX_OFFSET + 4 * i,
                         table[(ctx_start + i) % nr])
    struct.pack_into(">I", b, 4, crc32c(bytes(b)))
    return bytes(b), (ctx_start + n_ctx) % nr


class AlWriter:
    """The module's writer: transaction s goes to ring block (s-1) % 8,
    each carrying its updates and the next window of the table."""

    def __init__(self, nr, seq=0, ring=None):
        self.table = [NO_EXTENT] * nr
        self.seq = seq
        self.ctx = 0
        self.ring = list(ring) if ring else [bytes(BLK)] * AL_BLOCKS

    def commit(self, *updates):
        for slot, extent in updates:
            self.table[slot] = extent
        self.seq += 1
        block, self.ctx = al_block(self.seq, self.table, updates, self.ctx)
        self.ring[(self.seq - 1) % AL_BLOCKS] = block

    def active(self):
        return sorted(e for e in self.table if e != NO_EXTENT)

    def store(self, path, al_off):
        with open(path, "r+b") as f:
            f.seek(al_off)
            f.write(b"".join(self.ring))


def al_parse(block):
    """The header of a valid block, or None."""
    magic, csum, seq, nr, n_upd, n_ctx, ctx_start, _ = \
        AL_HEAD.unpack_from(block, 0)
    if magic != AL_MAGIC or not seq:
        return None
    if crc32c(block[:4] + b"\0\0\0\0" + block[8:]) != csum:
        return None
    if not 7 <= nr <= 6144 or n_upd > AL_MAX_UPDATES or \
            n_ctx != al_ctx_per_block(nr) or ctx_start >= nr:
        return None
    return dict(seq=seq, nr=nr, n_upd=n_upd, n_ctx=n_ctx,
                ctx_start=ctx_start)


def al_replay(ring):
    """(valid blocks, newest seq, set of extents) of a ring, by the rules
    of al.h."""
    blocks = [(al_parse(b), b) for b in ring]
    blocks = [(h, b) for h, b in blocks if h]
    if not blocks:
        return 0, 0, set()
    newest = max(blocks, key=lambda hb: hb[0]["seq"])[0]
    blocks = sorted((hb for hb in blocks if hb[0]["nr"] == newest["nr"]),
                    key=lambda hb: hb[0]["seq"])
    table = [NO_EXTENT] * newest["nr"]
    for h, b in blocks:
        for i in range(h["n_ctx"]):
            table[(h["ctx_start"] + i) % h["nr"]] = struct.unpack_from(
                ">I", b, AL_CTX_OFFSET + 4 * i)[0]
        for i in range(h["n_upd"]):
            slot, extent = struct.unpack_from(">II", b, 32 + 8 * i)
            table[slot] = extent
    return len(blocks), newest["seq"], {e for e in table if e != NO_EXTENT}


def read_bytes(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(length)
    assert len(data) == length
    return data


def set_bits(buf, first, end):
    for bit in range(first, end):
        buf[bit // 8] |= 1 << (bit % 8)


def popcount(buf):
    return sum(bin(b).count("1") for b in buf)


class Area:
    """Where things are in a metadata area, from dump-md --json."""

    def __init__(self, run, disk, meta):
        self.disk, self.meta = disk, meta
        self.dev = disk if meta == "internal" else meta.split("[")[0]
        d = dump_json(run, disk, meta)
        self.d = d
        self.sb_off = d["sb_offset"]
        self.al_off = d["md_offset"] + d["al_offset_sect"] * 512
        self.slot_bytes = d["bm_slot_sect"] * 512
        self.bm_bits = ceil_div(d["data_sect"], 8)
        self.al_extents = d["al_extents"]

    def slot_off(self, i):
        return (self.d["md_offset"] + self.d["bm_offset_sect"] * 512 +
                i * self.slot_bytes)

    def slot(self, i):
        return read_bytes(self.dev, self.slot_off(i), self.slot_bytes)

    def ring(self):
        data = read_bytes(self.dev, self.al_off, AL_BLOCKS * BLK)
        return [data[i * BLK:(i + 1) * BLK] for i in range(AL_BLOCKS)]

    def crash(self, flags=CONSISTENT | WAS_UP_TO_DATE, peers=()):
        """Flags without AL_CLEAN, and @peers = [(slot, node_id)] in use."""
        block = bytearray(read_block(self.dev, self.sb_off))
        struct.pack_into(">I", block, 20, flags)
        for slot, node in peers:
            struct.pack_into(">IIQ", block, 144 + 32 * slot, node, 1,
                             0xC0FFEE0000000000 + node)
        write_sb(self.dev, self.sb_off, block)

    def all_bytes(self):
        return read_bytes(self.dev, self.d["md_offset"],
                          self.d["md_size_sect"] * 512)


PLACEMENTS = {
    "internal": lambda tmp: (sparse(tmp / "disk", 1 * GiB), "internal"),
    "flexible": lambda tmp: (sparse(tmp / "disk", 1 * GiB),
                             sparse(tmp / "meta", 1 * MiB)),
    "indexed": lambda tmp: (sparse(tmp / "disk", 1 * GiB),
                            sparse(tmp / "meta", 2 * SLOT) + "[1]"),
}


def expected_slot(area, extents, before=b""):
    want = bytearray(area.slot_bytes)
    want[:len(before)] = before
    for e in extents:
        set_bits(want, e * EXTENT_BITS, min((e + 1) * EXTENT_BITS,
                                            area.bm_bits))
    return bytes(want)


@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
def test_apply_al(run, tmp_path, placement):
    disk, meta = PLACEMENTS[placement](tmp_path)
    run("create-md", "--max-peers=3", "--node-id=2", disk, meta, check=EX_OK)
    area = Area(run, disk, meta)
    assert area.al_extents == 1237
    # 1 GiB of data (a little less when internal): the last extent is
    # partial when internal; 300 lies beyond the data
    last = (area.bm_bits - 1) // EXTENT_BITS
    assert last == 255
    final = [0, 3, 31, 32, 100, last, 300]

    # slots 0 (node 1) and 2 (node 5) in use, slot 1 free
    area.crash(peers=[(0, 1), (2, 5)])
    # bits already set in slot 0: inside extent 3, and elsewhere
    before = bytearray(area.slot_bytes)
    before[3 * EXTENT_BITS // 8] = 0xFF
    set_bits(before, 50000, 50001)
    with open(area.dev, "r+b") as f:
        f.seek(area.slot_off(0))
        f.write(before)

    # 14 transactions: extents come and go, the ring wraps
    w = AlWriter(area.al_extents)
    for k in range(8):
        w.commit((k, 700 + k))                  # extents that leave again
    w.commit(*[(k, NO_EXTENT) for k in range(8)])
    w.commit((5, 0), (17, 3), (600, 31))
    w.commit((1236, 32), (2, 999))
    w.commit((2, 100))                          # 999 evicted by 100
    w.commit((9, last), (10, 300))
    w.commit()                                  # only the window moves
    assert w.seq == 14
    assert w.active() == sorted(final)
    w.store(area.dev, area.al_off)
    assert al_replay(area.ring()) == (8, 14, set(final))

    # dump-md shows what a replay will do
    t = run("dump-md", disk, meta, check=EX_OK).stdout
    assert "al: 8 transactions, 7 active extents (needs replay)\n" in t
    assert [line.split(": ")[1] for line in t.splitlines()
            if line.startswith("al-extent: ")] == \
        [str(e) for e in sorted(final)]
    assert "bitmap[node 1]: 9 bits set, 36 KiB out of sync\n" in t
    assert "bitmap[node 5]: 0 bits set, 0 KiB out of sync\n" in t
    assert "peer[0]: node_id 1, flags CONNECTED_ONCE, bitmap_uuid " \
        "C0FFEE0000000001\n" in t
    d = dump_json(run, disk, meta)
    assert d["al"] == {"clean": False, "transactions": 8, "active": 7,
                       "max_seq": 14, "extents": sorted(final)}
    assert [(p["slot"], p["node_id"], p["bits_set"], p["out_of_sync_kib"])
            for p in d["peers"]] == [(0, 1, 9, 36), (2, 5, 0, 0)]
    sb_before = parse_sb(read_block(area.dev, area.sb_off))

    r = run("apply-al", disk, meta, check=EX_OK)
    in_data = [e for e in final if e * EXTENT_BITS < area.bm_bits]
    total = sum(min((e + 1) * EXTENT_BITS, area.bm_bits) - e * EXTENT_BITS
                for e in in_data)
    assert total == 5 * 1024 + (area.bm_bits - last * EXTENT_BITS)
    assert r.stdout == (
        "apply-al: activity log: 8 transactions, 7 active extents\n"
        f"apply-al: marked {(total - 8) * 4} KiB out of sync towards node 1 "
        "(bitmap slot 0)\n"
        f"apply-al: marked {total * 4} KiB out of sync towards node 5 "
        "(bitmap slot 2)\n"
        "apply-al: activity log rewritten empty; AL_CLEAN set\n")

    # exactly the bits of the extents in the data, and those set before
    assert area.slot(0) == expected_slot(area, in_data, before)
    assert area.slot(2) == expected_slot(area, in_data)
    assert not any(area.slot(1))

    # the superblock: AL_CLEAN added, nothing else changed
    sb = parse_sb(read_block(area.dev, area.sb_off))
    assert sb["flags"] == CONSISTENT | WAS_UP_TO_DATE | AL_CLEAN
    for key in sb:
        if key not in ("flags", "checksum"):
            assert sb[key] == sb_before[key], key

    # the ring: eight empty transactions numbered on, in the module's order
    ring = area.ring()
    heads = [al_parse(b) for b in ring]
    assert all(heads)
    assert [h["seq"] for h in heads] == [17, 18, 19, 20, 21, 22, 15, 16]
    ctx = 0
    for seq in range(15, 23):
        h = heads[(seq - 1) % AL_BLOCKS]
        assert h["nr"] == 1237 and h["n_upd"] == 0
        assert h["ctx_start"] == ctx
        ctx = (ctx + h["n_ctx"]) % 1237
    assert ring[0] == al_block(17, [NO_EXTENT] * 1237, (),
                               2 * al_ctx_per_block(1237))[0]
    assert al_replay(ring) == (8, 22, set())

    t = run("dump-md", disk, meta, check=EX_OK).stdout
    assert "al: clean\n" in t and "al-extent" not in t
    assert f"bitmap[node 1]: {total + 1} bits set, {(total + 1) * 4} KiB " \
        "out of sync\n" in t
    assert f"bitmap[node 5]: {total} bits set" in t
    d = dump_json(run, disk, meta)
    assert d["al"] == {"clean": True, "transactions": 8, "active": 0,
                       "max_seq": 22, "extents": []}
    assert [p["bits_set"] for p in d["peers"]] == [total + 1, total]

    # a second run has nothing to do and writes nothing
    image = area.all_bytes()
    r = run("apply-al", disk, meta, check=EX_OK)
    assert r.stdout == ("apply-al: the activity log is clean (AL_CLEAN "
                        "set): nothing to replay\n")
    assert area.all_bytes() == image


@pytest.mark.parametrize("spoil", ["torn", "magic", "zero"])
def test_apply_al_ignores_invalid_newest_block(run, tmp_path, spoil):
    """The newest transaction did not reach the disk whole: what it would
    have admitted was never written, so only the table before it counts."""
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    area = Area(run, disk, "internal")
    area.crash(peers=[(0, 3)])
    w = AlWriter(area.al_extents)
    for k in range(10):
        w.commit((k, 10 * k))
    before = set(w.active())
    w.commit((3, 77))                           # 30 evicted by 77
    newest = bytearray(w.ring[(w.seq - 1) % AL_BLOCKS])
    if spoil == "torn":
        newest[2000] ^= 0x40
    elif spoil == "magic":
        struct.pack_into(">I", newest, 0, AL_MAGIC ^ 1)
        struct.pack_into(">I", newest, 4, 0)
        struct.pack_into(">I", newest, 4, crc32c(bytes(newest)))
    else:
        newest = bytearray(BLK)
    w.ring[(w.seq - 1) % AL_BLOCKS] = bytes(newest)
    w.store(area.dev, area.al_off)

    d = dump_json(run, disk, "internal")
    assert d["al"]["transactions"] == 7
    assert d["al"]["max_seq"] == 10
    assert set(d["al"]["extents"]) == before
    r = run("apply-al", disk, "internal", check=EX_OK)
    assert "7 transactions, 10 active extents" in r.stdout
    assert area.slot(0) == expected_slot(area, before)
    assert 77 not in before and 30 in before
    # numbered on after the newest valid transaction
    assert al_replay(area.ring()) == (8, 18, set())


def test_apply_al_ignores_older_blocks_of_another_size(run, tmp_path):
    """Blocks left from an attach with another al-extents are older than
    the newest and do not count, whatever they name."""
    disk = sparse(tmp_path / "disk", 1 * GiB)
    meta = sparse(tmp_path / "meta", 1 * MiB)
    run("create-md", "--al-extents=64", disk, meta, check=EX_OK)
    area = Area(run, disk, meta)
    area.crash(peers=[(0, 4)])
    old = AlWriter(1237)
    for k in range(8):
        old.commit((k, 200 + k))
    w = AlWriter(64, seq=old.seq, ring=old.ring)
    w.commit((0, 5))
    w.commit((1, 6), (2, 7))
    w.store(area.dev, area.al_off)
    assert al_replay(area.ring()) == (2, 10, {5, 6, 7})

    assert dump_json(run, disk, meta)["al"]["extents"] == [5, 6, 7]
    run("apply-al", disk, meta, check=EX_OK)
    assert area.slot(0) == expected_slot(area, [5, 6, 7])
    ring = area.ring()
    assert {al_parse(b)["nr"] for b in ring} == {64}
    assert al_replay(ring) == (8, 18, set())


def test_apply_al_empty_ring_no_peers(run, tmp_path):
    """Not clean, but the ring was never written and no peer slot is in
    use: nothing to mark; the ring is written and AL_CLEAN set."""
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    area = Area(run, disk, "internal")
    area.crash(flags=0)
    t = run("dump-md", disk, "internal", check=EX_OK).stdout
    assert "al: 0 transactions, 0 active extents (needs replay)\n" in t
    r = run("apply-al", disk, "internal", check=EX_OK)
    assert r.stdout == (
        "apply-al: activity log: 0 transactions, 0 active extents\n"
        "apply-al: no peer slot in use: no bitmap to mark\n"
        "apply-al: activity log rewritten empty; AL_CLEAN set\n")
    assert al_replay(area.ring()) == (8, 8, set())
    assert parse_sb(read_block(disk, area.sb_off))["flags"] == AL_CLEAN
    assert not any(area.slot(0))


def test_dump_md_many_al_extents(run, tmp_path):
    disk = sparse(tmp_path / "disk", 1 * GiB)
    run("create-md", disk, "internal", check=EX_OK)
    area = Area(run, disk, "internal")
    area.crash()
    w = AlWriter(area.al_extents)
    extents = list(range(500, 400, -1))         # 100, not in slot order
    for i in range(0, 100, 25):
        w.commit(*[(1000 - j, extents[j]) for j in range(i, i + 25)])
    w.store(area.dev, area.al_off)
    t = run("dump-md", disk, "internal", check=EX_OK).stdout
    lines = [line for line in t.splitlines()
             if line.startswith(("al:", "al-extent:"))]
    assert lines[0] == "al: 4 transactions, 100 active extents (needs replay)"
    assert lines[1:65] == [f"al-extent: {e}" for e in range(401, 465)]
    assert lines[65:] == ["al-extent: ... (36 more)"]
    d = dump_json(run, disk, "internal")
    assert d["al"]["extents"] == list(range(401, 501))
    assert d["al"]["active"] == 100


def test_dump_md_counts_bitmap_bits(run, tmp_path):
    """Bits beyond the data area (padding of the last bitmap block) are
    not counted; a sparse file's holes count as zero."""
    disk = sparse(tmp_path / "disk", 10 * GiB)
    meta = sparse(tmp_path / "meta", 4 * MiB)
    run("create-md", "--max-peers=2", disk, meta, check=EX_OK)
    area = Area(run, disk, meta)
    area.crash(peers=[(1, 9)])
    bits = area.bm_bits
    assert bits == 10 * GiB // BLK
    with open(meta, "r+b") as f:
        f.seek(area.slot_off(1))
        f.write(b"\x01")                        # bit 0
        f.seek(area.slot_off(1) + 20 * BLK + 17)
        f.write(b"\xF0\x0F")                    # 8 bits, far in
        f.seek(area.slot_off(1) + bits // 8 - 1)
        f.write(b"\x80")                        # the last bit of the data
        f.seek(area.slot_off(0))
        f.write(b"\xFF")                        # slot 0 is not in use
    assert area.slot_bytes == bits // 8        # no padding at 10 GiB
    d = dump_json(run, disk, meta)
    assert [(p["slot"], p["bits_set"]) for p in d["peers"]] == [(1, 10)]


def test_apply_al_errors(run, tmp_path):
    r = run("apply-al", tmp_path / "nope", "internal", check=EX_IO)
    assert "No such file" in r.stderr
    disk = sparse(tmp_path / "disk", 1 * GiB)
    r = run("apply-al", disk, "internal", check=EX_NO_MD)
    assert "bad magic" in r.stderr
    assert not any(read_bytes(disk, 1 * GiB - 64 * KiB, 64 * KiB))
    run("create-md", disk, "internal", check=EX_OK)
    area = Area(run, disk, "internal")
    area.crash()
    flip(disk, area.sb_off + 300)
    r = run("apply-al", disk, "internal", check=EX_NO_MD)
    assert "bad checksum" in r.stderr
    # metadata that does not fit the devices is not touched
    meta = sparse(tmp_path / "meta", 1 * MiB)
    run("create-md", disk, meta, check=EX_OK)
    ext = Area(run, disk, meta)
    ext.crash()
    image = ext.all_bytes()
    os.truncate(disk, 512 * MiB)
    r = run("apply-al", disk, meta, check=EX_NO_MD)
    assert "does not fit" in r.stderr
    assert ext.all_bytes() == image


# ---- command line -----------------------------------------------------

@pytest.mark.parametrize("args", [
    [],
    ["frobnicate", "a", "b"],
    ["dump-md"],
    ["dump-md", "disk"],
    ["dump-md", "disk", "internal", "extra"],
    ["dump-md", "--bogus", "disk", "internal"],
    ["dump-md", "-x", "disk", "internal"],
    ["dump-md", "--force", "disk", "internal"],
    ["wipe-md", "--json", "disk", "internal"],
    ["apply-al", "--json", "disk", "internal"],
    ["apply-al", "--force", "disk", "internal"],
    ["apply-al", "disk"],
    ["create-md", "--max-peers=0", "disk", "internal"],
    ["create-md", "--max-peers=32", "disk", "internal"],
    ["create-md", "--node-id=32", "disk", "internal"],
    ["create-md", "--node-id=-1", "disk", "internal"],
    ["create-md", "--al-extents=6", "disk", "internal"],
    ["create-md", "--al-extents=1x", "disk", "internal"],
    ["create-md", "disk", "internal", "--node-id"],
    ["dump-md", "disk", "meta[x]"],
    ["dump-md", "disk", "[3]"],
    ["dump-md", "disk", "meta[]"],
    ["dump-md", "disk", ""],
])
def test_usage_errors(run, tmp_path, args):
    sparse(tmp_path / "disk", 1 * GiB)
    r = run(*args, check=EX_USAGE, cwd=tmp_path)
    assert r.stderr.startswith("tandemmeta: ")
    assert "usage: tandemmeta" in r.stderr
    assert r.stdout == ""
    # nothing was written
    assert not any(read_block(tmp_path / "disk", 1 * GiB - BLK))


def test_help(run):
    r = run("--help", check=EX_OK)
    assert r.stdout.startswith("usage: tandemmeta")
    for word in ("create-md", "dump-md", "wipe-md", "show-gi", "outdate",
                 "apply-al", "internal", "PATH[N]"):
        assert word in r.stdout
    for code in ("0", "10", "20", "30", "40"):
        assert f"\n  {code:>2}  " in r.stdout
    for cmd in ("create-md", "dump-md", "wipe-md", "show-gi", "outdate",
                "apply-al"):
        r = run(cmd, "--help", check=EX_OK)
        assert r.stdout.startswith(f"usage: tandemmeta {cmd}")
    r = run("create-md", "--help", check=EX_OK)
    assert "--max-peers" in r.stdout and "default 1237" in r.stdout
    r = run("--version", check=EX_OK)
    assert r.stdout.startswith("tandemmeta ")


# ---- block devices ----------------------------------------------------

@pytest.fixture
def loopdev(tmp_path):
    if os.geteuid() != 0 or not shutil.which("losetup"):
        pytest.skip("needs root and losetup")
    img = sparse(tmp_path / "loop.img", 64 * MiB)
    r = subprocess.run(["losetup", "-f", "--show", img], capture_output=True,
                       text=True)
    if r.returncode:
        pytest.skip(f"no loop device: {r.stderr.strip()}")
    dev = r.stdout.strip()
    yield dev
    subprocess.run(["losetup", "-d", dev], check=False)


def test_block_device_in_use_is_refused(run, loopdev):
    run("create-md", loopdev, "internal", check=EX_OK)
    want = internal_layout(64 * MiB, 1)
    assert dump_json(run, loopdev, "internal")["data_sect"] == \
        want["data_sect"]
    fd = os.open(loopdev, os.O_RDONLY | os.O_EXCL)
    try:
        for cmd in ("dump-md", "wipe-md", "create-md", "apply-al"):
            r = run(cmd, loopdev, "internal", check=EX_IO)
            assert "in use" in r.stderr
    finally:
        os.close(fd)
    run("wipe-md", loopdev, "internal", check=EX_OK)


def test_apply_al_block_device(run, loopdev):
    run("create-md", "--max-peers=2", loopdev, "internal", check=EX_OK)
    area = Area(run, loopdev, "internal")
    area.crash(peers=[(1, 6)])
    w = AlWriter(area.al_extents)
    w.commit((0, 2), (1, 9))
    w.store(area.dev, area.al_off)
    d = dump_json(run, loopdev, "internal")
    assert d["al"]["extents"] == [2, 9]
    assert d["peers"][0]["bits_set"] == 0
    fd = os.open(loopdev, os.O_RDONLY | os.O_EXCL)
    try:
        r = run("apply-al", loopdev, "internal", check=EX_IO)
        assert "in use" in r.stderr
    finally:
        os.close(fd)
    r = run("apply-al", loopdev, "internal", check=EX_OK)
    assert "marked 8192 KiB out of sync towards node 6" in r.stdout
    assert area.slot(1) == expected_slot(area, [2, 9])
    d = dump_json(run, loopdev, "internal")
    assert d["al"]["clean"] and d["peers"][0]["bits_set"] == 2048
