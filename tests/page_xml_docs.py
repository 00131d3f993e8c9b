"""Small PAGE-XML documents for reader tests, written as other tools write them."""

from __future__ import annotations

PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"


def pcgts(body: str, size: int = 1000, creator: str = "x") -> str:
    """A PAGE-XML document of one ``size`` x ``size`` page holding ``body``."""
    return (
        f'<PcGts xmlns="{PAGE_NS}"><Metadata><Creator>{creator}</Creator>'
        "<Created>2024-01-01T00:00:00</Created><LastChange>2024-01-01T00:00:00</LastChange>"
        f'</Metadata><Page imageFilename="p.png" imageWidth="{size}" imageHeight="{size}">'
        f"{body}</Page></PcGts>"
    )


def coords(x0: int, y0: int, x1: int, y1: int) -> str:
    """A ``Coords`` element of the box from (x0, y0) to (x1, y1), in pixels."""
    return f'<Coords points="{x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}"/>'
