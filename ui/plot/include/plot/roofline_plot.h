#pragma once
// RooflinePlot: draws a core::RooflineChartSpec with QCustomPlot (log-log axes with log tickers,
// roofs solid when calibrated and dashed from datasheets, one scatter graph per layer kind and
// series). Labels are placed by core::layoutLabels on every layout (zoom, resize, export size):
// ceiling labels along their lines, point labels beside their points, never over each other,
// markers or the legend. Coincident points of several series fan out around their spot; hover
// lists the crowd. Hover shows a tooltip, a click emits pointClicked, wheel and drag zoom and
// pan. Used by the main window and, offscreen, by `rooflens plot`.
#include <memory>
#include <optional>
#include <vector>

#include <QPointF>
#include <QString>

#include "core/chart.h"
#include "core/label_layout.h"
#include "core/measured.h"
#include "plot/plot_widget.h"

namespace rooflens::plot {

// Where the legend goes. automatic: inside the plot, in a corner that covers no point (the one
// with the fewest roof pixels; labels keep clear of it), and in a column right of the plot when
// every corner would cover points; outside: always in that column; hidden: not shown.
enum class LegendPlacement { automatic, outside, hidden };

// A point label's box is never farther than this from its point (canvas pixels); labels that
// find no free spot that close are not drawn.
inline constexpr double kMaxLabelDistance = 44;

// A label as drawn, read back from the plot (canvas pixels): for tests and tools.
struct DrawnLabel {
    enum class Kind { roof, point };
    Kind kind = Kind::point;
    QString text;
    core::TurnedBox box;
    std::vector<std::size_t> points;  // point labels: the spec points it names
    std::size_t roof = 0;             // roof labels: index into spec().roofs
    bool leader = false;              // drawn with a leader line to its point
};

class RooflinePlot : public PlotWidget {
    Q_OBJECT
public:
    explicit RooflinePlot(QWidget* parent = nullptr);
    ~RooflinePlot() override;

    // Replaces the chart. The current zoom is kept if the user zoomed or panned, else the axes
    // take the spec's ranges.
    void setSpec(core::RooflineChartSpec spec);
    // Without a copy: the plot keeps `spec` alive (an aliasing pointer into a shared result).
    void setSpec(std::shared_ptr<const core::RooflineChartSpec> spec);
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

    // Point labels on or off (ceiling labels stay).
    void setPointLabelsVisible(bool visible);
    bool pointLabelsVisible() const;
    void setLegendPlacement(LegendPlacement placement);
    LegendPlacement legendPlacement() const;

    // The geometry of the last layout, in canvas pixels: the labels shown, the markers they keep
    // clear of, the legend's box (empty unless inside) and the axis rectangle.
    std::vector<DrawnLabel> drawnLabels() const;
    std::vector<core::AxisBox> markerBoxes() const;
    core::AxisBox legendBox() const;
    core::AxisBox plotArea() const;
    // The points drawn at the same spot as `pointIndex` (one per series, itself included), each
    // fanned out to its own position; just itself when alone.
    std::vector<std::size_t> crowdOf(std::size_t pointIndex) const;
    // A position in plot coordinates (OP/byte, OP/s) in canvas pixels.
    QPointF canvasPosition(double intensity, double opsPerSecond) const;
    // For benchmarks: seconds the last layout pass (crowds, legend, labels) took.
    double lastLayoutSeconds() const;
    // Where the selection ring is drawn; nullopt when none.
    std::optional<QPoint> highlightPixel() const;
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
