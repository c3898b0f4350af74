#include "plot/sweep_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "plot_common.h"

namespace rooflens::plot {

SweepPlot::SweepPlot(QWidget* parent)
    : PlotWidget(QStringLiteral("sweepPlot"), QSize(240, 160), parent) {
    customPlot().legend->setVisible(true);
    customPlot().setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    redraw();
}

void SweepPlot::setData(SweepData data) {
    m_data = std::move(data);
    redraw();
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
    for (std::size_t i = 0; i < m_data.lines.size(); ++i) {
        const SweepLine& line = m_data.lines[i];
        QVector<double> xs;
        QVector<double> ys;
        for (std::size_t k = 0; k < line.x.size() && k < line.y.size(); ++k) {
            const bool drawable = std::isfinite(line.y[k]) && (!m_data.logY || line.y[k] > 0) &&
                                  (!m_data.logX || line.x[k] > 0);
            if (!drawable) {
                continue;
            }
            xs << line.x[k];
            ys << line.y[k];
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

}  // namespace rooflens::plot
