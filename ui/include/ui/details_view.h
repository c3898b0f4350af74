#pragma once
// DetailsView: everything the engine knows about the selected layer (a table row or a chart
// point): OPs and the byte split (weights, activations, KV cache, metadata), intensity,
// attainable rate, roofline and expected times, what bounds it, the unit and data type it runs
// in, what the series' scenario changes against the baseline scenario on the same device and
// plan, and for multi-device plans the rank's stage and the layer's collective. layerDetails()
// computes the rows (pure; tested with hand-computed numbers), the widget shows them.
#include <memory>
#include <vector>

#include <QWidget>

#include "ui/analysis_runner.h"

class QLabel;
class QTableWidget;

namespace rooflens::ui {

struct DetailRow {
    QString label;    // "Weights"; a section heading when value is empty
    QString value;    // "33.6 MB (99.8 %)"
    QString toolTip;  // the formula or the exact figure
};

// The rows for layer `layer` of series `series` of `result`; empty when either is out of range.
std::vector<DetailRow> layerDetails(const AnalysisResult& result, int series, int layer);

class DetailsView : public QWidget {
    Q_OBJECT
public:
    explicit DetailsView(QWidget* parent = nullptr);

    // Shows a layer (keeps the result alive); series < 0 or layer < 0 clears the pane.
    void showLayer(std::shared_ptr<const AnalysisResult> result, int series, int layer);
    void clear();
    // The value of the row labelled `label` ("" when absent), for tests.
    QString valueText(const QString& label) const;
    QTableWidget* table() const { return m_table; }

private:
    std::shared_ptr<const AnalysisResult> m_result;
    QLabel* m_hint = nullptr;
    QTableWidget* m_table = nullptr;
};

}  // namespace rooflens::ui
