# natsim - build, test, demo, bench, fuzz.
#
#   make          build/natsim
#   make demo     install missing Debian packages (as root), build, run topologies/seed-snat.scn
#   make screenshot  docs/report-seed-snat.png, the README's picture of report.html
#   make test     install missing Debian packages (as root), build, C unit tests,
#                 check-layers, pytest
#   make check-layers  no file of sim/ or nat/ includes a header of a higher layer
#   make asan     the whole test suite under AddressSanitizer + UBSan
#   make clean

CC      ?= gcc
PKGS    := glib-2.0 libpcap
BUILD   ?= build
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
PYTHON  := /usr/bin/python3

# Every .c under sim/ and nat/, at any depth; objects mirror the tree under
# $(BUILD)/. Includes are written from the repository root ("sim/core/evq.h"),
# so -I. is the only include path.
SIM_SRC := $(sort $(shell find sim -name '*.c'))
NAT_SRC := $(sort $(shell find nat -name '*.c'))
LIB_SRC := $(filter-out sim/main.c,$(SIM_SRC)) $(NAT_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all demo screenshot test unit pytest asan clean deps bench check-layers

all: $(BUILD)/natsim

$(BUILD)/natsim: $(BUILD)/sim/main.o $(BUILD)/libnatsim.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libnatsim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libnatsim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libnatsim.a $(LDLIBS)

# demo and test may be the first command on a fresh machine: both install
# what the build needs first (deps), then build in a sub-make, whose
# pkg-config flags are read after the install.
demo: deps
	$(MAKE) all
	$(BUILD)/natsim run topologies/seed-snat.scn

# headless Chromium (Debian's chromium) in a 1400 px window, as tests/py/test_report.py
SHOT := $(BUILD)/screenshot
screenshot: $(BUILD)/natsim
	rm -rf $(SHOT) && mkdir -p $(SHOT)
	$(BUILD)/natsim run topologies/seed-snat.scn --report --quiet --out $(SHOT) 2>/dev/null
	HOME=$(abspath $(SHOT)) chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-dev-shm-usage --user-data-dir=$(abspath $(SHOT))/profile \
		--window-size=1400,1500 --screenshot=docs/report-seed-snat.png \
		file://$(abspath $(SHOT))/report.html
	rm -rf $(SHOT)

deps:
	@sh tests/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The layer rules of README.md's Layout section (tests/layers/check_layers.py,
# with today's known violations in tests/layers/allowlist.txt).
check-layers:
	$(PYTHON) tests/layers/check_layers.py

pytest: $(BUILD)/natsim
	NATSIM=$(abspath $(BUILD)/natsim) $(PYTHON) -m pytest -q tests/py

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) check-layers
	$(MAKE) pytest

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" test-asan-inner

test-asan-inner: deps
	$(MAKE) BUILD=$(BUILD) OPT="$(OPT)" LDFLAGS="$(LDFLAGS)" all unit
	NATSIM=$(abspath $(BUILD)/natsim) ASAN_OPTIONS=detect_leaks=1 $(PYTHON) -m pytest -q tests/py

clean:
	rm -rf build build-asan build-bench out

# Extra targets, one file per concern (bench, fuzz, ...).
-include $(wildcard mk/*.mk)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
