#pragma once
// LayerTableView: the per-layer table of one analysed series (chosen in a combo box), sortable
// by raw numbers and filtered by layer kind, block and name. Selecting a row emits
// layerSelected; selectLayer() is how a click on the chart selects the row.
#include <memory>

#include <QWidget>

#include "ui/analysis_runner.h"

class QComboBox;
class QLineEdit;
class QSpinBox;
class QTableView;

namespace rooflens::ui {

class LayerFilterProxy;
class LayerTableModel;

class LayerTableView : public QWidget {
    Q_OBJECT
public:
    explicit LayerTableView(QWidget* parent = nullptr);

    void setResult(std::shared_ptr<const AnalysisResult> result);
    int currentSeries() const;
    void setCurrentSeries(int series);
    // Selects (and scrolls to) a layer of a series; clears filters that would hide it.
    void selectLayer(int series, int layer);
    // The selected layer of the current series, or -1.
    int selectedLayer() const;

    QTableView* table() const { return m_table; }
    LayerTableModel* model() const { return m_model; }
    LayerFilterProxy* proxy() const { return m_proxy; }

Q_SIGNALS:
    void seriesChanged(int series);
    void layerSelected(int series, int layer);

private:
    void showSeries();

    std::shared_ptr<const AnalysisResult> m_result;
    QComboBox* m_series = nullptr;
    QComboBox* m_kind = nullptr;
    QSpinBox* m_block = nullptr;
    QLineEdit* m_name = nullptr;
    QTableView* m_table = nullptr;
    LayerTableModel* m_model = nullptr;
    LayerFilterProxy* m_proxy = nullptr;
    bool m_selecting = false;
    bool m_sized = false;  // columns sized to the first report shown
    int m_sizedRows = -1;  // the row count they were sized for
};

}  // namespace rooflens::ui
