#pragma once
// SweepPlot: a metric against a swept parameter (batch, prompt or context length), one line
// per scenario or device. Points whose deployment does not fit the device's memory are drawn
// hollow and grey (legend entry "does not fit in memory"); hovering a point shows its line,
// scenario, device, parameter, value and note. The legend sits outside the axis rect, right of
// it, so it never covers data. Used by the sweep and serving tabs.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QRect>

#include "plot/plot_widget.h"

class QCPLayoutGrid;

namespace rooflens::plot {

struct SweepLine {
    std::string label;
    std::vector<double> x;
    std::vector<double> y;
    // For tooltips: the line's scenario and device ("": not shown).
    std::string scenario;
    std::string device;
    // Optional, parallel to x: the points that do not fit in memory, and one tooltip line per
    // point (why it does not fit).
    std::vector<bool> outOfMemory;
    std::vector<std::string> notes;

    bool fits(std::size_t k) const { return k >= outOfMemory.size() || !outOfMemory[k]; }
};

// A reference line across the plot (a latency target): vertical at x = value, else horizontal.
struct SweepMarker {
    bool vertical = true;
    double value = 0;
    std::string label;
};

struct SweepData {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    bool logX = true;
    bool logY = true;
    std::vector<SweepLine> lines;
    std::vector<SweepMarker> markers;
};

class SweepPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit SweepPlot(QWidget* parent = nullptr);

    void setData(SweepData data);
    const SweepData& data() const { return m_data; }

    // A point as (line, index into its x and y).
    using PointRef = std::pair<std::size_t, std::size_t>;
    // Tooltip text of a point, as shown on hover.
    QString toolTipFor(PointRef point) const;
    // For tests and tools: the widget that receives mouse events, a drawn point's position in
    // it, the drawn point under a position (within a few pixels), and where the axis rect and
    // the legend are (canvas pixels, after the last layout).
    QWidget* canvas() const;
    QPoint pixelOf(PointRef point) const;
    std::optional<PointRef> pointAt(QPoint canvasPosition) const;
    QRect axisRect() const;
    QRect legendRect() const;
    // Lays out and draws now instead of at the next event loop turn.
    void replotNow();

protected:
    void redraw() override;

private:
    bool drawable(PointRef point) const;
    // Right of the axes, or under them when that would take more than a third of the width.
    void placeLegend();

    SweepData m_data;
    QCPLayoutGrid* m_side = nullptr;   // right of the axis rect
    QCPLayoutGrid* m_below = nullptr;  // under it
    bool m_legendRight = true;
};

}  // namespace rooflens::plot
