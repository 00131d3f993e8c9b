"""An independent, literal model of the official ICDAR 2015 evaluation.

Written from the facts of the RRC scripts (Challenge 4 Task 4.1 and Task 4.4
``script.py`` with ``rrc_evaluation_funcs.py``), in their shape: nested loops
over shapely polygons, ground truth in file order, detections in submission
order. The tests compare ``unocr.metrics`` with it on real ground truth; it
shares no code with unocr.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import shapely

SPECIAL = "!?.:,*\"()·[]/'"
_LINE = re.compile(r"^\s*" + r"\s*,\s*".join([r"(-?[0-9]+)"] * 8) + r"\s*,(.*)$")


@dataclass
class Totals:
    matched: int = 0
    gt: int = 0
    det: int = 0

    def figures(self) -> tuple[float, float, float]:
        recall = 0.0 if self.gt == 0 else self.matched / self.gt
        precision = 0.0 if self.det == 0 else self.matched / self.det
        hmean = (
            0.0
            if recall + precision == 0
            else 2 * recall * precision / (recall + precision)
        )
        return precision, recall, hmean


def read_gt(text: str) -> list[tuple[list[float], str]]:
    """``(8 coordinates, transcription)`` per line, in file order."""
    out = []
    for line in text.lstrip("\ufeff").split("\n"):
        line = line.replace("\r", "")
        if line == "":
            continue
        m = _LINE.match(line)
        assert m is not None, line
        points = [float(m.group(i)) for i in range(1, 9)]
        transcription = m.group(9)
        q = re.match(r'^\s*"(.*)"\s*$', transcription)
        if q is not None:
            transcription = q.group(1).replace("\\\\", "\\").replace('\\"', '"')
        out.append((points, transcription))
    return out


def _polygon(points: Sequence[float]) -> shapely.Polygon:
    return shapely.Polygon([(points[i], points[i + 1]) for i in range(0, 8, 2)])


def _iou(a: shapely.Polygon, b: shapely.Polygon) -> float:
    inter = a.intersection(b).area
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def transcription_match(gt: str, det: str) -> bool:
    if gt == det:
        return True
    if not gt:
        return False
    if gt[0] in SPECIAL and gt[1:] == det:
        return True
    if gt[-1] in SPECIAL and gt[:-1] == det:
        return True
    return gt[0] in SPECIAL and gt[-1] in SPECIAL and gt[1:-1] == det


def _dictionary_form(t: str) -> str:
    if t[len(t) - 2 :] in ("'s", "'S"):
        t = t[: len(t) - 2]
    t = t.strip("-")
    for ch in "'!?.:,*\"()·[]/":
        t = t.replace(ch, " ")
    return t.strip()


def in_dictionary(t: str) -> bool:
    t = _dictionary_form(t)
    if len(t) != len(t.replace(" ", "")) or len(t) < 3:
        return False
    ranges = [("a", "z"), ("A", "Z"), ("À", "ƿ"), ("Ǆ", "ɿ"), ("Ά", "Ͽ"), ("-", "-")]
    for ch in t:
        if ch in "×÷·":
            return False
        if not any(ord(lo) <= ord(ch) <= ord(hi) for lo, hi in ranges):
            return False
    return True


def evaluate_image(
    gt: list[tuple[list[float], str]],
    dets: list[tuple[list[float], str]],
    *,
    end_to_end: bool,
    word_spotting: bool = False,
) -> Totals:
    """One image: care counts and correct matches (detection or end to end)."""
    gt_pols, gt_trans, gt_dont_care = [], [], []
    for points, transcription in gt:
        dont_care = transcription == "###"
        if end_to_end and word_spotting and not dont_care:
            if in_dictionary(transcription):
                transcription = _dictionary_form(transcription)
            else:
                dont_care = True
        gt_pols.append(_polygon(points))
        gt_trans.append(transcription)
        if dont_care:
            gt_dont_care.append(len(gt_pols) - 1)
    det_pols, det_trans, det_dont_care = [], [], []
    for points, transcription in dets:
        pol = _polygon(points)
        det_pols.append(pol)
        det_trans.append(transcription)
        for k in gt_dont_care:
            area = pol.area
            precision = 0 if area == 0 else gt_pols[k].intersection(pol).area / area
            if precision > 0.5:
                det_dont_care.append(len(det_pols) - 1)
                break
    correct = 0
    if gt_pols and det_pols:
        iou = [[_iou(d, g) for d in det_pols] for g in gt_pols]
        gt_used = [0] * len(gt_pols)
        det_used = [0] * len(det_pols)
        for g in range(len(gt_pols)):
            for d in range(len(det_pols)):
                if (
                    gt_used[g] == 0
                    and det_used[d] == 0
                    and g not in gt_dont_care
                    and d not in det_dont_care
                    and iou[g][d] > 0.5
                ):
                    gt_used[g] = det_used[d] = 1
                    if not end_to_end:
                        correct += 1
                    elif word_spotting:
                        correct += det_trans[d].upper() == gt_trans[g].upper()
                    else:
                        correct += transcription_match(
                            gt_trans[g].upper(), det_trans[d].upper()
                        )
    return Totals(
        correct, len(gt_pols) - len(gt_dont_care), len(det_pols) - len(det_dont_care)
    )
