#include "plot/sweep_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QToolTip>

#include "core/units.h"
#include "plot_common.h"

namespace rooflens::plot {

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

// "Predicted time [s]" -> {"Predicted time", "s"}; no brackets: {label, ""}.
std::pair<std::string, std::string> splitUnit(const std::string& label) {
    const auto open = label.rfind(" [");
    if (open == std::string::npos || label.back() != ']') {
        return {label, ""};
    }
    return {label.substr(0, open), label.substr(open + 2, label.size() - open - 3)};
}

// Seconds with a prefix, SI quantities with a prefix, anything else (tokens, tokens/s, a
// batch) as a plain number: no "ktokens/s".
QString formatValue(double value, const std::string& unit) {
    if (unit == "s" || unit == "ms") {
        return qs(core::formatSeconds(unit == "ms" ? value * 1e-3 : value, 4));
    }
    if (unit == "B" || unit == "B/s" || unit == "OP" || unit == "OP/s") {
        return qs(core::formatSi(value, unit, 4));
    }
    QString number;
    if (value == std::round(value) && std::fabs(value) < 1e15) {
        number = QString::number(static_cast<qlonglong>(value));
    } else if (std::fabs(value) >= 1000) {
        number = QString::number(value, 'f', 0);
    } else {
        number = QString::number(value, 'g', 4);
    }
    return unit.empty() ? number : number + QStringLiteral(" ") + qs(unit);
}

// Grey between the theme's text and background: what does not fit.
QColor outOfMemoryColour(const PlotTheme& theme) {
    const QColor& f = theme.foreground;
    const QColor& b = theme.background;
    return QColor((f.red() + b.red()) / 2, (f.green() + b.green()) / 2, (f.blue() + b.blue()) / 2);
}

}  // namespace

SweepPlot::SweepPlot(QWidget* parent)
    : PlotWidget(QStringLiteral("sweepPlot"), QSize(240, 160), parent) {
    QCustomPlot& plot = customPlot();
    plot.setObjectName(QStringLiteral("sweepCanvas"));
    plot.setMouseTracking(true);
    plot.setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // The legend goes right of the axis rect (row 1, under the title row), top-aligned by a
    // spacer below it, or under the axes when it would take more than a third of the width
    // (placeLegend), so no zoom or data can put it over a point.
    m_side = new QCPLayoutGrid;
    plot.plotLayout()->addElement(1, 1, m_side);
    plot.plotLayout()->setColumnStretchFactor(1, 0.001);
    m_below = new QCPLayoutGrid;
    plot.plotLayout()->addElement(2, 0, m_below);
    plot.plotLayout()->setRowStretchFactor(2, 0.001);
    m_below->setMargins(QMargins(8, 0, 8, 6));
    plot.axisRect()->insetLayout()->take(plot.legend);
    m_side->addElement(0, 0, plot.legend);
    m_side->addElement(1, 0, new QCPLayoutElement(&plot));
    m_side->setRowStretchFactor(0, 0.001);
    m_side->setRowStretchFactor(1, 1);
    m_side->setMargins(QMargins(0, 12, 8, 0));
    plot.legend->setVisible(true);
    connect(&plot, &QCustomPlot::afterLayout, this, [this] { placeLegend(); });
    connect(&plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() != Qt::NoButton) {
            return;
        }
        if (auto point = pointAt(event->pos())) {
            QToolTip::showText(customPlot().mapToGlobal(event->pos()), toolTipFor(*point),
                               &customPlot());
        } else {
            QToolTip::hideText();
        }
    });
    redraw();
}

void SweepPlot::setData(SweepData data) {
    m_data = std::move(data);
    redraw();
}

bool SweepPlot::drawable(PointRef point) const {
    if (point.first >= m_data.lines.size()) {
        return false;
    }
    const SweepLine& line = m_data.lines[point.first];
    const std::size_t k = point.second;
    return k < line.x.size() && k < line.y.size() && std::isfinite(line.y[k]) &&
           std::isfinite(line.x[k]) && (!m_data.logY || line.y[k] > 0) &&
           (!m_data.logX || line.x[k] > 0);
}

void SweepPlot::redraw() {
    QCustomPlot& plot = customPlot();
    plot.clearGraphs();
    plot.clearItems();
    setTitle(QString::fromStdString(m_data.title));
    plot.xAxis->setLabel(QString::fromStdString(m_data.xLabel));
    plot.yAxis->setLabel(QString::fromStdString(m_data.yLabel));
    for (auto [axis, log] : {std::pair{plot.xAxis, m_data.logX}, {plot.yAxis, m_data.logY}}) {
        if (log) {
            detail::setLogAxis(*axis);
        } else {
            axis->setScaleType(QCPAxis::stLinear);
            axis->setTicker(QSharedPointer<detail::SiTicker>::create());
        }
    }
    double xLo = std::numeric_limits<double>::infinity();
    double xHi = -xLo;
    double yLo = xLo;
    double yHi = -xLo;
    const QColor grey = outOfMemoryColour(theme());
    const QCPScatterStyle hollow(QCPScatterStyle::ssCircle, QPen(grey, 1.6), theme().background, 9);
    bool anyOutOfMemory = false;
    for (std::size_t i = 0; i < m_data.lines.size(); ++i) {
        const SweepLine& line = m_data.lines[i];
        QVector<double> xs;
        QVector<double> ys;
        QVector<double> oomX;
        QVector<double> oomY;
        for (std::size_t k = 0; k < line.x.size() && k < line.y.size(); ++k) {
            if (!drawable({i, k})) {
                continue;
            }
            xs << line.x[k];
            ys << line.y[k];
            if (!line.fits(k)) {
                oomX << line.x[k];
                oomY << line.y[k];
            }
            xLo = std::min(xLo, line.x[k]);
            xHi = std::max(xHi, line.x[k]);
            yLo = std::min(yLo, line.y[k]);
            yHi = std::max(yHi, line.y[k]);
        }
        QCPGraph* graph = plot.addGraph();
        graph->setName(QString::fromStdString(line.label));
        graph->setData(xs, ys, true);
        const QColor colour = theme().seriesColor(static_cast<int>(i));
        graph->setPen(QPen(colour, 2));
        graph->setScatterStyle(
            QCPScatterStyle(detail::shapeFor(static_cast<int>(i)), QPen(colour, 1.2), colour, 6));
        if (!oomX.isEmpty()) {
            // Drawn over the line's own markers: a hollow grey ring filled with the background
            // hides the filled marker and the line inside it.
            QCPGraph* oom = plot.addGraph();
            oom->setData(oomX, oomY, true);
            oom->setLineStyle(QCPGraph::lsNone);
            oom->setScatterStyle(hollow);
            oom->setSelectable(QCP::stNone);
            oom->removeFromLegend();
            anyOutOfMemory = true;
        }
    }
    if (anyOutOfMemory) {
        QCPGraph* entry = plot.addGraph();
        entry->setName(QStringLiteral("does not fit in memory"));
        entry->setLineStyle(QCPGraph::lsNone);
        entry->setScatterStyle(hollow);
        entry->setSelectable(QCP::stNone);
    }
    if (xLo <= xHi) {
        const double xPad = m_data.logX ? 1.15 : 0;
        plot.xAxis->setRange(m_data.logX ? xLo / xPad : xLo, m_data.logX ? xHi * xPad : xHi);
        if (m_data.logY) {
            plot.yAxis->setRange(yLo / 1.5, yHi * 1.5);
        } else {
            const double pad = (yHi - yLo) * 0.08 + std::fabs(yHi) * 1e-6;
            plot.yAxis->setRange(std::min(0.0, yLo - pad), yHi + pad);
        }
    }
    for (const SweepMarker& m : m_data.markers) {
        auto* line = new QCPItemStraightLine(&plot);
        const QColor colour = theme().foreground;
        line->setPen(QPen(colour, 1.5, Qt::DashLine));
        if (m.vertical) {
            line->point1->setCoords(m.value, 0);
            line->point2->setCoords(m.value, 1);
        } else {
            line->point1->setCoords(0, m.value);
            line->point2->setCoords(1, m.value);
        }
        auto* text = new QCPItemText(&plot);
        text->setText(QString::fromStdString(m.label));
        text->setColor(colour);
        text->position->setTypeX(m.vertical ? QCPItemPosition::ptPlotCoords
                                            : QCPItemPosition::ptAxisRectRatio);
        text->position->setTypeY(m.vertical ? QCPItemPosition::ptAxisRectRatio
                                            : QCPItemPosition::ptPlotCoords);
        text->position->setCoords(m.vertical ? m.value : 0.98, m.vertical ? 0.04 : m.value);
        text->setPositionAlignment(m.vertical ? (Qt::AlignLeft | Qt::AlignTop)
                                              : (Qt::AlignRight | Qt::AlignBottom));
        text->setPadding(QMargins(4, 0, 0, 0));
    }
    detail::applyTheme(plot, theme());
    plot.legend->setVisible(!m_data.lines.empty());
    plot.replot(QCustomPlot::rpQueuedReplot);
}

void SweepPlot::placeLegend() {
    QCustomPlot& plot = customPlot();
    QCPLegend* legend = plot.legend;
    const int width = plot.viewport().width();
    int widest = 1;
    for (int i = 0; i < legend->itemCount(); ++i) {
        widest = std::max(widest, legend->item(i)->minimumOuterSizeHint().width());
    }
    const bool right = widest + 40 <= width / 3;
    const int columns = right ? 0 : std::max(1, (width - 40) / (widest + 12));
    if (right == m_legendRight && columns == legend->wrap()) {
        return;
    }
    m_legendRight = right;
    if (legend->layout() != nullptr) {
        legend->layout()->take(legend);
    }
    // setWrap does not move the items; setFillOrder rearranges them with the new wrap.
    legend->setWrap(columns);
    legend->setFillOrder(right ? QCPLegend::foRowsFirst : QCPLegend::foColumnsFirst, true);
    if (right) {
        m_side->addElement(0, 0, legend);
    } else {
        m_below->addElement(0, 0, legend);
    }
    // Lay out again at once: this runs inside a replot or an export, before drawing.
    for (auto phase : {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins,
                       QCPLayoutElement::upLayout}) {
        plot.plotLayout()->update(phase);
    }
}

QString SweepPlot::toolTipFor(PointRef point) const {
    if (point.first >= m_data.lines.size()) {
        return {};
    }
    const SweepLine& line = m_data.lines[point.first];
    const std::size_t k = point.second;
    if (k >= line.x.size() || k >= line.y.size()) {
        return {};
    }
    const auto [xName, xUnit] = splitUnit(m_data.xLabel);
    const auto [yName, yUnit] = splitUnit(m_data.yLabel);
    QString text = QStringLiteral("<b>") + qs(line.label).toHtmlEscaped() + QStringLiteral("</b>");
    if (!line.scenario.empty()) {
        text += QStringLiteral("<br>scenario: ") + qs(line.scenario).toHtmlEscaped();
    }
    if (!line.device.empty()) {
        text += QStringLiteral("<br>device: ") + qs(line.device).toHtmlEscaped();
    }
    text += QStringLiteral("<br>") + qs(xName).toHtmlEscaped() + QStringLiteral(": ") +
            formatValue(line.x[k], xUnit).toHtmlEscaped() + QStringLiteral("<br>") +
            qs(yName).toHtmlEscaped() + QStringLiteral(": ") +
            formatValue(line.y[k], yUnit).toHtmlEscaped();
    if (k < line.notes.size() && !line.notes[k].empty()) {
        text += QStringLiteral("<br>") + qs(line.notes[k]).toHtmlEscaped();
    }
    return text;
}

QWidget* SweepPlot::canvas() const {
    return &customPlot();
}

QPoint SweepPlot::pixelOf(PointRef point) const {
    if (!drawable(point)) {
        return {};
    }
    const SweepLine& line = m_data.lines[point.first];
    return QPointF(customPlot().xAxis->coordToPixel(line.x[point.second]),
                   customPlot().yAxis->coordToPixel(line.y[point.second]))
        .toPoint();
}

std::optional<SweepPlot::PointRef> SweepPlot::pointAt(QPoint canvasPosition) const {
    constexpr double kMaxDistance = 8;
    double best = kMaxDistance * kMaxDistance;
    std::optional<PointRef> found;
    const QRect rect = axisRect();
    for (std::size_t i = 0; i < m_data.lines.size(); ++i) {
        for (std::size_t k = 0; k < m_data.lines[i].x.size(); ++k) {
            if (!drawable({i, k})) {
                continue;
            }
            const QPoint pixel = pixelOf({i, k});
            if (!rect.contains(pixel)) {
                continue;  // zoomed out of view
            }
            const QPoint d = pixel - canvasPosition;
            const double distance = static_cast<double>(d.x()) * d.x() + d.y() * d.y();
            if (distance <= best) {
                best = distance;
                found = PointRef{i, k};
            }
        }
    }
    return found;
}

QRect SweepPlot::axisRect() const {
    return customPlot().axisRect()->rect();
}

QRect SweepPlot::legendRect() const {
    return customPlot().legend->visible() ? customPlot().legend->outerRect() : QRect();
}

void SweepPlot::replotNow() {
    customPlot().replot(QCustomPlot::rpImmediateRefresh);
}

}  // namespace rooflens::plot
