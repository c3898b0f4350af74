#pragma once
// Private state of RooflinePlot, shared by roofline_plot.cpp and roofline_labels.cpp.
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include <qcustomplot.h>

#include "core/label_layout.h"
#include "plot/roofline_plot.h"

namespace rooflens::plot {

struct RooflinePlot::Private {
    struct PointGraph {
        QCPGraph* graph = nullptr;
        std::vector<std::size_t> points;  // its spec points
        // Spec point per graph data index (sorted by x), one per drawn pixel: the graph holds a
        // single marker where many points coincide (the same op in every block).
        std::vector<std::size_t> drawnPoints;
    };
    struct PointLabel {
        std::size_t point = 0;
        QCPItemText* item = nullptr;
        QCPItemLine* leader = nullptr;
        std::vector<std::size_t> shown;  // the points its text names in the last layout
    };
    struct RoofLabel {
        std::size_t roof = 0;
        QCPItemText* item = nullptr;
    };

    QCustomPlot* plot = nullptr;  // the PlotWidget's
    // Shared with the window's analysis result (no copy of 10,000 points per re-analysis).
    std::shared_ptr<const core::RooflineChartSpec> spec =
        std::make_shared<const core::RooflineChartSpec>();
    bool userView = false;
    bool showPointLabels = true;
    LegendPlacement legend = LegendPlacement::automatic;
    QCPLayoutGrid* legendColumn = nullptr;  // holds the legend when beside the plot
    // The view (viewport, axis ranges) for which LegendPlacement::automatic last decided; reset
    // by a new spec. The same view keeps its decision, so the legend does not flip back and forth.
    std::optional<std::array<double, 8>> legendDecision;
    QCPLayer* labelLayer = nullptr;  // above the points
    std::vector<PointGraph> pointGraphs;
    std::vector<PointLabel> pointLabels;
    std::vector<RoofLabel> roofLabels;
    QCPGraph* highlight = nullptr;
    std::optional<std::size_t> highlighted;
    QPoint pressPosition;

    // Last layout (detail::layoutLabels): each point's drawn pixel (crowds fanned out), its crowd
    // (index into crowds, -1 when alone), the crowds (one point per series), the markers.
    std::vector<std::vector<std::size_t>> spots;  // points with identical coordinates
    std::vector<std::size_t> spotOf;              // spot per point
    std::vector<QPointF> drawn;
    std::vector<int> crowdIndex;
    std::vector<std::vector<std::size_t>> crowds;
    std::vector<core::AxisBox> markers;
    core::AxisBox legendBox;
    double layoutSeconds = 0;
    std::shared_ptr<const core::MeasuredRun> measured;  // roofline_measured.cpp
};

namespace detail {
// Moves the legend into a column right of the axis rectangle (beside) or back to its inset.
void putLegendBeside(RooflinePlot::Private& d, bool beside);

// Fans out coincident points of different series, moves the legend to its corner, places roof
// labels along their lines and point labels beside their points (core::layoutLabels; close
// points share one label) and hides what does not fit. Runs after every layout step, so zoom,
// resize and export sizes all get their own placement.
void layoutLabels(RooflinePlot::Private& d);
// Draws d.measured (RooflinePlot::setMeasured), if any.
void addMeasuredPoints(RooflinePlot::Private& d, const PlotTheme& theme);
}  // namespace detail

}  // namespace rooflens::plot
