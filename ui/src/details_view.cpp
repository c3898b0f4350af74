#include "ui/details_view.h"

#include <algorithm>

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/datatypes.h"
#include "core/units.h"
#include "format.h"
#include "itemmodels/text_format.h"

namespace rooflens::ui {

namespace {

QString ratioText(double now, double base) {
    if (base <= 0 || now <= 0) {
        return QStringLiteral("–");
    }
    return now <= base ? QObject::tr("%1× faster").arg(numberText(base / now))
                       : QObject::tr("%1× slower").arg(numberText(now / base));
}

// "+12.5 %" or "-74.0 %": the change from `base` to `now`.
QString changeText(double now, double base) {
    if (base <= 0) {
        return QStringLiteral("–");
    }
    const double change = 100 * (now / base - 1);
    return (change > 0 ? QStringLiteral("+") : QString()) + QString::number(change, 'f', 1) +
           QStringLiteral(" %");
}

QString shareOf(double part, double whole) {
    return whole > 0 ? QStringLiteral("%1 (%2)").arg(bytesText(part), percentText(part / whole))
                     : bytesText(part);
}

QString typeName(core::DataType type) {
    return qs(core::nameOf(type));
}

// The first series on the same device and plan: the baseline scenario of comparisons.
const SeriesResult* baselineOf(const AnalysisResult& result, const SeriesResult& series) {
    for (const auto& s : result.series) {
        if (s.device == series.device && s.plan == series.plan) {
            return s.report ? &s : nullptr;
        }
    }
    return nullptr;
}

int findLayer(const core::Report& report, const core::Layer& layer, core::Phase phase) {
    const std::string name = layer.name();
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        const auto& l = report.layers[i];
        if (report.results[i].phase == phase && l.name() == name && l.kind == layer.kind) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

class Rows {
public:
    void heading(const QString& text) { m_rows.push_back({text, QString(), QString()}); }
    void add(const QString& label, const QString& value, const QString& tip = {}) {
        m_rows.push_back({label, value, tip});
    }
    std::vector<DetailRow> take() { return std::move(m_rows); }

private:
    std::vector<DetailRow> m_rows;
};

void addDeployment(Rows& rows, const core::Report& report, const core::Layer& layer,
                   const core::LayerResult& r) {
    const core::Deployment& plan = report.deployment;
    rows.heading(QObject::tr("Deployment"));
    rows.add(QObject::tr("Plan"),
             QObject::tr("%1 (%2 devices)").arg(qs(core::planName(plan))).arg(plan.devices()));
    const int ranks = plan.tensorParallel * plan.expertParallel * plan.contextParallel;
    const core::StageResult* stage = nullptr;
    std::size_t stageIndex = 0;
    for (std::size_t i = 0; i < report.stages.size(); ++i) {
        const auto& s = report.stages[i];
        if (layer.block >= s.firstBlock && layer.block <= s.lastBlock) {
            stage = &s;
            stageIndex = i;
        }
    }
    QString rank =
        QObject::tr("the representative rank: one of %1 that run these layers").arg(ranks);
    if (plan.pipelineParallel > 1) {
        rank += stage != nullptr ? QObject::tr(", pipeline stage %1 of %2 (blocks %3–%4)")
                                       .arg(stageIndex + 1)
                                       .arg(plan.pipelineParallel)
                                       .arg(stage->firstBlock)
                                       .arg(stage->lastBlock)
                                 : QObject::tr(", outside the blocks (first or last stage)");
    }
    rows.add(QObject::tr("Rank"), rank);
    if (stage != nullptr) {
        rows.add(QObject::tr("Stage communication"), durationText(stage->networkSeconds),
                 QObject::tr("Time in the stage's collectives, before any overlap"));
    }
    if (layer.collective >= 0 && layer.collective < static_cast<int>(report.collectives.size())) {
        const core::CollectiveShape& c =
            report.collectives[static_cast<std::size_t>(layer.collective)];
        rows.add(QObject::tr("Collective"),
                 QObject::tr("%1 of %2 over %3 ranks")
                     .arg(qs(core::nameOf(c.op)), bytesText(c.bytes), numberText(c.ranks)));
        rows.add(QObject::tr("Link"),
                 QObject::tr("%1: %2 per direction, %3 latency per step")
                     .arg(qs(c.link), qs(core::formatSi(c.linkBytesPerSecond, "B/s")),
                          durationText(c.latencySeconds)));
        rows.add(QObject::tr("Collective time"), durationText(r.networkSeconds),
                 QObject::tr("latency × steps + bytes × bus factor / link bandwidth"));
    }
}

void addScenario(Rows& rows, const AnalysisResult& result, const SeriesResult& series,
                 const core::Layer& layer, const core::LayerResult& r) {
    const core::Report& report = *series.report;
    rows.heading(QObject::tr("Scenario"));
    rows.add(QObject::tr("Scenario"),
             report.scenario.empty() ? QObject::tr("none (uncompressed)") : qs(report.scenario));
    const SeriesResult* base = baselineOf(result, series);
    if (base == &series) {
        rows.add(QObject::tr("Versus baseline"),
                 QObject::tr("this is the baseline (the first scenario)"));
        return;
    }
    const int index = base != nullptr ? findLayer(*base->report, layer, r.phase) : -1;
    if (index < 0) {
        rows.add(QObject::tr("Versus baseline"),
                 QObject::tr("the baseline has no layer %1").arg(qs(layer.name())));
        return;
    }
    const core::Layer& bl = base->report->layers[static_cast<std::size_t>(index)];
    const core::LayerResult& br = base->report->results[static_cast<std::size_t>(index)];
    rows.add(QObject::tr("Versus baseline"),
             QObject::tr("%1 → %2 (%3)")
                 .arg(durationText(br.timeSeconds), durationText(r.timeSeconds),
                      ratioText(r.timeSeconds, br.timeSeconds)),
             QObject::tr("Roofline time per instance against %1").arg(qs(base->label)));
    rows.add(QObject::tr("Bytes vs baseline"),
             QObject::tr("%1 → %2 (%3)")
                 .arg(bytesText(br.bytes.total()), bytesText(r.bytes.total()),
                      changeText(r.bytes.total(), br.bytes.total())));
    rows.add(QObject::tr("OPs vs baseline"),
             QObject::tr("%1 → %2 (%3)")
                 .arg(siText(br.ops, "OP"), siText(r.ops, "OP"), changeText(r.ops, br.ops)));
    rows.add(QObject::tr("Types vs baseline"),
             QObject::tr("weights %1 → %2, math %3 → %4")
                 .arg(typeName(bl.weightType), typeName(layer.weightType),
                      typeName(br.execution.mathType), typeName(r.execution.mathType)));
    if (br.bound != r.bound) {
        rows.add(QObject::tr("Bound vs baseline"),
                 QObject::tr("%1 → %2").arg(qs(core::nameOf(br.bound)), qs(core::nameOf(r.bound))));
    }
}

}  // namespace

std::vector<DetailRow> layerDetails(const AnalysisResult& result, int seriesIndex, int layerIndex) {
    if (seriesIndex < 0 || seriesIndex >= static_cast<int>(result.series.size())) {
        return {};
    }
    const SeriesResult& series = result.series[static_cast<std::size_t>(seriesIndex)];
    if (!series.report || layerIndex < 0 ||
        layerIndex >= static_cast<int>(series.report->layers.size())) {
        return {};
    }
    const core::Report& report = *series.report;
    const core::Layer& layer = report.layers[static_cast<std::size_t>(layerIndex)];
    const core::LayerResult& r = report.results[static_cast<std::size_t>(layerIndex)];
    const core::Hardware* hw =
        series.device < result.devices.size() ? &result.devices[series.device] : nullptr;
    Rows rows;

    rows.heading(QObject::tr("Layer"));
    rows.add(QObject::tr("Name"), qs(layer.name()));
    rows.add(QObject::tr("Kind"),
             QObject::tr("%1, %2, %3")
                 .arg(qs(core::nameOf(layer.kind)),
                      layer.block < 0 ? QObject::tr("outside the blocks")
                                      : QObject::tr("block %1").arg(layer.block),
                      qs(core::nameOf(r.phase))));
    rows.add(QObject::tr("Repeat"), QObject::tr("× %1").arg(layer.repeat),
             QObject::tr("Identical instances (collapsed blocks); the figures below are per "
                         "instance"));
    rows.add(QObject::tr("Series"), qs(series.label));

    rows.heading(QObject::tr("Work and traffic (per instance)"));
    QString ops = siText(r.ops, "OP");
    if (r.conversionOps > 0) {
        ops += QObject::tr(" (%1 of it dequantization on the vector units)")
                   .arg(siText(r.conversionOps, "OP"));
    }
    rows.add(QObject::tr("OPs"), ops, QObject::tr("%1 OPs").arg(numberText(r.ops, 6)));
    const core::ByteBreakdown& b = r.bytes;
    const double total = b.total();
    rows.add(QObject::tr("Bytes"), bytesText(total),
             QObject::tr("%1 bytes").arg(numberText(total, 6)));
    rows.add(QObject::tr("Weights"), shareOf(b.weights, total),
             QObject::tr("stored as %1").arg(typeName(layer.weightType)));
    rows.add(QObject::tr("Activations"), shareOf(b.activationsIn + b.activationsOut, total),
             QObject::tr("in %1, out %2 (%3)")
                 .arg(bytesText(b.activationsIn), bytesText(b.activationsOut),
                      typeName(layer.activationType)));
    rows.add(QObject::tr("KV cache"), shareOf(b.kvRead + b.kvWrite, total),
             QObject::tr("read %1, written %2 (%3)")
                 .arg(bytesText(b.kvRead), bytesText(b.kvWrite), typeName(layer.kvType)));
    rows.add(QObject::tr("Metadata"), shareOf(b.metadata, total),
             QObject::tr("quantization scales and zero points, sparse indices"));
    rows.add(
        QObject::tr("Intensity"),
        r.intensity > 0 ? numberText(r.intensity) + QStringLiteral(" OP/B") : QStringLiteral("–"),
        QObject::tr("OPs / bytes"));

    rows.heading(hw != nullptr ? QObject::tr("On %1").arg(qs(hw->name)) : QObject::tr("Device"));
    QString runs = QObject::tr("%1 on the %2 units")
                       .arg(typeName(r.execution.mathType), qs(core::nameOf(r.execution.unit)));
    if (r.execution.promoted) {
        runs += QObject::tr(", promoted from %1 (no native peak)").arg(typeName(layer.computeType));
    }
    if (r.execution.sparse) {
        runs += QObject::tr(", sparse");
    }
    rows.add(QObject::tr("Runs on"), runs);
    if (r.execution.peakOpsPerSecond > 0) {
        rows.add(QObject::tr("Peak"), siText(r.execution.peakOpsPerSecond, "OP/s"));
        rows.add(QObject::tr("Attainable"),
                 QObject::tr("%1 (%2 of the peak)")
                     .arg(siText(r.attainableOpsPerSecond, "OP/s"),
                          percentText(r.attainableOpsPerSecond / r.execution.peakOpsPerSecond)),
                 QObject::tr("min(peak, intensity × memory bandwidth)"));
    }
    const QString memoryName =
        hw != nullptr && !hw->memory.empty() ? qs(hw->mainMemory().name) : QObject::tr("memory");
    rows.add(QObject::tr("Bound"), r.bound == core::Bound::compute ? QObject::tr("compute")
                                   : r.bound == core::Bound::memory
                                       ? QObject::tr("memory (%1)").arg(memoryName)
                                       : QObject::tr("network"));
    QString time = durationText(r.timeSeconds);
    if (layer.repeat > 1) {
        time += QObject::tr(", × %1 = %2")
                    .arg(layer.repeat)
                    .arg(durationText(r.timeSeconds * layer.repeat));
    }
    rows.add(QObject::tr("Roofline time"), time,
             QObject::tr("max(compute, memory) + network, per instance"));
    rows.add(QObject::tr("Compute time"), durationText(r.computeSeconds),
             QObject::tr("OPs at the peak; conversions on the vector units"));
    rows.add(QObject::tr("Memory time"), durationText(r.memorySeconds),
             QObject::tr("bytes at %1's bandwidth").arg(memoryName));
    if (r.networkSeconds > 0) {
        rows.add(QObject::tr("Network time"), durationText(r.networkSeconds));
    }
    rows.add(QObject::tr("Expected time"),
             r.expectedSeconds > 0 ? QObject::tr("%1 (runs at %2 of the roof)")
                                         .arg(durationText(r.expectedSeconds),
                                              percentText(r.timeSeconds / r.expectedSeconds))
                                   : QStringLiteral("–"),
             QObject::tr("efficiency model (%1): compute %2, memory %3, overhead %4")
                 .arg(report.efficiency.empty() ? QObject::tr("none") : qs(report.efficiency),
                      durationText(r.expectedComputeSeconds), durationText(r.expectedMemorySeconds),
                      durationText(r.overheadSeconds)));
    if (report.totals.timeSeconds > 0) {
        rows.add(QObject::tr("Share of total"),
                 percentText(r.timeSeconds * layer.repeat / report.totals.timeSeconds),
                 QObject::tr("Of the series' roofline time %1")
                     .arg(durationText(report.totals.timeSeconds)));
    }

    addScenario(rows, result, series, layer, r);
    if (!report.deployment.single()) {
        addDeployment(rows, report, layer, r);
    }
    return rows.take();
}

DetailsView::DetailsView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("detailsView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_hint = new QLabel(tr("Select a layer in the table or a point on the chart."), this);
    m_hint->setObjectName(QStringLiteral("detailsHint"));
    m_hint->setWordWrap(true);
    layout->addWidget(m_hint);
    m_table = new QTableWidget(0, 2, this);
    m_table->setObjectName(QStringLiteral("detailsTable"));
    m_table->horizontalHeader()->hide();
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::ContiguousSelection);
    m_table->setWordWrap(true);
    m_table->setShowGrid(false);
    layout->addWidget(m_table, 1);
    m_table->hide();
}

void DetailsView::clear() {
    m_result.reset();
    m_table->setRowCount(0);
    m_table->hide();
    m_hint->show();
}

void DetailsView::showLayer(std::shared_ptr<const AnalysisResult> result, int series, int layer) {
    const std::vector<DetailRow> rows =
        result ? layerDetails(*result, series, layer) : std::vector<DetailRow>{};
    if (rows.empty()) {
        clear();
        return;
    }
    m_result = std::move(result);
    m_table->clearSpans();
    m_table->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const DetailRow& row = rows[static_cast<std::size_t>(i)];
        auto* label = new QTableWidgetItem(row.label);
        auto* value = new QTableWidgetItem(row.value);
        if (row.value.isEmpty()) {  // a section heading across both columns
            QFont bold = label->font();
            bold.setBold(true);
            label->setFont(bold);
        }
        if (row.value.isEmpty()) {
            m_table->setSpan(i, 0, 1, 2);
        }
        label->setToolTip(row.toolTip);
        value->setToolTip(row.toolTip.isEmpty() ? row.value : row.toolTip);
        m_table->setItem(i, 0, label);
        m_table->setItem(i, 1, value);
    }
    // The label column as wide as its longest label (headings span both columns), the values
    // take the rest and wrap.
    int labelWidth = 0;
    for (const DetailRow& row : rows) {
        if (!row.value.isEmpty()) {
            labelWidth = std::max(labelWidth, m_table->fontMetrics().horizontalAdvance(row.label));
        }
    }
    m_table->horizontalHeader()->resizeSection(0, labelWidth + 12);
    m_table->resizeRowsToContents();
    m_hint->hide();
    m_table->show();
}

QString DetailsView::valueText(const QString& label) const {
    for (int i = 0; i < m_table->rowCount(); ++i) {
        if (m_table->item(i, 0)->text() == label) {
            return m_table->item(i, 1)->text();
        }
    }
    return {};
}

}  // namespace rooflens::ui
