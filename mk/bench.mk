# bench.mk - `make bench`: optimised build in build-bench/ (-O2 -DNDEBUG, no
# sanitizers, asserts compiled out), the engine micro-benchmarks, the event
# queue and end-to-end `natsim run` on tests/bench/*.scn. tests/bench/run.py
# prints the table (median, min, max, target, met) and writes
# tests/bench/results.json. BENCH_ARGS=--quick runs each figure fewer times.

BENCH_BUILD := build-bench

bench:
	$(MAKE) BUILD=$(BENCH_BUILD) OPT="-O2 -DNDEBUG" $(BENCH_BUILD)/natsim $(BENCH_BUILD)/bench_engine
	$(PYTHON) tests/bench/run.py --build $(BENCH_BUILD) $(BENCH_ARGS)

# Also a prerequisite of `unit`: tests/py/test_bench_scenarios.py runs the
# whole table at toy sizes (run.py --smoke) with the build under test.
unit: $(BUILD)/bench_engine

$(BUILD)/bench_engine: tests/bench/bench_engine.c $(BUILD)/libnatsim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnatsim.a $(LDLIBS)
