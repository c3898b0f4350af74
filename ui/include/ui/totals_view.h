#pragma once
// TotalsView: the totals of one analysed series: the pass time, prefill, decode step, TTFT,
// TPOT, throughput, OPs and bytes, and a memory bar against the device's capacity with an
// out-of-memory warning.
#include <QWidget>

#include <vector>

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
    // The shown rows as "name<TAB>value" lines under the title, with the warnings: what "Copy
    // totals" (context menu, Ctrl+C) puts on the clipboard.
    QString totalsText() const;
    const MemoryBar* memoryBar() const { return m_memory; }

private:
    // Sets the title, names, rows and warnings of `series`, and its values into `values` (per
    // row, in kRows order; the rows it has no value for keep theirs).
    void fillSeries(const SeriesResult* series, const core::Hardware* device,
                    std::vector<QString>& values);

    QFormLayout* m_form = nullptr;
    QLabel* m_title = nullptr;
    MemoryBar* m_memory = nullptr;
    QLabel* m_oom = nullptr;
    QLabel* m_warnings = nullptr;
    std::vector<QLabel*> m_values;  // per row of the form, in kRows order
    std::vector<QLabel*> m_names;
};

}  // namespace rooflens::ui
