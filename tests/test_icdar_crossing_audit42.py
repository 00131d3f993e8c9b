"""Ground-truth quads written in a crossing ("bow tie") corner order.

The official ICDAR 2015 scripts build a ``Polygon3`` polygon from the eight
numbers as written: a crossing ring's area is the absolute shoelace sum (a
symmetric bow tie has area 0) and it intersects as its two triangles. The
expected figures below were computed with ``Polygon3`` through a literal
re-implementation of ``script.py`` / ``rrc_evaluation_funcs.py``.
"""

from __future__ import annotations

import itertools
import pickle
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image

from unocr.datasets import load_icdar2015
from unocr.datasets.sample import Sample
from unocr.datasets.truth import make_quad
from unocr.geometry import AnnotatedQuad, Box, Quad
from unocr.metrics import ScoringOptions, match_detections, score_page
from unocr.metrics.page import PageScores
from unocr.model import Page, Word

BOW_TIE = "0,0,10,0,0,10,10,10"  # TL, TR, BL, BR: Polygon3 area 0
ASYMMETRIC = "0,0,20,0,0,10,10,10"  # crossing, Polygon3 area 50


def _sample(tmp_path: Path, *lines: str) -> Sample:
    Image.new("RGB", (60, 40), "white").save(tmp_path / "img_1.jpg")
    text = "".join(line + "\n" for line in lines)
    (tmp_path / "gt_img_1.txt").write_text(text, encoding="utf-8")
    return load_icdar2015(tmp_path).samples[0]


def _score(
    sample: Sample, *dets: tuple[str, Box], options: ScoringOptions | None = None
) -> PageScores:
    words = [Word(text=t, geometry=g) for t, g in dets]
    page = Page.from_words(words, width=60, height=40)
    return score_page(
        sample.truth,
        page,
        ignore=sample.ignore,
        level=sample.level,
        options=options,
        truth_elements=sample.regions(),
    )


# detection box, official matches, official IoU of the match
OFFICIAL_PAIRS = {
    BOW_TIE: [
        (Box(0, 0, 10, 5), 1, 1.0),  # 25 / (50 + 0 - 25); canonical quad: 0.5
        (Box(0, 0, 10, 10), 1, 1.0),  # 50 / (100 + 0 - 50)
        (Box(0, 5, 10, 10), 1, 1.0),
        (Box(2, 0, 8, 3), 1, 17.0),  # 17 / (18 + 0 - 17); canonical: 0.18
        (Box(0, 0, 20, 10), 0, None),  # 50 / 150
    ],
    ASYMMETRIC: [
        (Box(0, 0, 10, 5), 1, 0.6),  # 37.5 / 62.5; canonical: 1/3
        (Box(0, 0, 12, 6), 1, 50 / 72),
        (Box(2, 0, 8, 3), 0, None),  # 17.5 / 50.5
    ],
}


@pytest.mark.parametrize("gt", list(OFFICIAL_PAIRS))
def test_crossing_truth_scores_as_the_official_scripts(tmp_path: Path, gt: str) -> None:
    sample = _sample(tmp_path, f"{gt},abc")
    for det, matched, iou in OFFICIAL_PAIRS[gt]:
        scores = _score(sample, ("abc", det))
        assert (scores.matched, scores.n_truth, scores.n_pred) == (matched, 1, 1)
        assert scores.e2e_matched == matched
        if iou is not None:
            assert scores.match is not None
            assert scores.match.iou.tolist() == pytest.approx([iou])


def test_crossing_dont_care_region_discards_as_the_official_scripts(
    tmp_path: Path,
) -> None:
    sample = _sample(tmp_path, f"{BOW_TIE},###")
    # 25 of the box's 50 inside the two triangles: 0.5 is not > 0.5, kept
    kept = _score(sample, ("abc", Box(0, 0, 10, 5)))
    assert (kept.n_pred, kept.n_discarded) == (1, 0)
    # 17 of 18 inside: discarded
    gone = _score(sample, ("abc", Box(2, 0, 8, 3)))
    assert (gone.n_pred, gone.n_discarded) == (0, 1)


def test_crossing_non_dictionary_word_is_a_ring_dont_care_in_word_spotting(
    tmp_path: Path,
) -> None:
    sample = _sample(tmp_path, f"{BOW_TIE},ab", "30,0,40,0,40,10,30,10,Hello")
    dets = (("ab", Box(0, 0, 10, 5)), ("Hello", Box(30, 0, 40, 10)))
    spot = _score(sample, *dets, options=ScoringOptions(word_spotting=True))
    assert (spot.e2e_matched, spot.e2e_n_truth, spot.e2e_n_pred) == (1, 1, 2)
    plain = _score(sample, *dets)
    assert (plain.e2e_matched, plain.e2e_n_truth, plain.e2e_n_pred) == (2, 2, 2)


def test_custom_protocol_measures_the_canonical_quad(tmp_path: Path) -> None:
    sample = _sample(tmp_path, f"{BOW_TIE},abc")
    custom = ScoringOptions(protocol="custom", iou_threshold=0.6)
    scores = _score(sample, ("abc", Box(0, 0, 10, 5)), options=custom)
    assert scores.matched == 0  # IoU 0.5 with the 10 x 10 square
    truth = [sample.regions()[0].geometry]
    m = match_detections(truth, [Box(0, 0, 10, 5)], as_written=False)
    assert m.matched == 0
    assert match_detections(truth, [Box(0, 0, 10, 5)]).iou.tolist() == [1.0]


def test_only_crossing_orders_keep_their_ring() -> None:
    convex = [(0.0, 0.0), (10.0, 0.0), (10.0, 4.0), (0.0, 6.0)]
    concave = [
        (0.0, 0.0),
        (10.0, 0.0),
        (4.0, 3.0),
        (0.0, 10.0),
    ]  # 3 rings, none crossing
    for corners in (convex, concave):
        for order in itertools.permutations(corners):
            ring = shapely.Polygon(order)
            geom = make_quad([v for point in order for v in point])
            if ring.is_valid:  # the outline as written, canonical corners
                assert type(geom) is Quad
                assert shapely.Polygon(geom.points).equals(ring)
            else:
                assert isinstance(geom, AnnotatedQuad)
                assert geom.ring.tolist() == [list(p) for p in order]
                assert geom.ring_area == ring.area  # shapely: |shoelace| too


def test_crossing_detection_is_measured_as_written() -> None:
    # The scripts take a submission's points as given too.
    det = AnnotatedQuad([0, 0, 10, 0, 0, 10, 10, 10])
    m = match_detections([Box(0, 0, 10, 5)], [det])
    assert m.matched == 1
    assert m.iou.tolist() == [1.0]  # 25 / (0 + 50 - 25)


def test_annotated_quad_keeps_its_ring_through_maps_and_pickles() -> None:
    q = AnnotatedQuad.from_annotation([0, 0, 10, 0, 0, 10, 10, 10])
    assert isinstance(q, AnnotatedQuad)
    assert q.points.tolist() == [[0, 0], [10, 0], [10, 10], [0, 10]]
    assert (q.area, q.ring_area) == (100.0, 0.0)
    assert q.to_dict() == Quad(q.points).to_dict()
    moved = q.transform([[0, -1, 10], [1, 0, 0]])  # a quarter turn
    assert isinstance(moved, AnnotatedQuad)
    assert (
        moved.points.tolist()
        == q.to_quad().transform([[0, -1, 10], [1, 0, 0]]).points.tolist()
    )
    np.testing.assert_array_equal(moved.ring, [[10, 0], [10, 10], [0, 0], [0, 10]])
    again = pickle.loads(pickle.dumps(q))
    assert again == q
    assert again.ring.tolist() == q.ring.tolist()
    assert q != Quad(q.points) and Quad(q.points) != q
