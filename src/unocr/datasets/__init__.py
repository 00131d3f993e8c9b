"""Ground-truth datasets: images with the text (and boxes) they should give.

Every loader returns a :class:`Dataset` of :class:`Sample` objects: the image
path, the ground truth as a :class:`~unocr.model.Page`, don't-care regions as
geometry, and an id. :func:`load_dataset` picks the loader from a
``"kind:PATH"`` string, as ``unocr compare --dataset`` does.

========== ======================================= ======== ===========
kind       layout                                  level    don't care
========== ======================================= ======== ===========
icdar2015  ``img_N.jpg`` + ``gt_img_N.txt``        word     ``###``
sroie      ``X.jpg`` + ``X.txt``                   line     none
funsd      ``images/X.png`` + ``annotations/X.json`` word   empty words
text       ``X.png`` + ``X.txt`` (page text)       text     none
linegt     ``X.tif`` + ``X.gt.txt`` (one line)     text     none
json       ``X.png`` + ``X.json`` (unocr page)     word     ``###``
page-xml   PAGE-XML + the image it names           word     none
alto       ALTO + the image it names               word     none
pdf        ``X.pdf`` + ``X.jsonl`` (unocr pages)   word     ``###``
========== ======================================= ======== ===========

Each dataset declares the text normalisation its own evaluation uses
(:attr:`Dataset.normalization`: ICDAR 2015's official rule, SROIE
case-insensitive, exact elsewhere), and each sample keeps the ground truth's
file order (:attr:`Sample.order`) for the official first-come matching.
"""

from __future__ import annotations

from unocr.datasets._dispatch import DATASET_KINDS, load_dataset, parse_dataset_spec
from unocr.datasets.funsd import load_funsd
from unocr.datasets.icdar2015 import load_icdar2015
from unocr.datasets.layout_xml import load_alto, load_page_xml
from unocr.datasets.linegt import load_linegt
from unocr.datasets.pdf import load_pdf_dataset
from unocr.datasets.sample import Dataset, Level, Sample
from unocr.datasets.sroie import load_sroie
from unocr.datasets.text import load_text
from unocr.datasets.unocr_json import load_unocr_json

__all__ = [
    "DATASET_KINDS",
    "Dataset",
    "Level",
    "Sample",
    "load_alto",
    "load_dataset",
    "load_funsd",
    "load_icdar2015",
    "load_linegt",
    "load_page_xml",
    "load_pdf_dataset",
    "load_sroie",
    "load_text",
    "load_unocr_json",
    "parse_dataset_spec",
]
