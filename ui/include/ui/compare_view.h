#pragma once
// CompareView: the analysed series side by side (one column each): time, speed-up against the
// first, prefill, decode step, TTFT, TPOT, throughput, bytes, memory and whether it fits.
#include <QWidget>

#include "ui/analysis_runner.h"

class QTableView;

namespace rooflens::ui {

class CompareTableModel;

class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);
    void setResult(const AnalysisResult& result);
    CompareTableModel* model() const { return m_model; }

private:
    CompareTableModel* m_model = nullptr;
    QTableView* m_table = nullptr;
};

}  // namespace rooflens::ui
