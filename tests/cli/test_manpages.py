# SPDX-License-Identifier: GPL-2.0
"""The manual pages in man/: they render without a warning, they describe
every verb, command, option and exit code that the tools' --help lists
(so a page cannot fall behind its tool), and `make -C man install` puts
them where man(1) looks.

The help text is the reference: verbs, commands, options and exit codes
are read from `tandemsetup --help`, `tandemsetup VERB --help`,
`tandemmeta --help`, `tandemmeta COMMAND --help` and `tandemadm --help`
at test time, never listed here."""
import glob
import os
import re
import shutil
import stat
import subprocess

import pytest

GROFF = shutil.which("groff")
MAN = shutil.which("man")

# Section of --help (its heading, up to the first '(' or ':') -> section
# of the man page whose tags must name each option of that group.
SETUP_GROUPS = {
    "Net options": "NET OPTIONS",
    "Disk options": "DISK OPTIONS",
    "Resource options": "RESOURCE OPTIONS",
    "Other options": "OTHER OPTIONS",
}


@pytest.fixture(scope="session")
def man_dir(utils_dir):
    return os.path.join(os.path.dirname(utils_dir), "man")


def _tool(utils_dir, name):
    path = os.path.join(utils_dir, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} not built (make utils)")
    return path


@pytest.fixture(scope="session")
def tandemsetup(utils_dir):
    return _tool(utils_dir, "tandemsetup")


@pytest.fixture(scope="session")
def tandemmeta(utils_dir):
    return _tool(utils_dir, "tandemmeta")


@pytest.fixture(scope="session")
def tandemadm(utils_dir):
    return _tool(utils_dir, "tandemadm")


def run(*args, **kw):
    return subprocess.run([*map(str, args)], capture_output=True, text=True,
                          timeout=120, **kw)


def help_text(tool, *args):
    r = run(tool, *args, "--help")
    assert r.returncode == 0, f"{tool} {' '.join(args)} --help: {r.stderr}"
    return r.stdout


def render(page):
    """The page as plain text, one line per paragraph (no filling, no
    hyphenation, no bold or underline), for searching."""
    if GROFF:
        r = run(GROFF, "-man", "-Tascii", "-rLL=4000n", "-P-cbou", page,
                env={**os.environ, "LC_ALL": "C"})
    elif MAN:
        r = run(MAN, "-l", page,
                env={**os.environ, "LC_ALL": "C", "MANWIDTH": "4000",
                     "MAN_KEEP_FORMATTING": ""})
    else:
        pytest.skip("neither groff nor man is installed")
    assert r.returncode == 0, r.stderr
    return r.stdout


def sections(text):
    """{'NAME': body, 'SYNOPSIS': body, ...} of a rendered page."""
    out, name = {}, None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]*[A-Z]$", line):
            name = line
            out[name] = []
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def has_tag(body, word):
    """@word starts an item (a .TP tag) of @body: it begins an indented
    line, alone or after a short option ('-h, --help')."""
    return re.search(rf"^ +(?:-[A-Za-z], )?{re.escape(word)}(?![\w-])",
                     body, re.M) is not None


def mentions(text, word):
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) \
        is not None


def help_section(text, heading):
    """Lines of the --help section that starts with the line @heading."""
    m = re.search(rf"^{re.escape(heading)}[^\n]*\n(.*?)(?:\n\n|\Z)", text,
                  re.M | re.S)
    assert m, f"no section '{heading}' in the help text"
    return m.group(1)


def options_in(text):
    """Every long and short option a help text names."""
    longs = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))
    shorts = set(re.findall(r"(?<![\w-])(-[A-Za-z])(?![\w-])", text))
    return longs | shorts


def exit_codes(text):
    return set(re.findall(r"^ +(\d+) ", text, re.M))


# ---- (a) rendering ----------------------------------------------------

def pages(man_dir):
    return sorted(glob.glob(os.path.join(man_dir, "*.[1-9]")))


def test_the_pages_exist(man_dir):
    names = [os.path.basename(p) for p in pages(man_dir)]
    for page in ("tandemsetup.8", "tandemmeta.8", "tandemadm.8",
                 "tandem.conf.5"):
        assert page in names, names


@pytest.mark.parametrize("name", ["tandemsetup.8", "tandemmeta.8",
                                  "tandemadm.8", "tandem.conf.5"])
def test_renders_without_warnings(man_dir, name):
    page = os.path.join(man_dir, name)
    if GROFF:
        r = run(GROFF, "-man", "-Tutf8", "-ww", "-z", page)
    elif MAN:
        r = run(MAN, "--warnings", "-l", page,
                env={**os.environ, "MANWIDTH": "80"})
    else:
        pytest.skip("neither groff nor man is installed")
    assert r.returncode == 0 and not r.stderr, r.stderr
    # .TH names the page as its file does
    with open(page) as f:
        th = re.search(r"^\.TH\s+(\S+)\s+(\S+)", f.read(), re.M)
    stem, section = name.rsplit(".", 1)
    assert th and th.group(1) == stem.upper() and th.group(2) == section


def test_make_check(man_dir):
    r = run("make", "-s", "-C", man_dir, "check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_make_check_fails_on_a_warning(man_dir, tmp_path):
    shutil.copy(os.path.join(man_dir, "Makefile"), tmp_path)
    (tmp_path / "broken.8").write_text(
        '.TH BROKEN 8\n.SH NAME\nbroken \\- x\n.SH DESCRIPTION\n'
        '.NOSUCHMACRO\ntext\n')
    r = run("make", "-s", "-C", tmp_path, "check")
    assert r.returncode != 0, r.stdout
    assert "broken.8" in r.stdout and "NOSUCHMACRO" in r.stdout + r.stderr


# ---- (b) the pages follow the tools ------------------------------------

@pytest.fixture(scope="session")
def setup_page(man_dir):
    return render(os.path.join(man_dir, "tandemsetup.8"))


@pytest.fixture(scope="session")
def meta_page(man_dir):
    return render(os.path.join(man_dir, "tandemmeta.8"))


def setup_verbs(tandemsetup):
    verbs = re.findall(r"^  ([a-z][a-z-]*)",
                       help_section(help_text(tandemsetup), "Verbs:"), re.M)
    assert len(verbs) > 10, verbs
    return verbs


def meta_commands(tandemmeta):
    cmds = re.findall(r"^  ([a-z][a-z-]*)",
                      help_section(help_text(tandemmeta), "commands:"), re.M)
    assert len(cmds) >= 6, cmds
    return cmds


def test_setup_page_sections(setup_page):
    secs = sections(setup_page)
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "VERBS", "NET OPTIONS",
                 "DISK OPTIONS", "RESOURCE OPTIONS", "EXIT STATUS", "FILES",
                 "EXAMPLES", "SEE ALSO"):
        assert name in secs, f"tandemsetup.8 has no {name} section"
    assert "/proc/tandem" in secs["FILES"]
    assert mentions(secs["SEE ALSO"], "tandemmeta(8)")


def test_meta_page_sections(meta_page):
    secs = sections(meta_page)
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS",
                 "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO"):
        assert name in secs, f"tandemmeta.8 has no {name} section"
    assert "/proc/tandem" in secs["FILES"]
    assert mentions(secs["SEE ALSO"], "tandemsetup(8)")


def test_every_verb_is_described(tandemsetup, setup_page):
    body = sections(setup_page)["VERBS"]
    missing = [v for v in setup_verbs(tandemsetup) if not has_tag(body, v)]
    assert not missing, f"verbs of tandemsetup --help not in VERBS: {missing}"


def test_verb_arguments_match_the_help(tandemsetup, setup_page):
    """The item of each verb names the same arguments, in the same order
    and with the same optional brackets, as its usage line."""
    body = sections(setup_page)["VERBS"]
    for verb in setup_verbs(tandemsetup):
        usage = help_text(tandemsetup, verb).splitlines()[0]
        want = re.findall(r"\[?[A-Z][A-Z_]+\]?",
                          usage.split(f"tandemsetup {verb}", 1)[1])
        m = re.search(rf"^ +{re.escape(verb)}(?![\w-])(.*)$", body, re.M)
        assert m, verb
        got = re.findall(r"\[?[A-Z][A-Z_]+\]?", m.group(1))
        assert got[:len(want)] == want, (verb, usage, m.group(0))


def test_every_setup_option_is_described(tandemsetup, setup_page):
    secs = sections(setup_page)
    top = help_text(tandemsetup)
    grouped = set()
    for heading, section in SETUP_GROUPS.items():
        group = help_section(top, heading)
        for opt in re.findall(r"^  (--[a-z][a-z0-9-]*)", group, re.M):
            grouped.add(opt)
            assert has_tag(secs[section], opt), \
                f"{opt} ({heading} of --help) is no item of {section}"
    texts = [top] + [help_text(tandemsetup, v)
                     for v in setup_verbs(tandemsetup)]
    everything = set().union(*map(options_in, texts))
    assert grouped <= everything
    missing = sorted(o for o in everything if not mentions(setup_page, o))
    assert not missing, f"options of tandemsetup help not in the page: {missing}"


def test_every_command_is_described(tandemmeta, meta_page):
    body = sections(meta_page)["COMMANDS"]
    missing = [c for c in meta_commands(tandemmeta) if not has_tag(body, c)]
    assert not missing, f"commands of tandemmeta --help not in COMMANDS: {missing}"


def command_item(body, cmd):
    """Text of the item of @cmd in the COMMANDS section."""
    m = re.search(rf"^( +){re.escape(cmd)}(?![\w-]).*?(?=^\1[a-z]|\Z)", body,
                  re.M | re.S)
    assert m, cmd
    return m.group(0)


def test_every_meta_option_is_described(tandemmeta, meta_page):
    secs = sections(meta_page)
    top = help_text(tandemmeta)
    per_command = {c: help_text(tandemmeta, c) for c in meta_commands(tandemmeta)}
    for cmd, text in per_command.items():
        usage = text.splitlines()[0]
        item = command_item(secs["COMMANDS"], cmd)
        for opt in options_in(usage):
            assert mentions(item, opt), f"{opt} of {cmd} not in its item"
    everything = set().union(options_in(top),
                             *map(options_in, per_command.values()))
    missing = sorted(o for o in everything if not has_tag(secs["OPTIONS"], o))
    assert not missing, f"options of tandemmeta help not in OPTIONS: {missing}"


def test_setup_exit_codes(tandemsetup, setup_page):
    want = exit_codes(help_section(help_text(tandemsetup), "Exit status:"))
    assert {"0", "20"} <= want, want
    got = exit_codes(sections(setup_page)["EXIT STATUS"])
    assert got == want, f"EXIT STATUS lists {sorted(got)}, --help {sorted(want)}"


def test_meta_exit_codes(tandemmeta, meta_page):
    want = exit_codes(help_section(help_text(tandemmeta), "exit codes:"))
    assert {"0", "20"} <= want, want
    got = exit_codes(sections(meta_page)["EXIT STATUS"])
    assert got == want, f"EXIT STATUS lists {sorted(got)}, --help {sorted(want)}"


def test_examples(setup_page, meta_page):
    ex = sections(setup_page)["EXAMPLES"]
    for cmd in ("tandemmeta create-md", "tandemsetup new-resource",
                "tandemsetup new-minor", "tandemsetup attach",
                "tandemsetup connect", "tandemsetup primary r0 --force",
                "--discard-my-data", "tandemmeta apply-al"):
        assert cmd in ex, cmd
    ex = sections(meta_page)["EXAMPLES"]
    for cmd in ("tandemmeta create-md", "tandemmeta apply-al"):
        assert cmd in ex, cmd


# ---- tandemadm(8) and tandem.conf(5) ------------------------------------

@pytest.fixture(scope="session")
def adm_page(man_dir):
    return render(os.path.join(man_dir, "tandemadm.8"))


@pytest.fixture(scope="session")
def conf_page(man_dir):
    return render(os.path.join(man_dir, "tandem.conf.5"))


def adm_verb_lines(tandemadm):
    """{verb: its usage line} from the Verbs section of tandemadm --help."""
    lines = re.findall(r"^  ([a-z][a-z-]*)(.*)$",
                       help_section(help_text(tandemadm), "Verbs:"), re.M)
    assert len(lines) > 20, lines
    return dict(lines)


def test_adm_page_sections(adm_page):
    secs = sections(adm_page)
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "VERBS",
                 "HANDLERS", "ENVIRONMENT", "EXIT STATUS", "FILES",
                 "EXAMPLES", "SEE ALSO"):
        assert name in secs, f"tandemadm.8 has no {name} section"
    assert "/etc/tandem.conf" in secs["FILES"]
    for page in ("tandem.conf(5)", "tandemsetup(8)", "tandemmeta(8)"):
        assert mentions(secs["SEE ALSO"], page), page


def test_every_adm_verb_is_described(tandemadm, adm_page):
    """Each verb of tandemadm --help is an item of VERBS, and the item
    names the options of the verb's help line."""
    body = sections(adm_page)["VERBS"]
    for verb, usage in adm_verb_lines(tandemadm).items():
        assert has_tag(body, verb), f"verb {verb} not in VERBS"
        item = command_item(body, verb)
        for opt in options_in(usage):
            assert mentions(item, opt), f"{opt} of {verb} not in its item"


def test_every_adm_option_is_described(tandemadm, adm_page):
    secs = sections(adm_page)
    top = help_text(tandemadm)
    for opt in re.findall(r"^  (?:-[A-Za-z], )?(--[a-z][a-z-]*)",
                          help_section(top, "Options:"), re.M):
        assert has_tag(secs["OPTIONS"], opt), f"{opt} is no item of OPTIONS"
    missing = sorted(o for o in options_in(top) if not mentions(adm_page, o))
    assert not missing, f"options of tandemadm --help not in the page: {missing}"


def test_adm_exit_codes(tandemadm, adm_page):
    want = exit_codes(help_section(help_text(tandemadm), "Exit status:"))
    assert {"0", "1", "5", "10", "11", "12"} <= want, want
    got = exit_codes(sections(adm_page)["EXIT STATUS"])
    assert got == want, f"EXIT STATUS lists {sorted(got)}, --help {sorted(want)}"


def test_adm_examples(adm_page):
    ex = sections(adm_page)["EXAMPLES"]
    for cmd in ("tandemadm create-md r0", "tandemadm up r0",
                "tandemadm primary --force r0", "tandemadm -d up all",
                "tandemadm net-options --protocol=A r0",
                "tandemadm adjust r0",
                "tandemadm connect --discard-my-data r0"):
        assert cmd in ex, cmd


def test_conf_page(conf_page):
    secs = sections(conf_page)
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "SYNTAX", "RESOURCES",
                 "NET OPTIONS", "DISK OPTIONS", "OTHER SECTIONS",
                 "OBSOLETE FORMS", "EXAMPLES", "FILES", "SEE ALSO"):
        assert name in secs, f"tandem.conf.5 has no {name} section"
    assert mentions(secs["SEE ALSO"], "tandemadm(8)")
    for word in ("include", "global", "common", "resource", "on", "volume",
                 "device", "meta-disk", "address", "node-id", "connection",
                 "connection-mesh", "syncer", "startup", "handlers"):
        assert mentions(conf_page, word), word


def test_conf_page_examples_parse(conf_page, tandemadm, tmp_path):
    """The example files of tandem.conf(5) are accepted by tandemadm."""
    ex = sections(conf_page)["EXAMPLES"]
    blocks, cur = [], []
    for line in ex.splitlines():
        if line.startswith(" " * 14):
            cur.append(line[14:])
        elif cur and line.strip():
            blocks.append("\n".join(cur))
            cur = []
    if cur:
        blocks.append("\n".join(cur))
    assert len(blocks) == 2, blocks
    for i, text in enumerate(blocks):
        f = tmp_path / f"example{i}.conf"
        f.write_text(text + "\n")
        r = run(tandemadm, "-c", f, "--host", "alpha", "-d", "up", "r0")
        assert r.returncode == 0, r.stderr
        assert "tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789" \
            in r.stdout


# ---- (c) installation --------------------------------------------------

def installed(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files)


@pytest.mark.parametrize("prefix", [None, "/usr/local"])
def test_install_and_uninstall(man_dir, tmp_path, prefix):
    dest = tmp_path / "root"
    extra = [f"PREFIX={prefix}"] if prefix else []
    r = run("make", "-C", man_dir, "install", f"DESTDIR={dest}", *extra)
    assert r.returncode == 0, r.stdout + r.stderr
    mandir = os.path.join((prefix or "/usr").lstrip("/"), "share", "man")
    want = sorted(os.path.join(mandir, f"man{os.path.basename(p)[-1]}",
                               os.path.basename(p)) for p in pages(man_dir))
    assert installed(dest) == want
    for rel in want:
        path = dest / rel
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, rel
        with open(os.path.join(man_dir, os.path.basename(rel)), "rb") as f:
            assert path.read_bytes() == f.read(), rel

    r = run("make", "-C", man_dir, "uninstall", f"DESTDIR={dest}", *extra)
    assert r.returncode == 0, r.stdout + r.stderr
    assert installed(dest) == []


def test_top_level_install_includes_the_pages(man_dir, tmp_path):
    """`make install` / `make uninstall` at the top also handle the pages
    (dry run: the modules need not be built)."""
    top = os.path.dirname(man_dir)
    dest = tmp_path / "root"
    for target, verb in (("install", "install -m 644"), ("uninstall", "rm -f")):
        r = run("make", "-n", "-C", top, target, f"DESTDIR={dest}",
                "KVER=0.0.0-dry-run")
        assert r.returncode == 0, r.stdout + r.stderr
        assert verb in r.stdout and f"{dest}/usr/share/man/man8" in r.stdout, \
            (target, r.stdout)
    assert not dest.exists()
