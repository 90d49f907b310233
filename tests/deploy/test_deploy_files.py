"""The cluster job files are what the schedulers need, and they really run.

Checks without the binary (bash, sh and PyYAML only; no Slurm, kubectl or Docker):
  * deploy/slurm: the scripts pass `bash -n`; render.sbatch is a job array with CPUs, memory,
    time and a log per task, and runs `tessera render` with --resume, --jobs from the CPUs
    and no hard-coded --shard; merge.sbatch runs merge, then validate; submit.sh submits the
    array and the merge with `afterok` on it (run against a stand-in sbatch).
  * deploy/kubernetes: every document parses; the render Job is Indexed, its
    TESSERA_SHARD_COUNT equals its completions, it runs `tessera render --resume` into a path
    with $(JOB_COMPLETION_INDEX) on a mounted PersistentVolumeClaim, --jobs equals the CPU
    request, and every $(VAR) it uses is defined; the merge Job joins as many shards from
    the same claim, then validates.
  * Dockerfile: a Swift build stage with the headers of every library Package.swift links, a slim runtime stage
    with the libraries only, scenes/ and templates/ in the working directory, ENTRYPOINT
    tessera; .dockerignore keeps build products out and lets the sources in.
With $TESSERA_BIN set (the Makefile sets it), the files' commands are run for real: the
Slurm scripts as two array tasks and the merge job, the Kubernetes commands as every index
of the Job (`parallelism` processes at a time, each with its own JOB_COMPLETION_INDEX) and
the merge Job; each merged dataset must pass `tessera validate` and equal a single run byte
for byte. test_slurm_cluster.py runs the Slurm files on a real (single-node) Slurm cluster.
"""
import filecmp
import os
import pathlib
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SLURM = ROOT / "deploy" / "slurm"
KUBERNETES = ROOT / "deploy" / "kubernetes"
BINARY = os.environ.get("TESSERA_BIN")
needs_binary = pytest.mark.skipif(not BINARY, reason="TESSERA_BIN is not set (make test sets it)")


def binary():
    return str((ROOT / BINARY).resolve())


def clean_environment(**extra):
    """The test's environment without any scheduler variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SLURM_") and k not in ("JOB_COMPLETION_INDEX", "TESSERA_SHARD_COUNT")}
    env.update(extra)
    return env


def run(cmd, **kwargs):
    result = subprocess.run(cmd, cwd=kwargs.pop("cwd", ROOT), capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


# ---------------------------------------------------------------------------------------
# Slurm

def sbatch_directives(path):
    """The `#SBATCH --name=value` options, which Slurm reads only before the first command."""
    directives = {}
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#SBATCH"):
            option = stripped.split(None, 1)[1]
            name, _, value = option.partition("=")
            directives[name] = value
        elif stripped and not stripped.startswith("#"):
            break
    return directives


def logical_lines(path):
    """The script's lines with backslash continuations joined and comments dropped."""
    text = path.read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def tessera_calls(path, subcommand):
    """Every line that runs `tessera SUBCOMMAND` (through $TESSERA), as shell words."""
    calls = []
    for line in logical_lines(path):
        words = shlex.split(line, comments=True)
        for i, word in enumerate(words[:-1]):
            if word in ("$TESSERA", "${TESSERA}") and words[i + 1] == subcommand:
                calls.append(words[i:])
    return calls


def default_of(path, variable):
    match = re.search(rf'^{variable}="\$\{{{variable}:-([^}}]*)\}}"', path.read_text(), re.MULTILINE)
    assert match, f"{path.name} sets {variable} with a default"
    return match.group(1)


@pytest.mark.parametrize("name", ["render.sbatch", "merge.sbatch", "submit.sh"])
def test_slurm_scripts_are_strict_valid_bash(name):
    path = SLURM / name
    run(["bash", "-n", str(path)])
    assert path.read_text().startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in logical_lines(path)


def test_render_sbatch_is_a_job_array_with_resources_and_a_log_per_task():
    directives = sbatch_directives(SLURM / "render.sbatch")
    assert re.fullmatch(r"0-\d+", directives["--array"]), "a plain range 0-(N-1): tessera counts shards from the task minimum"
    assert int(directives["--cpus-per-task"]) >= 1
    assert re.fullmatch(r"\d+[KMGT]?", directives["--mem"])
    assert re.fullmatch(r"(\d+-)?\d+(:\d\d){0,2}", directives["--time"])
    assert "%a" in directives["--output"] and "%A" in directives["--output"], "one log per array task"


def test_render_sbatch_renders_the_assigned_shard_with_resume():
    calls = tessera_calls(SLURM / "render.sbatch", "render")
    assert len(calls) == 1
    words = calls[0]
    assert "--resume" in words
    assert not any(w == "--shard" or w.startswith("--shard=") or w == "--shard-count" for w in words), \
        "the shard comes from SLURM_ARRAY_TASK_ID/COUNT"
    assert words[words.index("--jobs") + 1] == "$jobs"
    assert "SLURM_CPUS_PER_TASK" in (SLURM / "render.sbatch").read_text()
    out = words[words.index("--out") + 1]
    assert out.startswith("$OUT/shard-")
    for option in ("--count", "--seed"):
        assert option in words


def test_merge_sbatch_merges_every_shard_then_validates():
    path = SLURM / "merge.sbatch"
    lines = logical_lines(path)
    merge = next(i for i, line in enumerate(lines) if re.search(r'"\$TESSERA" merge ', line))
    validate = next(i for i, line in enumerate(lines) if re.search(r'"\$TESSERA" validate ', line))
    assert merge < validate
    words = tessera_calls(path, "merge")[0]
    merged = words[words.index("--out") + 1]
    assert tessera_calls(path, "validate")[0][2] == merged
    assert "--dependency=" in path.read_text() and "afterok" in path.read_text()
    # The shard count and folders agree with render.sbatch's defaults.
    array = sbatch_directives(SLURM / "render.sbatch")["--array"]
    assert int(default_of(path, "SHARDS")) == int(array.split("-")[1]) + 1
    for variable in ("OUT", "TESSERA"):
        assert default_of(path, variable) == default_of(SLURM / "render.sbatch", variable)


def test_submit_sh_submits_the_array_then_the_merge_after_it(tmp_path):
    log = tmp_path / "sbatch.log"
    fake = tmp_path / "bin" / "sbatch"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$*" >> "$SBATCH_LOG"\necho "4242;cluster"\n')
    fake.chmod(0o755)
    env = clean_environment(SHARDS="3", SBATCH_LOG=str(log), PATH=f"{fake.parent}:{os.environ['PATH']}")
    result = run(["bash", str(SLURM / "submit.sh")], env=env)
    render, merge = log.read_text().splitlines()
    assert "--array=0-2" in render.split() and render.endswith("render.sbatch")
    assert "--dependency=afterok:4242" in merge.split() and merge.endswith("merge.sbatch")
    assert "4242" in result.stdout


# ---------------------------------------------------------------------------------------
# Kubernetes

def documents(path):
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert docs, f"{path.name} holds no document"
    return docs


def all_documents():
    return [d for path in sorted(KUBERNETES.glob("*.yaml")) for d in documents(path)]


def jobs():
    return [d for d in all_documents() if d["kind"] == "Job"]


def render_job():
    (job,) = [j for j in jobs() if j["spec"].get("completionMode") == "Indexed"]
    return job


def merge_job():
    (job,) = [j for j in jobs() if j["spec"].get("completionMode") != "Indexed"]
    return job


def container(job):
    (only,) = job["spec"]["template"]["spec"]["containers"]
    return only


def env_of(c):
    return {e["name"]: e for e in c.get("env", [])}


def words_of(c):
    return [str(w) for w in c.get("command", []) + c.get("args", [])]


def mounted_claims(job):
    """mountPath → claimName for every PersistentVolumeClaim the container mounts."""
    pod = job["spec"]["template"]["spec"]
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v}
    return {m["mountPath"]: claims[m["name"]] for m in container(job).get("volumeMounts", []) if m["name"] in claims}


def test_every_kubernetes_document_parses_as_an_object():
    for doc in all_documents():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"]
    assert {j["metadata"]["name"] for j in jobs()} == {render_job()["metadata"]["name"], merge_job()["metadata"]["name"]}


def test_render_job_is_indexed_with_the_shard_count_and_retries_per_index():
    job = render_job()
    spec = job["spec"]
    assert job["apiVersion"] == "batch/v1"
    completions = spec["completions"]
    assert 1 <= spec["parallelism"] <= completions
    assert int(env_of(container(job))["TESSERA_SHARD_COUNT"]["value"]) == completions
    assert spec.get("backoffLimitPerIndex", spec.get("backoffLimit", 0)) >= 1
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_render_job_runs_tessera_render_with_resume_into_the_indexed_shard_on_a_claim():
    c = container(render_job())
    words = words_of(c)
    assert words[:2] == ["tessera", "render"]
    assert "--resume" in words
    assert not any(w.startswith("--shard") for w in words), "the shard comes from JOB_COMPLETION_INDEX"
    out = words[words.index("--out") + 1]
    assert "$(JOB_COMPLETION_INDEX)" in out
    assert any(out.startswith(mount.rstrip("/") + "/") for mount in mounted_claims(render_job()))


def test_render_job_threads_equal_its_cpu_request():
    c = container(render_job())
    words = words_of(c)
    jobs_value = words[words.index("--jobs") + 1]
    request = str(c["resources"]["requests"]["cpu"])
    match = re.fullmatch(r"\$\((\w+)\)", jobs_value)
    if match:
        source = env_of(c)[match.group(1)]["valueFrom"]["resourceFieldRef"]
        assert source["resource"] == "requests.cpu" and str(source.get("divisor", "1")) == "1"
    else:
        assert jobs_value == request
    assert re.fullmatch(r"\d+", request), "a whole number of CPUs, one thread each"


@pytest.mark.parametrize("job", ["render", "merge"])
def test_every_variable_reference_is_defined_before_use(job):
    # Kubernetes expands $(VAR) in command and args only for variables in the container's env.
    c = container(render_job() if job == "render" else merge_job())
    referenced = set(re.findall(r"\$\((\w+)\)", " ".join(words_of(c))))
    assert referenced <= set(env_of(c))


def test_merge_job_joins_every_shard_of_the_same_claim_then_validates(tmp_path):
    render, merge = render_job(), merge_job()
    c = container(merge)
    assert merge["spec"].get("completions", 1) == 1
    assert c["image"] == container(render)["image"]
    assert int(env_of(c)["TESSERA_SHARD_COUNT"]["value"]) == render["spec"]["completions"]
    assert set(mounted_claims(merge).values()) == set(mounted_claims(render).values())
    claims = {d["metadata"]["name"] for d in all_documents() if d["kind"] == "PersistentVolumeClaim"}
    assert set(mounted_claims(render).values()) <= claims
    assert c["command"][:2] == ["/bin/sh", "-c"]
    script = c["args"][0]
    script_file = tmp_path / "merge.sh"
    script_file.write_text(script)
    run(["sh", "-n", str(script_file)])
    assert script.index("tessera merge") < script.index("tessera validate")


# ---------------------------------------------------------------------------------------
# Docker

def dockerfile_stages():
    """[(FROM line, [instructions])], continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        elif stages:
            stages[-1][1].append(line)
    return stages


def test_dockerfile_builds_with_swift_and_runs_slim_with_the_runtime_libraries():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    (build_from, build), (run_from, runtime) = stages[0], stages[-1]
    build_text, runtime_text = " ".join(build), " ".join(runtime)
    assert re.search(r"FROM \S+ AS build", build_from, re.IGNORECASE)
    arguments = dict(re.findall(r"^ARG (\w+)=(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    image = re.sub(r"\$\{?(\w+)\}?", lambda m: arguments[m.group(1)], build_from.split()[1])
    assert image.startswith("swift:"), "the official Swift image"
    # Every system library Package.swift links (its apt providers) is installed to build, and
    # its runtime package to run: a library missing here fails only when the image is built.
    providers = re.findall(r'\.apt\(\["([^"]+)"\]\)', (ROOT / "Package.swift").read_text())
    assert {"libcairo2-dev", "libpng-dev", "libjpeg-dev"} <= set(providers)
    for package in providers + ["pkg-config"]:
        assert package in build_text.split(), f"{package} in the build stage"
    assert re.search(r"swift build -c release --product tessera", build_text)
    assert run_from.split()[1] == "debian:bookworm-slim"
    runtime_packages = {"libcairo2-dev": "libcairo2", "libpng-dev": "libpng16-16",
                        "libjpeg-dev": "libjpeg62-turbo", "libdeflate-dev": "libdeflate0"}
    for package in providers:
        assert runtime_packages[package] in runtime_text.split(), f"{runtime_packages[package]} in the runtime stage"
    assert "-dev" not in runtime_text
    assert any(i.startswith("COPY --from=build") for i in runtime)
    workdir = max(i for i, line in enumerate(runtime) if line.startswith("WORKDIR"))
    for folder in ("scenes", "templates"):
        copy = next(i for i, line in enumerate(runtime) if re.fullmatch(rf"COPY {folder}/? \./{folder}/?", line))
        assert copy > workdir, f"{folder}/ goes into the working directory"
    assert 'ENTRYPOINT ["tessera"]' in runtime


def test_dockerignore_drops_build_products_and_keeps_the_sources():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for pattern in (".git", ".build", "output/"):
        assert pattern in ignored
    copied = re.findall(r"^COPY (?!--from)(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert {"Package.swift", "Sources", "Tests", "scenes", "templates"} <= {c.rstrip("/") for c in copied}
    for path in copied:
        assert path.rstrip("/") not in {p.rstrip("/") for p in ignored}


# ---------------------------------------------------------------------------------------
# The commands, run with the real binary

def single_run(tmp_path, count, seed="7"):
    out = tmp_path / "single"
    run([binary(), "render", "scenes/shapes.scene", "--count", str(count), "--seed", seed, "--quiet",
         "--out", str(out)], env=clean_environment())
    return out


def assert_identical(merged, single):
    run([binary(), "validate", str(merged)], env=clean_environment())
    names = sorted(p.relative_to(single) for p in single.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(merged) for p in merged.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(single, merged, [str(n) for n in names], shallow=False)
    assert not mismatch and not errors


@needs_binary
def test_slurm_scripts_render_two_shards_and_merge_them_into_a_single_runs_bytes(tmp_path):
    out = tmp_path / "cluster"
    common = dict(COUNT="5", SEED="7", OUT=str(out), TESSERA=binary())
    for task in (0, 1):
        env = clean_environment(SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="0", SLURM_ARRAY_TASK_MAX="1",
                                SLURM_ARRAY_TASK_COUNT="2", SLURM_CPUS_PER_TASK="2", **common)
        result = run(["bash", str(SLURM / "render.sbatch")], env=env)
        assert f"shard {task}/2" in result.stderr
    # A requeued task, on a node with other CPUs, resumes its finished shard: nothing changes.
    env = clean_environment(SLURM_ARRAY_TASK_ID="1", SLURM_ARRAY_TASK_MIN="0", SLURM_ARRAY_TASK_MAX="1",
                            SLURM_ARRAY_TASK_COUNT="2", SLURM_CPUS_PER_TASK="1", **common)
    run(["bash", str(SLURM / "render.sbatch")], env=env)
    result = run(["bash", str(SLURM / "merge.sbatch")], env=clean_environment(SHARDS="2", **common))
    assert result.stdout.startswith("valid: 5 images")
    assert_identical(out / "merged", single_run(tmp_path, 5))


@needs_binary
def test_kubernetes_commands_render_every_index_and_merge_them_into_a_single_runs_bytes(tmp_path):
    render = container(render_job())
    completions = render_job()["spec"]["completions"]
    mount = next(iter(mounted_claims(render_job())))
    data = tmp_path / "data"
    data.mkdir()

    def expand(word, env):
        return re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], word).replace(mount, str(data))

    words = words_of(render)
    words[words.index("--count") + 1] = str(completions + 1)   # small, and one shard gets two images
    # The pods: every index in its own process, `parallelism` of them at once, as the Job
    # controller runs them, all writing into the one volume.
    parallelism = render_job()["spec"]["parallelism"]
    pods = []
    for index in range(completions):
        env = {name: e.get("value") for name, e in env_of(render).items()}
        env["JOB_COMPLETION_INDEX"] = str(index)                # the downward API's values
        env["TESSERA_JOBS"] = str(render["resources"]["requests"]["cpu"])
        command = [expand(w, env) for w in words]
        command[0] = binary()
        pods.append((index, command, clean_environment(**{k: v for k, v in env.items() if v is not None})))
    assert parallelism > 1, "the pods of the Job run side by side"
    for wave in range(0, completions, parallelism):
        running = [(index, command, subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                                     stderr=subprocess.PIPE, text=True))
                   for index, command, env in pods[wave:wave + parallelism]]
        for index, command, process in running:
            out, err = process.communicate(timeout=600)
            assert process.returncode == 0, f"{command} failed ({process.returncode}):\n{out}\n{err}"
            assert f"shard {index}/{completions} (from JOB_COMPLETION_INDEX and TESSERA_SHARD_COUNT)" in err, err
    merge = container(merge_job())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tessera").symlink_to(binary())
    env = {name: e["value"] for name, e in env_of(merge).items()}
    env = {k: v.replace(mount, str(data)) for k, v in env.items()}
    result = run([*merge["command"], merge["args"][0]],
                 env=clean_environment(PATH=f"{bin_dir}:{os.environ['PATH']}", **env))
    assert result.stdout.startswith(f"valid: {completions + 1} images")
    seed = words[words.index("--seed") + 1]
    assert_identical(data / "merged", single_run(tmp_path, completions + 1, seed))
