#pragma once
// ServingView: every analysed series (device x plan x scenario) served under load
// (docs/serving.md): output tokens/s per device against TPOT over the concurrency, the TPOT
// target as a line, and per series the best operating point under the TTFT and TPOT targets
// with its cost per million tokens and energy per token. Runs in AnalysisRunner's worker.
#include <memory>
#include <optional>

#include <QWidget>

#include "ui/analysis_runner.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace rooflens::plot {
class SweepPlot;
}

namespace rooflens::ui {

class ServingView : public QWidget {
    Q_OBJECT
public:
    explicit ServingView(QWidget* parent = nullptr);

    plot::SweepPlot* plot() const { return m_plot; }
    QTableWidget* table() const { return m_table; }
    // The load and the targets of the controls into `request`.
    ServingRequest request(AnalysisRequest base) const;
    void run();  // emits servingRequested

public Q_SLOTS:
    void setProgress(double fraction, const QString& label);
    void showOutcome(std::shared_ptr<const ServingOutcome> outcome);

Q_SIGNALS:
    void servingRequested();

private:
    QSpinBox* m_prompt = nullptr;
    QSpinBox* m_generate = nullptr;
    QDoubleSpinBox* m_ttft = nullptr;
    QDoubleSpinBox* m_tpot = nullptr;
    QPushButton* m_run = nullptr;
    QLabel* m_status = nullptr;
    plot::SweepPlot* m_plot = nullptr;
    QTableWidget* m_table = nullptr;
};

}  // namespace rooflens::ui
