"""Google Cloud Vision backend (``gcv``, alias ``google``).

The conversion modules are pure and convert saved responses without
google-cloud-vision: :mod:`~unocr.backends.gcv.convert` (the entry points),
:mod:`~unocr.backends.gcv.inputs`, :mod:`~unocr.backends.gcv.message`,
:mod:`~unocr.backends.gcv.mapping`, :mod:`~unocr.backends.gcv.tree`,
:mod:`~unocr.backends.gcv.build` and :mod:`~unocr.backends.gcv.status`.
:mod:`unocr.backends.gcv.backend` (imported by the registry on first use)
talks to the service.
"""

from unocr.backends.gcv.convert import response_to_blocks, response_to_page

__all__ = ["response_to_blocks", "response_to_page"]
