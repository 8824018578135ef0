# Two commands set everything up on a fresh machine:
#   make lab    - create .venv, install, open the course in JupyterLab
#   make test   - create .venv, install, run every test (notebooks in quick mode)
# More: make data (fetch the data sets before a workshop), make pack-data /
# make restore-data ARCHIVE=... (carry them on a USB stick), make html (readable
# pages in build/html; MODE=full for the full lessons), make bench (every notebook in full mode, timed), make lint.

ARCHIVE ?= course-data.tar.gz

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test bench data pack-data restore-data html lint format clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
		"Python 3.10 or newer is needed, found " + sys.version.split()[0] + \
		": install it or run make PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Jupyter refuses to run as root unless told to (containers, Binder-like hosts).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	COURSE_MODE=quick $(PY) -m pytest

# The benchmark runs on the real data: MNIST's original files in ../shared/data
# (beside the checkout) unless COURSE_DATA_DIR names another folder.
BENCH_DATA := $(if $(strip $(COURSE_DATA_DIR)),,$(if $(wildcard ../shared/data),\
	COURSE_DATA_DIR=$(abspath ../shared/data)))

bench: $(STAMP)
	$(BENCH_DATA) $(PY) -m helpers.bench

data: $(STAMP)
	$(PY) -m helpers.data download

pack-data: $(STAMP)
	$(PY) -m helpers.data pack $(ARCHIVE)

restore-data: $(STAMP)
	$(PY) -m helpers.data restore $(ARCHIVE)

MODE ?= quick
html: $(STAMP)
	$(PY) -m helpers.html --mode $(MODE)

lint: $(STAMP)
	$(VENV)/bin/ruff check helpers tests notebooks
	$(VENV)/bin/ruff format --check helpers tests notebooks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix helpers tests notebooks
	$(VENV)/bin/ruff format helpers tests notebooks

clean:
	rm -rf $(VENV) build .pytest_cache
