# SPDX-License-Identifier: GPL-2.0
"""Host side of the tandem VM harness.

Boots Debian's kernel (fetched by `make deps`) under QEMU with the host's
root shared read-only over virtio-9p and a tmpfs overlay on top, so each
guest sees the freshly built tree without copying. Each guest has:

  * a console captured to <workdir>/console.log, scanned for kernel
    BUG/WARNING/Oops/Call Trace/hung task/lockdep/GPF lines;
  * a command agent (guest/agent.py) reached over virtio-serial;
  * file-backed virtio disks that survive a kill and a reboot;
  * optionally a NIC joined to a peer guest's by a pair of UDP sockets on
    127.0.0.1 (192.0.2.0/24 with MTU 9000 in the guests). The harness
    makes the sockets, with 8 MiB buffers, and hands them to QEMU: with the
    host's default buffer (~208 KiB) bursts of soft-RoCE packets were lost
    and rxe stalled on retransmits. TANDEM_VM_LINK=unix uses AF_UNIX
    datagram sockets instead (a full receiver makes the sender wait), which
    once left a guest's transmit queue stuck for good under load; see
    docs/TRANSPORT.md, "soft-RoCE in the harness";
  * a QMP socket, used to cut and restore the link.
"""
import atexit
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GUEST_DIR = os.path.join(ROOT, "tests", "vm", "guest")
CACHE = os.environ.get("TANDEM_CACHE", os.path.join(ROOT, ".cache"))

# Lines that make a test fail when the guest kernel prints them.
KERNEL_ERROR_RE = re.compile(
    r"(\bBUG[: ]|WARNING:|\bOops\b|Call Trace|hung_task|"
    r"blocked for more than \d+ seconds|lockdep|possible circular locking|"
    r"possible recursive locking|general protection|Kernel panic|"
    r"self-detected stall|UBSAN:|KASAN:|refcount_t:|list_(add|del) corruption)")

# The tree's modules, as the top-level Makefile's KMODS lists them.
KMODS = ("kernel/tandem.ko", "transport-tcp/tandem_transport_tcp.ko",
         "transport-rdma/tandem_transport_rdma.ko")

BOOT_TIMEOUT = float(os.environ.get("TANDEM_VM_BOOT_TIMEOUT", "180"))


class VMError(Exception):
    """Any harness failure; the message carries the guest's console tail."""


class GuestCommandError(VMError):
    pass


class GuestKernelError(VMError):
    pass


class Result:
    def __init__(self, rc, out, timed_out):
        self.rc = rc
        self.out = out
        self.timed_out = timed_out

    def __repr__(self):
        return "Result(rc=%r, timed_out=%r, out=%r)" % (
            self.rc, self.timed_out, self.out[-500:])


class Kernel:
    """The unpacked Debian kernel image and initramfs in the cache."""

    def __init__(self, cache=CACHE):
        cur = os.path.join(cache, "kernel", "current")
        if not os.path.exists(cur):
            raise VMError("no guest kernel in %s: run `make deps` first" % cache)
        with open(cur) as f:
            self.version = f.read().strip()
        self.dir = os.path.join(cache, "kernel", self.version)
        self.vmlinuz = os.path.join(self.dir, "vmlinuz")
        self.initramfs = os.path.join(self.dir, "initramfs.cpio.gz")
        self.moddir = os.path.join(self.dir, "root", "lib", "modules",
                                   self.version)
        for p in (self.vmlinuz, self.initramfs, self.moddir):
            if not os.path.exists(p):
                raise VMError("%s missing: run `make deps`" % p)
        self._staged = None

    def staged_moddir(self):
        """A lib/modules/<kver> with the tree's modules already installed
        (updates/tandem) and depmod run on the host, built once per run.

        `make install` in a guest spends ~40 s of TCG time, most of it in
        depmod reading every module of the image over 9p; the host does the
        same in under a second. The image's own files are symlinks (the
        guests see the host's paths), the index files are depmod's output.
        test_module.py and test_transport.py still run `make install` in a
        guest with the image's plain tree.
        """
        if self._staged:
            return self._staged
        base = tempfile.mkdtemp(prefix="tvm-modules-", dir="/tmp")
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        stage = os.path.join(base, "lib", "modules", self.version)
        dest = os.path.join(stage, "updates", "tandem")
        os.makedirs(dest)
        for name in os.listdir(self.moddir):
            src = os.path.join(self.moddir, name)
            if name in ("updates", "build", "source"):
                continue
            if name.startswith("modules."):
                if name in ("modules.order", "modules.builtin",
                            "modules.builtin.modinfo"):
                    shutil.copy(src, stage)	# depmod's input
                continue			# its output: made below
            os.symlink(os.path.realpath(src), os.path.join(stage, name))
        for ko in KMODS:
            path = os.path.join(ROOT, ko)
            if not os.path.exists(path):
                raise VMError("%s not built: run make first" % path)
            shutil.copy(path, dest)
        subprocess.run(["depmod", "-b", base, self.version], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._staged = stage
        return stage


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


LINKS = ("unix", "udp")

# Receive buffer of a guest's UDP link socket: a burst of soft-RoCE
# packets fits (the host default, ~208 KiB, holds a dozen jumbo frames).
UDP_LINK_RCVBUF = 8 << 20
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33	# Linux; socket has no names


def udp_link_socket(port, peer_port):
    """A UDP socket on 127.0.0.1:@port, connected to @peer_port, with a
    receive buffer of UDP_LINK_RCVBUF (forced past net.core.rmem_max:
    we are root), for QEMU's `-netdev dgram,local.type=fd`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for opt in (SO_RCVBUFFORCE, SO_SNDBUFFORCE):
            s.setsockopt(socket.SOL_SOCKET, opt, UDP_LINK_RCVBUF)
        s.bind(("127.0.0.1", port))
        s.connect(("127.0.0.1", peer_port))
    except OSError as e:
        s.close()
        raise VMError("UDP link socket 127.0.0.1:%d -> %d: %s"
                      % (port, peer_port, e))
    return s


def link_kind():
    """The guests' link: TANDEM_VM_LINK, udp unless it says unix."""
    kind = os.environ.get("TANDEM_VM_LINK", "udp")
    if kind not in LINKS:
        raise VMError("TANDEM_VM_LINK=%s: use one of %s"
                      % (kind, ", ".join(LINKS)))
    return kind


def use_kvm():
    """Software emulation unless TANDEM_VM_ACCEL=kvm asks for KVM.

    On the development and CI machines /dev/kvm opens but a guest never
    runs under it, so KVM is never guessed from its presence.
    """
    return os.environ.get("TANDEM_VM_ACCEL") == "kvm"


class Guest:
    """One QEMU guest.

    name: host name inside the guest (alpha, bravo, ...)
    workdir: host folder for disks, sockets, console log and exchange files
    disks: list of (name, size_in_MiB); created once, kept across reboots
    net: None, or dict(ip="192.0.2.1/24", mac=..., link="unix" or "udp",
         and the two ends: path/peer_path (unix: socket files) or
         port/peer_port (udp: ports on 127.0.0.1))
    """

    def __init__(self, name, workdir, kernel=None, disks=(), net=None,
                 mem_mib=1024, cpus=1, staged=False):
        self.name = name
        self.workdir = workdir
        self.kernel = kernel or Kernel()
        # staged: /lib/modules has tandem's modules and indexes from boot
        # (Kernel.staged_moddir()), so no depmod runs in the guest.
        self.moddir = (self.kernel.staged_moddir() if staged
                       else self.kernel.moddir)
        self.disks = list(disks)
        self.net = net
        self.mem_mib = mem_mib
        self.cpus = cpus
        self.proc = None
        self.ctl = None
        self.buf = b""
        self.next_id = 1
        self.boots = 0
        self.console = os.path.join(workdir, "console.log")
        self.xchg = os.path.join(workdir, "xchg")
        self.console_checked = 0
        self.qemu_log = None
        self.sockdir = None
        os.makedirs(self.xchg, exist_ok=True)
        for dname, size in self.disks:
            path = self.disk_file(dname)
            if not os.path.exists(path):
                with open(path, "wb") as f:
                    f.truncate(size << 20)

    # -- files ---------------------------------------------------------
    def disk_file(self, dname):
        return os.path.join(self.workdir, "disk-%s.img" % dname)

    def disk_dev(self, dname):
        """Guest device node of a disk: virtio disks appear in order."""
        idx = [d for d, _ in self.disks].index(dname)
        return "/dev/vd" + "abcdefghijklmnop"[idx]

    def console_text(self):
        try:
            with open(self.console, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def console_tail(self, lines=60):
        return "\n".join(self.console_text().splitlines()[-lines:])

    # -- lifecycle -----------------------------------------------------
    def qemu_cmdline(self, ctl_path, qmp_path):
        k = self.kernel
        append = " ".join([
            "console=ttyS0", "panic=-1", "printk.devkmsg=on",
            "tvm_moddir=" + self.moddir,
            "tvm_init2=" + os.path.join(GUEST_DIR, "init2"),
            "tvm_agent=" + os.path.join(GUEST_DIR, "agent.py"),
            "tvm_host=" + self.name,
        ] + (["tvm_ip=" + self.net["ip"], "tvm_mtu=9000"] if self.net else []))
        cmd = ["qemu-system-x86_64", "-nodefaults", "-display", "none",
               "-no-reboot", "-m", str(self.mem_mib), "-smp", str(self.cpus),
               "-cpu", "max"]
        cmd += ["-accel", "kvm"] if use_kvm() else []
        cmd += ["-accel", "tcg",
                "-kernel", k.vmlinuz, "-initrd", k.initramfs,
                "-append", append,
                "-chardev", "file,id=con,path=" + self.console,
                "-serial", "chardev:con",
                "-fsdev", "local,id=hostroot,path=/,security_model=none,"
                          "readonly=on,multidevs=remap",
                "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot",
                "-fsdev", "local,id=xchg,path=%s,security_model=none,"
                          "multidevs=remap" % self.xchg,
                "-device", "virtio-9p-pci,fsdev=xchg,mount_tag=xchg",
                "-device", "virtio-serial-pci,id=vser",
                "-chardev", "socket,id=ctl,path=" + ctl_path,
                "-device", "virtserialport,bus=vser.0,chardev=ctl,"
                           "name=tandem.ctl",
                "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
        for i, (dname, _) in enumerate(self.disks):
            cmd += ["-drive", "file=%s,if=none,id=d%d,format=raw,"
                              "cache=writeback" % (self.disk_file(dname), i),
                    "-device", "virtio-blk-pci,drive=d%d,serial=%s"
                               % (i, dname)]
        if self.net and self.net["link"] == "unix":
            cmd += ["-netdev", "dgram,id=n0,local.type=unix,local.path=%s,"
                               "remote.type=unix,remote.path=%s"
                               % (self.net["path"], self.net["peer_path"])]
        elif self.net:
            cmd += ["-netdev", "dgram,id=n0,local.type=fd,local.str=%d"
                               % self.net_sock.fileno()]
        if self.net:
            cmd += ["-device", "virtio-net-pci,netdev=n0,mac=%s,host_mtu=9000"
                               % self.net["mac"]]
        return cmd

    def start(self):
        """Boot the guest and wait for its agent."""
        self.launch()
        return self.wait_ready()

    def launch(self):
        """Start QEMU; wait_ready() then waits for the agent."""
        if self.proc:
            raise VMError("%s already running" % self.name)
        # Short socket paths: sun_path holds 108 bytes.
        self.sockdir = os.path.join("/tmp", "tvm-%d-%s-%d" % (
            os.getpid(), self.name, self.boots))
        os.makedirs(self.sockdir, exist_ok=True)
        ctl_path = os.path.join(self.sockdir, "ctl")
        self.qmp_path = os.path.join(self.sockdir, "qmp")
        stale = [ctl_path, self.qmp_path]
        if self.net and self.net["link"] == "unix":
            stale.append(self.net["path"])	# left by a killed QEMU
        for p in stale:
            if os.path.exists(p):
                os.unlink(p)
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(ctl_path)
        self.lsock.listen(1)
        self.boots += 1
        with open(self.console, "ab") as f:
            f.write(("\n===== tandem-vm: boot %d of %s =====\n"
                     % (self.boots, self.name)).encode())
        self.console_checked = len(self.console_text())
        self.qemu_log = open(os.path.join(self.workdir, "qemu.log"), "ab")
        fds = ()
        if self.net and self.net["link"] == "udp":
            self.net_sock = udp_link_socket(self.net["port"],
                                            self.net["peer_port"])
            fds = (self.net_sock.fileno(),)
        try:
            self.proc = subprocess.Popen(
                self.qemu_cmdline(ctl_path, self.qmp_path),
                stdin=subprocess.DEVNULL, stdout=self.qemu_log,
                stderr=subprocess.STDOUT, start_new_session=True,
                pass_fds=fds)
        finally:
            if fds:		# QEMU has its copy; ours would hold the port
                self.net_sock.close()
        self.launched_at = time.monotonic()

    def wait_ready(self):
        """Wait until the guest's agent greets; kill QEMU on failure."""
        try:
            return self._wait_ready()
        except BaseException:
            self.kill()
            raise

    def _wait_ready(self):
        deadline = self.launched_at + BOOT_TIMEOUT
        self.lsock.settimeout(1.0)
        try:
            while True:
                try:
                    self.ctl, _ = self.lsock.accept()
                    break
                except socket.timeout:
                    self._check_alive("connecting its agent channel")
                    if time.monotonic() > deadline:
                        raise VMError("%s: QEMU never connected" % self.name)
        finally:
            self.lsock.close()
        self.buf = b""
        hello = self._recv(deadline, "booting")
        if hello.get("hello") != self.name:
            raise VMError("%s: unexpected greeting %r" % (self.name, hello))
        self.boot_seconds = time.monotonic() - self.launched_at
        return self

    def _check_alive(self, doing):
        if self.proc and self.proc.poll() is not None:
            rc = self.proc.returncode
            self.proc = None
            with open(os.path.join(self.workdir, "qemu.log"), "rb") as f:
                qlog = f.read().decode("utf-8", "replace")[-2000:]
            raise VMError("%s: QEMU exited (%s) while %s\nqemu: %s\n"
                          "console tail:\n%s" % (self.name, rc, doing, qlog,
                                                 self.console_tail()))

    def _recv(self, deadline, doing):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VMError("%s: timed out %s\nconsole tail:\n%s"
                              % (self.name, doing, self.console_tail()))
            r, _, _ = select.select([self.ctl], [], [], min(left, 1.0))
            if r:
                chunk = self.ctl.recv(65536)
                if not chunk:
                    self._check_alive(doing)
                    raise VMError("%s: agent channel closed while %s\n"
                                  "console tail:\n%s" % (
                                      self.name, doing, self.console_tail()))
                self.buf += chunk
            else:
                self._check_alive(doing)
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def run(self, cmd, timeout=60):
        """Run a shell command in the guest; return a Result."""
        if not self.proc:
            raise VMError("%s is not running" % self.name)
        rid = self.next_id
        self.next_id += 1
        self.ctl.sendall((json.dumps({"id": rid, "cmd": cmd,
                                      "timeout": timeout}) + "\n").encode())
        # The agent enforces the timeout; allow it time to report.
        deadline = time.monotonic() + timeout + 30
        while True:
            rep = self._recv(deadline, "running: " + cmd)
            if rep.get("id") == rid:
                return Result(rep["rc"], rep["out"], rep["timed_out"])

    def check(self, cmd, timeout=60):
        """Run a command that must succeed; return its output."""
        res = self.run(cmd, timeout)
        if res.rc != 0:
            raise GuestCommandError(
                "%s: command failed (rc=%s%s): %s\n--- output ---\n%s\n"
                "--- console tail ---\n%s" % (
                    self.name, res.rc, ", timed out" if res.timed_out else "",
                    cmd, res.out, self.console_tail()))
        return res.out

    def qmp(self, command, **args):
        """Send one QMP command; return its 'return' value."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.qmp_path)
        f = s.makefile("rwb")

        def call(cmd, arguments=None):
            msg = {"execute": cmd}
            if arguments:
                msg["arguments"] = arguments
            f.write((json.dumps(msg) + "\n").encode())
            f.flush()
            while True:
                rep = json.loads(f.readline())
                if "return" in rep:
                    return rep["return"]
                if "error" in rep:
                    raise VMError("%s: QMP %s: %s" % (self.name, cmd,
                                                     rep["error"]))

        try:
            json.loads(f.readline())  # greeting
            call("qmp_capabilities")
            return call(command, args)
        finally:
            s.close()

    def set_link(self, up):
        """Connect or cut the guest's NIC, from outside the guest."""
        self.qmp("set_link", name="n0", up=bool(up))

    def kill(self):
        """Crash the node: kill QEMU at once, nothing is flushed in the guest."""
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None
        self._close()

    def reboot_hard(self):
        """Kill QEMU and boot the same guest again, with the same disks."""
        self.kill()
        return self.start()

    def shutdown(self, timeout=30):
        """Power off (after sync), or kill if the guest does not comply."""
        if not self.proc:
            return
        try:
            self.ctl.sendall((json.dumps({
                "id": -2, "cmd": "sync; echo o > /proc/sysrq-trigger",
                "timeout": 10}) + "\n").encode())
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def _close(self):
        if self.ctl:
            self.ctl.close()
            self.ctl = None
        if getattr(self, "qemu_log", None):
            self.qemu_log.close()
            self.qemu_log = None
        if getattr(self, "sockdir", None):
            shutil.rmtree(self.sockdir, ignore_errors=True)

    # -- kernel log ----------------------------------------------------
    def kernel_errors(self, since_boot_start=False):
        """Console lines that indicate a kernel problem since the last check."""
        text = self.console_text()
        start = 0 if since_boot_start else self.console_checked
        return [l for l in text[start:].splitlines()
                if KERNEL_ERROR_RE.search(l)]

    def check_console(self):
        """Raise GuestKernelError if the kernel complained; show the tail."""
        bad = self.kernel_errors()
        self.console_checked = len(self.console_text())
        if bad:
            raise GuestKernelError(
                "%s: kernel problem in the guest log:\n  %s\n"
                "--- console tail (%s) ---\n%s" % (
                    self.name, "\n  ".join(bad[:20]), self.console,
                    self.console_tail()))


def make_pair(workdir, kernel=None, disks=(), mem_mib=1024, link=None,
              staged=False):
    """alpha (192.0.2.1) and bravo (192.0.2.2) on one virtual Ethernet.

    link: "udp" or "unix" (see the module's doc); TANDEM_VM_LINK or udp
    when None. staged: see Guest.
    """
    link = link or link_kind()
    if link == "unix":
        # Short paths: sun_path holds 108 bytes. Kept across reboots.
        netdir = tempfile.mkdtemp(prefix="tvm-net-", dir="/tmp")
        atexit.register(shutil.rmtree, netdir, ignore_errors=True)
        ends = [dict(path=os.path.join(netdir, n)) for n in ("a", "b")]
        ends[0]["peer_path"], ends[1]["peer_path"] = (ends[1]["path"],
                                                      ends[0]["path"])
    else:
        pa, pb = free_udp_port(), free_udp_port()
        while pb == pa:
            pb = free_udp_port()
        ends = [dict(port=pa, peer_port=pb), dict(port=pb, peer_port=pa)]
    guests = []
    for (name, ip, mac), end in zip(
            (("alpha", "192.0.2.1/24", "52:54:00:00:02:01"),
             ("bravo", "192.0.2.2/24", "52:54:00:00:02:02")), ends):
        d = os.path.join(workdir, name)
        os.makedirs(d, exist_ok=True)
        guests.append(Guest(name, d, kernel=kernel, disks=disks, mem_mib=mem_mib,
                            net=dict(ip=ip, mac=mac, link=link, **end),
                            staged=staged))
    return guests
