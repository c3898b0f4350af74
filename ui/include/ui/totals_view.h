#pragma once
// TotalsView: the totals of one analysed series: the pass time, prefill, decode step, TTFT,
// TPOT, throughput, OPs and bytes, and a memory bar against the device's capacity with an
// out-of-memory warning.
#include <QWidget>

#include "ui/analysis_runner.h"

class QFormLayout;
class QLabel;

namespace rooflens::ui {

class MemoryBar;

class TotalsView : public QWidget {
    Q_OBJECT
public:
    explicit TotalsView(QWidget* parent = nullptr);

    // Shows one series; `device` is the hardware it ran on.
    void setSeries(const SeriesResult* series, const core::Hardware* device);
    QString valueText(const QString& objectName) const;
    const MemoryBar* memoryBar() const { return m_memory; }

private:
    QLabel* value(const QString& name);

    QFormLayout* m_form = nullptr;
    QLabel* m_title = nullptr;
    MemoryBar* m_memory = nullptr;
    QLabel* m_oom = nullptr;
    QLabel* m_warnings = nullptr;
};

}  // namespace rooflens::ui
