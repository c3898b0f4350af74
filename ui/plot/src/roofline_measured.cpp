// RooflinePlot's measured run (roofline_plot.h: setMeasured): drawing, tooltips, hit tests.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/units.h"
#include "plot_common.h"
#include "roofline_private.h"

namespace rooflens::plot {

namespace {

constexpr QCPScatterStyle::ScatterShape kMeasuredShape = QCPScatterStyle::ssCrossCircle;

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

QString percent(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%+.1f %%", 100 * fraction);
    return QString::fromUtf8(text).replace(QLatin1Char('-'), QChar(0x2212));
}

}  // namespace

namespace detail {

void addMeasuredPoints(RooflinePlot::Private& d, const PlotTheme& theme) {
    if (!d.measured || d.measured->points.empty()) {
        return;
    }
    QCustomPlot& plot = *d.plot;
    std::map<int, std::vector<std::size_t>> byKind;
    for (std::size_t i = 0; i < d.measured->points.size(); ++i) {
        byKind[static_cast<int>(d.measured->points[i].kind)].push_back(i);
    }
    for (auto& [kindIndex, indices] : byKind) {
        std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
            return d.measured->points[a].intensity() < d.measured->points[b].intensity();
        });
        QVector<double> xs;
        QVector<double> ys;
        QVector<double> below;
        QVector<double> above;
        for (std::size_t i : indices) {
            const core::MeasuredPoint& p = d.measured->points[i];
            const double measured = p.measuredOpsPerSecond();
            const double roof = p.rooflineOpsPerSecond();
            xs << p.intensity();
            ys << measured;
            // A dotted bar to the rate of the point's own roofline time: the error at a glance.
            below << std::max(0.0, measured - roof);
            above << std::max(0.0, roof - measured);
        }
        const QColor colour = theme.kindColor(static_cast<core::LayerKind>(kindIndex));
        QCPGraph* graph = plot.addGraph();
        graph->setData(xs, ys, true);
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(kMeasuredShape, QPen(colour, 1.6), Qt::NoBrush, 10));
        graph->setSelectable(QCP::stNone);
        auto* bars = new QCPErrorBars(plot.xAxis, plot.yAxis);
        bars->setDataPlottable(graph);
        bars->setData(below, above);
        bars->setWhiskerWidth(0);
        bars->setPen(QPen(colour, 0.9, Qt::DotLine));
        bars->setSelectable(QCP::stNone);
    }
    QCPGraph* entry = plot.addGraph();
    entry->setName(QStringLiteral("measured"));
    entry->setLineStyle(QCPGraph::lsNone);
    entry->setScatterStyle(
        QCPScatterStyle(kMeasuredShape, QPen(theme.foreground, 1.6), Qt::NoBrush, 10));
    entry->setSelectable(QCP::stNone);
    entry->addToLegend();
}

}  // namespace detail

void RooflinePlot::setMeasured(std::shared_ptr<const core::MeasuredRun> run) {
    d->measured = std::move(run);
    redraw();
}

const core::MeasuredRun* RooflinePlot::measured() const {
    return d->measured.get();
}

QString RooflinePlot::measuredToolTipFor(std::size_t measuredIndex) const {
    if (!d->measured || measuredIndex >= d->measured->points.size()) {
        return {};
    }
    const core::MeasuredPoint& p = d->measured->points[measuredIndex];
    const std::string_view kind = core::nameOf(p.kind);
    QString text =
        QStringLiteral("<b>measured: ") + qs(p.name).toHtmlEscaped() + QStringLiteral("</b> (") +
        QLatin1String(kind.data(), static_cast<qsizetype>(kind.size())) + QStringLiteral(")<br>");
    if (!p.run.empty()) {
        text += qs(p.run).toHtmlEscaped() + QStringLiteral("<br>");
    }
    text += QStringLiteral("measured: ") + qs(core::formatSeconds(p.measuredSeconds));
    if (p.p10Seconds > 0 && p.p90Seconds > 0) {
        text += QStringLiteral(" (p10 ") + qs(core::formatSeconds(p.p10Seconds)) +
                QStringLiteral(", p90 ") + qs(core::formatSeconds(p.p90Seconds)) +
                QStringLiteral(")");
    }
    text += QStringLiteral("<br>OPs: ") + qs(core::formatSi(p.ops, "OP")) +
            QStringLiteral(", bytes: ") + qs(core::formatSi(p.bytes, "B")) +
            QStringLiteral("<br>intensity: ") + QString::number(p.intensity(), 'g', 4) +
            QStringLiteral(" OP/B<br>attained: ") +
            qs(core::formatSi(p.measuredOpsPerSecond(), "OP/s")) +
            QStringLiteral("<br>roofline: ") + qs(core::formatSeconds(p.rooflineSeconds)) +
            QStringLiteral(" (") + qs(core::formatSi(p.rooflineOpsPerSecond(), "OP/s")) +
            QStringLiteral("), error ") + percent(p.rooflineError());
    if (p.expectedSeconds > 0) {
        text += QStringLiteral("<br>expected: ") + qs(core::formatSeconds(p.expectedSeconds)) +
                QStringLiteral(", error ") + percent(p.expectedError());
    }
    text += QStringLiteral("<br><i>error = (predicted − measured) / measured; ") +
            qs(d->measured->label()).toHtmlEscaped() + QStringLiteral("</i>");
    return text;
}

QPoint RooflinePlot::measuredPixelOf(std::size_t measuredIndex) const {
    if (!d->measured || measuredIndex >= d->measured->points.size()) {
        return {};
    }
    const core::MeasuredPoint& p = d->measured->points[measuredIndex];
    return QPointF(d->plot->xAxis->coordToPixel(p.intensity()),
                   d->plot->yAxis->coordToPixel(p.measuredOpsPerSecond()))
        .toPoint();
}

std::optional<std::size_t> RooflinePlot::measuredPointAt(QPoint canvasPosition) const {
    if (!d->measured) {
        return std::nullopt;
    }
    constexpr double kMaxDistance = 8;
    double best = kMaxDistance * kMaxDistance;
    std::optional<std::size_t> found;
    const QRect rect = d->plot->axisRect()->rect();
    for (std::size_t i = 0; i < d->measured->points.size(); ++i) {
        const QPoint pixel = measuredPixelOf(i);
        if (!rect.contains(pixel)) {
            continue;
        }
        const QPoint delta = pixel - canvasPosition;
        const double distance =
            static_cast<double>(delta.x()) * delta.x() + static_cast<double>(delta.y()) * delta.y();
        if (distance <= best) {
            best = distance;
            found = i;
        }
    }
    return found;
}

}  // namespace rooflens::plot
