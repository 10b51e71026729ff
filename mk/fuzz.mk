# mk/fuzz.mk - `make fuzz`: libFuzzer harnesses (tests/fuzz/fuzz_*.c) built
# with clang, AddressSanitizer and UBSan, each run FUZZ_SECONDS (default 60)
# on a copy of its seed corpus (tests/fuzz/corpus/NAME); crashes land in
# build-fuzz/crashes/. The closing report (build-fuzz/fuzz-report.txt) gives
# executions and coverage per harness. `make fuzz-seeds` rebuilds the scapy
# packet seeds.
#
# The same harnesses are also built with $(CC) and tests/fuzz/driver.c into
# $(BUILD)/fuzz/ (a prerequisite of `unit`): tests/py/test_fuzz_regress.py
# replays every corpus and regression input (tests/fuzz/regress/NAME) with
# them, so `make test` and `make asan` re-check each crash ever found.

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= $(shell command -v clang-14 2>/dev/null || command -v clang 2>/dev/null || echo clang-14)
FUZZ_BUILD   := build-fuzz
FUZZ_NAMES   := scenario ipt packet pcap define nft ftp ipset
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_COMMON  := tests/fuzz/fuzz_util.c
FUZZ_HDRS    := tests/fuzz/fuzz_util.h
FUZZ_REGRESS_BIN := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-deps fuzz-seeds fuzz-regress

unit: $(FUZZ_REGRESS_BIN)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c $(FUZZ_COMMON) $(FUZZ_HDRS) $(BUILD)/libnatsim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/driver.c \
		$(FUZZ_COMMON) $(BUILD)/libnatsim.a $(LDLIBS)

fuzz-regress: $(FUZZ_REGRESS_BIN)
	@set -e; for h in $(FUZZ_NAMES); do \
		$(BUILD)/fuzz/fuzz_$$h tests/fuzz/corpus/$$h $$(test -d tests/fuzz/regress/$$h && echo tests/fuzz/regress/$$h); \
	done

# clang and the libFuzzer runtime (Debian: clang-14, libclang-rt-14-dev).
fuzz-deps:
	@missing=""; for p in clang-14 libclang-rt-14-dev; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "missing Debian packages; run as root:"; echo "  apt-get install -y$$missing"; exit 1; \
		fi; \
	fi

# The library, instrumented: the main Makefile's own rules with BUILD and CC
# changed (a sub-make, so its flags never mix with build/).
ifneq ($(BUILD),$(FUZZ_BUILD))
$(FUZZ_BUILD)/libnatsim.a: FORCE_FUZZ_LIB
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
		OPT="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BUILD)/libnatsim.a
endif

.PHONY: FORCE_FUZZ_LIB
FORCE_FUZZ_LIB:

$(FUZZ_BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(FUZZ_HDRS) $(FUZZ_BUILD)/libnatsim.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fsanitize=fuzzer $(FUZZ_SAN) \
		$$(pkg-config --cflags $(PKGS)) -I. -o $@ $< $(FUZZ_COMMON) \
		$(FUZZ_BUILD)/libnatsim.a $(LDLIBS)

fuzz-build: fuzz-deps
	$(MAKE) --no-print-directory -j$$(nproc) $(FUZZ_NAMES:%=$(FUZZ_BUILD)/bin/fuzz_%)

# Each harness: a working corpus seeded from the tree, -max_total_time, no
# hang above 10 s per input, leaks detected (libFuzzer's -detect_leaks).
fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/crashes
	@rm -f $(FUZZ_BUILD)/fuzz-report.txt; status=0; \
	for h in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$h; \
		cp -n tests/fuzz/corpus/$$h/* $(FUZZ_BUILD)/corpus/$$h/ 2>/dev/null || true; \
		dict=""; test -f tests/fuzz/$$h.dict && dict="-dict=tests/fuzz/$$h.dict"; \
		echo "== fuzz_$$h for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=16:fast_unwind_on_malloc=0 \
		$(FUZZ_BUILD)/bin/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-max_len=65536 -print_final_stats=1 $$dict \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$h- $(FUZZ_BUILD)/corpus/$$h \
			> $(FUZZ_BUILD)/fuzz_$$h.log 2>&1 || status=1; \
		execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/fuzz_$$h.log | tail -1); \
		cov=$$(grep -o 'cov: [0-9]*' $(FUZZ_BUILD)/fuzz_$$h.log | tail -1 | cut -d' ' -f2); \
		ft=$$(grep -o 'ft: [0-9]*' $(FUZZ_BUILD)/fuzz_$$h.log | tail -1 | cut -d' ' -f2); \
		units=$$(ls $(FUZZ_BUILD)/corpus/$$h | wc -l); \
		line="fuzz_$$h: $$execs executions in $(FUZZ_SECONDS) s, coverage $$cov edges, $$ft features, corpus $$units"; \
		grep -q 'ERROR: \|SUMMARY: \|deadly signal\|timeout after' $(FUZZ_BUILD)/fuzz_$$h.log && \
			line="$$line, FAILED (see $(FUZZ_BUILD)/fuzz_$$h.log)"; \
		echo "$$line" | tee -a $(FUZZ_BUILD)/fuzz-report.txt; \
	done; \
	echo "crashes: $$(ls $(FUZZ_BUILD)/crashes | wc -l) (in $(FUZZ_BUILD)/crashes)" | tee -a $(FUZZ_BUILD)/fuzz-report.txt; \
	exit $$status

fuzz-seeds:
	$(PYTHON) tests/fuzz/make_seeds.py tests/fuzz/corpus

.PHONY: fuzz-clean
clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
