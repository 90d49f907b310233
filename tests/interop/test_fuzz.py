"""The standing fuzzer (scripts/fuzz.py, docs/FUZZING.md): a short deterministic run over the
built binary must find nothing, and the harness must report each kind of finding it claims to.
"""
import json
import os
import pathlib
import stat
import subprocess
import sys

from conftest import BINARY, ROOT

FUZZ = ROOT / "scripts" / "fuzz.py"


def fuzz(*args, timeout=600):
    done = subprocess.run([sys.executable, str(FUZZ), *map(str, args), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_a_hundred_mutants_find_nothing(tmp_path):
    # Seed 1, mutants 0..99: check, then render and validate what passes. The debug binary is
    # several times slower than a release one, hence the generous per-command limit.
    code, summary = fuzz("--binary", BINARY, "--count", 100, "--seed", 1, "--jobs", 2, "--timeout", 60,
                         "--findings", tmp_path / "findings")
    assert summary["mutants"] == 100
    assert summary["check_ok"] >= 5 and summary["rendered_and_validated"] >= 5, summary
    assert summary["findings"] == [], json.dumps(summary["findings"], indent=2)
    assert code == 0


def test_mutants_are_a_function_of_seed_and_index():
    def show(seed, index):
        return subprocess.run([sys.executable, str(FUZZ), "--seed", str(seed), "--show", str(index)], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
    assert show(5, 17) == show(5, 17)
    assert show(5, 17) != show(5, 18)


def stub(tmp_path, body):
    path = tmp_path / "tessera-stub"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_the_harness_reports_every_kind_of_finding(tmp_path):
    cases = {
        "internal": "echo 'error: cairo: something' >&2; exit 70",
        "crash": "kill -SEGV $$",
        "hang": "sleep 30",
        "unlocated": "echo 'error: no place' >&2; exit 65",
        "memory": "exec python3 -c 'b = bytearray(400 * 1024 * 1024); b[::4096] = b\"x\" * len(b[::4096])'",
        "invalid": 'case "$1" in validate) echo "invalid: 1 fault" >&2; exit 65;; *) exit 0;; esac',
    }
    for kind, body in cases.items():
        code, summary = fuzz("--binary", stub(tmp_path, body), "--count", 2, "--seed", 1, "--jobs", 1,
                             "--timeout", 2, "--memory-mb", 300, "--findings", tmp_path / kind, timeout=120)
        assert code == 1, (kind, summary)
        assert {f["kind"] for f in summary["findings"]} == {kind}, (kind, summary)
        saved = sorted((tmp_path / kind).glob("*.scene"))
        assert saved and (tmp_path / kind / (saved[0].stem + ".txt")).exists()


def test_a_finding_group_lists_every_mutant(tmp_path):
    # Every mutant fails the same way: one group, all four mutants named (in index order, also
    # with two jobs finishing out of order), in the summary and in the saved record.
    binary = stub(tmp_path, "echo 'error: cairo: something' >&2; exit 70")
    code, summary = fuzz("--binary", binary, "--count", 4, "--start", 10, "--seed", 3, "--jobs", 2,
                         "--findings", tmp_path / "found", timeout=120)
    assert code == 1
    [group] = summary["findings"]
    assert group["count"] == 4
    assert [m["mutant"] for m in group["mutants"]] == [10, 11, 12, 13]
    assert all(m["step"] == "check" and m["exit"] == 70 for m in group["mutants"])
    record = json.loads(pathlib.Path(group["file"]).with_suffix(".txt").read_text())
    assert [m["mutant"] for m in record["mutants"]] == [10, 11, 12, 13]
    text = subprocess.run([sys.executable, str(FUZZ), "--binary", str(binary), "--count", "3", "--seed", "3", "--jobs", "1",
                           "--findings", str(tmp_path / "text")], cwd=ROOT, capture_output=True, text=True).stdout
    for index in range(3):
        assert f"mutant {index} of " in text, text


def test_a_hang_is_grouped_by_its_step_and_seed_file_and_reports_its_cpu_time(tmp_path):
    # A killed process prints nothing, so hangs were one group whatever hung; now each group is
    # one step of one seed file, and each mutant's CPU seconds tell a busy command from one that
    # waited for a loaded machine (here one busy, one asleep).
    for body, busy in (("exec python3 -c 'while True: pass'", True), ("sleep 30", False)):
        code, summary = fuzz("--binary", stub(tmp_path, body), "--count", 6, "--seed", 2, "--jobs", 1,
                             "--timeout", 2, "--findings", tmp_path / f"hangs-{busy}", timeout=300)
        assert code == 1
        origins = set()
        for group in summary["findings"]:
            assert group["kind"] == "hang"
            assert group["signature"] == f"hang: check of {group['origin']}", group["signature"]
            assert {m["origin"] for m in group["mutants"]} == {group["origin"]}
            for m in group["mutants"]:
                assert (m["cpu_seconds"] > 0.25) if busy else (m["cpu_seconds"] < 0.1), m
            origins.add(group["origin"])
        assert sum(g["count"] for g in summary["findings"]) == 6
        assert len(origins) == len(summary["findings"])


def test_bad_flags_are_named_not_tracebacks(tmp_path):
    in_the_way = tmp_path / "file"
    in_the_way.write_text("")
    for flags, message in [(["--jobs", "0"], "--jobs must be at least 1"), (["--timeout", "0"], "--timeout must be"),
                           (["--count", "-1"], "--count must be at least 0"), (["--minimize", str(tmp_path)], "a folder"),
                           (["--minimize", str(tmp_path / "gone")], "no such file"),
                           (["--findings", str(in_the_way / "sub")], "a file is in the way")]:
        result = subprocess.run([sys.executable, str(FUZZ), "--binary", BINARY, *flags], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.stderr and message in result.stderr, (flags, result.stderr)
    for binary in [tmp_path, in_the_way]:   # a folder, a file that is not executable
        result = subprocess.run([sys.executable, str(FUZZ), "--binary", str(binary), "--count", "1"], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 1 and "Traceback" not in result.stderr and "no runnable tessera binary" in result.stderr
    nothing = subprocess.run([sys.executable, str(FUZZ), "--binary", BINARY, "--count", "0", "--findings",
                              str(tmp_path / "f")], capture_output=True, text=True, timeout=120)
    assert nothing.returncode == 0 and "slowest none, largest none" in nothing.stdout, nothing.stdout


def test_minimize_leaves_no_scratch_folder(tmp_path):
    finding = tmp_path / "plain.scene"
    finding.write_text("canvas 8 x 8\nclasses a\nobject a { circle(2) }\n")
    environment = dict(os.environ, TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    result = subprocess.run([sys.executable, str(FUZZ), "--binary", BINARY, "--minimize", str(finding)],
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 1 and "shows no finding now" in result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []
