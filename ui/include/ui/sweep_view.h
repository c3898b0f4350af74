#pragma once
// SweepView: a metric (time, throughput, TTFT, TPOT, memory) against batch or a length, one line
// per scenario and device. The sweep runs in AnalysisRunner's worker with a progress bar and
// Cancel; the view only asks for it and shows the outcome.
#include <cstdint>
#include <memory>
#include <vector>

#include <QWidget>

#include "core/workload.h"
#include "ui/analysis_runner.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace rooflens::plot {
class SweepPlot;
}

namespace rooflens::ui {

class SweepView : public QWidget {
    Q_OBJECT
public:
    explicit SweepView(QWidget* parent = nullptr);

    // Adapts the axes and metrics to the model family and phase.
    void setContext(bool hasDecode, core::Phase phase);
    plot::SweepPlot* plot() const { return m_plot; }
    // Starts a sweep with the current controls (emits sweepRequested).
    void run();

public Q_SLOTS:
    void setProgress(double fraction, const QString& label);
    void setRunning(bool running);
    void showOutcome(std::shared_ptr<const SweepOutcome> outcome);

Q_SIGNALS:
    void sweepRequested(SweepAxis axis, std::vector<std::int64_t> values, SweepMetric metric);
    void cancelRequested();

private:
    void axisChanged();

    QComboBox* m_axis = nullptr;
    QLineEdit* m_range = nullptr;
    QComboBox* m_metric = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    plot::SweepPlot* m_plot = nullptr;
};

}  // namespace rooflens::ui
