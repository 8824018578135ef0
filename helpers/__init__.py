"""What the notebooks import: data, run mode, plots, metrics, key figures, weights.

Nothing else lives here: the maintainer commands (benchmark, HTML build, data
check, pack and restore) are in ``tools/``. Model code is not here on purpose: it
is the lesson, so it lives in the notebooks.
"""

from helpers._arguments import check_noise_args
from helpers.mode import describe as describe_mode
from helpers.mode import full_quality, is_quick, pick, run_mode, use_pretrained
from helpers.prelude import start

__all__ = [
    "check_noise_args",
    "describe_mode",
    "full_quality",
    "is_quick",
    "pick",
    "run_mode",
    "start",
    "use_pretrained",
]
