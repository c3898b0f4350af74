#pragma once
// BreakdownPlot: predicted time by layer kind as stacked bars, one bar per series (scenario or
// device). Colours match the roofline points' kind colours.
#include <string>
#include <vector>

#include "core/chart.h"
#include "plot/plot_widget.h"

namespace rooflens::plot {

struct BreakdownData {
    std::string title;
    std::vector<std::string> categories;      // one bar each
    std::vector<core::KindBreakdown> values;  // parallel to categories
};

class BreakdownPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit BreakdownPlot(QWidget* parent = nullptr);

    void setData(BreakdownData data);
    const BreakdownData& data() const { return m_data; }

protected:
    void redraw() override;

private:
    BreakdownData m_data;
};

}  // namespace rooflens::plot
