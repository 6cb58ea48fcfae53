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
                 "internal", "PATH[N]"):
        assert word in r.stdout
    for code in ("0", "10", "20", "30", "40"):
        assert f"\n  {code:>2}  " in r.stdout
    for cmd in ("create-md", "dump-md", "wipe-md", "show-gi", "outdate"):
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
        for cmd in ("dump-md", "wipe-md", "create-md"):
            r = run(cmd, loopdev, "internal", check=EX_IO)
            assert "in use" in r.stderr
    finally:
        os.close(fd)
    run("wipe-md", loopdev, "internal", check=EX_OK)
