#include "ui/totals_view.h"

#include <cstring>
#include <iterator>
#include <utility>

#include <QAction>
#include <QClipboard>
#include <QFormLayout>
#include <QGuiApplication>
#include <QKeySequence>
#include <QLabel>

#include "format.h"
#include "itemmodels/compare_table_model.h"
#include "itemmodels/text_format.h"
#include "ui/memory_bar.h"

namespace rooflens::ui {

namespace {

struct Row {
    const char* name;
    const char* label;
    const char* tip;
};

constexpr Row kRows[] = {
    {"passValue", QT_TRANSLATE_NOOP("TotalsView", "Predicted time"),
     QT_TRANSLATE_NOOP("TotalsView", "Sum over all layers of the pass or request")},
    {"expectedValue", QT_TRANSLATE_NOOP("TotalsView", "Expected time"),
     QT_TRANSLATE_NOOP("TotalsView",
                       "From the device's efficiency model (GEMM shape, bytes moved, kernel "
                       "overhead; docs/calibration.md); the roofline time when it has none")},
    {"prefillValue", QT_TRANSLATE_NOOP("TotalsView", "Prefill"),
     QT_TRANSLATE_NOOP("TotalsView", "Time of the prompt pass")},
    {"decodeValue", QT_TRANSLATE_NOOP("TotalsView", "Decode step"),
     QT_TRANSLATE_NOOP("TotalsView", "One decode step (at the context length)")},
    {"ttftValue", QT_TRANSLATE_NOOP("TotalsView", "TTFT"),
     QT_TRANSLATE_NOOP("TotalsView", "Time to first token")},
    {"tpotValue", QT_TRANSLATE_NOOP("TotalsView", "TPOT"),
     QT_TRANSLATE_NOOP("TotalsView", "Mean time per output token after the first")},
    {"throughputValue", QT_TRANSLATE_NOOP("TotalsView", "Throughput"),
     QT_TRANSLATE_NOOP("TotalsView", "Tokens (or images) per second of the whole batch")},
    {"planValue", QT_TRANSLATE_NOOP("TotalsView", "Deployment"),
     QT_TRANSLATE_NOOP("TotalsView", "The plan: tensor, expert, pipeline, data parallel")},
    {"networkValue", QT_TRANSLATE_NOOP("TotalsView", "Communication"),
     QT_TRANSLATE_NOOP("TotalsView",
                       "Time in collectives (all-reduce, all-to-all, ...) and its share, "
                       "before any overlap with compute")},
    {"perDeviceValue", QT_TRANSLATE_NOOP("TotalsView", "Per device"),
     QT_TRANSLATE_NOOP("TotalsView", "Throughput of one replica over its devices")},
    {"stagesValue", QT_TRANSLATE_NOOP("TotalsView", "Pipeline stages"),
     QT_TRANSLATE_NOOP("TotalsView",
                       "Per stage (its representative rank): blocks, time, communication time "
                       "and memory of the fullest rank")},
    {"opsValue", QT_TRANSLATE_NOOP("TotalsView", "OPs"), nullptr},
    {"bytesValue", QT_TRANSLATE_NOOP("TotalsView", "Bytes moved"), nullptr},
    {"intensityValue", QT_TRANSLATE_NOOP("TotalsView", "Intensity"),
     QT_TRANSLATE_NOOP("TotalsView", "Total OPs per byte moved")},
};

// The row of a value label's object name; every caller passes a name of kRows.
std::size_t rowIndex(const char* row) {
    for (std::size_t i = 0; i < std::size(kRows); ++i) {
        if (std::strcmp(kRows[i].name, row) == 0) {
            return i;
        }
    }
    Q_ASSERT_X(false, "TotalsView", row);
    return 0;
}

QString orDash(const std::optional<double>& seconds) {
    return seconds ? secondsText(*seconds) : QStringLiteral("–");
}

}  // namespace

TotalsView::TotalsView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("totalsView"));
    auto* form = new QFormLayout(this);
    m_form = form;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("totalsTitle"));
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    form->addRow(m_title);
    for (const Row& row : kRows) {
        auto* label = new QLabel(QStringLiteral("–"), this);
        label->setObjectName(QLatin1String(row.name));
        // Long values wrap instead of widening the dock. Not selectable: a selectable label
        // keeps a text document that is laid out again on every change and paint (a tenth of
        // the frame on llama-3-70b, issue 17 item 9); "Copy totals" copies every row instead.
        label->setWordWrap(true);
        auto* name = new QLabel(tr(row.label), this);
        name->setObjectName(QLatin1String(row.name) + QStringLiteral("Label"));
        if (row.tip != nullptr) {
            name->setToolTip(tr(row.tip));
            label->setToolTip(tr(row.tip));
        }
        form->addRow(name, label);
        m_values.push_back(label);
        m_names.push_back(name);
    }
    m_memory = new MemoryBar(this);
    form->addRow(tr("Memory"), m_memory);
    m_oom = new QLabel(this);
    m_oom->setObjectName(QStringLiteral("oomWarning"));
    m_oom->setWordWrap(true);
    m_oom->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
    m_oom->hide();
    form->addRow(m_oom);
    m_warnings = new QLabel(this);
    m_warnings->setObjectName(QStringLiteral("reportWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->hide();
    form->addRow(m_warnings);

    auto* copy = new QAction(tr("Copy totals"), this);
    copy->setObjectName(QStringLiteral("copyTotalsAction"));
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this,
            [this] { QGuiApplication::clipboard()->setText(totalsText()); });
    addAction(copy);
    setContextMenuPolicy(Qt::ActionsContextMenu);
}

QString TotalsView::totalsText() const {
    QStringList lines;
    if (!m_title->text().isEmpty()) {
        lines << m_title->text();
    }
    for (std::size_t i = 0; i < m_values.size(); ++i) {
        if (!m_values[i]->isHidden()) {
            // A multi-line value (the pipeline stages) continues on indented lines.
            QString value = m_values[i]->text();
            value.replace(QLatin1Char('\n'), QStringLiteral("\n\t"));
            lines << m_names[i]->text() + QLatin1Char('\t') + value;
        }
    }
    for (const QLabel* note : {m_oom, m_warnings}) {
        if (!note->isHidden() && !note->text().isEmpty()) {
            lines << note->text();
        }
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString TotalsView::valueText(const QString& objectName) const {
    const auto* label = findChild<QLabel*>(objectName);
    return label != nullptr ? label->text() : QString();
}

void TotalsView::setSeries(const SeriesResult* series, const core::Hardware* device) {
    // Every label is set once to its final text and every row shown or hidden once: a label
    // set twice, or a warning hidden and shown again, relayouts the form (word-wrapped labels
    // measure their text) on each parameter change (issue 17 item 9).
    std::vector<QString> values(m_values.size(), QStringLiteral("–"));
    fillSeries(series, device, values);
    for (std::size_t i = 0; i < values.size(); ++i) {
        m_values[i]->setText(values[i]);  // QLabel ignores an unchanged text
    }
}

void TotalsView::fillSeries(const SeriesResult* series, const core::Hardware* device,
                            std::vector<QString>& values) {
    auto setValue = [&values](const char* row, QString text) {
        values[rowIndex(row)] = std::move(text);
    };
    if (series == nullptr || !series->report) {
        m_title->setText(series != nullptr ? qs(series->error) : QString());
        m_memory->setValues(0, 0, 0, 0);
        m_oom->setVisible(false);
        m_warnings->setVisible(false);
        return;
    }
    const core::Report& report = *series->report;
    const auto& t = report.totals;
    const bool generator = report.model.family == core::ModelFamily::llm;
    const core::RunSettings& run = report.settings;
    // Vision models and GNNs run one forward pass; "prefill" is an LLM word.
    const QString pass = generator ? qs(core::nameOf(run.phase)) : tr("forward pass");
    m_title->setText(tr("%1\n%2, batch %3").arg(qs(series->label), pass).arg(run.batch));
    // Each figure names the pass it belongs to: the decode step is one step at the context
    // length, TTFT and TPOT come from a request of prompt + generated tokens (issue 17).
    auto name = [this](const char* row) { return m_names[rowIndex(row)]; };
    if (generator) {
        name("prefillValue")->setText(tr("Prefill (%1 tokens)").arg(run.promptLength));
        name("decodeValue")->setText(tr("Decode step (context %1)").arg(run.contextLength));
        name("ttftValue")->setText(tr("TTFT (prompt %1)").arg(run.promptLength));
        name("tpotValue")
            ->setText(tr("TPOT (%1 + %2 tokens)").arg(run.promptLength).arg(run.generateLength));
    } else {
        name("prefillValue")->setText(tr("Forward pass"));
    }
    name("throughputValue")->setText(tr("Throughput (%1)").arg(pass));
    const ThroughputFigures f = throughputOf(report, series->request);
    // Decode steps, TTFT and TPOT exist for token generators only.
    for (const char* name : {"decodeValue", "ttftValue", "tpotValue"}) {
        m_form->setRowVisible(m_values[rowIndex(name)], generator);
    }
    const core::Deployment& plan = report.deployment;
    for (const char* name : {"planValue", "networkValue", "perDeviceValue"}) {
        m_form->setRowVisible(m_values[rowIndex(name)], !plan.single());
    }
    m_form->setRowVisible(m_values[rowIndex("stagesValue")], report.stages.size() > 1);
    if (report.stages.size() > 1) {
        QStringList lines;
        for (std::size_t i = 0; i < report.stages.size(); ++i) {
            const core::StageResult& st = report.stages[i];
            lines << tr("%1: blocks %2–%3, %4, comm %5, %6")
                         .arg(i + 1)
                         .arg(st.firstBlock)
                         .arg(st.lastBlock)
                         .arg(secondsText(st.seconds), secondsText(st.networkSeconds),
                              bytesText(st.memory.total()));
        }
        setValue("stagesValue", lines.join(QLatin1Char('\n')));
    }
    if (!plan.single()) {
        setValue("planValue",
                 tr("%1 (%2 devices)").arg(qs(core::planName(plan))).arg(plan.devices()));
        setValue(
            "networkValue",
            tr("%1 (%2 %)")
                .arg(secondsText(t.networkSeconds))
                .arg(t.timeSeconds > 0 ? 100 * t.networkSeconds / t.timeSeconds : 0.0, 0, 'f', 1));
        const double perDevice =
            f.itemsPerSecond / std::max<std::int64_t>(1, plan.devicesPerReplica());
        setValue("perDeviceValue", numberText(perDevice) + QLatin1Char(' ') + qs(f.itemsUnit));
    }
    setValue("passValue", secondsText(t.timeSeconds));
    const double expected = t.request ? t.request->expectedE2eSeconds : t.expectedSeconds;
    setValue("expectedValue", expected > 0 ? tr("%1 (%2 % of the roof)")
                                                 .arg(secondsText(expected))
                                                 .arg(100 * t.timeSeconds / expected, 0, 'f', 0)
                                           : QStringLiteral("–"));
    setValue("prefillValue", orDash(f.prefillSeconds));
    setValue("decodeValue", orDash(f.decodeStepSeconds));
    setValue("ttftValue", orDash(f.ttftSeconds));
    setValue("tpotValue", orDash(f.tpotSeconds));
    setValue("throughputValue", numberText(f.itemsPerSecond) + QLatin1Char(' ') + qs(f.itemsUnit));
    setValue("opsValue", siText(t.ops, "OP"));
    setValue("bytesValue", siText(t.bytes, "B"));
    setValue("intensityValue", t.bytes > 0 ? numberText(t.ops / t.bytes) + QStringLiteral(" OP/B")
                                           : QStringLiteral("–"));
    const double capacity = device != nullptr && !device->memory.empty()
                                ? device->memoryCapacityBytes()
                                : t.capacityBytes;
    m_memory->setValues(t.memory.weights, t.memory.kvCache, t.memory.activations, capacity);
    const bool oom = !t.fitsInMemory || m_memory->overCapacity();
    if (oom) {
        m_oom->setText(tr("Out of memory: %1 needed, the device has %2.")
                           .arg(bytesText(t.memory.total()), bytesText(capacity)));
    }
    m_oom->setVisible(oom);
    if (!report.warnings.empty()) {
        QStringList lines;
        for (const auto& w : report.warnings) {
            lines << qs(w);
        }
        m_warnings->setText(lines.join(QLatin1Char('\n')));
    }
    m_warnings->setVisible(!report.warnings.empty());
}

}  // namespace rooflens::ui
