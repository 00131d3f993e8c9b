"""Reading orders as PAGE-XML and ALTO state them: groups of references to ids.

Package-internal: the one rule the PAGE-XML and ALTO readers share. Both
give a tree of groups (``OrderedGroup``, ``UnorderedGroup``, and PAGE's
``OrderedGroupIndexed`` and ``UnorderedGroupIndexed``) whose members name
elements by id (PAGE: ``RegionRef``/``RegionRefIndexed`` ``regionRef``;
ALTO 4.2 and later: ``ElementRef`` ``REF``). Read depth first, each group's
members in order (by ``index`` where PAGE gives one, else as written), it
gives each named id a rank; a reader sorts its elements by :func:`rank`.
"""

from __future__ import annotations

from typing import Any

from unocr.formats.safe_xml import local_name

__all__ = ["by_index", "flattened", "rank"]

_ORDERED = ("OrderedGroup", "OrderedGroupIndexed")


def by_index(el: Any) -> int:
    """An element's ``index`` attribute (0 where absent or not a number).

    For PAGE's ``TextEquiv`` (lowest first) and the members of an ordered
    reading-order group.

    Args:
        el: The element.

    Returns:
        The index.
    """
    try:
        return int(el.get("index", "0"))
    except ValueError:
        return 0


def _members(group: Any) -> list[Any]:
    """A group's member elements: by ``index`` where it is ordered (stable)."""
    members = [c for c in group if isinstance(c.tag, str)]
    if local_name(group) in _ORDERED:
        members.sort(key=by_index)
    return members


def flattened(order_el: Any, ref: str) -> dict[str, int]:
    """The ids a reading order names, each with its rank (0 first).

    Args:
        order_el: The ``ReadingOrder`` element, or ``None`` (no order).
        ref: The attribute that names an element (``"regionRef"``, ``"REF"``).

    Returns:
        Each named id and its place in the depth-first, in-order walk of the
        groups; an id named twice keeps its first place (so of several
        alternative orders the first is followed).
    """
    out: dict[str, int] = {}
    if order_el is None:
        return out
    # Depth first, in order, without recursion (groups may nest deep).
    stack = _members(order_el)[::-1]
    while stack:
        member = stack.pop()
        ident = member.get(ref)
        if ident:
            out.setdefault(ident, len(out))
        stack.extend(_members(member)[::-1])
    return out


def rank(
    el: Any,
    stop: Any,
    order: dict[str, int],
    *,
    id_attr: str = "id",
    inner: bool = False,
) -> int:
    """An element's place in a reading order (:func:`flattened`).

    Its own; else, with ``inner``, the first place of any element inside it
    (an order that names lines ranks their block); else that of its nearest
    listed ancestor below ``stop`` (a table's cells go where the table is);
    else after every listed element.

    Args:
        el: The element.
        stop: The ancestor where the search upwards ends (not looked at).
        order: The ranks by id.
        id_attr: The attribute holding an element's id (``"id"``, ``"ID"``).
        inner: Whether elements inside ``el`` rank it.

    Returns:
        The rank: ``len(order)`` for an element the order does not place.
    """
    own = order.get(el.get(id_attr) or "")
    if own is not None:
        return own
    if inner:
        places = [
            order[ident]
            for x in el.iter()
            if x is not el
            and isinstance(x.tag, str)
            and (ident := x.get(id_attr))
            and ident in order
        ]
        if places:
            return min(places)
    node = el.getparent()
    while node is not None and node is not stop:
        found = order.get(node.get(id_attr) or "")
        if found is not None:
            return found
        node = node.getparent()
    return len(order)
