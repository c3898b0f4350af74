#pragma once
// PlotTheme: the colours every chart uses, in a light and a dark variant. Plots follow the
// widget palette (forPalette) and re-apply their colours when it changes; the CLI picks one.
#include <array>
#include <vector>

#include <QColor>
#include <QPalette>

#include "core/workload.h"

namespace rooflens::plot {

struct PlotTheme {
    bool dark = false;
    QColor background;
    QColor foreground;  // axes, text
    QColor grid;
    QColor subGrid;
    QColor legendBackground;
    std::array<QColor, core::kLayerKindCount> kindColors{};  // points and breakdown bars
    std::vector<QColor> seriesColors;                        // devices (roofs) and sweep lines

    static PlotTheme light();
    static PlotTheme darkTheme();
    // Dark when the window colour is darker than the text colour.
    static PlotTheme forPalette(const QPalette& palette);

    QColor kindColor(core::LayerKind kind) const;
    QColor seriesColor(int index) const;
};

}  // namespace rooflens::plot
