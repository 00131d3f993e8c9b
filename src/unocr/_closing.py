"""``with`` support for objects that hold a resource and release it with ``close()``.

Package-internal: :class:`Closing` is the one home of the context-manager protocol
shared by engines (:class:`unocr.backends.base.Backend`) and open documents
(:class:`unocr.documents.pdf.PdfFile`).
"""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

_T = TypeVar("_T", bound="Closing")


class Closing:
    """Mixin: ``with obj: ...`` returns ``obj`` and calls ``obj.close()`` on exit.

    Subclasses implement :meth:`close`; an exception raised in the block is not
    suppressed.
    """

    def close(self) -> None:
        """Release the resource (subclasses implement it)."""
        raise NotImplementedError

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
