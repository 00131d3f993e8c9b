"""Engine backends.

* :mod:`~unocr.backends.base`: the contract every engine fills and the
  plumbing they share (:class:`~unocr.backends.base.Backend`);
* :mod:`~unocr.backends.catalog`: the built-in engines as data (name, dotted
  path, extra, system needs, capabilities, data probe);
* one sub-package per engine, imported only when its name is first used
  (see :mod:`unocr.registry`).
"""
