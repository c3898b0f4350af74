#pragma once
// SweepPlot: a metric against a swept parameter (batch, prompt or context length), one line
// per scenario or device.
#include <memory>
#include <string>
#include <vector>

#include <QSize>
#include <QString>
#include <QWidget>

#include "plot/plot_theme.h"

namespace rooflens::plot {

struct SweepLine {
    std::string label;
    std::vector<double> x;
    std::vector<double> y;
};

struct SweepData {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    bool logX = true;
    bool logY = true;
    std::vector<SweepLine> lines;
};

class SweepPlot : public QWidget {
    Q_OBJECT
public:
    explicit SweepPlot(QWidget* parent = nullptr);
    ~SweepPlot() override;

    void setData(SweepData data);
    const SweepData& data() const;
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
