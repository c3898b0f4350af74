#include "ui/serving_view.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "format.h"
#include "itemmodels/text_format.h"
#include "plot/sweep_plot.h"

namespace rooflens::ui {

namespace {

QSpinBox* lengthBox(const char* name, int value) {
    auto* box = new QSpinBox;
    box->setObjectName(QLatin1String(name));
    box->setRange(1, 1 << 20);
    box->setValue(value);
    return box;
}

QDoubleSpinBox* targetBox(const char* name, double value, const QString& tip) {
    auto* box = new QDoubleSpinBox;
    box->setObjectName(QLatin1String(name));
    box->setRange(0, 1e6);
    box->setDecimals(1);
    box->setSuffix(QStringLiteral(" ms"));
    box->setSpecialValueText(QObject::tr("none"));
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}

const QStringList kColumns{QObject::tr("Series"),     QObject::tr("Meets targets"),
                           QObject::tr("In flight"),  QObject::tr("Tokens/s per device"),
                           QObject::tr("TTFT"),       QObject::tr("TPOT"),
                           QObject::tr("$/M output"), QObject::tr("$/M input"),
                           QObject::tr("J/token"),    QObject::tr("Binds")};

}  // namespace

ServingView::ServingView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("servingView"));
    auto* controls = new QHBoxLayout;
    m_prompt = lengthBox("servingPrompt", 1024);
    m_generate = lengthBox("servingGenerate", 256);
    m_ttft = targetBox("servingTtft", 500, tr("Time-to-first-token target (none: 0)"));
    m_tpot = targetBox("servingTpot", 50, tr("Time-per-output-token target (none: 0)"));
    for (auto [label, widget] : {std::pair<QString, QWidget*>{tr("Prompt"), m_prompt},
                                 {tr("Output"), m_generate},
                                 {tr("TTFT ≤"), m_ttft},
                                 {tr("TPOT ≤"), m_tpot}}) {
        controls->addWidget(new QLabel(label));
        controls->addWidget(widget);
    }
    m_run = new QPushButton(tr("&Serve"));
    m_run->setObjectName(QStringLiteral("servingRun"));
    m_run->setToolTip(tr("Serve every series under continuous batching (docs/serving.md)"));
    controls->addWidget(m_run);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("servingStatus"));
    m_status->setWordWrap(true);  // a long status must not widen the window past 1440 pixels
    controls->addStretch(1);
    auto* split = new QSplitter(Qt::Vertical);
    m_plot = new plot::SweepPlot;
    m_plot->setObjectName(QStringLiteral("servingPlot"));
    m_table = new QTableWidget(0, static_cast<int>(kColumns.size()));
    m_table->setObjectName(QStringLiteral("servingTable"));
    m_table->setHorizontalHeaderLabels(kColumns);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    split->addWidget(m_plot);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_status);  // its own row: the controls fit a 1440-pixel window
    layout->addWidget(split, 1);
    connect(m_run, &QPushButton::clicked, this, &ServingView::run);
}

ServingRequest ServingView::request(AnalysisRequest base) const {
    ServingRequest r;
    r.base = std::move(base);
    r.promptLength = m_prompt->value();
    r.generateLength = m_generate->value();
    if (m_ttft->value() > 0) {
        r.ttftTarget = m_ttft->value() / 1e3;
    }
    if (m_tpot->value() > 0) {
        r.tpotTarget = m_tpot->value() / 1e3;
    }
    return r;
}

void ServingView::run() {
    m_status->setText(tr("serving…"));
    Q_EMIT servingRequested();
}

void ServingView::setProgress(double fraction, const QString& /*label*/) {
    m_status->setText(tr("serving… %1 %").arg(static_cast<int>(100 * fraction)));
}

void ServingView::showOutcome(std::shared_ptr<const ServingOutcome> outcome) {
    if (!outcome || outcome->cancelled) {
        m_status->setText(tr("cancelled"));
        return;
    }
    if (!outcome->error.empty()) {
        m_status->setText(qs(outcome->error));
        return;
    }
    m_plot->setData(outcome->data);
    m_table->setRowCount(static_cast<int>(outcome->rows.size()));
    int met = 0;
    for (int i = 0; i < static_cast<int>(outcome->rows.size()); ++i) {
        const ServingRow& r = outcome->rows[static_cast<std::size_t>(i)];
        QStringList cells{qs(r.label)};
        if (!r.error.empty()) {
            cells << qs(r.error);
        } else {
            met += r.meetsTargets ? 1 : 0;
            cells << (r.meetsTargets ? tr("yes") : tr("no (1 in flight shown)"))
                  << integerText(r.concurrency) << integerText(r.outputTokensPerSecondPerDevice)
                  << secondsText(r.ttftSeconds) << secondsText(r.tpotSeconds)
                  << (r.dollarsPerMillionOutput > 0
                          ? QStringLiteral("$%1").arg(r.dollarsPerMillionOutput, 0, 'f', 2)
                          : tr("no price"))
                  << (r.dollarsPerMillionInput > 0
                          ? QStringLiteral("$%1").arg(r.dollarsPerMillionInput, 0, 'f', 3)
                          : tr("no price"))
                  << QString::number(r.joulesPerOutputToken, 'f', 2) << qs(r.binding);
        }
        for (int c = 0; c < static_cast<int>(cells.size()); ++c) {
            m_table->setItem(i, c, new QTableWidgetItem(cells[c]));
        }
    }
    QStringList targets;
    if (m_ttft->value() > 0) {
        targets << tr("TTFT ≤ %1").arg(secondsText(m_ttft->value() / 1e3));
    }
    if (m_tpot->value() > 0) {
        targets << tr("TPOT ≤ %1").arg(secondsText(m_tpot->value() / 1e3));
    }
    m_status->setText(tr("%1 of %2 series meet the targets%3")
                          .arg(met)
                          .arg(outcome->rows.size())
                          .arg(targets.isEmpty()
                                   ? QString()
                                   : QStringLiteral(" (") + targets.join(QStringLiteral(", ")) +
                                         QLatin1Char(')')));
}

}  // namespace rooflens::ui
