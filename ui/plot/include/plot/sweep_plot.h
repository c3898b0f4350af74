#pragma once
// SweepPlot: a metric against a swept parameter (batch, prompt or context length), one line
// per scenario or device.
#include <string>
#include <vector>

#include "plot/plot_widget.h"

namespace rooflens::plot {

struct SweepLine {
    std::string label;
    std::vector<double> x;
    std::vector<double> y;
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

protected:
    void redraw() override;

private:
    SweepData m_data;
};

}  // namespace rooflens::plot
