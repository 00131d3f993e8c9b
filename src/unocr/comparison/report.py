"""A self-contained HTML report of a comparison: table, plots, drawn samples.

Everything is inside the one file (plots and images as base64 data URIs), so
it can be mailed or attached to a ticket. Plots need matplotlib (the
``report`` extra: ``pip install 'unocr[report]'``); it is imported only here,
through its object-oriented API (no pyplot, no global backend switch). Without
it the report still has the table and drawings, and says what to install.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from unocr.comparison.ranking import accuracy_per_second, rank_runs, recommendation
from unocr.comparison.results import (
    CompareResult,
    DatasetInfo,
    RunResult,
    per_engine,
)
from unocr.errors import UnocrError
from unocr.metrics import Scores
from unocr.model.serialize import encodable

__all__ = ["MATPLOTLIB_HINT", "MIN_SUPPORT", "render_html", "write_html"]

MATPLOTLIB_HINT = (
    "plots need matplotlib: pip install 'unocr[report]' (or pip install matplotlib)"
)

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;
padding:1em 1.2em;color:#1d1d1f;max-width:1340px}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:13px}
th,td{padding:.25em .5em;border-bottom:1px solid #e3e3e3;text-align:right;
vertical-align:top}
th{background:#f5f5f7}
td.t,th.t{text-align:left}
td small{display:block;color:#777;font-size:11px;white-space:nowrap}
td.best{font-weight:700;color:#0a6b2d}
.rec{background:#eef7f0;border:1px solid #b9dcc2;padding:.5em 1em;border-radius:4px}
.note{background:#fff6d6;border:1px solid #e8d48a;padding:.5em 1em;border-radius:4px}
.meta{color:#666}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start}
figure{margin:0;max-width:640px;min-width:0;flex:1 1 300px}
figure img{max-width:100%;border:1px solid #ccc}
figcaption{font-size:12px;color:#333;overflow-wrap:anywhere}
img.plot{max-width:100%;height:auto}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;background:#f7f7f7;
padding:.4em;margin:.2em 0}
code{overflow-wrap:anywhere}
"""

#: A rate is marked best (bold) only when it rests on at least this many
#: items (regions, detections, characters or words) and on at least half as
#: many as the best-supported engine of the dataset: 2 detections out of 30
#: words never look "best".
MIN_SUPPORT = 10


def _e(text: object) -> str:
    return html.escape(encodable(str(text)), quote=True)


def _num(value: float | None, digits: int = 3) -> str:
    return "&ndash;" if value is None else f"{value:.{digits}f}"


# (header, Scores attribute, lower is better, counts shown beneath, support)
_Cell = tuple[str, str, bool, Callable[[Scores], str], Callable[[Scores], int]]
_ACCURACY: list[_Cell] = [
    (
        "precision",
        "precision",
        False,
        lambda s: f"{s.matched}/{s.n_pred}",
        lambda s: s.n_pred,
    ),
    (
        "recall",
        "recall",
        False,
        lambda s: f"{s.matched}/{s.n_truth}",
        lambda s: s.n_truth,
    ),
    (
        "hmean",
        "hmean",
        False,
        lambda s: f"{s.matched}/{s.n_truth}/{s.n_pred}",
        lambda s: min(s.n_truth, s.n_pred),
    ),
    (
        "E2E hmean",
        "e2e_hmean",
        False,
        lambda s: f"{s.e2e_matched}/{s.e2e_n_truth}/{s.e2e_n_pred}",
        lambda s: min(s.e2e_n_truth, s.e2e_n_pred),
    ),
    (
        "CER",
        "cer",
        True,
        lambda s: f"{s.page_char_errors}/{s.page_chars}",
        lambda s: s.page_chars,
    ),
    (
        "WER",
        "wer",
        True,
        lambda s: f"{s.page_word_errors}/{s.page_words}",
        lambda s: s.page_words,
    ),
    (
        "BoW WER",
        "bow_wer",
        True,
        lambda s: f"{s.bow_word_errors}/{s.page_words}",
        lambda s: s.page_words,
    ),
    (
        "matched CER",
        "matched_cer",
        True,
        lambda s: f"{s.matched_char_errors}/{s.matched_chars}",
        lambda s: s.matched_chars,
    ),
]
_SPEED: list[tuple[str, str, bool, int]] = [
    ("median s", "median_latency", True, 3),
    ("p95 s", "p95_latency", True, 3),
    ("images/s", "throughput", False, 2),
    ("load s", "load_seconds", True, 2),
]


def _best(values: list[tuple[float | None, int]], lower: bool) -> list[bool]:
    """Which of ``(value, support)`` to mark best (see MIN_SUPPORT).

    The best value among those with enough support; every value equal to it
    that has enough support itself (a tie resting on fewer items is not).
    """
    none = [False] * len(values)
    if sum(v is not None for v, _ in values) < 2:
        return none  # nothing to compare with
    most = max((n for _, n in values), default=0)
    floor = max(MIN_SUPPORT, most / 2)
    present = [v for v, n in values if v is not None and n >= floor]
    if not present:
        return none
    best = min(present) if lower else max(present)
    return [v is not None and n >= floor and v == best for v, n in values]


def _speed_best(values: list[float | None], lower: bool) -> float | None:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return None
    return min(present) if lower else max(present)


def _accuracy_table(runs: list[RunResult], localized: bool) -> str:
    cells = _ACCURACY if localized else _ACCURACY[4:7]
    head = (
        "<tr><th>#</th><th class=t>engine</th><th>images</th><th>failed</th>"
        + "".join(f"<th>{_e(c[0])}</th>" for c in cells)
        + "</tr>"
    )
    best = {
        key: _best([(getattr(r.scores, key), support(r.scores)) for r in runs], lower)
        for _, key, lower, _c, support in cells
    }
    rows = []
    for rank, r in enumerate(runs, start=1):
        out = [
            f"<td>{rank}</td><td class=t>{_e(r.backend)}{_settings(r)}</td>",
            f"<td>{len(r.images)}</td><td>{r.failed}</td>",
        ]
        for _, key, _lower, counts, _support in cells:
            v = getattr(r.scores, key)
            cls = " class=best" if best[key][rank - 1] else ""
            out.append(f"<td{cls}>{_num(v)}<small>{counts(r.scores)}</small></td>")
        rows.append("<tr>" + "".join(out) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _settings(run: RunResult) -> str:
    if not run.settings and (not run.engine or run.engine == run.backend):
        return ""
    opts = ", ".join(f"{k}={v}" for k, v in run.settings.items())
    what = run.engine + (f" ({opts})" if opts else "")
    return f"<small>{_e(what)}</small>"


def _speed_table(
    runs: list[RunResult], localized: bool, differ: dict[str, dict[str, str]]
) -> str:
    """The speed table; a column per setting in ``differ`` (see per_engine)."""
    onward = any(r.onward_share is not None for r in runs)
    head = (
        "<tr><th class=t>engine</th>"
        + "".join(f"<th>{_e(name)}</th>" for name in differ)
        + "".join(f"<th>{_e(c[0])}</th>" for c in _SPEED)
        + f"<th>{'E2E hmean' if localized else '1 &minus; CER'} per second</th>"
        + ("<th>lines sent onward</th>" if onward else "")
        + "</tr>"
    )
    best = {
        key: _speed_best([getattr(r.speed, key) for r in runs], lower)
        for _, key, lower, _d in _SPEED
    }
    per_second = [accuracy_per_second(r, localized) for r in runs]
    best_ps = _speed_best(per_second, False)
    rows = []
    for r, ps in zip(runs, per_second, strict=True):
        out = [f"<td class=t>{_e(r.backend)}</td>"]
        out.extend(f"<td>{_e(values[r.backend])}</td>" for values in differ.values())
        for _, key, _lower, digits in _SPEED:
            v = getattr(r.speed, key)
            cls = " class=best" if v is not None and v == best[key] else ""
            out.append(f"<td{cls}>{_num(v, digits)}</td>")
        cls = " class=best" if ps is not None and ps == best_ps else ""
        out.append(f"<td{cls}>{'&ndash;' if ps is None else f'{ps:.3g}'}</td>")
        if onward:  # a cascade's cost: the share of lines its next engine read
            share = r.onward_share
            out.append(f"<td>{'&ndash;' if share is None else f'{share:.1%}'}</td>")
        rows.append("<tr>" + "".join(out) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _dataset_section(result: CompareResult, ds: DatasetInfo) -> str:
    runs = rank_runs([r for r in result.runs if r.dataset == ds.name], ds.localized)
    norm = ds.normalization.describe() if ds.normalization else "exact"
    parts = [
        f"<h2>{_e(ds.name)}</h2><p class=meta>{ds.images} images ({_e(ds.kind)}, "
        f"{_e(ds.path)}); "
        + ("" if ds.localized else "text only: CER/WER apply, detection does not; ")
        + f"text normalisation: {_e(norm)}</p>"
    ]
    if not runs:
        parts.append("<p>No engine ran on this dataset.</p>")
        return "".join(parts)
    parts.append(f'<p class="rec">{_e(recommendation(runs, ds.localized))}</p>')
    parts.append("<h3>Ranking by accuracy</h3>" + _accuracy_table(runs, ds.localized))
    differ = per_engine(result)
    parts.append("<h3>Speed</h3>" + _speed_table(runs, ds.localized, differ))
    return "".join(parts)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


#: Text properties that show a label as written: engine and dataset names are
#: the user's, so ``$...$`` in one is not mathtext, nor ``\`` a TeX command.
_LITERAL: dict[str, Any] = {"usetex": False, "parse_math": False}


def _plots(result: CompareResult) -> list[tuple[str, str]]:
    """(title, base64 PNG) pairs; raises ImportError without matplotlib.

    Engine and dataset names appear as written (see ``_LITERAL``), and every
    engine is in the legend, a name starting with ``_`` too (matplotlib
    would leave it out).
    """
    from matplotlib.figure import Figure

    engines = list(dict.fromkeys(r.backend for r in result.runs))
    datasets = [d.name for d in result.datasets]
    if not engines:
        return []
    out: list[tuple[str, str]] = []
    metrics = [
        ("detection hmean (higher is better)", "hmean"),
        ("end-to-end hmean (higher is better)", "e2e_hmean"),
        ("page CER (lower is better)", "cer"),
        ("page WER (lower is better)", "wer"),
    ]
    fig = Figure(figsize=(11, 6.5))
    axes = fig.subplots(2, 2).ravel()
    width = 0.8 / len(engines)
    localized = [d.name for d in result.datasets if d.localized]
    handles: dict[str, Any] = {}  # engine -> its first bars, for the legend
    for ax, (title, key) in zip(axes, metrics, strict=True):
        names = datasets if key in ("cer", "wer") else localized
        if not names:
            ax.set_axis_off()
            ax.set_title(f"{title}: no localised ground truth", fontsize=10)
            continue
        for i, engine in enumerate(engines):
            heights = []
            for ds in names:
                try:
                    v = getattr(result.run(engine, ds).scores, key)
                except KeyError:
                    v = None
                heights.append(float("nan") if v is None else float(v))
            offset = (i - (len(engines) - 1) / 2) * width
            xs = [j + offset for j in range(len(names))]
            bars = ax.bar(xs, heights, width=width)
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
            handles.setdefault(engine, bars)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, fontsize=8, rotation=10, **_LITERAL)
        ax.margins(y=0.12)
        ax.grid(axis="y", alpha=0.3)
    # one legend below the plots, in a fixed place, as matplotlib's "best"
    # search warns when it takes long. Its entries get placeholder labels and
    # then the engine names as their text: a label starting with "_" would be
    # left out (matplotlib < 3.10 drops such labels even when given)
    shown = [e for e in engines if e in handles]
    columns = max(1, min(len(shown), 4))
    legend = fig.legend(
        [handles[e] for e in shown],
        [f"engine {i}" for i in range(len(shown))],
        loc="lower center",
        ncols=columns,
        fontsize=8,
    )
    for text, engine in zip(legend.get_texts(), shown, strict=True):
        text.set_text(engine)
        text.update(_LITERAL)
    rows = -(-len(shown) // columns)
    fig.tight_layout(rect=(0, 0.05 * rows, 1, 1))
    out.append(("Metrics per engine and dataset", _png(fig)))

    fig = Figure(figsize=(max(5.0, 3.6 * len(datasets)), 3.8))
    axes = fig.subplots(1, len(datasets), squeeze=False)[0]
    for ax, ds in zip(axes, datasets, strict=True):
        data: list[list[float]] = []
        labels: list[str] = []
        for engine in engines:
            try:
                run = result.run(engine, ds)
            except KeyError:
                continue
            lat = [im.latency for im in run.images if im.ok and im.latency is not None]
            if lat:
                data.append(lat)
                labels.append(engine)
        if data:
            ax.boxplot(data, showfliers=True)
            ax.set_xticks(range(1, len(labels) + 1))
            ax.set_xticklabels(labels, fontsize=8, **_LITERAL)
        ax.set_title(f"latency per image, {ds}", fontsize=10, **_LITERAL)
        ax.set_ylabel("seconds")
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    out.append(("Latency distribution", _png(fig)))
    return out


def _thumb(image: Any, max_side: int = 640) -> str:
    from PIL import Image

    im = image.convert("RGB")
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _caption_scores(run: RunResult, sample_id: str) -> str:
    for im in run.images:
        if im.id != sample_id:
            continue
        if not im.ok or im.scores is None:
            return f"failed: {_e(im.error)}"
        s = im.scores
        parts = []
        if s.hmean is not None:
            parts.append(f"hmean {s.hmean:.2f}")
        if s.cer is not None:
            parts.append(f"CER {s.cer:.2f}")
        if im.latency is not None:
            parts.append(f"{im.latency:.2f} s")
        return ", ".join(parts)
    return ""


def _figure(src: str, caption: str) -> str:
    return (
        f'<figure><img src="{src}" alt=""><figcaption>{caption}</figcaption></figure>'
    )


def _with_dont_care(base: Any, regions: Sequence[Any]) -> Any:
    """A copy of ``base`` with don't-care regions shaded grey."""
    if not regions:
        return base
    from PIL import Image, ImageDraw

    overlay = Image.new("L", base.size, 0)
    pen = ImageDraw.Draw(overlay)
    for g in regions:
        pts = [tuple(p) for p in g.to_polygon().points.tolist()]
        pen.polygon(pts, fill=140)
    grey = Image.new("RGB", base.size, (128, 128, 128))
    return Image.composite(grey, base.convert("RGB"), overlay)


def _previews(result: CompareResult, count: int, notes: list[str]) -> str:
    if count <= 0 or not result.runs:
        return ""
    from unocr.image import load_image

    sections: list[str] = []
    draw_failed = False

    def draw(page: Any, base: Any, level: str, **kw: Any) -> str | None:
        nonlocal draw_failed
        try:
            pen = max(2, round(max(base.size) / 500))
            return _thumb(page.draw(base, level=level, width=pen, **kw))
        except (ImportError, UnocrError, ValueError, TypeError) as exc:
            if not draw_failed:
                notes.append(f"detections could not be drawn: {exc}")
                draw_failed = True
            return None

    for ds in result.datasets:
        runs = [r for r in result.runs if r.dataset == ds.name]
        if not runs:
            continue
        for first in runs[0].images[:count]:
            try:
                base = load_image(first.image).image
            except UnocrError as exc:
                notes.append(f"cannot show {first.image}: {exc}")
                continue
            level = first.level
            truth_src = None
            if ds.localized and first.truth is not None:
                shown = _with_dont_care(base, first.ignore)
                truth_src = draw(first.truth, shown, level, color_by_confidence=False)
            figures = [
                _figure(
                    truth_src or _thumb(base),
                    "<b>ground truth</b>" if truth_src else "<b>image</b>",
                )
            ]
            if not ds.localized and first.truth is not None:
                figures.append(
                    "<figure><figcaption><b>ground truth</b></figcaption>"
                    f"<pre>{_e(first.truth.text[:600])}</pre></figure>"
                )
            for run in runs:
                im = next((x for x in run.images if x.id == first.id), None)
                if im is None:
                    continue
                caption = f"<b>{_e(run.backend)}</b> {_caption_scores(run, first.id)}"
                src = None
                if im.page is not None and ds.localized:
                    src = draw(im.page, base, level)
                if src is not None:
                    figures.append(_figure(src, caption))
                else:
                    if im.page is not None:
                        text = im.page.text
                    else:  # a result read from JSON: the scored (normalised) text
                        text = im.scores.pred_text if im.scores is not None else ""
                    figures.append(
                        f"<figure><figcaption>{caption}</figcaption>"
                        f"<pre>{_e(text[:600])}</pre></figure>"
                    )
            sections.append(
                f"<h3>{_e(ds.name)} &middot; {_e(first.id)}</h3>"
                f'<div class="row">{"".join(figures)}</div>'
            )
    if not sections:
        return ""
    return (
        "<h2>Sample images</h2><p class=meta>Outlines at the scored level; "
        "don't-care regions shaded grey; engine outlines coloured by "
        "confidence.</p>" + "".join(sections)
    )


def _failures(result: CompareResult, limit: int = 50) -> str:
    items: list[str] = []
    for r in result.runs:
        bad = [im for im in r.images if not im.ok]
        for im in bad[:limit]:
            items.append(
                f"<tr><td class=t>{_e(r.backend)}</td><td class=t>{_e(r.dataset)}</td>"
                f"<td class=t>{_e(im.id)}</td><td class=t>{_e(im.error)}</td></tr>"
            )
        if len(bad) > limit:
            items.append(
                f"<tr><td class=t colspan=4>... and {len(bad) - limit} more "
                f"for {_e(r.backend)} on {_e(r.dataset)}</td></tr>"
            )
    if not items:
        return ""
    return (
        "<h2>Failed images</h2><table><tr><th class=t>engine</th>"
        "<th class=t>dataset</th><th class=t>image</th><th class=t>error</th></tr>"
        + "".join(items)
        + "</table>"
    )


def _setup(result: CompareResult) -> str:
    """Workers and languages for the header: the runs' own, or per engine."""
    differ = per_engine(result)
    first = result.runs[0] if result.runs else None
    workers = first.workers if first else result.workers
    languages = first.languages if first else result.languages
    unknown = "differing between the merged results"
    shown = {
        "workers": unknown if workers is None else str(workers),
        "languages": unknown
        if languages is None
        else ", ".join(languages) or "engine defaults",
    }
    return "; ".join(
        f"{name}: {'per engine (see the speed tables)' if name in differ else value}"
        for name, value in shown.items()
    )


def _failure_rule(result: CompareResult) -> str:
    """How the figures count failed images: as empty pages, or (older files) not.

    Merged results share one rule (:func:`~unocr.comparison.merge_results`
    refuses to mix them), so a run with failures that left them out says it
    for the whole report.
    """
    if any(r.failed and not r.failures_scored for r in result.runs):
        return (
            "Images an engine failed on are left out of its rates, as the older "
            "unocr that saved these results scored them (so an engine that fails "
            "where it would miss looks better than it is; run it again with this "
            "version to count them as empty pages); speed figures leave them out "
            "too. The images column counts every image, failed ones included."
        )
    return (
        "An image an engine failed on counts in its rates as an empty page (no "
        "detections, no text: all its ground truth missed), as the official ICDAR "
        "scripts score an image without a result; speed figures leave it out."
    )


def render_html(
    result: CompareResult, *, previews: int = 3, notes: list[str] | None = None
) -> str:
    """Render ``result`` as one self-contained HTML page.

    Args:
        result: What :func:`unocr.compare` returned.
        previews: Images per dataset drawn with every engine's detections.
        notes: Receives messages about parts left out (e.g. no matplotlib);
            they also appear at the top of the report.

    Returns:
        The HTML text (UTF-8; images inline as data URIs).
    """
    notes = notes if notes is not None else []
    plots_html = ""
    try:
        plots = _plots(result)
    except ImportError:
        notes.append(MATPLOTLIB_HINT)
        plots = []
    except Exception as exc:  # a plotting bug must not lose the report
        notes.append(f"plots left out: {type(exc).__name__}: {exc}")
        plots = []
    if plots:
        plots_html = "<h2>Plots</h2>" + "".join(
            f"<h3>{_e(title)}</h3><img class=plot alt='{_e(title)}' "
            f"src='data:image/png;base64,{data}'>"
            for title, data in plots
        )
    previews_html = _previews(result, previews, notes)
    skipped = "".join(
        f"<li><b>{_e(s.backend)}</b>: {_e(s.reason)}"
        + (f" &mdash; fix: <code>{_e(s.fix)}</code>" if s.fix else "")
        + "</li>"
        for s in result.skipped
    )
    note_html = "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    opts = result.options
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>unocr compare: {_e(', '.join(result.backends))}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>OCR engine comparison</h1><p class=meta>unocr {_e(result.version)}, "
        f"{_e(result.created)}; engines: {_e(', '.join(result.backends))}; "
        f"{_e(_setup(result))}</p>"
        f"{note_html}"
        + (f"<h2>Skipped engines</h2><ul>{skipped}</ul>" if skipped else "")
        + "".join(_dataset_section(result, d) for d in result.datasets)
        + "<h2>How to read the figures</h2><p class=meta>"
        f"Scoring: {_e(opts.describe())}; detections more than "
        f"{opts.ignore_overlap:g} inside a don't-care region are discarded. "
        "hmean: detection (right place); E2E: right place and right text. "
        "Beneath each rate its counts: matched/ground truth/detections, or "
        "errors/reference characters or words. CER/WER: over the whole page text "
        "in reading order; BoW WER: WER with word order ignored, so the gap "
        "between WER and BoW WER is what reading order costs; matched CER: over "
        "matched pairs only. Engines are ranked by E2E hmean (by CER on "
        f"text-only data). {_failure_rule(result)} Latency: decode + engine + "
        "convert per image "
        "read; load time measured separately. Bold: best of the dataset, only "
        f"for rates resting on at least {MIN_SUPPORT} items and on at least "
        "half as many as the best-supported engine's.</p>"
        + plots_html
        + previews_html
        + _failures(result)
        + "</body></html>"
    )


def write_html(
    result: CompareResult,
    path: str | os.PathLike[str],
    *,
    previews: int = 3,
) -> Sequence[str]:
    """Write the report of ``result`` to ``path``.

    Args:
        result: What :func:`unocr.compare` returned.
        path: Output ``.html`` file.
        previews: Images per dataset drawn with every engine's detections.

    Returns:
        Notes about parts left out (e.g. ``MATPLOTLIB_HINT``), also shown in
        the report.
    """
    notes: list[str] = []
    text = render_html(result, previews=previews, notes=notes)
    Path(path).write_text(text, encoding="utf-8")
    return notes
