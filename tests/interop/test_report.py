"""`tessera report` loaded in headless Chromium (Debian's `chromium`).

Renders scenes/shapes.scene (6 images) and scenes/occluded_pedestrians.scene (3 images) with
$TESSERA_BIN (else .build/debug/tessera), writes each report, and then:

- loads it through the DevTools protocol (--remote-debugging-pipe, Python's standard library
  only) and asserts that nothing reached the console as an error: no exception, no
  console.error, no blocked load or Content-Security-Policy violation (the harness is itself
  checked to see each of those on pages made to cause them);
- dumps the DOM (--dump-dom) and asserts that exactly the plots the dataset calls for are
  there (per class and overall, the sampling plots when the run has requirements), that the
  page loads nothing from outside, and that its figures equal those recomputed here from the
  COCO file alone (images, annotations, per class instances, images containing, COCO's size
  split, instances more than half hidden);
- takes a screenshot (--screenshot) and checks it is a PNG of the window's size that is not
  blank.

A dataset whose class name, supercategory, scene comment and recorded string carry
`<script>` and event-handler markup gives a page with no script element and no handler
attribute, showing that text as text. Bad input exits non-zero, naming the path, and
leaves no report and no partial file.
"""
import base64
import fcntl
import io
import json
import os
import pathlib
import select
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser

import pytest
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
CHROMIUM = shutil.which("chromium")
WINDOW = (1280, 2000)

PER_CLASS_PLOTS = ["instances-per-image", "area", "bbox-side", "visible-fraction", "in-frame-fraction", "heatmap"]
OVERALL_PLOTS = ["class-counts", "occlusion-matrix", "more-than-half-hidden"]


def run(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def render(scene, count, out, seed=5):
    result = run("render", str(scene), "--count", str(count), "--seed", str(seed), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr


def coco_files(dataset):
    """The dataset's COCO instances files, one per split: annotations/instances_<split>.json."""
    return sorted((dataset / "annotations").glob("instances_*.json"))


def coco_document(dataset):
    """Images, annotations and categories of every split of the dataset, as one document."""
    merged = {"images": [], "annotations": [], "categories": None}
    for path in coco_files(dataset):
        document = json.loads(path.read_text())
        merged["images"] += document["images"]
        merged["annotations"] += document["annotations"]
        merged["categories"] = document["categories"]
    assert merged["categories"] is not None, f"no COCO file in {dataset}"
    return merged


# --- Chromium -------------------------------------------------------------------------------

def chromium(user_data, *args):
    assert CHROMIUM, "chromium is not installed: run scripts/setup.sh (Debian package 'chromium')"
    # As root Chromium needs --no-sandbox; a fresh profile keeps runs independent.
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={user_data}", *args]


class DevTools:
    """Chromium driven over --remote-debugging-pipe: it reads commands on fd 3 and writes
    replies and events on fd 4, each a JSON message ended by a NUL byte."""

    def __init__(self):
        self.profile = tempfile.TemporaryDirectory()
        to_browser, self.commands = os.pipe()
        self.replies, from_browser = os.pipe()

        def attach():
            # Move both ends above 2 first, so that placing them on 3 and 4 cannot clobber either.
            read_end = fcntl.fcntl(to_browser, fcntl.F_DUPFD_CLOEXEC, 10)
            write_end = fcntl.fcntl(from_browser, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(chromium(self.profile.name, "--remote-debugging-pipe", "about:blank"),
                                        preexec_fn=attach, close_fds=False,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.commands)
        os.close(self.replies)
        self.profile.cleanup()

    def receive(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.replies], [], [], left)
            if ready:
                chunk = os.read(self.replies, 1 << 16)
                if not chunk:
                    raise EOFError("chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, deadline=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = deadline or time.monotonic() + 30
        while True:
            reply = self.receive(deadline)
            if reply.get("id") == self.next_id:
                assert "error" not in reply, reply
                return reply["result"]
            self.events.append(reply)

    def console_problems(self, url, timeout=60):
        """Loads `url` in a new tab and returns every error it caused: exceptions,
        console.error/assert calls, log entries of level error (blocked loads, CSP
        violations), and a failed navigation."""
        deadline = time.monotonic() + timeout
        target = self.call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, deadline=deadline)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable", session=session, deadline=deadline)
        start = len(self.events)
        navigation = self.call("Page.navigate", {"url": url}, session=session, deadline=deadline)
        problems = [f"navigation failed: {navigation['errorText']}"] if navigation.get("errorText") else []
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in self.events[start:]):
            self.events.append(self.receive(deadline))
        # Let late messages (a failed image, a timer) arrive.
        settle = time.monotonic() + 0.5
        try:
            while True:
                self.events.append(self.receive(settle))
        except TimeoutError:
            pass
        for event in self.events[start:]:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                problems.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                problems.append(f"console.{params['type']}: {[a.get('value') for a in params['args']]}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                problems.append(f"log ({params['entry']['source']}): {params['entry']['text']}")
        self.call("Target.closeTarget", {"targetId": target}, deadline=deadline)
        return problems


@pytest.fixture(scope="module")
def devtools():
    browser = DevTools()
    yield browser
    browser.close()


def dump_dom(page, tmp_path):
    result = subprocess.run(chromium(tmp_path / "profile-dom", "--dump-dom", page.as_uri()),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(page, tmp_path):
    shot = tmp_path / "screenshot.png"
    result = subprocess.run(chromium(tmp_path / "profile-shot", f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                                     page.as_uri()), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    return shot


class Page(HTMLParser):
    """What the tests look for in the rendered DOM."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.plots = []            # id of every element with data-plot
        self.figures = {}          # (data-figure, data-category) -> text
        self.tags = Counter()
        self.handlers = []         # on* attributes
        self.links = []            # src/href values
        self.images = []           # <img> src
        self.text = []
        self._figure = None
        self.feed(text)
        self.text = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] += 1
        self.handlers += [name for name in attrs if name.startswith("on")]
        self.links += [attrs[name] for name in ("src", "href", "xlink:href") if name in attrs]
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if "data-plot" in attrs:
            self.plots.append(attrs["id"])
        if "data-figure" in attrs:
            self._figure = (attrs["data-figure"], attrs.get("data-category"))
            self.figures[self._figure] = ""

    def handle_data(self, data):
        self.text.append(data)
        if self._figure:
            self.figures[self._figure] += data

    def handle_endtag(self, tag):
        self._figure = None


def expected_plots(dataset, document):
    plots = [f"plot-{kind}" for kind in OVERALL_PLOTS]
    plots += [f"plot-{kind}-{c['id']}" for c in document["categories"] for kind in PER_CLASS_PLOTS]
    acceptance = json.loads((dataset / "manifest.json").read_text()).get("acceptance")
    if acceptance and acceptance["requirements"]:
        plots.append("plot-requirement-acceptance")
    if acceptance and acceptance["attempts_per_image"]["histogram"]:
        plots.append("plot-attempts-per-image")
    records = dataset / "records.jsonl"
    if records.exists():
        values = defaultdict(list)
        for line in records.read_text().splitlines():
            for name, value in json.loads(line)["values"].items():
                values[name].append(value)

        def has_label(value):
            return isinstance(value, (str, bool)) or (isinstance(value, list) and any(map(has_label, value)))

        plots += [f"plot-recorded-labels-{k}" for k, name in enumerate(sorted(values)) if any(map(has_label, values[name]))]
    return sorted(plots)


def expected_figures(document):
    """The report's figures, recomputed from the COCO file."""
    annotations = document["annotations"]
    figures = {("images", None): len(document["images"]), ("annotations", None): len(annotations),
               ("classes", None): len(document["categories"]),
               ("more_than_half_hidden", None): sum(1 for a in annotations if a["visible_fraction"] < 0.5)}
    for c in document["categories"]:
        mine = [a for a in annotations if a["category_id"] == c["id"]]
        key = str(c["id"])
        figures[("instances", key)] = len(mine)
        figures[("images", key)] = len({a["image_id"] for a in mine})
        figures[("small", key)] = sum(1 for a in mine if a["area"] < 32 ** 2)
        figures[("medium", key)] = sum(1 for a in mine if 32 ** 2 <= a["area"] < 96 ** 2)
        figures[("large", key)] = sum(1 for a in mine if a["area"] >= 96 ** 2)
        figures[("more_than_half_hidden", key)] = sum(1 for a in mine if a["visible_fraction"] < 0.5)
    return figures


def check_screenshot(shot):
    image = Image.open(shot)
    assert image.format == "PNG" and image.size == WINDOW
    rgb = image.convert("RGB")
    assert all(high - low > 100 for low, high in rgb.getextrema()), "the screenshot is blank"
    assert len(rgb.getcolors(maxcolors=1 << 20)) > 50, "the screenshot shows almost nothing"
    # Not all white: text, plots and gallery cover a good part of the top of the page.
    grey = rgb.convert("L")
    assert sum(grey.histogram()[:200]) > 0.02 * WINDOW[0] * WINDOW[1]


# --- Tests ---------------------------------------------------------------------------------

def test_the_harness_sees_console_errors(devtools, tmp_path):
    """The console check can fail: each kind of error it looks for is caught."""
    cases = {
        "console.html": "<script>console.error('made to fail')</script>",
        "exception.html": "<script>undefinedFunction()</script>",
        "blocked.html": "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"><script>1</script>",
    }
    for name, body in cases.items():
        page = tmp_path / name
        page.write_text(f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{body}</head><body></body></html>")
        assert devtools.console_problems(page.as_uri()), name
    clean = tmp_path / "clean.html"
    clean.write_text("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>ok</body></html>")
    assert devtools.console_problems(clean.as_uri()) == []


@pytest.mark.parametrize("scene,count", [("scenes/shapes.scene", 6), ("scenes/occluded_pedestrians.scene", 3)])
def test_report_loads_cleanly_with_every_plot_and_the_right_figures(devtools, tmp_path, scene, count):
    dataset = tmp_path / "dataset"
    render(ROOT / scene, count, dataset)
    page = tmp_path / "report.html"
    result = run("report", str(dataset), "--out", str(page))
    assert result.returncode == 0, result.stderr
    assert "dataset valid" in result.stdout

    assert devtools.console_problems(page.as_uri()) == []

    dom = Page(dump_dom(page, tmp_path))
    document = coco_document(dataset)
    assert sorted(dom.plots) == expected_plots(dataset, document)
    assert any(p.startswith("plot-requirement-acceptance") for p in dom.plots) == (scene.endswith("occluded_pedestrians.scene"))

    # Self-contained: no script, no stylesheet link, nothing loaded but data: URIs and anchors.
    assert dom.tags["script"] == 0 and dom.tags["link"] == 0 and dom.handlers == []
    assert all(link.startswith(("data:image/png;base64,", "#")) for link in dom.links)
    # The gallery: min(12, images) tiles, each a PNG drawn by preview.
    assert len(dom.images) == min(12, count)
    for src in dom.images:
        tile = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        assert tile.format == "PNG" and tile.size == (256 + 16, 256 + 18 + 16)

    figures = {key: int(text) for key, text in dom.figures.items() if key[0] != "validation" and key[0] != "id"
               and not key[0].startswith("acceptance_")}
    assert figures == expected_figures(document)
    assert dom.figures[("validation", None)] == "valid"

    check_screenshot(screenshot(page, tmp_path))


def test_hostile_text_stays_text(devtools, tmp_path):
    """Markup in a class name, a supercategory, the scene's comments and a recorded string is
    shown as text: the page has no script element and no event handler."""
    scene = tmp_path / "hostile.scene"
    scene.write_text("""# </pre><script>alert("comment")</script>
canvas 64 x 48
classes disc: "</td><script>alert('super')</script>", plate
background #203040
repeat randint(1, 3) { object disc at (uniform(8, 56), uniform(8, 40)) { circle(uniform(4, 12), fill: #e0a020) } }
object plate at (uniform(8, 56), uniform(8, 40)) { rectangle(uniform(6, 20), uniform(6, 20), fill: #c0c0c0) }
record label = "<img src=x onerror=alert(1)>"
""")
    dataset = tmp_path / "dataset"
    render(scene, 4, dataset)
    # A class name cannot hold markup in a script; a COCO file edited by hand can.
    hostile_name = '<script>alert("name")</script>'
    for path in coco_files(dataset):
        document = json.loads(path.read_text())
        assert document["categories"][0]["name"] == "disc"
        path.write_text(path.read_text().replace('"name":"disc"', '"name":' + json.dumps(hostile_name)))
    page = tmp_path / "report.html"
    result = run("report", str(dataset), "--out", str(page))
    assert result.returncode == 0, result.stderr
    assert "INVALID" in result.stdout  # the edited file no longer matches the manifest's hash

    assert devtools.console_problems(page.as_uri()) == []
    dom = Page(dump_dom(page, tmp_path))
    assert dom.tags["script"] == 0 and dom.handlers == []
    assert dom.tags["img"] == 4  # the gallery's, no other
    for text in [hostile_name, "</td><script>alert('super')</script>", '</pre><script>alert("comment")</script>',
                 "<img src=x onerror=alert(1)>"]:
        assert text in dom.text
    assert "plot-class-counts" in dom.plots and "plot-recorded-labels-0" in dom.plots


def test_bad_input_names_the_path_and_writes_nothing(tmp_path):
    dataset = tmp_path / "dataset"
    render(ROOT / "scenes/shapes.scene", 2, dataset)
    out = tmp_path / "out"
    out.mkdir()
    cases = [
        ((str(tmp_path / "missing"), "--out", str(out / "r.html")), 66, "missing"),
        ((str(out), "--out", str(out / "r.html")), 65, "manifest.json"),  # not a dataset (or an unfinished run)
        ((str(dataset), "--out", str(out)), 64, "--out"),  # a folder
        ((str(dataset), "--out", str(tmp_path / "no-such-folder" / "r.html")), 74, "no-such-folder"),
        ((str(dataset), "--out", str(dataset / "manifest.json")), 64, "--out"),
        ((str(dataset), "--samples", "-1"), 64, "--samples"),
    ]
    for args, status, named in cases:
        result = run("report", *args)
        assert result.returncode == status, (args, result.stderr)
        assert named in result.stderr, (args, result.stderr)
    assert list(out.iterdir()) == []
    assert not (dataset / "report.html").exists()
    assert not [p for p in dataset.iterdir() if p.name.endswith(".partial")]
