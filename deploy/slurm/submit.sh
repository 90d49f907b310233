#!/usr/bin/env bash
# Submits deploy/slurm/render.sbatch as an array of SHARDS tasks and deploy/slurm/merge.sbatch
# to run when all of them have succeeded. Run it from the repository root; the run's
# variables pass through the environment, e.g.
#
#   SHARDS=64 COUNT=1000000 SEED=7 SCENE=scenes/shapes.scene OUT=/scratch/$USER/shapes deploy/slurm/submit.sh
#
# Extra sbatch options (partition, account, …) go in SBATCH_PARTITION, SBATCH_ACCOUNT, ….
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SHARDS="${SHARDS:-4}"
if ! [ "$SHARDS" -ge 1 ] 2>/dev/null; then
    echo "submit.sh: SHARDS must be a whole number ≥ 1, got '$SHARDS'" >&2
    exit 64
fi

render="$(sbatch --parsable --array="0-$((SHARDS - 1))" "$here/render.sbatch")"
render="${render%%;*}"   # --parsable prints "jobid[;cluster]"
merge="$(sbatch --parsable --dependency="afterok:$render" "$here/merge.sbatch")"
merge="${merge%%;*}"
echo "render array: $render (tasks 0-$((SHARDS - 1))), merge + validate: $merge"
