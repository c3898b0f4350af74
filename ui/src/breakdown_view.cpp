#include "ui/breakdown_view.h"

#include <QVBoxLayout>

#include "plot/breakdown_plot.h"

namespace rooflens::ui {

BreakdownView::BreakdownView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("breakdownView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new plot::BreakdownPlot(this);
    layout->addWidget(m_plot);
}

void BreakdownView::setResult(const AnalysisResult& result) {
    plot::BreakdownData data;
    data.title = "Predicted time by layer kind";
    for (const auto& series : result.series) {
        if (!series.report) {
            continue;
        }
        data.categories.push_back(series.label);
        data.values.push_back(core::timeByKind(*series.report));
    }
    m_plot->setData(std::move(data));
}

}  // namespace rooflens::ui
