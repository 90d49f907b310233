#!/usr/bin/env bash
# Installs what Tessera needs on a fresh Debian machine, skipping what is already there:
#   system: Cairo, libpng, libjpeg, libdeflate, pkg-config, a C compiler, fonts, Chromium (Debian packages; Chromium
#           only for the report test, tests/interop/test_report.py); slurm-wlm and munge
#           (the single-node Slurm cluster of tests/deploy/test_slurm_cluster.py, which starts
#           and stops the daemons itself; nothing is enabled as a service)
#   Python: pycocotools, numpy, Pillow, pytest (for the interop tests), PyYAML (deploy-file tests),
#           ultralytics, torch, torchvision (the YOLO export's interop test; PyPI's default
#           wheels, which run on CPU; about 1.5 minutes to install), webdataset and wids
#           (the WebDataset interop test), panopticapi-lite (the COCO panoptic export's interop
#           test: cocodataset/panopticapi's evaluator, installed without the plotting packages
#           it declares but never imports); supervision, faster-coco-eval, datumaro,
#           FiftyOne (the dataset readers of tests/interop/test_loaders.py; about 65 s more)
# Needs root (or sudo) only when something is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

need_apt=()
pkg-config --exists cairo 2>/dev/null || need_apt+=(libcairo2-dev)
pkg-config --exists libpng 2>/dev/null || need_apt+=(libpng-dev)
pkg-config --exists libjpeg 2>/dev/null || need_apt+=(libjpeg-dev)
# The PNG writer's checksums (optional: without it the build takes zlib's, same bytes, slower).
pkg-config --exists libdeflate 2>/dev/null || need_apt+=(libdeflate-dev)
# The default font of text(…): DejaVu Sans (Debian: fonts-dejavu-core).
if command -v fc-list >/dev/null; then
    fc-list | grep -q DejaVuSans.ttf || need_apt+=(fonts-dejavu-core)
elif [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    need_apt+=(fonts-dejavu-core)
fi
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v cc >/dev/null || need_apt+=(gcc)   # tests/interop/test_text_layouts.py compiles scripts/cairo_calls.c
command -v chromium >/dev/null || need_apt+=(chromium)
command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null || need_apt+=(slurm-wlm)
command -v munged >/dev/null || need_apt+=(munge)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: installing ${need_apt[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c "import pycocotools, numpy, PIL, pytest, yaml" 2>/dev/null; then
    echo "setup: installing Python packages for the interop and deploy tests" >&2
    python3 -m pip install --quiet --disable-pip-version-check pycocotools numpy pillow pytest pyyaml
fi

if ! python3 -c "import motmetrics" 2>/dev/null; then
    echo "setup: installing motmetrics for the MOTChallenge interop test" >&2
    python3 -m pip install --quiet --disable-pip-version-check motmetrics==1.4.0
fi

if ! python3 -c "import trackeval" 2>/dev/null; then
    echo "setup: installing TrackEval for the MOTChallenge HOTA interop test" >&2
    python3 -m pip install --quiet --disable-pip-version-check trackeval==1.3.0
fi

if ! python3 -c "import ultralytics, torch, torchvision" 2>/dev/null; then
    echo "setup: installing ultralytics, torch and torchvision for the YOLO interop test" >&2
    python3 -m pip install --quiet --disable-pip-version-check ultralytics==8.4.190 torch==2.15.0 torchvision==0.29.2
fi

if ! python3 -c "import webdataset, wids" 2>/dev/null; then
    echo "setup: installing webdataset and wids for the WebDataset interop test" >&2
    python3 -m pip install --quiet --disable-pip-version-check webdataset==1.0.2 wids==0.1.11
fi

if ! python3 -c "import panopticapi.evaluation" 2>/dev/null; then
    echo "setup: installing panopticapi-lite for the COCO panoptic interop test" >&2
    python3 -m pip install --quiet --disable-pip-version-check --no-deps panopticapi-lite==0.2.0
fi

# Looked up rather than imported: importing FiftyOne takes seconds.
if ! python3 -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('supervision', 'faster_coco_eval', 'datumaro', 'fiftyone')))"; then
    echo "setup: installing supervision, faster-coco-eval, datumaro and FiftyOne for the readers' interop test" >&2
    python3 -m pip install --quiet --disable-pip-version-check \
        supervision==0.31.2 faster-coco-eval==1.8.0 datumaro==1.13.12 fiftyone==1.22.1
fi
