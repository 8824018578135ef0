"""Test-wide settings: notebooks run in quick mode, offline, with quiet TensorFlow."""

import os

# The notebook kernels that nbval starts inherit this environment.
os.environ.setdefault("COURSE_MODE", "quick")
os.environ.setdefault("COURSE_ALLOW_MNIST_STANDIN", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
