#pragma once
// RooflinePlot: draws a core::RooflineChartSpec with QCustomPlot (log-log axes with log tickers,
// roofs solid when calibrated and dashed from datasheets, one scatter graph per layer kind and
// series, labels tied to plot coordinates). Hover shows a tooltip, a click emits pointClicked,
// wheel and drag zoom and pan. Used by the main window and, offscreen, by `rooflens plot`.
#include <memory>
#include <optional>

#include "core/chart.h"
#include "core/measured.h"
#include "plot/plot_widget.h"

namespace rooflens::plot {

class RooflinePlot : public PlotWidget {
    Q_OBJECT
public:
    explicit RooflinePlot(QWidget* parent = nullptr);
    ~RooflinePlot() override;

    // Replaces the chart. The current zoom is kept if the user zoomed or panned, else the axes
    // take the spec's ranges.
    void setSpec(core::RooflineChartSpec spec);
    const core::RooflineChartSpec& spec() const;

    // Marks one point (index into spec().points) with a ring; nullopt clears it.
    void highlightPoint(std::optional<std::size_t> pointIndex);
    // The point of `series` drawn for report layer `layer`, if it is drawn.
    std::optional<std::size_t> findPoint(int series, std::size_t layer) const;

    // Visible ranges; setView pins them (as a user zoom does), resetView returns to the spec's.
    core::AxisRange xView() const;
    core::AxisRange yView() const;
    void setView(core::AxisRange x, core::AxisRange y);
    void resetView();

    // Tooltip text of a point, as shown on hover.
    QString toolTipFor(std::size_t pointIndex) const;
    // For tests and tools: the widget that receives mouse events, a point's position in it, and
    // the point under a position (within a few pixels).
    QWidget* canvas() const;
    QPoint pixelOf(std::size_t pointIndex) const;
    std::optional<std::size_t> pointAt(QPoint canvasPosition) const;
    // Draws now instead of at the next event loop turn.
    void replotNow();

    // A measured run drawn beside the predicted points (roofline_measured.cpp): each layer at
    // its intensity and measured rate, a ringed cross in its kind's colour with a dotted bar to
    // the rate its own roofline time attains, one legend entry "measured"; null clears it. The
    // axes do not follow: widen the spec with core::includeMeasured first.
    void setMeasured(std::shared_ptr<const core::MeasuredRun> run);
    const core::MeasuredRun* measured() const;
    QString measuredToolTipFor(std::size_t measuredIndex) const;
    QPoint measuredPixelOf(std::size_t measuredIndex) const;
    std::optional<std::size_t> measuredPointAt(QPoint canvasPosition) const;

    struct Private;  // opaque; defined inside ui/plot

Q_SIGNALS:
    // A click on a point: its series and its index in that series' report.
    void pointClicked(int series, int layer);

protected:
    void redraw() override;

private:
    std::unique_ptr<Private> d;
};

}  // namespace rooflens::plot
