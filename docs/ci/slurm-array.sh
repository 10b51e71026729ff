#!/bin/bash
# docs/ci/slurm-array.sh - a natsim sweep as a Slurm job array: one array task
# per `natsim test --list` line, then one merge job once all tasks are done.
# Run it on a login node from the repository (on a file system every node
# mounts); it submits the jobs and exits.
#
#   docs/ci/slurm-array.sh out/sweep topologies/table-full.scn \
#       --sweep nf_conntrack_max=16,32,64,128 --seeds 1-3
set -euo pipefail
out=$1
shift
mkdir -p "$out"
build/natsim test "$@" --out "$out" --list > "$out/commands.txt"
n=$(wc -l < "$out/commands.txt")
# task i runs line i of commands.txt (each line is one `natsim run ...`)
job=$(sbatch --parsable --array=1-"$n" --output="$out/slurm-%a.log" \
	--wrap "eval \"\$(sed -n \"\${SLURM_ARRAY_TASK_ID}p\" '$out/commands.txt')\"; \
		s=\$?; [ \$s -le 1 ]")
# then merge, whatever the runs' results (afterany)
sbatch --dependency=afterany:"$job" --output="$out/merge.log" \
	--wrap "build/natsim merge '$out' --out '$out' --junit '$out/all.xml' --report"
echo "submitted array job $job ($n runs) and its merge"
