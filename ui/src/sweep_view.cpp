#include "ui/sweep_view.h"

#include <algorithm>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/sweep.h"
#include "format.h"
#include "plot/sweep_plot.h"

namespace rooflens::ui {

SweepView::SweepView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("sweepView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    m_metric = new QComboBox(this);
    m_metric->setObjectName(QStringLiteral("sweepMetric"));
    m_axis = new QComboBox(this);
    m_axis->setObjectName(QStringLiteral("sweepAxis"));
    m_range = new QLineEdit(this);
    m_range->setObjectName(QStringLiteral("sweepRange"));
    m_range->setToolTip(tr("Values: 1,2,4 or 1:256:x2 (geometric) or 128:4096:+128"));
    m_range->setMaximumWidth(160);
    m_run = new QPushButton(tr("&Run sweep"), this);
    m_run->setObjectName(QStringLiteral("sweepRun"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("sweepCancel"));
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(180);
    m_progress->setTextVisible(false);
    m_progress->hide();
    bar->addWidget(m_metric);
    bar->addWidget(new QLabel(tr("against"), this));
    bar->addWidget(m_axis);
    bar->addWidget(m_range);
    bar->addWidget(m_run);
    bar->addWidget(m_cancel);
    bar->addWidget(m_progress);
    bar->addStretch(1);
    layout->addLayout(bar);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("sweepStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_plot = new plot::SweepPlot(this);
    layout->addWidget(m_plot, 1);

    connect(m_axis, &QComboBox::currentIndexChanged, this, &SweepView::axisChanged);
    connect(m_run, &QPushButton::clicked, this, &SweepView::run);
    connect(m_range, &QLineEdit::returnPressed, this, &SweepView::run);
    connect(m_cancel, &QPushButton::clicked, this, &SweepView::cancelRequested);
    setContext(true, core::Phase::decode);
}

void SweepView::setContext(bool hasDecode, core::Phase phase) {
    const QVariant axis = m_axis->currentData();
    const QVariant metric = m_metric->currentData();
    m_axis->blockSignals(true);
    m_axis->clear();
    m_axis->addItem(tr("batch size"), static_cast<int>(SweepAxis::batch));
    if (hasDecode) {
        if (phase == core::Phase::decode) {
            m_axis->addItem(tr("context length"), static_cast<int>(SweepAxis::contextLength));
        } else {
            m_axis->addItem(tr("prompt length"), static_cast<int>(SweepAxis::promptLength));
        }
    }
    m_axis->setCurrentIndex(std::max(0, m_axis->findData(axis)));
    m_axis->blockSignals(false);
    m_metric->clear();
    m_metric->addItem(tr("Predicted time"), static_cast<int>(SweepMetric::time));
    m_metric->addItem(tr("Throughput"), static_cast<int>(SweepMetric::throughput));
    if (hasDecode && phase == core::Phase::request) {
        m_metric->addItem(tr("TTFT"), static_cast<int>(SweepMetric::ttft));
        m_metric->addItem(tr("TPOT"), static_cast<int>(SweepMetric::tpot));
    }
    m_metric->addItem(tr("Memory"), static_cast<int>(SweepMetric::memory));
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(metric)));
    axisChanged();
}

void SweepView::axisChanged() {
    const auto axis = static_cast<SweepAxis>(m_axis->currentData().toInt());
    m_range->setText(axis == SweepAxis::batch ? QStringLiteral("1:256:x2")
                                              : QStringLiteral("128:32768:x2"));
}

void SweepView::run() {
    auto values = core::parseRange(toStd(m_range->text().trimmed()));
    if (!values) {
        m_status->setText(qs(values.error().message));
        return;
    }
    if (values->size() > 4096) {
        m_status->setText(tr("At most 4096 values per sweep in the GUI (use `rooflens sweep`)."));
        return;
    }
    m_status->clear();
    Q_EMIT sweepRequested(static_cast<SweepAxis>(m_axis->currentData().toInt()),
                          std::move(values).value(),
                          static_cast<SweepMetric>(m_metric->currentData().toInt()));
}

void SweepView::setProgress(double fraction, const QString& label) {
    m_progress->setValue(static_cast<int>(fraction * 1000));
    m_status->setText(label);
}

void SweepView::setRunning(bool running) {
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
    if (running) {
        m_progress->setValue(0);
        m_status->setText(tr("Sweeping…"));
    }
}

void SweepView::showOutcome(std::shared_ptr<const SweepOutcome> outcome) {
    setRunning(false);
    if (!outcome) {
        return;
    }
    if (outcome->cancelled) {
        m_status->setText(tr("Sweep cancelled."));
        return;
    }
    if (!outcome->error.empty()) {
        m_status->setText(qs(outcome->error));
        return;
    }
    std::size_t points = 0;
    std::size_t outOfMemory = 0;
    for (const auto& line : outcome->data.lines) {
        points += line.x.size();
        outOfMemory += static_cast<std::size_t>(
            std::count(line.outOfMemory.begin(), line.outOfMemory.end(), true));
    }
    QString status = tr("%1 lines, %2 points.").arg(outcome->data.lines.size()).arg(points);
    if (outOfMemory > 0) {
        status += QLatin1Char(' ') + tr("%1 do not fit in memory (hollow grey; hover for how "
                                        "much they need).")
                                         .arg(outOfMemory);
    }
    m_status->setText(status);
    m_plot->setData(outcome->data);
}

}  // namespace rooflens::ui
