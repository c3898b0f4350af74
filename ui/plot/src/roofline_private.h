#pragma once
// Private state of RooflinePlot, shared by roofline_plot.cpp and roofline_labels.cpp.
#include <memory>
#include <optional>
#include <vector>

#include <qcustomplot.h>

#include "plot/roofline_plot.h"

namespace rooflens::plot {

struct RooflinePlot::Private {
    struct PointGraph {
        QCPGraph* graph = nullptr;
        std::vector<std::size_t> points;  // spec point index per graph data index (sorted by x)
    };
    struct PointLabel {
        std::size_t point = 0;
        QCPItemText* item = nullptr;
    };
    struct RoofLabel {
        std::size_t roof = 0;
        QCPItemText* item = nullptr;
    };

    QCustomPlot* plot = nullptr;  // the PlotWidget's
    core::RooflineChartSpec spec;
    bool userView = false;
    std::vector<PointGraph> pointGraphs;
    std::vector<PointLabel> pointLabels;
    std::vector<RoofLabel> roofLabels;
    QCPGraph* highlight = nullptr;
    std::optional<std::size_t> highlighted;
    QPoint pressPosition;
    std::shared_ptr<const core::MeasuredRun> measured;  // roofline_measured.cpp
};

namespace detail {
// Places roof labels along their lines and point labels beside their points without overlaps
// (close points share one label); hides what does not fit. Runs after every layout step, so
// zoom, resize and export sizes all get their own placement.
void layoutLabels(RooflinePlot::Private& d);
// Draws d.measured (RooflinePlot::setMeasured), if any.
void addMeasuredPoints(RooflinePlot::Private& d, const PlotTheme& theme);
}  // namespace detail

}  // namespace rooflens::plot
