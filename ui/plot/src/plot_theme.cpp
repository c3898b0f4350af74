#include "plot/plot_theme.h"

#include "core/chart_theme.h"

namespace rooflens::plot {

namespace {

// The tables live in core/chart_theme.h, shared with the Python module's matplotlib drawing.
PlotTheme fromPalette(const core::ChartPalette& p) {
    PlotTheme t;
    t.dark = p.dark;
    t.background = QColor(p.background);
    t.foreground = QColor(p.foreground);
    t.grid = QColor(p.grid);
    t.subGrid = QColor(p.subGrid);
    t.legendBackground = QColor(p.legendBackground);
    t.legendBackground.setAlpha(p.legendAlpha);
    for (std::size_t i = 0; i < p.kinds.size(); ++i) {
        t.kindColors[i] = QColor(p.kinds[i]);
    }
    t.seriesColors.clear();
    for (const auto c : p.series) {
        t.seriesColors.push_back(QColor(c));
    }
    return t;
}

}  // namespace

PlotTheme PlotTheme::light() {
    return fromPalette(core::kLightChartPalette);
}

PlotTheme PlotTheme::darkTheme() {
    return fromPalette(core::kDarkChartPalette);
}

PlotTheme PlotTheme::forPalette(const QPalette& palette) {
    const bool dark = palette.color(QPalette::Window).lightness() <
                      palette.color(QPalette::WindowText).lightness();
    PlotTheme t = dark ? darkTheme() : light();
    t.background = palette.color(QPalette::Base);
    t.foreground = palette.color(QPalette::Text);
    return t;
}

QColor PlotTheme::kindColor(core::LayerKind kind) const {
    return kindColors[static_cast<std::size_t>(kind)];
}

QColor PlotTheme::seriesColor(int index) const {
    if (seriesColors.empty()) {
        return foreground;
    }
    return seriesColors[static_cast<std::size_t>(index) % seriesColors.size()];
}

}  // namespace rooflens::plot
