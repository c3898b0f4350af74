#pragma once
// Headless rendering of a roofline chart to a file, with the same drawing code as the GUI. Used
// by `rooflens plot`; needs a QApplication (the offscreen platform is enough).
#include <memory>
#include <optional>

#include <QSize>
#include <QString>

#include "core/chart.h"
#include "core/measured.h"
#include "plot/plot_theme.h"

namespace rooflens::plot {

struct RenderOptions {
    QSize size{1200, 800};
    PlotTheme theme = PlotTheme::light();
    std::optional<core::AxisRange> x;  // view ranges; the spec's when unset
    std::optional<core::AxisRange> y;
    std::shared_ptr<const core::MeasuredRun> measured;  // drawn beside the points when set
};

// Writes PNG, PDF or SVG (by the path's suffix). False with a message naming the file on failure.
bool renderRooflineChart(const core::RooflineChartSpec& spec, const QString& path,
                         const RenderOptions& options, QString* error);

}  // namespace rooflens::plot
