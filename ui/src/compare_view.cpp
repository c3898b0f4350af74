#include "ui/compare_view.h"

#include <QHeaderView>
#include <QTableView>
#include <QVBoxLayout>

#include "itemmodels/compare_table_model.h"

namespace rooflens::ui {

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("compareView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_model = new CompareTableModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setModel(m_model);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Speed-ups and savings are against the first column"));
    layout->addWidget(m_table);
}

void CompareView::setResult(const AnalysisResult& result) {
    std::vector<CompareColumn> columns;
    for (const auto& series : result.series) {
        if (series.report) {
            columns.push_back({series.label, series.report, series.request});
        }
    }
    m_model->setColumns(std::move(columns));
}

}  // namespace rooflens::ui
