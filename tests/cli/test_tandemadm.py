# SPDX-License-Identifier: GPL-2.0
"""tandemadm on the host, no kernel module: the commands it plans (-d),
handlers (they only need /bin/sh), its errors and exit codes, and running
plans against a stand-in tandemsetup that logs its arguments and plays
back `show` and `status --json` output."""
import json
import os
import re
import shlex
import shutil
import stat
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "tests", "unit", "conf")

CONF = """\
global { usage-count no; }
common {
    net { protocol C; after-sb-0pri discard-zero-changes; csums-alg sha1; }
    startup { wfc-timeout 1; }
    handlers {
        split-brain "env | grep -E '^(TANDEM|DRBD)_' | sort > \\"$OUT\\"; exit 7";
    }
}
resource r0 {
    disk { resync-rate 10M; }
    handlers { fence-peer "echo fenced $TANDEM_PEER_ADDRESS > \\"$OUT\\""; }
    on alpha {
        device /dev/tandem0;
        disk /dev/vdb;
        meta-disk internal;
        address 192.0.2.1:7789;
    }
    on bravo {
        device minor 0;
        disk /dev/vdb;
        meta-disk internal;
        address 192.0.2.2:7789;
    }
}
resource r1 {
    on alpha {
        volume 0 { device minor 1; disk /dev/vdc; meta-disk /dev/meta[0]; }
        volume 1 { device minor 2; disk /dev/vdd; meta-disk /dev/meta[1]; }
        address 192.0.2.1:7790;
    }
    on bravo {
        volume 0 { device minor 1; disk /dev/vdc; meta-disk internal; }
        volume 1 { device minor 2; disk /dev/vdd; meta-disk internal; }
        address 192.0.2.2:7790;
    }
}
resource other {
    on charlie { device minor 9; disk /dev/x; meta-disk internal; address 192.0.2.3:1; }
    on delta { device minor 9; disk /dev/x; meta-disk internal; address 192.0.2.4:1; }
}
"""

UP_R0 = """\
tandemsetup new-resource r0 0
tandemsetup new-minor r0 0 0
tandemsetup attach 0 /dev/vdb internal internal --resync-rate=10240
tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 --protocol=C --after-sb-0pri=discard-zero-changes
"""

# A stand-in for tandemsetup/tandemmeta: logs its arguments (one line,
# shell-quoted), prints $FAKE_DIR/show or $FAKE_DIR/status.json for
# show/status (exit 11 when the file is missing), exits $FAKE_RC for the
# verb named in $FAKE_FAIL.
FAKE = r"""#!/bin/sh
for a in "$0" "$@"; do printf "%s " "$a"; done >> "$FAKE_DIR/log"
echo >> "$FAKE_DIR/log"
case "$1" in
show) [ -f "$FAKE_DIR/show" ] || exit 11; cat "$FAKE_DIR/show";;
status) [ -f "$FAKE_DIR/status.json" ] || exit 11; cat "$FAKE_DIR/status.json";;
esac
if [ "$1" = "${FAKE_FAIL:-}" ]; then echo "fake: $1 failed" >&2; exit "$FAKE_RC"; fi
exit 0
"""

SHOW = """\
resource r0 {
    node-id 0;
    options {
        auto-promote no;
    }
    volume 0 {
        device minor 0;
        disk /dev/vdb;
        meta-disk internal;
        disk {
            resync-rate 10240;
            c-plan-ahead 20;
            on-io-error detach;
        }
    }
    connection {
        peer-node-id 1;
        local-address ipv4 192.0.2.1:7789;
        peer-address ipv4 192.0.2.2:7789;
        net {
            protocol %s;
            transport tcp;
            after-sb-0pri discard-zero-changes;
            after-sb-1pri disconnect;
        }
    }
}
"""


def status(cs="Connected", repl="Established", role="Primary",
           peer_role="Secondary", peer_disk="UpToDate", oos=0):
    return json.dumps([{
        "name": "r0", "node-id": 0, "role": role,
        "devices": [{"minor": 0, "volume": 0, "disk": "UpToDate",
                     "size": 1048576}],
        "connections": [{
            "peer-node-id": 1, "connection": cs, "role": peer_role,
            "protocol": "C", "transport": "tcp",
            "peer-devices": [{"minor": 0, "peer-node-id": 1, "volume": 0,
                              "replication": repl,
                              "peer-disk": peer_disk,
                              "out-of-sync": oos}]}]}], indent=2)


@pytest.fixture(scope="session")
def adm(utils_dir):
    path = os.path.join(utils_dir, "tandemadm")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} not built (make -C utils)")
    return path


@pytest.fixture
def conf(tmp_path):
    p = tmp_path / "tandem.conf"
    p.write_text(CONF)
    return str(p)


@pytest.fixture
def fake(tmp_path):
    """Directory with the stand-in tools; environment that selects them."""
    d = tmp_path / "fake"
    d.mkdir()
    for name in ("tandemsetup", "tandemmeta"):
        tool = d / name
        tool.write_text(FAKE)
        tool.chmod(0o755)
    env = {**os.environ, "FAKE_DIR": str(d),
           "TANDEMADM_TANDEMSETUP": str(d / "tandemsetup"),
           "TANDEMADM_TANDEMMETA": str(d / "tandemmeta")}
    env.pop("TANDEM_HOSTNAME", None)
    return d, env


def log_of(d):
    p = d / "log"
    if not p.exists():
        return []
    return [shlex.split(line)[1:] for line in p.read_text().splitlines()]


def run(*args, env=None, **kw):
    """Run a program; by default without TANDEM_HOSTNAME, so that only
    --host names the node."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "TANDEM_HOSTNAME"}
    return subprocess.run([*map(str, args)], capture_output=True, text=True,
                          timeout=60, env=env, **kw)


def dry(adm, conf, host, *args, **kw):
    return run(adm, "-c", conf, "--host", host, "-d", *args, **kw)


# ---- version and help ----------------------------------------------------

def test_version_format(adm):
    r = run(adm, "--version")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"TANDEMADM_VERSION=\d+\.\d+\.\d+", lines[0])
    assert re.fullmatch(r"TANDEMADM_API_VERSION=\d+", lines[1])
    assert re.fullmatch(r"TANDEMADM_PROTO=\d+-\d+", lines[2])
    assert run(adm, "-V").stdout == r.stdout


def test_help_lists_verbs_and_exit_codes(adm):
    r = run(adm, "--help")
    assert r.returncode == 0 and not r.stderr
    verbs = re.findall(r"^  ([a-z][a-z-]*)", r.stdout.split("Verbs:\n")[1]
                       .split("\n\n")[0], re.M)
    for v in ("create-md", "wipe-md", "dump-md", "apply-al", "up", "down",
              "attach", "detach", "connect", "disconnect", "primary",
              "secondary", "adjust", "net-options", "disk-options",
              "verify", "invalidate", "invalidate-remote", "pause-sync",
              "resume-sync", "outdate", "resize", "wait-connect", "status",
              "dump", "cstate", "dstate", "role", "sh-dev", "overview"):
        assert v in verbs, v
    codes = re.findall(r"^  (\d+) ", r.stdout.split("Exit status:\n")[1],
                       re.M)
    assert codes == ["0", "1", "5", "6", "10", "11", "12"]


# ---- plans (-d) -------------------------------------------------------------

def test_up(adm, conf):
    r = dry(adm, conf, "alpha", "up", "r0")
    assert r.returncode == 0, r.stderr
    assert r.stdout == UP_R0
    # csums-alg (from common) is reported, not an error
    assert "net option 'csums-alg' is not supported yet, ignored" in r.stderr


def test_up_other_node_and_hostname_sources(adm, conf):
    want = ("tandemsetup new-resource r0 1\n"
            "tandemsetup new-minor r0 0 0\n"
            "tandemsetup attach 0 /dev/vdb internal internal "
            "--resync-rate=10240\n"
            "tandemsetup connect r0 0 192.0.2.2:7789 192.0.2.1:7789 "
            "--protocol=C --after-sb-0pri=discard-zero-changes\n")
    assert dry(adm, conf, "bravo", "up", "r0").stdout == want
    r = run(adm, "-c", conf, "-d", "up", "r0",
            env={**os.environ, "TANDEM_HOSTNAME": "bravo"})
    assert r.stdout == want
    # --host wins over the environment
    r = run(adm, "-c", conf, "--host=alpha", "-d", "up", "r0",
            env={**os.environ, "TANDEM_HOSTNAME": "bravo"})
    assert r.stdout == UP_R0


def test_up_all_and_volumes(adm, conf):
    r = dry(adm, conf, "alpha", "up", "all")
    assert r.returncode == 0, r.stderr
    assert r.stdout == UP_R0 + (
        "tandemsetup new-resource r1 0\n"
        "tandemsetup new-minor r1 1 0\n"
        "tandemsetup attach 1 /dev/vdc /dev/meta 0\n"
        "tandemsetup new-minor r1 2 1\n"
        "tandemsetup attach 2 /dev/vdd /dev/meta 1\n"
        "tandemsetup connect r1 1 192.0.2.1:7790 192.0.2.2:7790 "
        "--protocol=C --after-sb-0pri=discard-zero-changes\n")
    # the warning comes once for both resources
    assert r.stderr.count("csums-alg") == 1, r.stderr


def test_down(adm, conf):
    r = dry(adm, conf, "alpha", "down", "all")
    assert r.returncode == 0
    assert r.stdout == "tandemsetup down r0\ntandemsetup down r1\n"


def test_create_md(adm, conf):
    r = dry(adm, conf, "alpha", "create-md", "r0", "r1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "tandemmeta create-md /dev/vdb internal --node-id=0\n"
        "tandemmeta create-md /dev/vdc '/dev/meta[0]' --node-id=0\n"
        "tandemmeta create-md /dev/vdd '/dev/meta[1]' --node-id=0\n")
    r = dry(adm, conf, "bravo", "create-md", "--force", "r0")
    assert r.stdout == ("tandemmeta create-md /dev/vdb internal "
                        "--node-id=1 --force\n")


def test_net_options_protocol_a(adm, conf):
    r = dry(adm, conf, "alpha", "net-options", "--protocol=A", "r0")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("tandemsetup net-options r0 1 --protocol=A "
                        "--after-sb-0pri=discard-zero-changes\n")


def test_verify_plan(adm, conf):
    # one request per volume and peer; r1 has two volumes
    r = dry(adm, conf, "alpha", "verify", "all")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("tandemsetup verify 0 1\n"
                        "tandemsetup verify 1 1\n"
                        "tandemsetup verify 2 1\n")
    r = dry(adm, conf, "bravo", "verify", "r0")
    assert (r.returncode, r.stdout) == (0, "tandemsetup verify 0 0\n")


def test_83_forms(adm, conf):
    r = dry(adm, conf, "alpha", "--", "--overwrite-data-of-peer", "primary",
            "r0")
    assert (r.returncode, r.stdout) == (0, "tandemsetup primary r0 --force\n")
    r = dry(adm, conf, "alpha", "--", "-o", "primary", "r0")
    assert r.stdout == "tandemsetup primary r0 --force\n"
    r = dry(adm, conf, "alpha", "primary", "r0", "-o")
    assert r.stdout == "tandemsetup primary r0 --force\n"
    r = dry(adm, conf, "bravo", "--", "--discard-my-data", "connect", "r0")
    assert r.stdout == ("tandemsetup connect r0 0 192.0.2.2:7789 "
                        "192.0.2.1:7789 --protocol=C "
                        "--after-sb-0pri=discard-zero-changes "
                        "--discard-my-data\n")
    assert dry(adm, conf, "bravo", "connect", "--discard-my-data",
               "r0").stdout == r.stdout


def test_resize(adm, conf):
    r = dry(adm, conf, "alpha", "resize", "r0", "r1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("tandemsetup resize 0\n"
                        "tandemsetup resize 1\ntandemsetup resize 2\n")
    r = dry(adm, conf, "alpha", "resize", "--size=10G", "r0")
    assert (r.returncode, r.stdout) == (0, "tandemsetup resize 0 "
                                           "--size=10G\n")
    r = dry(adm, conf, "alpha", "--", "--size=10G", "resize", "r0")
    assert (r.returncode, r.stdout) == (0, "tandemsetup resize 0 "
                                           "--size=10G\n")


def test_dry_run_lines_are_shell(adm, tmp_path):
    conf = tmp_path / "q.conf"
    conf.write_text(
        'resource r { net { shared-secret "it\'s $secret"; } '
        'on a { device minor 0; disk "/dev/disk/by-id/x y"; '
        'meta-disk /dev/m[3]; address 10.0.0.1:1; } '
        'on b { device minor 0; disk /dev/b; meta-disk internal; '
        'address 10.0.0.2:1; } }\n')
    r = dry(adm, conf, "a", "up", "r")
    assert r.returncode == 0, r.stderr
    lines = [shlex.split(line) for line in r.stdout.splitlines()]
    assert lines[2] == ["tandemsetup", "attach", "0", "/dev/disk/by-id/x y",
                        "/dev/m", "3"]
    assert lines[3][-1] == "--shared-secret=it's $secret"
    r = dry(adm, conf, "a", "create-md", "r")
    assert shlex.split(r.stdout) == ["tandemmeta", "create-md",
                                     "/dev/disk/by-id/x y", "/dev/m[3]",
                                     "--node-id=0"]


@pytest.mark.parametrize("verb,want", [
    ("sh-dev", "/dev/tandem1\n/dev/tandem2\n"),
    ("sh-minor", "1\n2\n"),
    ("sh-ll-dev", "/dev/vdc\n/dev/vdd\n"),
    ("sh-md-dev", "/dev/meta\n/dev/meta\n"),
    ("sh-md-idx", "0\n1\n"),
])
def test_sh_verbs(adm, conf, verb, want):
    r = run(adm, "-c", conf, "--host", "alpha", verb, "r1")
    assert (r.returncode, r.stdout, r.stderr) == (0, want, "")


def test_sh_resources(adm, conf):
    r = run(adm, "-c", conf, "--host", "alpha", "sh-resources")
    assert (r.returncode, r.stdout) == (0, "r0 r1\n")


def test_dump_round_trip(adm, conf, tmp_path):
    r = run(adm, "-c", conf, "dump")
    assert r.returncode == 0, r.stderr
    again = tmp_path / "again.conf"
    again.write_text(r.stdout)
    r2 = run(adm, "-c", again, "dump", "all")
    assert (r2.returncode, r2.stdout) == (0, r.stdout)
    r3 = run(adm, "-c", conf, "dump", "r1")
    assert r3.stdout.startswith("resource r1 {") and "r0" not in r3.stdout


@pytest.mark.parametrize("seed,host,res", [
    ("seed001_1.conf", "storage0a.example.org", "r0"),
    ("seed002_1.conf", "test03", "r0"),
    ("seed002_2.conf", "test-vm03.hyperdc.net", "r1"),
    ("include_seed004.conf", "dom0_1", "all"),
])
def test_seed_configs_plan(adm, seed, host, res):
    r = dry(adm, os.path.join(SEEDS, seed), host, "up", res)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("tandemsetup new-resource ")
    assert "tandemsetup connect " in r.stdout


def test_dry_run_of_state_verbs(adm, conf):
    for verb in ("cstate", "dstate", "role", "wait-connect"):
        r = dry(adm, conf, "alpha", verb, "r0")
        assert (r.returncode, r.stdout) == (
            0, "tandemsetup status r0 --json\n"), verb
    r = run(adm, "-d", "status", "--statistics", "r0")
    assert (r.returncode, r.stdout) == (
        0, "tandemsetup status r0 --verbose\n")
    r = run(adm, "-d", "status", "--json")
    assert r.stdout == "tandemsetup status --json\n"


# ---- handlers ----------------------------------------------------------------

def test_handler_runs_with_environment(adm, conf, tmp_path):
    out = tmp_path / "env.out"
    env = {**os.environ, "OUT": str(out), "TANDEM_MINOR": "0",
           "TANDEM_VOLUME": "0", "TANDEM_PEER_NODE_ID": "1",
           "TANDEM_RESOURCE": "r0"}
    env.pop("TANDEM_HOSTNAME", None)
    r = run(adm, "-c", conf, "--host", "alpha", "split-brain", "r0", env=env)
    assert r.returncode == 7, r.stderr       # the handler's exit status
    got = dict(line.split("=", 1) for line in out.read_text().splitlines())
    for prefix in ("TANDEM_", "DRBD_"):
        assert got[prefix + "RESOURCE"] == "r0"
        assert got[prefix + "MINOR"] == "0"
        assert got[prefix + "VOLUME"] == "0"
        assert got[prefix + "PEER_NODE_ID"] == "1"
        assert got[prefix + "CONF"] == os.path.realpath(conf)
        assert got[prefix + "BACKING_DEV"] == "/dev/vdb"
        assert got[prefix + "PEER"] == "bravo"
        assert got[prefix + "PEER_ADDRESS"] == "192.0.2.2"
        assert got[prefix + "PEER_AF"] == "ipv4"


def test_handler_of_the_resource(adm, conf, tmp_path):
    out = tmp_path / "fence.out"
    r = run(adm, "-c", conf, "--host", "bravo", "fence-peer", "r0",
            env={**os.environ, "OUT": str(out)})
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "fenced 192.0.2.1\n"


def test_handler_not_configured(adm, conf):
    r = run(adm, "-c", conf, "--host", "alpha", "local-io-error", "r1")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    # handlers run from the kernel: no section for this host is fine
    r = run(adm, "-c", conf, "--host", "nosuch", "before-resync-target", "r0")
    assert r.returncode == 0, r.stderr


def test_handler_dry_run(adm, conf):
    r = dry(adm, conf, "alpha", "fence-peer", "r0")
    assert r.returncode == 0
    words = shlex.split(r.stdout)
    assert "TANDEM_PEER_ADDRESS=192.0.2.2" in words
    assert words[-3:] == ["/bin/sh", "-c",
                          'echo fenced $TANDEM_PEER_ADDRESS > "$OUT"']


def test_handler_errors(adm, conf):
    r = run(adm, "-c", conf, "split-brain", "nosuch")
    assert r.returncode == 11
    r = run(adm, "-c", conf, "split-brain")
    assert r.returncode == 1


# ---- errors --------------------------------------------------------------------

def test_unknown_resource(adm, conf):
    r = dry(adm, conf, "alpha", "up", "nosuch")
    assert r.returncode == 11
    assert "no resource 'nosuch'" in r.stderr and r.stdout == ""


def test_missing_host_section(adm, conf):
    r = dry(adm, conf, "charlie", "up", "r0")
    assert r.returncode == 10
    assert re.search(r"tandem\.conf:9:10: error: no 'on' section for host "
                     r"'charlie' in resource 'r0'", r.stderr), r.stderr
    # `all` is the resources this host has
    r = dry(adm, conf, "charlie", "up", "all")
    assert r.returncode == 0
    assert r.stdout.startswith("tandemsetup new-resource other 0\n")


def test_bad_config(adm, tmp_path):
    bad = tmp_path / "bad.conf"
    bad.write_text("resource r0 {\n  net {\n    protocl C;\n  }\n}\n")
    r = run(adm, "-c", bad, "--host", "a", "-d", "up", "r0")
    assert r.returncode == 10
    assert f"{bad}:3:5: error: unknown option 'protocl'" in r.stderr, r.stderr
    assert r.stdout == ""
    r = run(adm, "-c", tmp_path / "missing.conf", "-d", "up", "r0")
    assert r.returncode == 10 and "cannot read" in r.stderr


@pytest.mark.parametrize("args,code", [
    (["frobnicate", "r0"], 1),
    (["up"], 1),
    (["secondary", "--force", "r0"], 1),
    (["--force", "primary", "r0"], 1),
    (["net-options", "--resync-rate=1", "r0"], 1),
    (["wait-connect", "--timeout=soon", "r0"], 1),
    (["sh-resources", "r0"], 1),
    (["resize", "--force", "r0"], 1),
    (["resize", "--size", "r0"], 1),
])
def test_usage_errors(adm, conf, args, code):
    r = dry(adm, conf, "alpha", *args)
    assert r.returncode == code, r.stderr
    assert r.stdout == ""


# ---- running plans (stand-in tools) ----------------------------------------------

def test_plan_runs_in_order(adm, conf, fake):
    d, env = fake
    r = run(adm, "-c", conf, "--host", "alpha", "up", "r0", env=env)
    assert r.returncode == 0, r.stderr
    assert log_of(d) == [shlex.split(line)[1:] for line in UP_R0.splitlines()]


def test_plan_stops_at_first_failure(adm, conf, fake):
    d, env = fake
    r = run(adm, "-c", conf, "--host", "alpha", "up", "r0",
            env={**env, "FAKE_FAIL": "attach", "FAKE_RC": "10"})
    assert r.returncode == 10
    assert "fake: attach failed" in r.stderr
    assert [a[0] for a in log_of(d)] == ["new-resource", "new-minor",
                                         "attach"]


def test_meta_commands_use_tandemmeta(adm, conf, fake):
    d, env = fake
    r = run(adm, "-c", conf, "--host", "alpha", "create-md", "--force", "r0",
            env={**env, "FAKE_FAIL": "create-md", "FAKE_RC": "40"})
    assert r.returncode == 40
    line = (d / "log").read_text().split()
    assert line[0].endswith("/tandemmeta") and line[1] == "create-md"


def test_tools_found_next_to_tandemadm(adm, conf, tmp_path, fake):
    d, env = fake
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shutil.copy(adm, bindir / "tandemadm")
    shutil.copy(d / "tandemsetup", bindir / "tandemsetup")
    env = {k: v for k, v in env.items() if not k.startswith("TANDEMADM_")}
    r = run(bindir / "tandemadm", "-c", conf, "--host", "alpha", "down", "r0",
            env=env)
    assert r.returncode == 0, r.stderr
    assert (d / "log").read_text().split()[0] == str(bindir / "tandemsetup")


def test_real_tandemsetup_exit_status_passes_through(adm, conf, utils_dir):
    """The built tandemsetup next to tandemadm refuses a bad rate before
    it would talk to the kernel: its status 20 and message come through."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TANDEMADM_")}
    r = run(adm, "-c", conf, "--host", "alpha", "disk-options",
            "--resync-rate=fast", "r0", env=env)
    assert r.returncode == 20, r.stderr
    assert "tandemsetup: disk-options:" in r.stderr


def test_states(adm, conf, fake):
    d, env = fake
    (d / "status.json").write_text(status(repl="SyncSource",
                                          peer_disk="Inconsistent"))
    base = [adm, "-c", conf, "--host", "alpha"]
    assert run(*base, "cstate", "r0", env=env).stdout == "SyncSource\n"
    assert run(*base, "dstate", "r0", env=env).stdout == \
        "UpToDate/Inconsistent\n"
    assert run(*base, "role", "r0", env=env).stdout == "Primary/Secondary\n"
    assert run(*base, "state", "r0", env=env).stdout == "Primary/Secondary\n"
    (d / "status.json").write_text(status())
    assert run(*base, "cstate", "r0", env=env).stdout == "Connected\n"
    # not up: tandemsetup says 11
    (d / "status.json").unlink()
    r = run(*base, "role", "r0", env=env)
    assert (r.returncode, r.stdout) == (0, "Unconfigured\n")
    (d / "status.json").write_text("[{")
    r = run(*base, "cstate", "r0", env=env)
    assert r.returncode == 12 and "JSON" in r.stderr


def test_wait_connect(adm, conf, fake):
    d, env = fake
    base = [adm, "-c", conf, "--host", "alpha"]
    (d / "status.json").write_text(status())
    assert run(*base, "wait-connect", "r0", env=env).returncode == 0
    (d / "status.json").write_text(status(cs="Connecting"))
    # startup { wfc-timeout 1; } from common; --timeout overrides it
    r = run(*base, "wait-connect", "r0", env=env)
    assert r.returncode == 5 and "not connected after 1 s" in r.stderr
    r = run(*base, "wait-connect", "--timeout=2", "r0", env=env)
    assert r.returncode == 5 and "after 2 s" in r.stderr
    (d / "status.json").unlink()
    r = run(*base, "wait-connect", "r0", env=env)
    assert r.returncode == 11 and "not up" in r.stderr


STARTUP = """\
resource s0 {
    startup { wfc-timeout 4; degr-wfc-timeout 1; %s }
    on alpha { device minor 0; disk /dev/vdb; meta-disk internal;
               address 192.0.2.1:7789; }
    on bravo { device minor 0; disk /dev/vdb; meta-disk internal;
               address 192.0.2.2:7789; }
}
"""


def startup_status(**kw):
    return status(**kw).replace('"r0"', '"s0"')


def test_wait_connect_startup_timeouts(adm, fake, tmp_path):
    d, env = fake
    conf = tmp_path / "s.conf"
    conf.write_text(STARTUP % "")
    base = [adm, "-c", conf, "--host", "alpha"]
    # not degraded: wfc-timeout
    (d / "status.json").write_text(startup_status(cs="Connecting"))
    r = run(*base, "wait-connect", "s0", env=env)
    assert r.returncode == 5 and "not connected after 4 s" in r.stderr
    # holds changes the peer lacks (ran without it): degr-wfc-timeout
    (d / "status.json").write_text(startup_status(cs="Connecting", oos=4))
    r = run(*base, "wait-connect", "s0", env=env)
    assert r.returncode == 5 and "not connected after 1 s" in r.stderr
    # StandAlone (split brain): the wait ends at once...
    (d / "status.json").write_text(startup_status(cs="StandAlone"))
    r = run(*base, "wait-connect", "s0", env=env)
    assert r.returncode == 5 and "StandAlone" in r.stderr, r.stderr
    # ...unless wait-after-sb
    conf.write_text(STARTUP % "wait-after-sb;")
    r = run(*base, "wait-connect", "s0", env=env)
    assert r.returncode == 5 and "not connected after 4 s" in r.stderr


def test_become_primary_on(adm, tmp_path):
    conf = tmp_path / "s.conf"
    for who, alpha, bravo in (("alpha", True, False), ("bravo", False, True),
                              ("both", True, True)):
        conf.write_text(STARTUP % ("become-primary-on %s;" % who))
        for host, want in (("alpha", alpha), ("bravo", bravo)):
            r = dry(adm, conf, host, "sh-b-pri", "s0")
            assert r.returncode == 0, r.stderr
            assert r.stdout == ("tandemsetup primary s0\n" if want
                                else ""), (who, host)
    conf.write_text(STARTUP % "")
    assert dry(adm, conf, "alpha", "sh-b-pri", "all").stdout == ""


def test_status_passes_through(adm, fake):
    d, env = fake
    (d / "status.json").write_text(status())
    r = run(adm, "status", "r0", "--json", env=env)
    assert r.returncode == 0
    assert json.loads(r.stdout)[0]["name"] == "r0"
    assert log_of(d) == [["status", "r0", "--json"]]


def test_adjust(adm, conf, fake):
    d, env = fake
    base = [adm, "-c", conf, "--host", "alpha"]
    # not running: up
    r = run(*base, "-d", "adjust", "r0", env=env)
    assert (r.returncode, r.stdout) == (0, UP_R0), r.stderr
    # net-options --protocol=A earlier: back to C, online, nothing else
    (d / "show").write_text(SHOW % "A")
    (d / "status.json").write_text(status())
    r = run(*base, "-d", "adjust", "r0", env=env)
    assert (r.returncode, r.stdout) == (
        0, "tandemsetup net-options r0 1 --protocol=C\n"), r.stderr
    (d / "log").unlink()
    r = run(*base, "adjust", "r0", env=env)
    assert r.returncode == 0
    assert log_of(d)[-1] == ["net-options", "r0", "1", "--protocol=C"]
    # nothing differs: nothing to do
    (d / "show").write_text(SHOW % "C")
    r = run(*base, "-d", "adjust", "r0", env=env)
    assert (r.returncode, r.stdout) == (0, "")
    # StandAlone (after disconnect, or a split brain): connect
    (d / "status.json").write_text(status(cs="StandAlone", repl="Off"))
    r = run(*base, "-d", "adjust", "r0", env=env)
    assert r.stdout.startswith("tandemsetup connect r0 1 ")
    # output that is not understood
    (d / "show").write_text("resource r0 { node-id 0; frobs 3; }\n")
    r = run(*base, "-d", "adjust", "r0", env=env)
    assert r.returncode == 12 and "'frobs' not understood" in r.stderr


# ---- overview (stand-in tandemsetup, fake /proc/tandem and mount table) ----

PROC = """\
version: 0.1.0 (api:1/proto:1-1)
Transports (api:1): tcp (0.1.0)
 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
    ns:1024 nr:0 dw:1024 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
 1: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
    ns:8152 nr:0 dw:0 dr:8152 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:57344
\t[=>..................] sync'ed: 12.5% (57344/65496)K
\tfinish: 0:00:07 speed: 8,152 (8,152) K/sec
 2: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----
    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
"""

OVERVIEW_STATUS = json.dumps([
    {"name": "r0", "node-id": 0, "role": "Primary",
     "devices": [{"minor": 0, "volume": 0, "disk": "UpToDate"}],
     "connections": []},
    {"name": "r1", "node-id": 0, "role": "Primary",
     "devices": [{"minor": 1, "volume": 0, "disk": "UpToDate"},
                 {"minor": 2, "volume": 1, "disk": "UpToDate"}],
     "connections": []}], indent=2)


@pytest.fixture
def overview(fake, tmp_path):
    """fake plus /proc/tandem and the mount table as files: r0 (minor 0)
    mounted through a symbolic link to /dev/tandem0, r1 with two
    volumes, one of them in a resync. No configuration file."""
    d, env = fake
    (d / "status.json").write_text(OVERVIEW_STATUS)
    proc = tmp_path / "proc-tandem"
    proc.write_text(PROC)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    link = tmp_path / "by-res-r0"
    link.symlink_to("/dev/tandem0")
    mounts = tmp_path / "mounts"
    mounts.write_text(f"proc /proc proc rw 0 0\n"
                      f"/dev/tandem9 /elsewhere ext4 rw 0 0\n"
                      f"{link} {mnt} ext4 rw,relatime 0 0\n")
    env = {**env, "TANDEM_PROC_FILE": str(proc),
           "TANDEM_MOUNTS_FILE": str(mounts)}
    return d, env, proc, mnt


def test_overview(adm, overview):
    d, env, proc, mnt = overview
    r = run(adm, "-c", "/nonexistent/tandem.conf", "overview", env=env)
    assert r.returncode == 0, r.stderr
    assert not r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3, r.stdout
    # the mounted volume: mount point, type and df -h style sizes
    st = os.statvfs(mnt)
    m = re.fullmatch(r"  0:r0 +Connected +Primary/Secondary +"
                     r"UpToDate/UpToDate +C r--- "
                     + re.escape(str(mnt)) + r" +ext4 +(\S+) +(\S+) +(\S+) +"
                     r"(\d+%|-)", lines[0])
    assert m, lines[0]
    for size in m.groups()[:3]:
        assert re.fullmatch(r"\d\.\d[KMGTPE]|\d+[KMGTPE]?", size), size
    if st.f_blocks:
        assert m.group(4).endswith("%")
    # the columns line up; a resync shows its progress at the end
    assert lines[1].startswith("  1:r1/0                 SyncSource ")
    assert lines[1][len(lines[0]):] == (" [=>..................] sync'ed: "
                                        "12.5% (57344/65496)K"), lines[1]
    assert lines[1][:len(lines[0])].rstrip().endswith(" C r---")
    assert re.fullmatch(r"  2:r1/1 +StandAlone +Secondary/Unknown +"
                        r"UpToDate/DUnknown +C r---", lines[2]), lines[2]
    for a, b in zip(lines, lines[1:]):
        assert a.index(" C r---") == b.index(" C r---")
    assert log_of(d) == [["status", "--json"]]


def test_overview_of_a_resource(adm, overview):
    d, env, proc, mnt = overview
    (d / "log").unlink(missing_ok=True)
    r = run(adm, "overview", "r1", env=env)
    assert r.returncode == 0, r.stderr
    assert [line.split()[0] for line in r.stdout.splitlines()] == \
        ["1:r1/0", "2:r1/1"]
    assert run(adm, "overview", "all", env=env).stdout.count("\n") == 3
    # a resource that is not up: the others are shown, exit 11
    r = run(adm, "overview", "r9", "r0", env=env)
    assert r.returncode == 11
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["0:r0"]
    assert "r9 is not up" in r.stderr


def test_overview_without_the_module(adm, overview, tmp_path):
    d, env, proc, mnt = overview
    proc.unlink()
    r = run(adm, "overview", env=env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert log_of(d) == []
    r = run(adm, "overview", "r0", env=env)
    assert r.returncode == 11 and "r0 is not up" in r.stderr


def test_overview_errors(adm, overview):
    d, env, proc, mnt = overview
    proc.write_text("cs:Connected\n")
    r = run(adm, "overview", env=env)
    assert r.returncode == 12 and "version" in r.stderr
    proc.write_text(PROC)
    (d / "status.json").write_text("[{")
    r = run(adm, "overview", env=env)
    assert r.returncode == 12 and "JSON" in r.stderr
    # tandemsetup's own failure comes through
    r = run(adm, "overview", env={**env, "FAKE_FAIL": "status",
                                  "FAKE_RC": "30"})
    assert r.returncode == 30
    r = run(adm, "overview", "--json", env=env)
    assert r.returncode == 1 and "overview does not take --json" in r.stderr


def test_overview_dry_run(adm, overview):
    d, env, proc, mnt = overview
    r = run(adm, "-d", "overview", env=env)
    assert (r.returncode, r.stdout) == (0, "tandemsetup status --json\n")
    assert log_of(d) == []


def test_version_reads_proc_file(adm, overview):
    d, env, proc, mnt = overview
    r = run(adm, "--version", env=env)
    assert r.returncode == 0, r.stderr
    assert "TANDEM_KERNEL_VERSION=0.1.0\n" in r.stdout
    assert "TANDEM_KERNEL_PROTO=1-1\n" in r.stdout
