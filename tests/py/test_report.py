"""--report: DIR/report.html (issue 5, acceptance 3 and 4; issue 12, section 2).

The page is one self-contained file (inline CSS/JS/SVG, nothing fetched), so
the checks are structural on the text (one lane per node, one arrow per hop
shown, the conntrack-count plot with its nf_conntrack_max line, the
conntrack -L tables, every NAT rewrite named as conntrack applies it: SNAT
and DNAT on a connection's first direction, de-SNAT and de-DNAT on its
replies) and, when Debian's chromium is installed, behavioural: headless
Chromium loads it without a JS error (the page records any error on <html
data-js-errors> and sets data-ready when its script ran; the console log on
stderr is checked as well), and a screenshot is taken. A 100 000-packet run
stays far under 5 MB and loads in under 3 s.
"""

import html
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import TOPOLOGIES, TRIANGLE, ct_lists, pcap, run_ok, write_scn

CHROMIUM = Path("/usr/bin/chromium")
SEED_SNAT = TOPOLOGIES / "seed-snat.scn"
TABLE_FULL = TOPOLOGIES / "table-full.scn"
DOUBLE_NAT = TOPOLOGIES / "double-nat.scn"
ICMP_NAT = TOPOLOGIES / "icmp-nat.scn"


class Page(HTMLParser):
    """Elements of the page: (tag, attrs) in document order, and the text."""

    def __init__(self, text):
        super().__init__()
        self.elems = []
        self.scripts_with_src = 0
        self.text = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elems.append((tag, a))
        if tag == "script" and "src" in a:
            self.scripts_with_src += 1

    def handle_data(self, data):
        self.text.append(data)

    def by_class(self, tag, cls):
        return [a for t, a in self.elems if t == tag and cls in (a.get("class") or "").split()]


def report(tmp_path, scn, *args):
    res = run_ok(scn, "--report", *args, out=tmp_path / "out")
    path = res.outdir / "report.html"
    assert path.is_file(), "report.html written"
    return res, path, path.read_text(encoding="utf-8")


def node_names(scn):
    names = []
    for line in Path(scn).read_text().splitlines():
        m = re.match(r"^(host|router|switch) (\S+)", line)
        if m:
            names.append(m[2])
    return names


def assert_self_contained(text):
    page = Page(text)
    assert page.scripts_with_src == 0, "no external script"
    assert not [a for t, a in page.elems if t == "link"], "no external stylesheet"
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), "no network address"
    for t, a in page.elems:
        for k in ("src", "href"):
            assert k not in a or a[k].startswith("#"), f"{t} {k}={a[k]} fetches something"
    assert not re.search(r"url\((?!#)", text), "no url() but local references"
    return page


def test_seed_snat_report_structure(tmp_path):
    res, path, text = report(tmp_path, SEED_SNAT)
    page = assert_self_contained(text)
    # one lane per node, in declaration order
    lanes = [a["data-node"] for t, a in page.elems if t == "g" and a.get("class") == "lanegrp"]
    assert lanes == node_names(SEED_SNAT)
    assert len(page.by_class("line", "lane")) == len(lanes)
    # one arrow per hop shown: every frame on the router's wires is a hop
    # (the hosts only talk to the router; the switch is no IP hop)
    hops = page.by_class("line", "hop")
    frames = len(pcap(res.outdir, "router", "eth0")) + len(pcap(res.outdir, "router", "eth1"))
    assert len(hops) == frames
    ladder = next(a for t, a in page.elems if t == "svg" and a.get("id") == "ladder")
    assert int(ladder["data-rows"]) == len(page.by_class("g", "row"))
    # the router's SNAT shows as before -> after on the hops it rewrote
    body = "".join(page.text)
    assert re.search(r"router: SNAT 192\.168\.1\.10:40000 \u2192 1\.2\.3\.4:\d+", body)
    # the reply's rewrite undoes the SNAT: it is no DNAT
    assert re.search(r"router: de-SNAT 1\.2\.3\.4:\d+ \u2192 192\.168\.1\.10:40000", body)
    assert not [n for n in nat_notes(text) if re.search(r"(?<!de-)DNAT", n)]
    assert len(page.by_class("line", "nat")) > 0
    # the conntrack -L snapshot at 2 s, tuples side by side
    assert "[2.000000] router# conntrack -L \u2014 2 entries" in body
    cells = re.findall(r'<td class="tuple">([^<]*)</td>', text)
    assert "src=192.168.1.10 dst=203.0.113.10 sport=40000 dport=80" in cells
    assert any(re.fullmatch(r"src=203\.0\.113\.10 dst=1\.2\.3\.4 sport=80 dport=\d+", c)
               for c in cells)
    # the router's count plot with its max line
    plots = [a for t, a in page.elems if t == "svg" and a.get("class") == "ctplot"]
    assert [a["data-node"] for a in plots] == ["router"]
    assert page.by_class("polyline", "count") and page.by_class("line", "maxline")
    assert "nf_conntrack_max 262144" in body
    # expectations table
    assert body.count("pass") >= 7


def nat_notes(text):
    """The ladder's NAT notes ("NODE: SNAT a -> b"), in page order."""
    return [html.unescape(t) for t in
            re.findall(r'<text class="natlbl"[^>]*>([^<]*)</text>', text)]


def expected_notes(stdout, routers):
    """The NAT notes the ladder must show for the entries of each router's
    last `conntrack -L`: SNAT/DNAT on the original direction, and on the
    reply the inverse mapping conntrack applies, de-SNAT/de-DNAT."""
    notes = set()
    for r in routers:
        for e in ct_lists(stdout, r)[-1][1]:
            o, rep = e["orig"], e["reply"]
            ports = "sport" in o
            assert ports or o.get("id") == rep.get("id"), "an ICMP id remapped: not expected here"

            def end(addr, port):
                return f"{addr}:{port}" if ports else addr
            if (rep["dst"], rep.get("dport")) != (o["src"], o.get("sport")):
                a, b = end(o["src"], o.get("sport")), end(rep["dst"], rep.get("dport"))
                notes |= {f"{r}: SNAT {a} \u2192 {b}", f"{r}: de-SNAT {b} \u2192 {a}"}
            if (rep["src"], rep.get("sport")) != (o["dst"], o.get("dport")):
                a, b = end(o["dst"], o.get("dport")), end(rep["src"], rep.get("sport"))
                notes |= {f"{r}: DNAT {a} \u2192 {b}", f"{r}: de-DNAT {b} \u2192 {a}"}
    return notes


def test_double_nat_report_names_rewrites(tmp_path):
    """Two NATs in series: each router's rewrites, both directions, named as
    conntrack applies them, with every port in full."""
    res, path, text = report(tmp_path, DOUBLE_NAT)
    assert_self_contained(text)
    notes = nat_notes(text)
    want = expected_notes(res.stdout, ["home", "isp"])
    assert len(want) == 20      # (4 SNATed flows + 1 DNATed) x 2 routers x 2 ways
    assert set(notes) == want, (sorted(set(notes) - want), sorted(want - set(notes)))


def test_icmp_ids_in_rewrites(tmp_path):
    """An echo whose id MASQUERADE remapped: the id moves with the SNAT (and
    back with the de-SNAT), and no mapping that changed nothing is shown."""
    res, path, text = report(tmp_path, ICMP_NAT)
    notes = set(nat_notes(text))
    m = re.search(r"src=192\.168\.1\.11 dst=203\.0\.113\.10 type=8 code=0 id=1234 "
                  r"src=203\.0\.113\.10 dst=203\.0\.113\.1 type=0 code=0 id=(\d+)", res.stdout)
    assert m and m[1] != "1234"
    assert f"router: SNAT 192.168.1.11 id 1234 \u2192 203.0.113.1 id {m[1]}" in notes
    assert f"router: de-SNAT 203.0.113.1 id {m[1]} \u2192 192.168.1.11 id 1234" in notes
    assert "router: SNAT 192.168.1.10 \u2192 203.0.113.1" in notes
    for n in notes:
        for a, b in re.findall(r"(\S+(?: id \d+)?) \u2192 (\S+(?: id \d+)?)", n):
            assert a != b, n


def test_table_full_report_marks(tmp_path):
    res, path, text = report(tmp_path, TABLE_FULL)
    page = assert_self_contained(text)
    body = "".join(page.text)
    assert page.by_class("line", "maxline")
    assert "nf_conntrack_max 16" in body and "far above" not in body
    drops = page.by_class("path", "ctdrop")
    assert drops, "table-full drops are marked on the plot"
    assert re.search(r"dropped: conntrack: table full \(nf_conntrack_max\) at PREROUTING", body)
    m = re.search(r"peak (\d+) at", body)
    assert m and int(m[1]) == 16


def test_early_drops_marked(tmp_path):
    res, path, text = report(tmp_path, TOPOLOGIES / "table-full-512.scn")
    page = Page(text)
    assert page.by_class("path", "early"), "early drops are marked"
    m = re.search(r"(\d+) early drops, (\d+) drops", "".join(page.text))
    assert m and int(m[1]) > 0


def test_report_does_not_change_the_run(tmp_path):
    a = run_ok(TABLE_FULL, out=tmp_path / "a")
    b = run_ok(TABLE_FULL, "--report", out=tmp_path / "b")
    for name in ("conntrack-events.log", "kernel.log", "router-eth0.pcap", "client-eth0.pcap"):
        assert (a.outdir / name).read_bytes() == (b.outdir / name).read_bytes(), name
    assert a.stdout == b.stdout
    c = run_ok(TABLE_FULL, "--report", out=tmp_path / "c")
    assert (b.outdir / "report.html").read_bytes() == (c.outdir / "report.html").read_bytes()
    assert not (a.outdir / "report.html").exists()


BIG = TRIANGLE + """\
router: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
server: listen udp 9 echo
at 1s client: flows udp 10000 10.0.2.2:9 sport 10000-19999 rate 5000pps packets 5
at 2s router: conntrack -L
at 3s router: conntrack -L
end 5s
"""


def big_report(tmp_path):
    scn = write_scn(tmp_path, "big", BIG)
    res = run_ok(scn, "--report", "--no-pcap", "--quiet", out=tmp_path / "out", timeout=300)
    return res.outdir / "report.html"


def test_large_run_report_is_bounded(tmp_path):
    path = big_report(tmp_path)
    size = path.stat().st_size
    assert size < 2 * 1024 * 1024, f"report of 10k flows / 100k packets is {size} bytes"
    text = path.read_text()
    m = re.search(r"Shown: (\d+) packets of (\d+)", text)
    assert m and int(m[2]) == 100000 and int(m[1]) <= 600
    assert "elided" in text and "not shown" in text, "the page says what it left out"
    assert "more entries not shown" in text, "snapshot tables are cut, with a note"


# ----- headless Chromium -----------------------------------------------------

def chromium(args, tmp_path, timeout=90):
    profile = tmp_path / f"profile-{time.monotonic_ns()}"
    argv = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"] + args
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       errors="replace", env=dict(os.environ, HOME=str(tmp_path)))
    shutil.rmtree(profile, ignore_errors=True)
    return p


def console_errors(stderr):
    return [ln for ln in stderr.splitlines()
            if ":CONSOLE" in ln and re.search(r"error|uncaught", ln, re.I)]


def load(path, tmp_path):
    """Load the page; return (dom, stderr)."""
    p = chromium(["--dump-dom", path.resolve().as_uri()], tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout, p.stderr


def html_attrs(dom):
    m = re.search(r"<html([^>]*)>", dom)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', m[1])) if m else {}


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium")


@needs_chromium
def test_chromium_detects_a_broken_page(tmp_path):
    """The harness itself: a page with a JS error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><script>window.addEventListener('error',"
                   "function(e){document.documentElement.setAttribute('data-js-errors',"
                   "e.message)});</script></head><body><script>nosuchfunction();</script>"
                   "</body></html>")
    dom, err = load(bad, tmp_path)
    assert "data-js-errors" in html_attrs(dom) or console_errors(err)


@needs_chromium
@pytest.mark.parametrize("scn", [SEED_SNAT, TABLE_FULL], ids=["seed-snat", "table-full"])
def test_chromium_opens_report(tmp_path, scn):
    res, path, text = report(tmp_path, scn)
    dom, err = load(path, tmp_path)
    attrs = html_attrs(dom)
    assert attrs.get("data-ready") == "1", "the page's script ran to its end"
    assert "data-js-errors" not in attrs, attrs.get("data-js-errors")
    assert not console_errors(err), console_errors(err)
    # the rendered DOM has the SVG parts
    assert dom.count('class="lane ') == len(node_names(scn))
    assert '<svg class="ctplot"' in dom and 'class="maxline"' in dom
    # a screenshot
    png = tmp_path / f"report-{scn.stem}.png"
    p = chromium([f"--screenshot={png}", "--window-size=1400,1600", path.resolve().as_uri()],
                 tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000


@needs_chromium
def test_chromium_large_report_loads(tmp_path):
    path = big_report(tmp_path)
    dom, err = load(path, tmp_path)
    attrs = html_attrs(dom)
    assert attrs.get("data-ready") == "1" and "data-js-errors" not in attrs
    assert not console_errors(err)
    # Load time is not asserted (no timing assertions in tests); the size bound
    # in big_report() keeps the page small.

