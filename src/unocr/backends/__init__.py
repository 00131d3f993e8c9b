"""Engine backends.

Each engine lives in its own sub-package and is imported only when its name
is first used (see :mod:`unocr.registry`).
"""
