/* runner.h - many runs: `natsim test` and `natsim merge` (sim/runner/).
 *
 * The runner sits above sim/scenario and below main.c: it never simulates in
 * its own process. `natsim test` turns paths, sweeps and seeds into a sorted
 * list of runs (run.c), runs each as a child `natsim run` (test.c), and
 * collects their output directories into one JUnit file, sweep.csv,
 * sweep.json and, with --report, sweep.html (collect.c, plot.c);
 * `natsim merge` collects directories written elsewhere (shards, GNU
 * parallel, a Slurm array) the same way (merge.c).
 */
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H

/* argv[0] is "test"; self is the program's own argv[0] (for --list). */
int runner_test_main(int argc, char **argv, const char *self);
/* argv[0] is "merge". */
int runner_merge_main(int argc, char **argv);

#endif
