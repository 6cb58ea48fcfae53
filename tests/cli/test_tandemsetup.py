# SPDX-License-Identifier: GPL-2.0
"""tandemsetup on the host, without the kernel module: help text, usage
errors (exit 20, nothing sent) and the "module not loaded" path (exit 30)
of every verb. Formats of status/show/events are covered by
tests/unit/test_setup_args.c, which feeds replies built like the kernel's."""
import os
import re
import subprocess

import pytest

NO_MODULE = ('tandem kernel module not loaded '
             '(no generic netlink family "tandem")')

# One well-formed command line per verb.
GOOD = {
    "new-resource": ["r0", "0", "--auto-promote=no"],
    "resource-options": ["r0", "--auto-promote=yes"],
    "del-resource": ["r0"],
    "new-minor": ["r0", "0", "0"],
    "del-minor": ["0"],
    "attach": ["0", "/dev/vdb", "internal", "internal", "--resync-rate=10M"],
    "detach": ["0"],
    "disk-options": ["0", "--c-plan-ahead=20", "--disk-flushes=no"],
    "resync-rate": ["0", "100M"],
    "connect": ["r0", "1", "192.0.2.1:7789", "192.0.2.2:7789",
                "--protocol=C", "--shared-secret=x", "--discard-my-data"],
    "disconnect": ["r0", "1"],
    "net-options": ["r0", "1", "--protocol=A", "--sndbuf-size=1M"],
    "primary": ["r0", "--force"],
    "secondary": ["r0"],
    "invalidate": ["0"],
    "invalidate-remote": ["0"],
    "pause-sync": ["0", "1"],
    "verify": ["0", "1", "2048"],
    "resume-sync": ["0", "1"],
    "outdate": ["0"],
    "resize": ["0", "--size=10G"],
    "down": ["r0"],
    "status": ["r0", "--json", "--verbose"],
    "show": [],
    "events": ["--now"],
}

ADDR_CONNECT = ["connect", "r0", "1"]

# (arguments, text the message must contain)
USAGE_ERRORS = [
    (["connect", "r0", "1", "192.0.2.1:7789"], "missing argument PEER_ADDR"),
    (["new-minor", "r0", "0"], "missing argument VOLUME"),
    (["primary"], "missing argument RES"),
    (["down", "r0", "extra"], "unexpected argument 'extra'"),
    (ADDR_CONNECT + ["192.0.2.1", "192.0.2.2:7789"],
     "LOCAL_ADDR: '192.0.2.1': missing port"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:0"],
     "PEER_ADDR: '192.0.2.2:0': port 0 is out of range"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:65536"],
     "port 65536 is out of range"),
    (ADDR_CONNECT + ["192.0.2.300:7789", "192.0.2.2:7789"],
     "not a numeric IPv4 address"),
    (ADDR_CONNECT + ["alpha:7789", "192.0.2.2:7789"],
     "not a numeric IPv4 address"),
    (ADDR_CONNECT + ["2001:db8::1:7789", "192.0.2.2:7789"], "in brackets"),
    (ADDR_CONNECT + ["[2001:db8::1]", "[2001:db8::2]:7789"], "missing port"),
    (ADDR_CONNECT + ["sdp:192.0.2.1:7789", "192.0.2.2:7789"],
     "unsupported address family 'sdp'"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "[::1]:7789"],
     "different address families"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789", "--bogus=1"],
     "unknown option '--bogus'"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789", "--protocol=D"],
     "--protocol: 'D' is not a replication protocol (expected A, B or C)"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789", "--timeout=ten"],
     "--timeout: 'ten' is not a number"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789",
                     "--max-buffers=4294967296"],
     "--max-buffers: '4294967296' is out of range"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789",
                     "--sndbuf-size=4G"], "--sndbuf-size: '4G' is out of range"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789",
                     "--rcvbuf-size=1T"], "suffix K, M or G"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789",
                     "--allow-two-primaries=maybe"], "neither yes nor no"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789", "--timeout"],
     "--timeout: missing value"),
    (ADDR_CONNECT + ["192.0.2.1:7789", "192.0.2.2:7789",
                     "--resync-rate=1M"],
     "option '--resync-rate' does not apply to connect"),
    (["connect", "r0", "32", "192.0.2.1:7789", "192.0.2.2:7789"],
     "PEER_NODE_ID: '32' is out of range (0 .. 31)"),
    (["attach", "0", "/dev/vdb", "internal", "0"], "META_INDEX"),
    (["attach", "0", "/dev/vdb", "/dev/vdc", "internal"], "META_INDEX"),
    (["attach", "0", "/dev/vdb", "/dev/vdc", "-1"], "META_INDEX"),
    (["attach", "0", "vdb", "internal", "internal"],
     "BACKING_DEV: 'vdb' is not an absolute path"),
    (["attach", "0", "/dev/vdb", "internal", "internal",
      "--on-io-error=panic"], "--on-io-error: 'panic'"),
    (["resync-rate", "0", "fast"], "RATE: 'fast' is not a number"),
    (["new-minor", "r0", "1048576", "0"], "MINOR: '1048576' is out of range"),
    (["new-resource", "a b", "0"], "RES: resource name 'a b'"),
    (["new-resource", "r0", "0", "--protocol=C"],
     "option '--protocol' does not apply to new-resource"),
    (["secondary", "r0", "--force"], "does not apply to secondary"),
    (["status", "--now"], "does not apply to status"),
    (["resize", "0", "--size=5001"], "not a positive multiple of 4 KiB"),
    (["resize", "0", "--size=6K"], "not a positive multiple of 4 KiB"),
    (["resize", "0", "--size=0"], "not a positive multiple of 4 KiB"),
    (["resize", "0", "--size=1X"], "suffix K, M, G or T"),
    (["resize", "0", "--size"], "--size: missing value"),
    (["attach", "0", "/dev/vdb", "internal", "internal", "--size=1G"],
     "option '--size' does not apply to attach"),
]


@pytest.fixture(scope="module")
def tandemsetup(utils_dir):
    path = os.path.join(utils_dir, "tandemsetup")
    assert os.access(path, os.X_OK), f"{path} not built (make utils)"
    return path


def run(tandemsetup, *args):
    return subprocess.run([tandemsetup, *args], capture_output=True,
                          text=True, timeout=30)


def help_verbs(text):
    """Verb names listed in the Verbs: section of --help."""
    section = text.split("\nVerbs:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  ([a-z][a-z-]*)", section, re.M)


def test_help_lists_every_verb_option_and_exit_code(tandemsetup):
    r = run(tandemsetup, "--help")
    assert r.returncode == 0, r.stderr
    verbs = help_verbs(r.stdout)
    assert sorted(verbs) == sorted(GOOD), "verbs of --help vs this test"
    for opt in ("protocol", "transport", "allow-two-primaries",
                "cram-hmac-alg", "shared-secret", "data-integrity-alg",
                "timeout", "connect-int", "ping-int", "ping-timeout",
                "ko-count", "sndbuf-size", "rcvbuf-size", "max-buffers",
                "max-epoch-size", "resync-rate", "c-plan-ahead",
                "c-fill-target", "c-delay-target", "c-max-rate",
                "c-min-rate", "al-extents", "on-io-error", "disk-barrier",
                "disk-flushes", "md-flushes", "auto-promote", "force",
                "discard-my-data", "json", "verbose", "now"):
        assert f"--{opt}" in r.stdout, opt
    exits = r.stdout.split("Exit status:\n", 1)[1]
    for code in ("0", "10", "11", "20", "30"):
        assert re.search(rf"^  {code} ", exits, re.M), code
    assert "not loaded" in exits


@pytest.mark.parametrize("verb", sorted(GOOD))
def test_verb_help(tandemsetup, verb):
    r = run(tandemsetup, verb, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: tandemsetup {verb}")
    assert "Exit status:" in r.stdout
    # help wins over errors on the same line, and sends nothing
    r = run(tandemsetup, verb, "--bogus", "--help")
    assert r.returncode == 0 and NO_MODULE not in r.stderr


def test_version(tandemsetup):
    r = run(tandemsetup, "--version")
    assert r.returncode == 0
    assert re.search(r"^TANDEMSETUP_VERSION=\d+\.\d+\.\d+$", r.stdout, re.M)
    assert re.search(r"^TANDEMSETUP_API_VERSION=\d+$", r.stdout, re.M)


def test_no_verb_is_usage_error(tandemsetup):
    r = run(tandemsetup)
    assert r.returncode == 20
    assert "usage: tandemsetup" in r.stderr


def test_unknown_verb(tandemsetup):
    r = run(tandemsetup, "frobnicate", "r0")
    assert r.returncode == 20
    assert "unknown verb 'frobnicate'" in r.stderr


@pytest.mark.parametrize("args,message", USAGE_ERRORS,
                         ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_error(tandemsetup, args, message):
    r = run(tandemsetup, *args)
    assert r.returncode == 20, (r.stdout, r.stderr)
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"tandemsetup: {args[0]}: "), r.stderr
    assert message in first, r.stderr
    # validated before any netlink: the module's absence is not reported
    assert NO_MODULE not in r.stderr
    assert f"usage: tandemsetup {args[0]}" in r.stderr
    assert r.stdout == ""


@pytest.mark.skipif(os.path.exists("/sys/module/tandem"),
                    reason="the tandem module is loaded on this machine")
@pytest.mark.parametrize("verb", sorted(GOOD))
def test_module_not_loaded(tandemsetup, verb):
    r = run(tandemsetup, verb, *GOOD[verb])
    assert r.returncode == 30, (r.stdout, r.stderr)
    assert r.stderr == f"tandemsetup: {verb}: {NO_MODULE}\n"
    assert r.stdout == ""


@pytest.mark.skipif(os.path.exists("/sys/module/tandem"),
                    reason="the tandem module is loaded on this machine")
@pytest.mark.parametrize("args", [
    ["connect", "r0", "1", "[2001:db8::1]:7789", "ipv6:[2001:db8::2]:7789"],
    ["connect", "r0", "1", "ipv4:192.0.2.1:7789", "192.0.2.2:7789",
     "--protocol", "B", "--transport", "rdma", "--allow-two-primaries"],
    ["attach", "0", "/dev/vdb", "/dev/vdc", "flexible"],
    ["attach", "0", "/dev/vdb", "/dev/vdc", "3", "--c-fill-target=1M"],
    ["primary", "--force=yes", "r0"],
    ["primary", "--", "r0"],
    ["events", "r0"],
], ids=lambda a: " ".join(a))
def test_other_forms_reach_netlink(tandemsetup, args):
    r = run(tandemsetup, *args)
    assert r.returncode == 30, (r.stdout, r.stderr)
    assert NO_MODULE in r.stderr
