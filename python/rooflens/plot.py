"""rooflens.plot.roofline: the roofline chart of a report drawn with matplotlib, with the GUI's
ceilings (core/chart.h: compute ceilings per data type and unit, memory ceilings per level,
calibrated ones solid and datasheet ones dashed, ridge points) and colours (core/chart_theme.h:
points coloured by layer kind, shaped by scenario; roofs coloured by device)."""

import math

from . import chart as _chart
from . import palette as _palette

# The GUI's point shapes per scenario (ui/plot: disc, square, triangle, diamond, cross, star,
# inverted triangle, plus, crossed square).
MARKERS = ["o", "s", "^", "D", "x", "*", "v", "+", "X"]


def _spec_of(report, options):
    if isinstance(report, dict) and "roofs" in report and "points" in report:
        return report
    return _chart(report, **options)


def _series_colour(colours, index):
    return colours["series"][index % len(colours["series"])]


def _draw_roofs(ax, spec, colours):
    for roof in spec["roofs"]:
        (x0, y0), (x1, y1) = roof["from"], roof["to"]
        memory = roof["kind"] == "memory"
        ax.plot([x0, x1], [y0, y1], color=_series_colour(colours, roof["device"]),
                linewidth=colours["memory_roof_width" if memory else "compute_roof_width"],
                linestyle="-" if roof["measured"] else "--", zorder=2)
    for ridge in spec["ridges"]:
        ax.plot([ridge["intensity_ops_per_byte"]], [ridge["ops_per_second"]], marker="o",
                markersize=7, markerfacecolor="none", markeredgecolor=colours["foreground"],
                markeredgewidth=1.2, linestyle="none", zorder=3)


def _label_roofs(ax, spec, colours):
    """Roof labels once the axis ranges are set: compute ceilings at their right end, memory
    diagonals along their visible part, turned to their slope on screen."""
    (xmin, _), (ymin, _) = ax.get_xlim(), ax.get_ylim()
    for roof in spec["roofs"]:
        (x0, y0), (x1, y1) = roof["from"], roof["to"]
        if roof["kind"] == "compute":
            ax.annotate(roof["label"], (x1, y1), xytext=(-4, 3), textcoords="offset points",
                        fontsize=7, ha="right", va="bottom", color=colours["foreground"])
            continue
        slope = y0 / x0  # y = bandwidth * x
        lo = max(x0, xmin, ymin / slope)
        x = lo * (x1 / lo) ** 0.12
        (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y1)])
        angle = math.degrees(math.atan2(py1 - py0, px1 - px0))
        ax.annotate(roof["label"], (x, slope * x), xytext=(0, 4), textcoords="offset points",
                    fontsize=7, rotation=angle, rotation_mode="anchor",
                    color=colours["foreground"])


def _draw_points(ax, spec, colours):
    groups = {}
    for p in spec["points"]:
        scenario = spec["series"][p["series"]]["scenario"]
        groups.setdefault((p["kind"], scenario), []).append(p)
    for (kind, scenario), points in groups.items():
        expected = [p for p in points if "expected_ops_per_second" in p]
        if expected:  # hollow, under the roof, with a dotted line up to the roof point
            colour = colours["kinds"].get(kind, colours["foreground"])
            ax.vlines([p["intensity_ops_per_byte"] for p in expected],
                      [p["expected_ops_per_second"] for p in expected],
                      [p["ops_per_second"] for p in expected], colors=colour, linestyles="dotted",
                      linewidths=0.8, zorder=3)
            ax.scatter([p["intensity_ops_per_byte"] for p in expected],
                       [p["expected_ops_per_second"] for p in expected], facecolors="none",
                       edgecolors=colour, marker="D", s=18, zorder=3, linewidths=1)
        ax.scatter([p["intensity_ops_per_byte"] for p in points],
                   [p["ops_per_second"] for p in points],
                   color=colours["kinds"].get(kind, colours["foreground"]),
                   marker=MARKERS[scenario % len(MARKERS)], s=28, zorder=4, linewidths=1)
    # Labels of operations at one place are drawn once, joined ("q_proj, k_proj, v_proj").
    places = {}
    for p in spec["points"]:
        if "label" in p:
            key = (f"{p['intensity_ops_per_byte']:.3g}", f"{p['ops_per_second']:.3g}")
            places.setdefault(key, (p, []))[1].append(p["label"])
    for p, labels in places.values():
        names = list(dict.fromkeys(labels))
        text = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        ax.annotate(text, (p["intensity_ops_per_byte"], p["ops_per_second"]), xytext=(5, -10),
                    textcoords="offset points", fontsize=6, color=colours["foreground"])


def _legend(ax, spec, colours):
    from matplotlib.lines import Line2D

    handles = []
    for kind in dict.fromkeys(p["kind"] for p in spec["points"]):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=6,
                              color=colours["kinds"].get(kind, colours["foreground"]), label=kind))
    if len(spec["scenarios"]) > 1:
        for i, name in enumerate(spec["scenarios"]):
            handles.append(Line2D([], [], linestyle="none", marker=MARKERS[i % len(MARKERS)],
                                  markersize=6, color=colours["foreground"],
                                  label=name or "baseline"))
    if len(spec["devices"]) > 1:
        for i, device in enumerate(spec["devices"]):
            handles.append(Line2D([], [], color=_series_colour(colours, i), linewidth=2,
                                  label=device["name"]))
    legend = ax.legend(handles=handles, loc="lower right", fontsize=7,
                       framealpha=colours["legend_alpha"], facecolor=colours["legend_background"],
                       edgecolor=colours["grid"])
    for text in legend.get_texts():
        text.set_color(colours["foreground"])


def _style(ax, spec, colours):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*spec["x_range_ops_per_byte"])
    ax.set_ylim(*spec["y_range_ops_per_second"])
    ax.set_xlabel(spec["x_label"], color=colours["foreground"])
    ax.set_ylabel(spec["y_label"], color=colours["foreground"])
    ax.set_title(spec["title"], color=colours["foreground"])
    ax.set_facecolor(colours["background"])
    ax.figure.set_facecolor(colours["background"])
    ax.grid(True, which="major", color=colours["grid"], linewidth=1)
    ax.grid(True, which="minor", color=colours["sub_grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(colors=colours["foreground"], which="both")
    for spine in ax.spines.values():
        spine.set_color(colours["foreground"])


def roofline(report, ax=None, *, dark=False, **options):
    """Draws the roofline chart of ``report`` (a Report, a list of Reports, or a chart dict from
    rooflens.chart) on ``ax`` (a new figure when None) and returns the axes. ``options`` go to
    rooflens.chart (ceilings="all", sparse=True, on_chip=False, label_all=True, title=...)."""
    import matplotlib.pyplot as plt  # matplotlib is needed only here

    spec = _spec_of(report, options)
    colours = _palette(dark)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6.5))
    _draw_roofs(ax, spec, colours)
    _draw_points(ax, spec, colours)
    _style(ax, spec, colours)
    _label_roofs(ax, spec, colours)
    _legend(ax, spec, colours)
    return ax
