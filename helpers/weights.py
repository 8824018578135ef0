"""Trained weights that ship with the course: a rescue for slow laptops.

A lesson's training cell reads::

    history = fit_or_load(model, "04_noise_reducer", lambda: model.fit(...))

:func:`fit_or_load` runs the training, times it and records the seconds in the
history. With ``COURSE_PRETRAINED=1`` (see :mod:`helpers.mode`) it calls
:func:`load_trained` instead, which takes the model's weights and its reference
run's history (seconds included) from ``notebooks/weights/``. A lesson that
reuses a network an earlier lesson trained loads it with :func:`load_from_lesson`,
in every mode. ``make weights`` makes these files by running the lessons' own
training in full mode with ``COURSE_SAVE_WEIGHTS=1``, which makes
:func:`save_if_asked` save them.
``SHA256SUMS`` lists the hash of every file, and a file that is missing or
altered is refused with a message that says what to do. Each history also records
the course's noise level when it was made (lesson 03's ``NOISE_FACTOR``) and a hash
of the network's layout (:func:`architecture`): weights made at another noise level,
or for a network built differently, are refused with a message, so a change to the
noise level or to a model cannot leave stale weights behind.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.mode import PRETRAINED_VARIABLE, save_weights, use_pretrained

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "weights"
MANIFEST = "SHA256SUMS"


class WeightsError(RuntimeError):
    """A shipped weight file is missing or altered; the message says what to do."""

    def _render_traceback_(self) -> list[str]:
        """Show only the message in Jupyter: the advice matters, the stack does not."""
        return [f"WeightsError: {self}"]


class SavedHistory:
    """The training history of a run loaded from disk, shaped like keras History.

    Its curves, step counts and times are the course's reference run's, not this
    machine's: plots and printouts say so (``from_reference_run``).
    """

    from_reference_run = True

    def __init__(self, history: dict[str, list[float]]) -> None:
        self.history = history


NOISE_KEY = "noise_factor"  # the noise level a history records (a list of one)
LAYOUT_KEY = "architecture"  # the hash of the network's layout, as a list of one


def architecture(model: Any) -> str:
    """Return a short hash of a network's layout: each layer's kind and settings.

    It covers what the weights depend on (the layers, in order, their weight shapes,
    activations, strides and padding), not the layers' names, which Keras numbers
    by the order models are built in.
    """

    def describe(layer: Any) -> list[Any]:
        activation = getattr(layer, "activation", None)
        parts = [
            type(layer).__name__,
            [list(weight.shape) for weight in layer.weights],
            getattr(activation, "__name__", None),
            list(getattr(layer, "strides", ()) or ()),
            getattr(layer, "padding", None),
        ]
        return parts + [describe(inner) for inner in getattr(layer, "layers", [])]

    text = json.dumps([describe(layer) for layer in model.layers])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def course_noise_factor() -> float:
    """Return the course's noise level: lesson 03's NOISE_FACTOR."""
    from helpers.lesson03 import NOISE_FACTOR  # imported late: it loads TensorFlow

    return float(NOISE_FACTOR)


def _checked_history(path: Path, model: Any, remedy: str) -> dict[str, list[float]]:
    """Read a saved history; refuse it unless it fits this noise level and model."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    recorded = saved.pop(NOISE_KEY, [None])[0]
    now = course_noise_factor()
    if recorded is None:
        raise WeightsError(
            f"{path} records no noise level, so it may be stale: {remedy}"
        )
    if recorded != now:
        raise WeightsError(
            f"{path.name} was made when the course's NOISE_FACTOR (lesson 03) was "
            f"{recorded:g}; it is now {now:g}, so these weights are stale: {remedy}"
        )
    layout, built = saved.pop(LAYOUT_KEY, [None])[0], architecture(model)
    if layout != built:
        raise WeightsError(
            f"{path.name} was made for a network built differently from "
            f"{getattr(model, 'name', 'this model')!r} (layout hash {layout}, this "
            f"one's {built}), so the weights do not fit it: {remedy}"
        )
    return saved


def _paths(name: str, folder: Path) -> tuple[Path, Path]:
    """Return the weight file and the history file of a trained model."""
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(
            f"name must be letters, digits, '_' or '-', such as '04_noise_reducer', "
            f"got {name!r}"
        )
    return folder / f"{name}.weights.h5", folder / f"{name}.history.json"


def _sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(folder: Path | None = None) -> dict[str, str]:
    """Return {file name: SHA-256} from the folder's SHA256SUMS (empty if none)."""
    folder = folder or WEIGHTS_DIR  # looked up now, so that tests can move it
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, file_name = line.split(maxsplit=1)
            entries[file_name.strip()] = digest
    return entries


def _write_manifest(entries: dict[str, str], folder: Path) -> None:
    """Write SHA256SUMS in the format `sha256sum -c` reads, sorted by name."""
    lines = [f"{digest}  {name}\n" for name, digest in sorted(entries.items())]
    (folder / MANIFEST).write_text("".join(lines), encoding="utf-8")


def _remedy(path: Path, folder: Path, trains_here: bool) -> str:
    """Say how to get a good copy of a weight or history file."""
    remedy = (
        f"restore it from the course repository (`git checkout -- {path.name}` in "
        f"{folder}), or run `make weights` to train it anew"
    )
    if trains_here:  # the lesson can train it instead of loading it
        remedy += f", or unset {PRETRAINED_VARIABLE} to train in the notebook"
    return remedy


def _verified(path: Path, folder: Path, trains_here: bool = True) -> Path:
    """Return ``path`` if it exists and matches the manifest; else WeightsError."""
    remedy = _remedy(path, folder, trains_here)
    if not path.is_file():
        raise WeightsError(f"{path} is missing: {remedy}")
    expected = read_manifest(folder).get(path.name)
    if expected is None:
        raise WeightsError(f"{path} is not listed in {folder / MANIFEST}: {remedy}")
    found = _sha256(path)
    if found != expected:
        raise WeightsError(
            f"{path} is altered: SHA-256 expected {expected}, found {found}; {remedy}"
        )
    return path


def load_trained(model: Any, name: str, folder: Path | None = None) -> SavedHistory:
    """Load a model's shipped weights (hash-checked) and return its saved history."""
    folder = folder or WEIGHTS_DIR
    weights, history = _paths(name, folder)
    remedy = _remedy(history, folder, True)
    saved = _checked_history(_verified(history, folder), model, remedy)
    model.load_weights(_verified(weights, folder))
    print(
        f"{PRETRAINED_VARIABLE}=1: loaded the trained weights {weights.name} "
        "(SHA-256 verified) instead of training; the call above made them. "
        "The curves and times shown for this training are the course's reference run's."
    )
    return SavedHistory(saved)


def load_from_lesson(model: Any, name: str, folder: Path | None = None) -> SavedHistory:
    """Load weights an earlier lesson trained (hash-checked), in every run mode."""
    folder = folder or WEIGHTS_DIR
    lesson = name.split("_", 1)[0]
    if not (len(lesson) == 2 and lesson.isdigit()):
        raise ValueError(
            f"name must start with a lesson number, such as '05_unet', got {name!r}"
        )
    weights, history = _paths(name, folder)
    history = _verified(history, folder, trains_here=False)
    saved = _checked_history(history, model, _remedy(history, folder, False))
    model.load_weights(_verified(weights, folder, trains_here=False))
    print(
        f"Loaded lesson {lesson}'s trained weights {weights.name} (SHA-256 verified), "
        f"in every run mode: this lesson does not retrain them; `make weights` "
        f"remakes them by running lesson {lesson}."
    )
    return SavedHistory(saved)


def save(model: Any, name: str, history: Any, folder: Path | None = None) -> None:
    """Save a model's weights and history and record both in SHA256SUMS."""
    folder = folder or WEIGHTS_DIR
    weights, history_path = _paths(name, folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_weights(weights)
    logs = getattr(history, "history", history)
    plain = {key: [float(v) for v in values] for key, values in logs.items()}
    plain[NOISE_KEY] = [course_noise_factor()]
    plain[LAYOUT_KEY] = [architecture(model)]
    history_path.write_text(json.dumps(plain, indent=1) + "\n", encoding="utf-8")
    entries = read_manifest(folder)
    for path in (weights, history_path):
        entries[path.name] = _sha256(path)
    _write_manifest(entries, folder)
    print(f"saved {weights.name} and {history_path.name} in {folder}")


def save_if_asked(model: Any, name: str, history: Any) -> None:
    """Save a model's weights and history when ``make weights`` asks for them."""
    if save_weights():
        save(model, name, history)


def fit_or_load(
    model: Any, name: str, fit: Callable[[], Any], example: Any = None
) -> Any:
    """Return the history of ``fit()``, timed and saved when asked; or, with
    ``COURSE_PRETRAINED=1``, load the shipped weights and their reference history.

    The history's ``seconds`` holds the training's wall time, unless ``fit`` records
    its own. ``example`` is an input batch that builds a subclassed model's weights
    before they are loaded.
    """
    if use_pretrained():
        if example is not None:
            model(example)  # a subclassed model makes its weights on a first call
        return load_trained(model, name)
    start = time.perf_counter()
    history = fit()
    history.history.setdefault("seconds", [time.perf_counter() - start])
    save_if_asked(model, name, history)
    return history
