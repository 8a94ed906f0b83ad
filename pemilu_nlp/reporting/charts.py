"""The report's charts: matplotlib figures written as SVG text, to be inlined in the page.

No pyplot (no global figure state, no GUI backend): each chart is a ``Figure`` drawn by the Agg
canvas.  Text stays text (``svg.fonttype: none``: smaller, crisp, searchable), math parsing is
off (a topic named ``$x$`` is shown as written), and the SVG ids are salted per chart so that
several charts in one page do not share clip-path ids.
"""
from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence

__all__ = ["bucket", "period_counts", "timeline_svg", "topic_colors", "topic_counts_svg"]

# colour-blind-safe (Okabe-Ito, then Tableau) with grey for the rest
_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#4E79A7",
            "#59A14F", "#B07AA1", "#9C755F", "#76B7B2"]
OTHER_COLOUR = "#B8B8B8"
_STYLE = {"svg.fonttype": "none", "text.parse_math": False, "font.size": 9, "font.family": "sans-serif",
          "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#888888",
          "xtick.color": "#444444", "ytick.color": "#444444", "svg.image_inline": True}


def topic_colors(topics: Sequence[str]) -> dict[str, str]:
    """One colour per topic, in the order given; topics past the palette share grey."""
    return {t: _PALETTE[i] if i < len(_PALETTE) else OTHER_COLOUR for i, t in enumerate(topics)}


def _svg(figure, salt: str) -> str:
    import matplotlib

    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": salt}):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # no XML prolog or doctype inside HTML


def _figure(width: float, height: float):
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        from matplotlib.figure import Figure

        return Figure(figsize=(width, height), dpi=72)


def topic_counts_svg(counts: Sequence[tuple[str, int]], colors: dict[str, str]) -> str:
    """Horizontal bars: articles per topic, the largest on top, each bar labelled with its count."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_STYLE):
        figure = _figure(7.0, 0.3 * len(counts) + 0.6)
        axes = figure.add_subplot()
        names = [name for name, _ in counts][::-1]
        values = [value for _, value in counts][::-1]
        bars = axes.barh(names, values, color=[colors.get(n, OTHER_COLOUR) for n in names], height=0.7)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8, color="#333333")
        axes.set_xlabel("articles")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.margins(x=0.12)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", length=0)
    return _svg(figure, "counts")


def bucket(first: dt.date, last: dt.date) -> str:
    """The period a timeline counts by: days up to two months, weeks up to two years, else months."""
    span = (last - first).days
    return "day" if span <= 62 else "week" if span <= 731 else "month"


def _period(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def period_counts(by_day: Counter, unit: str) -> Counter:
    """``{(period start, topic): articles}`` from day counts."""
    out: Counter = Counter()
    for (day, topic), n in by_day.items():
        out[_period(day, unit), topic] += n
    return out


def timeline_svg(by_day: Counter, topics: Sequence[str], colors: dict[str, str], *, unit: str,
                 top: int = 8) -> str:
    """Stacked bars of articles per period, one colour per topic (the ``top`` largest; the rest as
    'other topics'). An article with two topics counts in both."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    counts = period_counts(by_day, unit)
    periods = sorted({p for p, _ in counts})
    shown = list(topics[:top])
    rest = [t for t in topics if t not in shown]
    series = [(t, [counts[p, t] for p in periods], colors.get(t, OTHER_COLOUR)) for t in shown]
    if rest:
        series.append(("other topics", [sum(counts[p, t] for t in rest) for p in periods], OTHER_COLOUR))
    width = {"day": 1.0, "week": 6.0, "month": 27.0}[unit] * 0.8
    with matplotlib.rc_context(_STYLE):
        figure = _figure(9.0, 3.2)
        axes = figure.add_subplot()
        bottom = [0] * len(periods)
        for name, values, colour in series:
            axes.bar(periods, values, width=width, bottom=bottom, color=colour, label=name, align="edge")
            bottom = [b + v for b, v in zip(bottom, values)]
        axes.set_ylabel(f"articles per {unit}")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        figure.autofmt_xdate()
    return _svg(figure, "timeline")
