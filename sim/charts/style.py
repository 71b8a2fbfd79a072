"""The charts' house style: fonts and language, colours, numbers, line breaking, the figure frame, writing.

Every chart is a figure 7 inches wide with a footer for its notes and caption, written as PNG
(300 dpi) and SVG. Chinese needs an installed CJK font; without one the charts fall back to
English and say so. Styling is applied through ``matplotlib.rc_context`` (see :func:`styled`) so
that importing or calling the chart modules never changes the caller's matplotlib state.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import unicodedata
import warnings
from pathlib import Path
from typing import Iterable

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from sim.charts.text import LANGS, NO_LINE_START, OPENING_MARKS, tr

DPI = 300
WIDTH_IN = 7.0


# ---------------------------------------------------------------- fonts and language

# Simplified-Chinese faces first: the JP/KR/TC faces of the same families draw some shared
# characters (e.g. 关, 直) in shapes a mainland reader finds foreign.
_PREFERRED_CJK = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
    "Hiragino Sans GB", "SimHei", "Sarasa Gothic SC", "Droid Sans Fallback",
)
_CJK_MARKERS = (
    "cjk", "wenquanyi", "source han", "noto sans sc", "noto serif sc", "simhei", "simsun",
    "microsoft yahei", "pingfang", "hiragino sans gb", "heiti", "droid sans fallback",
    "ar pl", "sarasa",
)


def cjk_font_name() -> str | None:
    """Name of an installed font family that has CJK glyphs, or None.

    Sans-serif simplified-Chinese families are preferred; any family whose name marks it as
    CJK (Noto CJK, Source Han, WenQuanYi, ...) is accepted otherwise.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in _PREFERRED_CJK:
        if name in names:
            return name
    candidates = [n for n in names if any(m in n.lower() for m in _CJK_MARKERS)]
    if not candidates:
        return None

    def rank(name: str) -> tuple[int, int, str]:
        low = name.lower()
        return (
            int("serif" in low or "mono" in low),
            int(not any(tag in name for tag in ("SC", "CN", "GB"))),
            name,
        )

    return min(candidates, key=rank)


def check_language(lang: str) -> None:
    """A ``ValueError`` unless ``lang`` is a language the charts speak."""
    if lang not in LANGS:
        raise ValueError(f"chart language must be one of {', '.join(LANGS)}; got {lang!r}")


def resolve_language(lang: str) -> tuple[str, str | None]:
    """The language the charts will use, and a warning when it is not the one asked for.

    ``'zh'`` needs a CJK font; without one the charts fall back to English and the message
    says so. ``'en'`` is always available. Any other value is a ``ValueError``.
    """
    check_language(lang)
    if lang == "en":
        return "en", None
    if cjk_font_name() is not None:
        return "zh", None
    return "en", (
        "no CJK font found (looked for Noto Sans CJK, Source Han Sans, WenQuanYi and similar): "
        "charts use English labels; install one (e.g. `apt-get install fonts-noto-cjk`, or "
        "`make fonts`) to get Chinese labels"
    )


def chart_language(lang: str) -> str:
    """The language the charts will use; warns (on behalf of the renderer's caller) when it is not ``lang``."""
    used, message = resolve_language(lang)
    if message:
        warnings.warn(message, UserWarning, stacklevel=3)
    return used


# ---------------------------------------------------------------- colours and sizes

# tab10 without its grey: grey is kept for outflows and notes, so no series looks "inactive".
QUALITATIVE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
NOTE_COLOUR = "#555555"
_CAPTION_COLOUR = "#808080"
_FOOT_PT = 8.0
SMALL_PT = 7.5
LINE_IN = 8.0 * 1.25 / 72.0  # one line of 8 pt text with its leading

# The ends of the map's diverging colour map, so that a gain is the same blue in every chart.
DIFF_CMAP = "RdBu"
GAIN = "#2166ac"
LOSS = "#b2182b"
NEUTRAL = "#777777"
NO_ESTIMATE = "#d9d9d9"

BASE_RC: dict[str, object] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(QUALITATIVE)),
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8.5,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    # Fixed salt: the same run gives byte-identical SVG files.
    "svg.hashsalt": "talentsim",
}


def _rc(lang: str, cjk: str | None) -> dict[str, object]:
    rc = dict(BASE_RC)
    if lang == "zh" and cjk:
        rc.update({
            "font.family": "sans-serif",
            "font.sans-serif": [cjk, "DejaVu Sans"],
            # CJK fonts' hyphen-minus sits better with their digits than U+2212 does.
            "axes.unicode_minus": False,
        })
    elif cjk:
        # English charts still draw any Chinese that arrives in a caption or a label.
        rc.update({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", cjk]})
    return rc


def styled(lang: str) -> contextlib.AbstractContextManager:
    """The house style, with the fonts for ``lang``, for the duration of a ``with`` block."""
    return matplotlib.rc_context(_rc(lang, cjk_font_name()))


# ---------------------------------------------------------------- numbers

def minus(s: str) -> str:
    return s.replace("-", "\u2212") if matplotlib.rcParams["axes.unicode_minus"] else s


class GroupedFormatter(ticker.Formatter):
    """Tick labels with thousands separators and as many decimals as the ticks need to be written exactly: ticks
    2.5 apart are 17.5, 20.0, 22.5, not 18, 20, 22 (Python rounds 22.5 to the even 22)."""

    MOST_DECIMALS = 6

    def __init__(self) -> None:
        self._ticks = np.array([], dtype=float)

    def set_locs(self, locs) -> None:
        self._ticks = np.sort(np.asarray(locs, dtype=float))

    def decimals(self, x: float) -> int:
        """The fewest decimals that write every tick (or ``x`` alone) to within a millionth of the tick step."""
        ticks = self._ticks if len(self._ticks) else np.array([x], dtype=float)
        steps = np.diff(ticks)
        step = float(steps[steps > 0].min()) if (steps > 0).any() else abs(x)
        if not step > 0 or not np.isfinite(step):
            return 0
        for decimals in range(self.MOST_DECIMALS + 1):
            if np.all(np.abs(ticks - np.round(ticks, decimals)) <= 1e-6 * step):
                return decimals
        return self.MOST_DECIMALS

    def __call__(self, x: float, pos: int | None = None) -> str:
        decimals = self.decimals(x)
        if abs(x) < 0.5 * 10.0 ** (-decimals):
            return "0"
        return minus(f"{x:,.{decimals}f}")


# ---------------------------------------------------------------- line breaking

def text_width_em(text: str) -> float:
    return sum(1.0 if _wide(ch) else 0.56 for ch in text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def wrap(text: str, width_em: float) -> list[str]:
    """Greedy wrapping: Latin text breaks at spaces, CJK text between any two characters."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        for ch in para:
            starts_token = (not tokens or _wide(ch) or ch == " " or tokens[-1][-1] == " " or _wide(tokens[-1][-1]))
            if starts_token and not (tokens and ch in NO_LINE_START):
                tokens.append(ch)
            else:
                tokens[-1] += ch
        line = ""
        for tok in tokens:
            if line.strip() and text_width_em(line + tok) > width_em:
                lines.append(line.rstrip())
                line = tok.lstrip()
            else:
                line += tok
        lines.append(line.rstrip())
    return lines


def wrapped(text: str, width_em: float) -> list[str]:
    """Lines of at most ``width_em``, with no line ending on an opening bracket or quotation mark."""
    lines = wrap(text, width_em)
    for i in range(len(lines) - 1):
        while lines[i] and lines[i][-1] in OPENING_MARKS:
            lines[i + 1] = lines[i][-1] + lines[i + 1]
            lines[i] = lines[i][:-1]
    return [ln for ln in lines if ln]


def wrapped_title(text: str) -> str:
    # Bold 11 pt runs wider than the 8 pt the width estimate is for.
    return "\n".join(wrapped(text, (WIDTH_IN - 0.3) * 72.0 / 11.0 / 1.1))


def label_lines(titles: list[str], width_em: float) -> int:
    return max((len(wrapped(t, width_em)) for t in titles), default=1)


# ---------------------------------------------------------------- the figure frame

def new_figure(body_in: float, title: str, notes: Iterable[str], caption: str) -> tuple[Figure, SubFigure]:
    """A figure of ``body_in`` inches for the chart and its legend, plus a footer for the notes and the caption.

    The chart lives in a subfigure so that legends placed "outside lower" sit under the axes
    but above the footer, whatever the length of the footer.
    """
    width_em = (WIDTH_IN - 0.25) * 72.0 / _FOOT_PT
    note_lines = [ln for note in notes for ln in wrap(note, width_em)]
    caption_lines = wrap(caption, width_em) if caption else []
    line_in = _FOOT_PT * 1.3 * 1.2 / 72.0
    pad_in = 0.06
    foot_in = 2 * pad_in + line_in * (len(note_lines) + len(caption_lines))
    height_in = body_in + foot_in
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    fig.get_layout_engine().set(h_pad=0.03, w_pad=0.04, hspace=0.0)
    body, _foot = fig.subfigures(2, 1, height_ratios=[body_in, foot_in])
    body.suptitle(title, x=0.012, ha="left", fontsize=11, fontweight="bold")
    y_in = pad_in
    for lines, colour in ((caption_lines, _CAPTION_COLOUR), (note_lines, NOTE_COLOUR)):
        if lines:
            fig.text(0.012, y_in / height_in, "\n".join(lines), fontsize=_FOOT_PT, color=colour,
                     ha="left", va="bottom", linespacing=1.3)
            y_in += line_in * len(lines)
    return fig, body


def legend_below(body: SubFigure, handles: list, labels: list[str], *, ncols: int,
                  where: str = "center", title: str | None = None):
    return body.legend(handles, labels, loc=f"outside lower {where}", ncols=ncols, title=title,
                       alignment="left", handlelength=2.2, columnspacing=1.4)


def legend_columns(names: list[str], *, handle_em: float = 2.2, spacing_em: float = 1.4) -> int:
    """As many legend columns as the longest name leaves room for across the figure."""
    avail_em = (WIDTH_IN - 0.3) * 72.0 / float(BASE_RC["legend.fontsize"])
    need_em = max(text_width_em(n) for n in names) + handle_em + spacing_em + 0.8
    return max(1, min(len(names), int(avail_em // need_em)))


def year_axis(ax: Axes, dates: np.ndarray, *, max_ticks: int, right_room: float = 0.0) -> None:
    """Year ticks inside the run only (room added on the right for labels gets no ticks)."""
    if not len(dates):
        return
    first, last = dates.min(), dates.max()
    years = np.arange(first.astype("datetime64[Y]"), last.astype("datetime64[Y]") + np.timedelta64(2, "Y"))
    span = len(years)
    base = next(b for b in (1, 2, 5, 10, 20, 50, 100) if span / b <= max_ticks)
    starts = years.astype("datetime64[D]")
    starts = starts[(starts >= first) & (starts <= last)]
    starts = starts[(starts.astype("datetime64[Y]").astype(int) + 1970) % base == 0]
    ax.xaxis.set_major_locator(ticker.FixedLocator(mdates.date2num(starts)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if span <= 4:
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    right = last + np.timedelta64(int(round((last - first).astype(int) * right_room)), "D")
    ax.set_xlim(first, right)


def no_data(ax: Axes, lang: str) -> None:
    ax.text(0.5, 0.5, tr("no_data", lang), transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOUR)
    ax.set_xticks([])
    ax.set_yticks([])


def label_lowest_panels(axes, *, n_panels: int, ncols: int, xlabel: str | None) -> None:
    """Tick labels (and the axis label) under the lowest drawn panel of each column of a shared-x grid.

    Also where an empty slot is under it; per-column labels because a figure-wide one would collide
    with the legend below.
    """
    for i, ax in enumerate(axes[:n_panels]):
        if i + ncols >= n_panels:
            ax.xaxis.set_tick_params(labelbottom=True)
            if xlabel:
                ax.set_xlabel(xlabel)


# ---------------------------------------------------------------- writing

def settled(fig: Figure) -> Figure:
    """The figure with its layout done once and frozen, each axes' place rounded to a millionth of the figure.

    The layout solver can come out a last bit apart from one call to the next, and the SVG
    backend names clip paths by hashing the exact coordinates: frozen, rounded places keep
    the same input giving the same file, and PNG and SVG the same layout.
    """
    fig.draw_without_rendering()
    subfigures = list(fig.subfigs)
    while subfigures:
        sub = subfigures.pop()
        sub.bbox_relative.set_points(np.round(sub.bbox_relative.get_points(), 6))
        subfigures += sub.subfigs
    for ax in fig.axes:
        ax.set_position([round(float(v), 6) for v in ax.get_position(original=True).bounds], which="original")
    fig.set_layout_engine("none")
    return fig


def save(fig: Figure, out_dir: Path, stem: str, title: str, caption: str) -> list[Path]:
    """PNG and SVG, each written to a temporary file beside its target and then renamed over it."""
    written = []
    for ext in ("png", "svg"):
        final = out_dir / f"{stem}.{ext}"
        metadata: dict[str, str | None] = {"Title": title, "Description": caption}
        if ext == "svg":
            metadata["Date"] = None  # reproducible files
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=f".{stem}.", suffix=f".{ext}.tmp", delete=False) as tmp:
            tmp_path = Path(tmp.name)
        try:
            fig.savefig(tmp_path, format=ext, dpi=DPI, metadata=metadata)
            # NamedTemporaryFile creates 0600; charts are for sharing.
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise
        written.append(final)
    return written
