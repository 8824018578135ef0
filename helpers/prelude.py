"""The first thing every lesson runs: quiet logs, then what kind of run this is.

A lesson's set-up cell calls :func:`start` before it imports TensorFlow, because the
two settings below only work when set before TensorFlow loads.
"""

from __future__ import annotations

import os

from helpers.mode import describe
from helpers.notices import hide_tensorflow_notices
from helpers.speed import describe_speed


def start(training_s: float | None = None, pretrained: bool = True) -> None:
    """Quiet TensorFlow's start-up logs; print the run mode, versions, GPU and speed.

    ``training_s`` is the lesson's training time on the reference machine (None:
    no speed line); ``pretrained`` says whether the lesson has weights to load.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ chatter
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # fast CPU routines
    hide_tensorflow_notices()  # drops its 3 known start-up notes, nothing else
    import keras
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # hide notes on re-tracing in predict()
    print(describe(pretrained))
    print("TensorFlow", tf.__version__, "| Keras", keras.__version__)
    gpus = tf.config.list_physical_devices("GPU")
    print("GPU:", gpus or "none - fine, this lesson runs on a CPU")
    if training_s is not None:  # the lesson's trainings on the reference machine
        print(describe_speed(training_s, pretrained=pretrained))
