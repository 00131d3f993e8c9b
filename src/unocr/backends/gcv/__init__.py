"""Google Cloud Vision backend (``gcv``, alias ``google``).

:mod:`unocr.backends.gcv.convert` is pure and converts saved responses without
google-cloud-vision; :mod:`unocr.backends.gcv.backend` (imported by the
registry on first use) talks to the service.
"""

from unocr.backends.gcv.convert import response_to_page

__all__ = ["response_to_page"]
