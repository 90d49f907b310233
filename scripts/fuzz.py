#!/usr/bin/env python3
"""Grammar-aware mutation fuzzer for Tessera's scene language (see docs/FUZZING.md).

Seeds are the shipped scenes and templates, the scene fixtures under Tests/ and the script
examples of docs/LANGUAGE.md. Each mutant is a seed changed a few times at the level of the
language's tokens (numbers swapped for boundary values, names for keywords and built-ins
from scripts/fuzz.dict, lines duplicated, dropped, spliced from other seeds, bodies wrapped in
`repeat` or `scale`, hostile bytes), then run through `tessera check`, and, when that
succeeds, `tessera render --count 1` and `tessera validate`, each under a time limit and an
address-space limit. Mutant K of seed S is a pure function of (S, K): `--show K` prints it.

A finding is:
  crash      the process ended by a signal (other than our own timeout kill)
  internal   exit 70 (an internal error: the tool failed, not the script)
  hang       over --timeout seconds
  memory     peak resident memory over --memory-mb, or killed by the address-space limit
  unlocated  an `error:` line on stderr without PATH:LINE:COL (exit 65 diagnostics must point)
  invalid    a dataset the render wrote that `tessera validate` rejects
Findings are deduplicated by kind and message shape, saved as FINDINGS/<kind>-<hash>.scene
with a .txt beside it (command, exit status, time, memory, stderr head), and summed up.

  python3 scripts/fuzz.py --count 3000 --seed 7 --jobs 2           # a run
  python3 scripts/fuzz.py --seed 7 --show 1234                     # one mutant's text
  python3 scripts/fuzz.py --minimize findings/hang-1a2b3c.scene    # shrink a finding
"""
import argparse
import hashlib
import json
import math
import os
import pathlib
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
KINDS = ("crash", "internal", "hang", "memory", "unlocated", "invalid")

# Values at the edges of the language's limits (docs/LANGUAGE.md, *Limits*) and of the
# libraries under it: Cairo's 24.8 fixed point, FreeType's 16-bit pixels per em, the 16-bit
# masks, the amodal margin, Int and Double extremes.
BOUNDARY_NUMBERS = [
    "0", "-0", "1", "-1", "2", "0.5", "1e-9", "0.001", "-0.001", "89", "90", "360", "1000", "-1000",
    "4096", "8192", "16384", "16385", "32767", "65534", "65535", "65536", "100000", "1000000",
    "-1000000", "1000001", "4000000", "8388608", "1e308", "-1e308", "1e308 * 10", "0 * (1e308 * 10)",
    "9223372036854775807", "-9223372036854775807 - 1", "2147483648",
]
HOSTILE_SNIPPETS = [
    "\x00", "\x01", "\x1b[31m", "\t", "\r", "\u202e", "\ufeff", "é", "𝕏", "\\", '"', "#", "{", "}", "(", ")", "[", "]",
    "(" * 300 + "1" + ")" * 300, "[" * 200, "1 + " * 400 + "1", "a" * 5000, "\x01" * 200,
    "{" * 100, "#" * 9, "#fffffffff", '"' + "x" * 300 + '"',
]
WRAPPERS = [
    "repeat {n} {{\n{body}\n}}", "object a scale {n} {{\n{body}\n}}", "group at ({n}, {n}) {{\n{body}\n}}",
    "for i in [1, 2, {n}] {{\n{body}\n}}", "if true {{\n{body}\n}}",
]
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[0-9A-Fa-f]{3,8}\b|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|#[^\n]*|\n|[ \t]+|.', re.S)


def load_dictionary():
    words = []
    for line in (ROOT / "scripts" / "fuzz.dict").read_text().splitlines():
        line = line.strip()
        if line.startswith('"') and line.endswith('"'):
            words.append(json.loads(line))
    return words


def load_seeds():
    """(name, text) of every seed, in a fixed order."""
    seeds = []
    for folder in ("scenes", "templates"):
        for path in sorted((ROOT / folder).glob("*.scene")):
            seeds.append((str(path.relative_to(ROOT)), path.read_text()))
    for path in sorted((ROOT / "Tests").rglob("*.scene")):
        seeds.append((str(path.relative_to(ROOT)), path.read_text()))
    language = (ROOT / "docs" / "LANGUAGE.md").read_text()
    for k, block in enumerate(re.findall(r"```[a-z]*\n(.*?)```", language, re.S)):
        if re.search(r"^\s*(object|classes|canvas|let|repeat|template)\b", block, re.M):
            seeds.append((f"docs/LANGUAGE.md#{k}", block))
    return seeds


class Mutator:
    def __init__(self, seeds, dictionary):
        self.seeds = seeds
        self.dictionary = dictionary

    def mutant(self, seed, index):
        """Mutant `index` of run seed `seed`: (seed name, text)."""
        rng = random.Random(f"{seed}:{index}")
        # Shipped scenes and the reference's examples compile, so their mutants get past the
        # parser; the error fixtures (more numerous) exercise the diagnostics.
        group = rng.choices(("scenes/", "docs/", "Tests/", "templates/"), weights=(45, 30, 15, 10))[0]
        pool = [seed for seed in self.seeds if seed[0].startswith(group)] or self.seeds
        name, text = pool[rng.randrange(len(pool))]
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 5))):
            text = self.mutate(rng, text)
        return name, text

    def mutate(self, rng, text):
        tokens = TOKEN.findall(text) or [""]
        lines = text.split("\n")
        kind = rng.randrange(12)
        if kind == 0:  # a number to a boundary value
            spots = [i for i, t in enumerate(tokens) if t[:1].isdigit()]
            if spots:
                tokens[rng.choice(spots)] = rng.choice(BOUNDARY_NUMBERS)
            return "".join(tokens)
        if kind == 1:  # a number scaled
            spots = [i for i, t in enumerate(tokens) if t[:1].isdigit()]
            if spots:
                i = rng.choice(spots)
                tokens[i] = f"({tokens[i]} * {rng.choice(['10', '100', '1000', '-1', '0.001', '1e6'])})"
            return "".join(tokens)
        if kind == 2:  # a name to a dictionary word
            spots = [i for i, t in enumerate(tokens) if t[:1].isalpha() or t[:1] == "_"]
            if spots:
                tokens[rng.choice(spots)] = rng.choice(self.dictionary)
            return "".join(tokens)
        if kind == 3:  # a dictionary word inserted
            i = rng.randrange(len(tokens) + 1)
            tokens.insert(i, " " + rng.choice(self.dictionary) + " ")
            return "".join(tokens)
        if kind == 4:  # a token dropped
            spots = [i for i, t in enumerate(tokens) if not t.isspace()]
            if spots:
                del tokens[rng.choice(spots)]
            return "".join(tokens)
        if kind == 5:  # a line duplicated many times
            i = rng.randrange(len(lines))
            lines[i:i + 1] = [lines[i]] * rng.choice((2, 10, 200))
            return "\n".join(lines)
        if kind == 6:  # a line dropped
            del lines[rng.randrange(len(lines))]
            return "\n".join(lines)
        if kind == 7:  # lines spliced from another seed
            other = rng.choice(self.seeds)[1].split("\n")
            start = rng.randrange(len(other))
            i = rng.randrange(len(lines) + 1)
            lines[i:i] = other[start:start + rng.choice((1, 3, 10))]
            return "\n".join(lines)
        if kind == 8:  # a run of lines wrapped in a block
            i = rng.randrange(len(lines))
            j = min(len(lines), i + rng.choice((1, 2, 5)))
            body = "\n".join(lines[i:j])
            lines[i:j] = rng.choice(WRAPPERS).format(n=rng.choice(BOUNDARY_NUMBERS[:24]), body=body).split("\n")
            return "\n".join(lines)
        if kind == 9:  # hostile bytes
            i = rng.randrange(len(tokens) + 1)
            tokens.insert(i, rng.choice(HOSTILE_SNIPPETS))
            return "".join(tokens)
        if kind == 10:  # two lines swapped
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            return "\n".join(lines)
        # an argument list cut short or doubled
        spots = [i for i, t in enumerate(tokens) if t in ("(", ",")]
        if spots:
            i = rng.choice(spots)
            tokens.insert(i + 1, rng.choice(("", ")", ", ", "size: ", "fill: ", "1, 1, 1, ")))
        return "".join(tokens)


def limit_memory(megabytes):
    def apply():
        os.setsid()
        limit = megabytes * 4 * 1024 * 1024  # address space: room for Swift's reservations
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run(binary, args, timeout, memory_mb, cwd):
    """Runs one command; returns (exit status or -signal, wall seconds, peak RSS in MB, stderr,
    timed out, stderr bytes, CPU seconds). The limit is wall time; the CPU seconds tell a command
    that was slow from one that waited for a loaded machine's cores."""
    start = time.monotonic()
    process = subprocess.Popen([str(binary), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=limit_memory(memory_mb))
    timed_out = False

    def kill():
        nonlocal timed_out
        timed_out = True
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    stderr = b""
    try:
        # Read at most 1 MiB of stderr, then drain: a flood is itself worth reporting.
        chunks, total = [], 0
        while True:
            chunk = process.stderr.read(65536)
            if not chunk:
                break
            total += len(chunk)
            if total <= 1 << 20:
                chunks.append(chunk)
        stderr = b"".join(chunks)
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
        process.stderr.close()
        process.returncode = 0
    seconds = time.monotonic() - start
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    cpu = usage.ru_utime + usage.ru_stime
    return code, seconds, usage.ru_maxrss / 1024, stderr.decode("utf-8", "replace"), timed_out, total, cpu


def classify(code, seconds, peak_mb, stderr, timed_out, stderr_bytes, options):
    """The finding kind of one run, or None."""
    if timed_out:
        return "hang"
    if peak_mb > options.memory_mb or "Cannot allocate memory" in stderr or "out of memory" in stderr.lower():
        return "memory"
    if code < 0:
        return "crash"
    if code == 70:
        return "internal"
    if stderr_bytes > 1 << 20:
        return "unlocated"  # a flood of output is a diagnostics bug
    if code == 65 and any(line.startswith("error:") for line in stderr.split("\n")):
        return "unlocated"
    return None


def signature(kind, stderr, silent=""):
    """The shape of a finding: its first error line with numbers and quoted text blanked; for a
    process that printed nothing (a hang is killed), `silent` (the step and the seed file)."""
    first = next((l for l in stderr.split("\n") if "error" in l), stderr.split("\n")[0] if stderr else "")
    if not first.strip():
        return kind + ": " + silent
    first = re.sub(r"^.*?:\d+:\d+: ", "", first)
    first = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first)
    return kind + ": " + re.sub(r"\d+(\.\d+)?", "N", first)[:160]


def examine(binary, text, options, work, origin=""):
    """Runs check (and render + validate when check passes) on one script; returns
    (kind, signature, report) of the first finding, or None, and what ran."""
    work.mkdir(parents=True, exist_ok=True)
    scene = work / "mutant.scene"
    scene.write_bytes(text.encode("utf-8", "surrogatepass"))
    steps = [("check", ["check", str(scene)])]
    ran = []
    for step, args in steps:
        code, seconds, peak, stderr, timed_out, size, cpu = run(binary, args, options.timeout, options.memory_mb, ROOT)
        ran.append((step, code, seconds, peak))
        kind = classify(code, seconds, peak, stderr, timed_out, size, options)
        if kind:
            return (kind, signature(kind, stderr, f"{step} of {origin}"),
                    {"step": step, "args": args, "exit": code, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                     "peak_mb": round(peak), "stderr": stderr[:4000]}), ran
        if step == "check" and code == 0 and options.render:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            steps.append(("render", ["render", str(scene), "--count", "1", "--out", str(out), "--jobs", "1"]))
        elif step == "render" and code == 0:
            steps.append(("validate", ["validate", str(work / "out")]))
        elif step == "validate" and code != 0:
            return ("invalid", signature("invalid", stderr), {"step": step, "exit": code, "stderr": stderr[:4000]}), ran
    return None, ran


def save(findings_dir, kind, sig, report, text, origin):
    digest = hashlib.sha256(sig.encode()).hexdigest()[:10]
    stem = findings_dir / f"{kind}-{digest}"
    if not stem.with_suffix(".scene").exists():
        stem.with_suffix(".scene").write_bytes(text.encode("utf-8", "surrogatepass"))
        stem.with_suffix(".txt").write_text(json.dumps({"signature": sig, "origin": origin, **report}, indent=2) + "\n")
    return stem.with_suffix(".scene")


def fuzz(options):
    binary = pathlib.Path(options.binary).resolve()
    mutator = Mutator(load_seeds(), load_dictionary())
    findings_dir = pathlib.Path(options.findings)
    findings_dir.mkdir(parents=True, exist_ok=True)
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="tessera-fuzz-"))
    lock = threading.Lock()
    found = {}
    stats = {"mutants": 0, "checked_ok": 0, "rendered": 0, "slowest": (0.0, None), "largest_mb": (0.0, None)}
    started = time.monotonic()

    def one(index):
        origin, text = mutator.mutant(options.seed, index)
        result, ran = examine(binary, text, options, scratch / f"w{threading.get_ident()}", origin)
        with lock:
            stats["mutants"] += 1
            for step, code, seconds, peak in ran:
                if step == "check" and code == 0:
                    stats["checked_ok"] += 1
                if step == "render" and code == 0:
                    stats["rendered"] += 1
                if seconds > stats["slowest"][0]:
                    stats["slowest"] = (round(seconds, 2), f"{step} of mutant {index}")
                if peak > stats["largest_mb"][0]:
                    stats["largest_mb"] = (round(peak), f"{step} of mutant {index}")
            if result:
                kind, sig, report = result
                entry = found.setdefault(sig, {"kind": kind, "count": 0, "first": index, "origin": origin, "mutants": []})
                entry["count"] += 1
                entry["mutants"].append({"mutant": index, "origin": origin, "step": report.get("step"),
                                         "exit": report.get("exit"), "seconds": report.get("seconds"),
                                         "cpu_seconds": report.get("cpu_seconds"),
                                         "peak_mb": report.get("peak_mb")})
                if entry["count"] == 1:
                    entry["saved"] = index
                    entry["file"] = str(save(findings_dir, kind, sig, {"mutant": index, "seed": options.seed, **report},
                                             text, origin))
                if not options.json:
                    print(f"[{index}] {sig}  ({entry['file']})", file=sys.stderr, flush=True)

    deadline = started + options.minutes * 60 if options.minutes else None
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        index = options.start
        pending = []
        while (options.count is None or index < options.start + options.count) and (deadline is None or time.monotonic() < deadline):
            pending.append(pool.submit(one, index))
            index += 1
            if len(pending) >= options.jobs * 4:
                pending.pop(0).result()
        for future in pending:
            future.result()
    shutil.rmtree(scratch, ignore_errors=True)
    for sig, entry in found.items():
        # Every mutant of the group, in index order (with --jobs > 1 they finish out of order).
        entry["mutants"].sort(key=lambda m: m["mutant"])
        entry["first"] = entry["mutants"][0]["mutant"]
        # The saved record lists them too (when this run saved it: an earlier run's stays).
        record = pathlib.Path(entry["file"]).with_suffix(".txt")
        saved = json.loads(record.read_text())
        if saved.get("seed") == options.seed and saved.get("mutant") == entry["saved"]:
            saved["mutants"] = entry["mutants"]
            record.write_text(json.dumps(saved, indent=2) + "\n")
    summary = {"seed": options.seed, "mutants": stats["mutants"], "check_ok": stats["checked_ok"],
               "rendered_and_validated": stats["rendered"], "seconds": round(time.monotonic() - started, 1),
               "slowest": stats["slowest"], "largest_mb": stats["largest_mb"],
               "findings": [{"signature": s, **e} for s, e in sorted(found.items())]}
    if options.json:
        print(json.dumps(summary, indent=2))
    else:
        def worst(value, unit):
            amount, where = value
            return f"{amount} {unit} ({where})" if where else "none"
        print(f"{summary['mutants']} mutants in {summary['seconds']} s: {summary['check_ok']} passed check, "
              f"{summary['rendered_and_validated']} rendered and validated; slowest {worst(stats['slowest'], 's')}, "
              f"largest {worst(stats['largest_mb'], 'MB')}")
        for s, e in sorted(found.items()):
            print(f"  {e['count']:5d} × {s}\n          saved: mutant {e['saved']} of {e['origin']} → {e['file']}")
            for m in e["mutants"]:
                print(f"          mutant {m['mutant']} of {m['origin']}: {m['step']}, exit {m['exit']}, "
                      f"{m['seconds']} s ({m['cpu_seconds']} s CPU), {m['peak_mb']} MB")
        if not found:
            print("  no findings")
    return 1 if found else 0


def minimize(options):
    """Shrinks a saved finding: drops lines, then tokens, while the same kind of finding stays."""
    binary = pathlib.Path(options.binary).resolve()
    path = pathlib.Path(options.minimize)
    text = path.read_text(errors="surrogateescape")
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="tessera-min-"))
    try:
        return shrink(binary, path, text, options, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def shrink(binary, path, text, options, scratch):
    """`minimize`'s work, its scratch folder made and removed by the caller."""
    result, _ = examine(binary, text, options, scratch)
    if not result:
        print("this file shows no finding now", file=sys.stderr)
        return 1
    kind = result[0]

    def holds(candidate):
        found, _ = examine(binary, candidate, options, scratch)
        return found is not None and found[0] == kind

    for split, join in ((lambda t: t.split("\n"), "\n"), (TOKEN.findall, "")):
        parts = split(text)
        chunk = max(1, len(parts) // 2)
        while chunk >= 1:
            i, changed = 0, False
            while i < len(parts):
                candidate = parts[:i] + parts[i + chunk:]
                if candidate and holds(join.join(candidate)):
                    parts, changed = candidate, True
                else:
                    i += chunk
            if not changed:
                chunk //= 2
        text = join.join(parts)
    out = path.with_name(path.stem + ".min.scene")
    out.write_text(text, errors="surrogateescape")
    print(f"{kind}: {len(text)} characters → {out}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("TESSERA_BIN", str(ROOT / ".build" / "release" / "tessera")))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, help="mutants to run (default: until --minutes, else 1000)")
    parser.add_argument("--minutes", type=float, help="stop starting mutants after this long")
    parser.add_argument("--start", type=int, default=0, help="index of the first mutant")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per command (a slower one is a hang)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="peak resident memory per command")
    parser.add_argument("--no-render", dest="render", action="store_false", help="check only")
    parser.add_argument("--findings", default="fuzz-findings", help="folder for the findings")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--show", type=int, metavar="K", help="print mutant K of --seed and exit")
    parser.add_argument("--minimize", metavar="FILE", help="shrink a saved finding")
    options = parser.parse_args()
    for flag, value, least in (("--jobs", options.jobs, 1), ("--memory-mb", options.memory_mb, 1),
                               ("--count", options.count, 0), ("--show", options.show, 0), ("--start", options.start, 0)):
        if value is not None and value < least:
            parser.error(f"{flag} must be at least {least}, not {value}")
    for flag, value in (("--timeout", options.timeout), ("--minutes", options.minutes)):
        if value is not None and not (math.isfinite(value) and value > 0):
            parser.error(f"{flag} must be a finite number > 0, not {value}")
    if options.minimize and not pathlib.Path(options.minimize).is_file():
        parser.error(f"--minimize {options.minimize}: " +
                     ("a folder, not a saved finding" if pathlib.Path(options.minimize).is_dir() else "no such file"))
    findings = pathlib.Path(options.findings)
    if findings.exists() and not findings.is_dir() or any(p.exists() and not p.is_dir() for p in findings.parents):
        parser.error(f"--findings {options.findings}: not a folder (a file is in the way)")
    if options.show is not None:
        origin, text = Mutator(load_seeds(), load_dictionary()).mutant(options.seed, options.show)
        sys.stdout.write(f"# mutant {options.show} of seed {options.seed}, from {origin}\n{text}")
        return 0
    if not (os.path.isfile(options.binary) and os.access(options.binary, os.X_OK)):
        sys.exit(f"error: --binary {options.binary}: no runnable tessera binary there (swift build -c release, "
                 f"or --binary PATH)")
    if options.minimize:
        return minimize(options)
    if options.count is None and options.minutes is None:
        options.count = 1000
    return fuzz(options)


if __name__ == "__main__":
    sys.exit(main())
