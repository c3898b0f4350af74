#include "ui/layer_table_view.h"

#include <iterator>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include "format.h"
#include "itemmodels/layer_filter_proxy.h"
#include "itemmodels/layer_table_model.h"
#include "itemmodels/roles.h"
#include "plain_text_delegate.h"

namespace rooflens::ui {

LayerTableView::LayerTableView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("layerTableView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    m_series = new QComboBox(this);
    m_series->setObjectName(QStringLiteral("seriesCombo"));
    m_series->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_series->setMinimumContentsLength(18);
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("kindFilter"));
    m_kind->addItem(tr("all kinds"), -1);
    for (std::size_t k = 0; k < core::kLayerKindCount; ++k) {
        m_kind->addItem(qs(core::nameOf(static_cast<core::LayerKind>(k))), static_cast<int>(k));
    }
    m_block = new QSpinBox(this);
    m_block->setObjectName(QStringLiteral("blockFilter"));
    m_block->setRange(-2, 100000);
    m_block->setValue(-2);
    m_block->setSpecialValueText(tr("all blocks"));
    m_block->setToolTip(tr("Block index; -1 for the layers outside the blocks"));
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("layerFilter"));
    m_name->setPlaceholderText(tr("Filter layers…"));
    m_name->setClearButtonEnabled(true);
    bar->addWidget(new QLabel(tr("Series"), this));
    bar->addWidget(m_series);
    bar->addWidget(m_kind);
    bar->addWidget(m_block);
    bar->addWidget(m_name, 1);
    layout->addLayout(bar);

    m_model = new LayerTableModel(this);
    m_proxy = new LayerFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("layerTable"));
    m_table->setModel(m_proxy);
    m_table->setItemDelegate(new PlainTextDelegate(m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LayerTableModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);                 // a wrapped name would show as "blocks.…"
    m_table->setTextElideMode(Qt::ElideMiddle);  // "blocks.0.pos…tion_norm" keeps both ends
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // The key columns first, so a 1440-pixel window shows them without scrolling sideways
    // (issue 17): name, kind, OPs, bytes, intensity, attainable rate, time x repeat, bound; the
    // rest after them.
    {
        using M = LayerTableModel;
        const int order[] = {M::Name,       M::Kind,      M::Ops,   M::Bytes, M::Intensity,
                             M::Attainable, M::TotalTime, M::Bound, M::Share, M::Expected,
                             M::Time,       M::Repeat,    M::Block, M::Phase, M::Math};
        QHeaderView* header = m_table->horizontalHeader();
        for (int visual = 0; visual < static_cast<int>(std::size(order)); ++visual) {
            header->moveSection(header->visualIndex(order[visual]), visual);
        }
    }
    layout->addWidget(m_table, 1);

    connect(m_series, &QComboBox::currentIndexChanged, this, [this] {
        showSeries();
        Q_EMIT seriesChanged(currentSeries());
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        const int kind = m_kind->currentData().toInt();
        m_proxy->setKindFilter(kind < 0 ? std::nullopt
                                        : std::optional(static_cast<core::LayerKind>(kind)));
    });
    connect(m_block, &QSpinBox::valueChanged, this, [this](int block) {
        m_proxy->setBlockFilter(block < -1 ? std::nullopt : std::optional(block));
    });
    connect(m_name, &QLineEdit::textChanged, m_proxy, &LayerFilterProxy::setNameFilter);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (m_selecting || !current.isValid()) {
                    return;
                }
                Q_EMIT layerSelected(currentSeries(), current.data(LayerIndexRole).toInt());
            });
}

void LayerTableView::setResult(std::shared_ptr<const AnalysisResult> result) {
    const int previous = currentSeries();
    m_result = std::move(result);
    QStringList labels;
    if (m_result) {
        for (const auto& series : m_result->series) {
            labels << qs(series.label);
        }
    }
    m_series->blockSignals(true);
    // The same series (a re-analysis after a batch or length change): the combo box is kept,
    // rebuilding it relayouts the bar on every change.
    bool same = labels.size() == m_series->count();
    for (int i = 0; same && i < labels.size(); ++i) {
        same = m_series->itemText(i) == labels[i];
    }
    if (!same) {
        m_series->clear();
        for (int i = 0; i < labels.size(); ++i) {
            m_series->addItem(labels[i], i);
        }
    }
    m_series->setCurrentIndex(previous >= 0 && previous < m_series->count() ? previous : 0);
    m_series->blockSignals(false);
    m_series->setVisible(m_series->count() > 1);
    showSeries();
}

int LayerTableView::currentSeries() const {
    return m_series->currentIndex();
}

void LayerTableView::setCurrentSeries(int series) {
    if (series >= 0 && series < m_series->count()) {
        m_series->setCurrentIndex(series);
    }
}

void LayerTableView::showSeries() {
    const int index = currentSeries();
    if (!m_result || index < 0 || index >= static_cast<int>(m_result->series.size())) {
        m_model->setReport(nullptr);
        return;
    }
    const SeriesResult& series = m_result->series[static_cast<std::size_t>(index)];
    const auto& hw = m_result->devices[series.device];
    m_model->setReport(series.report, hw.memory.empty() ? QString() : qs(hw.mainMemory().name));
    // Phase says something only when a request mixes prefill and decode layers.
    m_table->setColumnHidden(
        LayerTableModel::Phase,
        !series.report || series.report->settings.phase != core::Phase::request);
    const int nameWidth =
        m_table->fontMetrics().horizontalAdvance(QStringLiteral("blocks.00.mlp.down_proj"));
    // Columns are sized when the table first shows a report and when the layers change (another
    // model or family), not on every re-analysis: sizing measures every row of every column.
    const int rows = m_model->rowCount();
    if (!m_sized || rows != m_sizedRows) {
        m_sized = true;
        m_sizedRows = rows;
        m_table->resizeColumnsToContents();
        // Long names (blocks.31.post_attention_norm) are elided; the tooltip has them whole.
        const int cap = nameWidth;
        if (m_table->horizontalHeader()->sectionSize(LayerTableModel::Name) > cap) {
            m_table->horizontalHeader()->resizeSection(LayerTableModel::Name, cap);
        }
    }
}

void LayerTableView::selectLayer(int series, int layer) {
    setCurrentSeries(series);
    QModelIndex source = m_model->index(layer, 0);
    if (!source.isValid()) {
        return;
    }
    QModelIndex proxyIndex = m_proxy->mapFromSource(source);
    if (!proxyIndex.isValid()) {
        m_kind->setCurrentIndex(0);
        m_block->setValue(-2);
        m_name->clear();
        proxyIndex = m_proxy->mapFromSource(source);
    }
    m_selecting = true;
    m_table->selectionModel()->setCurrentIndex(
        proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(proxyIndex, QAbstractItemView::PositionAtCenter);
    m_selecting = false;
}

int LayerTableView::selectedLayer() const {
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.data(LayerIndexRole).toInt() : -1;
}

}  // namespace rooflens::ui
