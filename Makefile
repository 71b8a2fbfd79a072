# TalentSim: `make run` builds the environment and runs the calibrated baseline; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= outputs
SEED   ?= 7
SCALE  ?= 10
LANG_CHARTS ?= zh
TEST_WORKERS ?= 2

.PHONY: run test env fonts browser calibrate benchmark clean

env: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "TalentSim needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,fast,bench]'
	@$(MAKE) --no-print-directory fonts
	@$(MAKE) --no-print-directory browser
	@touch $(STAMP)

# Chinese chart labels need a CJK font; charts fall back to English (and say so) where none can be installed.
fonts:
	@if fc-list 2>/dev/null | grep -qiE 'CJK|WenQuanYi|Source Han'; then \
	  echo "CJK font present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
	    && echo "installed fonts-noto-cjk" || echo "could not install a CJK font: charts will use English labels"; \
	else \
	  echo "no CJK font and no root apt-get: charts will use English labels"; \
	fi

# The lever explorer's test drives a headless Chromium (through playwright, which cannot download its own browser
# offline); without one that test is skipped and says so.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then \
	  echo "Chromium present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    && echo "installed chromium" || echo "could not install Chromium: the browser test of the lever explorer will be skipped"; \
	else \
	  echo "no Chromium and no root apt-get: the browser test of the lever explorer will be skipped"; \
	fi

run: $(STAMP)
	$(BIN)/talentsim run scenarios/baseline.yaml --seed $(SEED) --scale $(SCALE) --out $(OUT) --lang $(LANG_CHARTS)

# The suite's files are shared between TEST_WORKERS processes (pytest-xdist; a file's tests stay together, so that its
# shared fixtures are made once); TEST_WORKERS=0 runs them in this process.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

calibrate: $(STAMP)
	$(BIN)/talentsim calibrate scenarios/baseline.yaml

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
