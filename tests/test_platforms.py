"""The platform table of README.md, tested: the pins install where it says they do.

pip resolves each requirements file for each platform and Python version of the
table without installing anything (``pip install --dry-run --platform ...``), and
must fail for the versions the table leaves out. pip evaluates environment markers
for the machine it runs on, so the requirement files' markers are evaluated here,
for the target, and so are the dependencies' own markers after each pass: one that
the target needs and pip left out is added, and the file is resolved again.

This needs the package index (CI has it); without it, these tests are skipped. The
resolves run in parallel, about 20 s of CPU each. The interpreter check that the
Makefile runs before it creates .venv (.ci/find-python) is tested here too.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
FIND_PYTHON = ROOT / ".ci" / "find-python"


@dataclass(frozen=True)
class Platform:
    """A row label of the README's table, its marker values and its wheel tags."""

    label: str
    markers: dict[str, str]
    tags: tuple[str, ...]


def manylinux(arch: str) -> tuple[str, ...]:
    """Return the wheel tags of a Linux with glibc 2.28 (pip expands none of them)."""
    return (
        f"manylinux2014_{arch}",
        *(f"manylinux_2_{m}_{arch}" for m in range(17, 29)),
    )


LINUX = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
MACOS = {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"}
WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}

# pip expands a macOS tag to every older macOS release itself.
PLATFORMS = {
    "linux": Platform(
        "Linux x86-64, glibc 2.28 or newer",
        {**LINUX, "platform_machine": "x86_64"},
        manylinux("x86_64"),
    ),
    "windows": Platform(
        "Windows 10 or 11, x86-64",
        {**WINDOWS, "platform_machine": "AMD64"},
        ("win_amd64",),
    ),
    "apple-silicon": Platform(
        "macOS 12 or newer, Apple silicon",
        {**MACOS, "platform_machine": "arm64"},
        ("macosx_12_0_arm64",),
    ),
    "intel-mac": Platform(
        "macOS 10.15 or newer, Intel",
        {**MACOS, "platform_machine": "x86_64"},
        ("macosx_10_15_x86_64",),
    ),
}

# The README names the course's pins; make installs them with the test tools.
PINS = {"requirements.txt": "requirements-dev.txt"}
MAIN, OLDEST = "requirements.txt", "requirements-oldest.txt"

# (pins, platform) -> the Python versions the README claims; each must resolve.
CLAIMS = {
    (MAIN, "linux"): ("3.11", "3.12", "3.13"),
    (MAIN, "windows"): ("3.11", "3.12", "3.13"),
    (MAIN, "apple-silicon"): ("3.11", "3.12", "3.13"),
    (OLDEST, "intel-mac"): ("3.11", "3.12"),
    (OLDEST, "linux"): ("3.11",),  # CI's second run
}
# What the README leaves out, and why, must not resolve either.
REFUSALS = [
    (MAIN, "linux", "3.10"),  # NumPy 2.4 has no 3.10 build
    (MAIN, "linux", "3.14"),  # TensorFlow 2.21 has no 3.14 build
    (MAIN, "windows", "3.10"),
    (MAIN, "windows", "3.14"),
    (MAIN, "apple-silicon", "3.10"),
    (MAIN, "apple-silicon", "3.14"),
    (MAIN, "intel-mac", "3.12"),  # TensorFlow 2.17 and later: no Intel Mac build
    (OLDEST, "intel-mac", "3.13"),  # TensorFlow 2.16: no 3.13 build
]
CLAIMED = [(pins, key, v) for (pins, key), versions in CLAIMS.items() for v in versions]
JOBS = [*CLAIMED, *REFUSALS]
NETWORK_ERRORS = (
    "NewConnectionError",
    "Max retries exceeded",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Connection refused",
)


@dataclass
class Resolution:
    """What pip said about one requirements file on one platform and Python."""

    ok: bool
    seconds: float
    installed: dict[str, str]
    message: str


def target_environment(platform: Platform, python: str) -> dict[str, str]:
    """Return the marker environment of a CPython ``python`` on ``platform``."""
    return {
        **default_environment(),
        **platform.markers,
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
    }


def requirement_lines(path: Path, environment: dict[str, str]) -> list[str]:
    """Return the requirements of a file (and its -r files) that apply, unmarked."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            lines += requirement_lines(path.parent / line.split()[1], environment)
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        requirement.marker = None
        lines.append(str(requirement))
    return lines


def missing_for_target(report: dict, environment: dict[str, str]) -> list[str]:
    """Return the dependencies the target needs that pip's host markers left out."""
    installed = {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in report["install"]
    }
    missing = []
    for item in report["install"]:
        extras = ["", *item.get("requested_extras", [])]
        for text in item["metadata"].get("requires_dist", []):
            requirement = Requirement(text)
            marker = requirement.marker
            if marker and not any(
                marker.evaluate({**environment, "extra": extra}) for extra in extras
            ):
                continue
            name = canonicalize_name(requirement.name)
            if name not in installed:
                requirement.marker = None
                missing.append(str(requirement))
    return missing


def resolve(pins: str, key: str, python: str) -> Resolution:
    """Resolve a requirements file for one platform and Python, installing nothing."""
    environment = target_environment(PLATFORMS[key], python)
    lines = requirement_lines(ROOT / PINS.get(pins, pins), environment)
    return resolve_lines(lines, key, python)


def resolve_lines(
    lines: list[str], key: str, python: str, constraints: tuple[str, ...] = ()
) -> Resolution:
    """Resolve requirement lines (under pip constraints) for a platform and Python."""
    platform = PLATFORMS[key]
    environment = target_environment(platform, python)
    lines = list(lines)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        requirements, report_file = Path(folder, "r.txt"), Path(folder, "report.json")
        constraint_file = Path(folder, "c.txt")
        constraint_file.write_text("\n".join(constraints) + "\n", encoding="utf-8")
        for _ in range(3):  # a pass per layer of target-only dependencies
            requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
            command = [
                sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                "--ignore-installed", "--only-binary=:all:", "--implementation=cp",
                f"--python-version={python}", f"--target={folder}/target",
                f"--report={report_file}", "--disable-pip-version-check",
                "-r", str(requirements), "-c", str(constraint_file),
            ]  # fmt: skip
            command += [f"--platform={tag}" for tag in platform.tags]
            result = subprocess.run(command, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            errors = "\n".join(
                line
                for line in result.stderr.splitlines()
                if not line.startswith("WARNING: Location")  # a local index, absent
            )
            if result.returncode != 0:
                return Resolution(False, seconds, {}, errors.strip())
            report = json.loads(report_file.read_text(encoding="utf-8"))
            missing = missing_for_target(report, environment)
            if not missing:
                installed = {
                    canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"]
                    for i in report["install"]
                }
                return Resolution(True, seconds, installed, "")
            lines += missing
    return Resolution(False, seconds, {}, f"still missing after 3 passes: {missing}")


def index_reachable() -> bool:
    """Return whether pip's package index answers (a mirror's, if one is set)."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/")
    try:
        # A fresh opener reads the proxy settings now: urlopen's shared one keeps
        # whatever an earlier test in this process had set.
        with urllib.request.build_opener().open(f"{index}/pip/", timeout=15):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def resolutions() -> dict[tuple[str, str, str], Resolution]:
    """Resolve every job of the matrix, four at a time, and print how long each took."""
    if not index_reachable():
        pytest.skip("the package index cannot be reached: the resolves need it")
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {job: pool.submit(resolve, *job) for job in JOBS}
        results = {job: future.result() for job, future in futures.items()}
    print(f"\n{len(results)} resolves in {time.perf_counter() - start:.0f} s:")
    for (pins, key, python), result in results.items():
        outcome = "resolves" if result.ok else "refused"
        print(f"  {pins:<24}{key:<15}{python:<6}{outcome:<10}{result.seconds:5.0f} s")
    return results


def skip_if_offline(result: Resolution) -> None:
    """Skip (rather than fail) when pip could not reach the index mid-run."""
    if not result.ok and any(error in result.message for error in NETWORK_ERRORS):
        pytest.skip(f"the package index could not be reached: {result.message[-200:]}")


@pytest.mark.parametrize("job", CLAIMED, ids="-".join)
def test_the_claimed_pins_resolve(resolutions, job):
    result = resolutions[job]
    skip_if_offline(result)
    assert result.ok, f"{job} does not resolve:\n{result.message[-2000:]}"
    assert "keras" in result.installed


@pytest.mark.parametrize("job", REFUSALS, ids="-".join)
def test_the_versions_left_out_do_not_resolve(resolutions, job):
    result = resolutions[job]
    skip_if_offline(result)
    assert not result.ok, f"{job} resolves: add it to README.md's platform table"
    assert "No matching distribution" in result.message or (
        "requires a different Python" in result.message
    ), result.message[-2000:]


def test_target_markers_are_evaluated_for_the_target():
    windows = target_environment(PLATFORMS["windows"], "3.12")
    lines = requirement_lines(ROOT / "requirements.txt", windows)
    assert "tensorflow==2.21.0" in lines and not any("cpu" in x for x in lines)
    report = {
        "install": [
            {
                "metadata": {
                    "name": "tensorflow",
                    "version": "2.16.2",
                    "requires_dist": [
                        'tensorflow-intel==2.16.2; platform_system == "Windows"',
                        'tensorflow-macos==2.16.2; platform_system == "Darwin"',
                        'nvidia-nccl-cu12; extra == "and-cuda"',
                    ],
                }
            }
        ]
    }
    assert missing_for_target(report, windows) == ["tensorflow-intel==2.16.2"]


# --- The README's table and the Makefile say the same as the matrix -------------


def readme_table() -> dict[tuple[str, str], tuple[str, ...]]:
    """Return {(platform, pins): Python versions} from README.md's platform table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Platforms and Python versions", 1)[1].split("\n## ")[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.search(r"\d\.\d+", cells[1]):
            continue
        pins = re.search(r"requirements[\w-]*\.txt", cells[2])
        assert pins, f"no requirements file in the row {line!r}"
        rows[(cells[0], pins.group())] = tuple(re.findall(r"3\.\d+", cells[1]))
    return rows


def test_readme_table_matches_what_is_resolved():
    expected = {
        (PLATFORMS[key].label, pins): versions
        for (pins, key), versions in CLAIMS.items()
    }
    assert readme_table() == expected


def test_makefile_accepts_the_python_versions_that_install():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"PYTHON_VERSIONS \?= \$\(if .*,([\d. ]+),([\d. ]+)\)", makefile)
    assert match, "PYTHON_VERSIONS not found in the Makefile"
    oldest, main = (tuple(sorted(m.split())) for m in match.groups())
    assert main == CLAIMS[(MAIN, "linux")]
    assert oldest == CLAIMS[(OLDEST, "intel-mac")]


def test_pyproject_requires_the_python_versions_that_install():
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    assert project["requires-python"] == ">=3.11,<3.14"


# --- The interpreter check, with fake interpreters ------------------------------


def fake_python(folder: Path, name: str, version: str) -> Path:
    """Write an executable that answers like a Python ``version`` would here."""
    path = folder / name
    path.write_text(f"#!/bin/sh\necho {version}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def find_python(*args: str, path: Path) -> subprocess.CompletedProcess:
    """Run .ci/find-python with only ``path`` on PATH."""
    return subprocess.run(
        ["/bin/sh", str(FIND_PYTHON), "3.13 3.12 3.11", *args],
        capture_output=True,
        text=True,
        env={"PATH": str(path)},
    )


needs_sh = pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs /bin/sh")


@needs_sh
def test_find_python_refuses_3_10_with_one_message(tmp_path):
    fake_python(tmp_path, "python3", "3.10")
    result = find_python(path=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert "needs Python 3.11, 3.12 or 3.13" in result.stderr
    assert "python3 is 3.10" in result.stderr
    assert "PYTHON=" in result.stderr  # and how to name one


@needs_sh
def test_find_python_takes_the_newest_that_installs(tmp_path):
    fake_python(tmp_path, "python3", "3.10")
    fake_python(tmp_path, "python3.11", "3.11")
    fake_python(tmp_path, "python3.12", "3.12")
    result = find_python(path=tmp_path)
    assert (result.returncode, result.stdout) == (0, "python3.12\n")


@needs_sh
def test_find_python_keeps_to_the_interpreter_it_is_given(tmp_path):
    old = fake_python(tmp_path, "old-python", "3.10")
    fake_python(tmp_path, "python3.12", "3.12")
    refused = find_python(str(old), path=tmp_path)
    assert refused.returncode == 1 and f"{old} is 3.10" in refused.stderr
    accepted = find_python(sys.executable, path=tmp_path)
    assert (accepted.returncode, accepted.stdout) == (0, f"{sys.executable}\n")


@needs_sh
def test_find_python_names_a_missing_interpreter(tmp_path):
    result = find_python(path=tmp_path)
    assert result.returncode == 1
    assert "none of python3.13 python3.12 python3.11 python3 on PATH" in result.stderr


@needs_sh
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_stops_before_it_creates_a_venv_with_python_3_10(tmp_path):
    old = fake_python(tmp_path, "python3", "3.10")
    venv = tmp_path / "venv"
    result = subprocess.run(
        [shutil.which("make"), f"VENV={venv}", f"PYTHON={old}", f"{venv}/.installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert result.stderr.count("needs Python 3.11, 3.12 or 3.13") == 1
    assert not venv.exists(), "make began an install it cannot finish"


# --- Colab: the first cell of every lesson keeps Colab's own builds -------------

# Colab runs Python 3.12 with its own TensorFlow; the two recent ones, each with the
# Keras and NumPy that pip brings along with it.
COLAB_TENSORFLOW = ("2.19.0", "2.20.0")
# Colab's own versions of the other libraries the course uses, beside its
# TensorFlow 2.19 (2026): the install must leave them in place, which the
# constraints below demand of the resolver.
COLAB_OTHERS = {
    "2.19.0": {
        "matplotlib": "3.10.0",
        "scipy": "1.15.3",
        "scikit-learn": "1.6.1",
        "scikit-image": "0.25.2",
        "ipywidgets": "7.7.1",
    },
    "2.20.0": {},  # not seen on Colab yet: only its TensorFlow, Keras and NumPy
}


def colab_install(tensorflow: str) -> tuple[dict[str, str], Resolution]:
    """Resolve helpers.colab's install in a simulated Colab; return (kept, result)."""
    from helpers import colab

    colab_itself = resolve_lines([f"tensorflow=={tensorflow}"], "linux", "3.12")
    if not colab_itself.ok:
        return {}, colab_itself
    kept = {name: colab_itself.installed[name] for name in colab.KEEP}
    others = COLAB_OTHERS[tensorflow]
    constraints = tuple(colab.constraint_lines({**kept, **others}))
    return kept, resolve_lines(
        colab.course_requirements(), "linux", "3.12", constraints
    )


@pytest.fixture(scope="module")
def colab_resolutions() -> dict[str, tuple[dict[str, str], Resolution]]:
    """Resolve the Colab install next to each of Colab's TensorFlow versions."""
    if not index_reachable():
        pytest.skip("the package index cannot be reached: the resolves need it")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(colab_install, COLAB_TENSORFLOW)
        return dict(zip(COLAB_TENSORFLOW, results, strict=True))


@pytest.mark.parametrize("tensorflow", COLAB_TENSORFLOW)
def test_the_colab_install_keeps_colabs_tensorflow_keras_and_numpy(
    colab_resolutions, tensorflow
):
    kept, result = colab_resolutions[tensorflow]
    skip_if_offline(result)
    assert result.ok, (
        f"the Colab install fails next to TensorFlow {tensorflow}:\n"
        + (result.message[-2000:])
    )
    assert kept["tensorflow"] == tensorflow
    for name, number in {**kept, **COLAB_OTHERS[tensorflow]}.items():  # all stay
        assert result.installed[name] == number, (name, result.installed[name], number)
    assert {"bm3d", "pywavelets"} <= {name.lower() for name in result.installed}
