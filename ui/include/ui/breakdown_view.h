#pragma once
// BreakdownView: the predicted time of every analysed series split by layer kind, as stacked
// bars (plot::BreakdownPlot).
#include <memory>

#include <QWidget>

#include "ui/analysis_runner.h"

namespace rooflens::plot {
class BreakdownPlot;
}

namespace rooflens::ui {

class BreakdownView : public QWidget {
    Q_OBJECT
public:
    explicit BreakdownView(QWidget* parent = nullptr);
    void setResult(const AnalysisResult& result);
    plot::BreakdownPlot* plot() const { return m_plot; }

private:
    plot::BreakdownPlot* m_plot = nullptr;
};

}  // namespace rooflens::ui
