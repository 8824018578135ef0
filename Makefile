# Two commands set everything up on a fresh machine:
#   make lab    - create .venv, install, open the course in JupyterLab
#   make test   - create .venv, install, run every test (notebooks in quick mode)
# More: make data (fetch the data sets before a workshop), make pack-data /
# make restore-data ARCHIVE=... (carry them on a USB stick), make html (readable
# pages in build/html; MODE=full for the full lessons), make bench (every notebook
# in full mode, timed), make bench-busy (quick mode alone and beside busy loops:
# the same numbers), make bench-seeds (lessons 05-06's comparisons over seeds), make
# bench-tune (lesson 05's learning rates, chosen on validation images), make
# weights (the trained weights COURSE_PRETRAINED=1 loads), make teacher (the lessons
# with their solutions in place, for the projector), make lint. bench, weights, data,
# pack-data, restore-data, html and teacher run the maintainer commands in tools/
# (python -m tools.bench, tools.html, tools.data, tools.teacher).

ARCHIVE ?= course-data.tar.gz

# The pinned packages install on Python 3.11 to 3.13 only (README.md's platform
# table, tested). Without PYTHON=..., .ci/find-python takes the first of python3.13,
# python3.12, python3.11 and python3 that is one of those, or stops at once with one
# message saying which versions work and how to get one. Intel Macs get the oldest
# supported set: TensorFlow 2.16.2, their last release, on Python 3.11 or 3.12.
ifeq ($(shell uname -sm 2>/dev/null),Darwin x86_64)
REQUIREMENTS ?= requirements-oldest.txt
else
REQUIREMENTS ?= requirements-dev.txt
endif
PYTHON_VERSIONS ?= $(if $(findstring oldest,$(REQUIREMENTS)),3.12 3.11,3.13 3.12 3.11)
PYTHON ?=
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The course's JupyterLab settings (jupyterlab-settings.json): no news pop-up,
# no update check.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/denoising-course.json

.PHONY: lab test teacher export bench bench-busy bench-seeds bench-tune weights data pack-data restore-data html lint format clean

$(STAMP): $(REQUIREMENTS) requirements.txt pyproject.toml
	@if [ -x $(PY) ]; then \
		.ci/find-python "$(PYTHON_VERSIONS)" $(PY) >/dev/null || { \
		echo "$(VENV) was made with another Python: remove it (make clean)" >&2; \
		exit 1; }; \
	else \
		python=$$(.ci/find-python "$(PYTHON_VERSIONS)" "$(PYTHON)") || exit 1; \
		echo "creating $(VENV) with $$python"; \
		$$python -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet -r $(REQUIREMENTS)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(LAB_SETTINGS): jupyterlab-settings.json | $(STAMP)
	@mkdir -p $(@D)
	cp jupyterlab-settings.json $@

# Jupyter refuses to run as root unless told to (containers, Binder-like hosts).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP) $(LAB_SETTINGS)
	$(VENV)/bin/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	COURSE_MODE=quick $(PY) -m pytest

# The benchmark runs on the real data: MNIST's original files in ../shared/data
# (beside the checkout) unless COURSE_DATA_DIR names another folder.
BENCH_DATA := $(if $(strip $(COURSE_DATA_DIR)),,$(if $(wildcard ../shared/data),\
	COURSE_DATA_DIR=$(abspath ../shared/data)))

bench: $(STAMP)
	$(BENCH_DATA) $(PY) -m tools.bench

# The same results on a slow, loaded machine: each lesson runs in quick
# mode twice, alone and beside twice as many busy loops as cores, and every key
# figure that is not a time must agree (0.15 dB, or 1 %). Not part of make test:
# it takes about 10 minutes.
bench-busy: $(STAMP)
	$(BENCH_DATA) $(PY) -m tools.bench --mode quick --compare-busy \
		--out bench/latest-busy.md

# The headline comparisons of lessons 05 (network against network, against the
# filters) and 06 (against BM3D on the photo) with two seeds, full mode: their mean
# and spread.
SEEDS ?= 42 7
bench-seeds: $(STAMP)
	$(BENCH_DATA) $(PY) -m tools.bench notebooks/05_how_good_is_it_really.ipynb \
		notebooks/06_beyond_the_benchmark.ipynb --seeds $(SEEDS) \
		--out bench/latest-seeds.md

# Lesson 05's peak learning rates, chosen on validation images the same way for each
# of its three networks and for its U-Net without the subtraction (tools/tune.py,
# about 15 reference minutes).
bench-tune: $(STAMP)
	$(BENCH_DATA) $(PY) -m tools.tune --out bench/latest-tune.md

# The trained weights that COURSE_PRETRAINED=1 loads (notebooks/weights/): every
# lesson runs in full mode, and those that train save their weights with SHA-256.
weights: $(STAMP)
	COURSE_SAVE_WEIGHTS=1 COURSE_PRETRAINED=0 $(BENCH_DATA) $(PY) -m tools.bench \
		--out build/weights-run.md

data: $(STAMP)
	$(PY) -m tools.data download

pack-data: $(STAMP)
	$(PY) -m tools.data pack $(ARCHIVE)

restore-data: $(STAMP)
	$(PY) -m tools.data restore $(ARCHIVE)

MODE ?= quick
html: $(STAMP)
	$(PY) -m tools.html --mode $(MODE)

# The teacher's notebooks: every solution unfolded and run (tools/teacher.py), in
# build/teacher/, opened in JupyterLab. Generated from the lessons; edit those.
teacher: $(STAMP) $(LAB_SETTINGS)
	$(PY) -m tools.teacher
	$(VENV)/bin/jupyter lab build/teacher/ $(ROOT_FLAG) $(LAB_ARGS)

# The lessons' "# @save" cells, copied into helpers/lessonNN.py (tools/export.py);
# a test fails while a module and its notebook differ.
export: $(STAMP)
	$(PY) -m tools.export

lint: $(STAMP)
	$(VENV)/bin/ruff check helpers tools tests notebooks
	$(VENV)/bin/ruff format --check helpers tools tests notebooks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix helpers tools tests notebooks
	$(VENV)/bin/ruff format helpers tools tests notebooks

clean:
	rm -rf $(VENV) build .pytest_cache
