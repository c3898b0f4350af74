#pragma once
// BreakdownPlot: predicted time by layer kind as stacked bars, one bar per series (scenario or
// device). Colours match the roofline points' kind colours.
#include <memory>
#include <string>
#include <vector>

#include <QSize>
#include <QString>
#include <QWidget>

#include "core/chart.h"
#include "plot/plot_theme.h"

namespace rooflens::plot {

struct BreakdownData {
    std::string title;
    std::vector<std::string> categories;      // one bar each
    std::vector<core::KindBreakdown> values;  // parallel to categories
};

class BreakdownPlot : public QWidget {
    Q_OBJECT
public:
    explicit BreakdownPlot(QWidget* parent = nullptr);
    ~BreakdownPlot() override;

    void setData(BreakdownData data);
    const BreakdownData& data() const;
    void setTheme(const PlotTheme& theme);
    bool exportTo(const QString& path, QSize size, QString* error = nullptr);

protected:
    void changeEvent(QEvent* event) override;

private:
    void redraw();
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace rooflens::plot
