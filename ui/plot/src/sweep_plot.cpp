#include "plot/sweep_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QEvent>
#include <QVBoxLayout>

#include "plot_common.h"

namespace rooflens::plot {

struct SweepPlot::Private {
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
    SweepData data;
    PlotTheme theme;
    bool followPalette = true;
};

SweepPlot::SweepPlot(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {
    setObjectName(QStringLiteral("sweepPlot"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    d->plot = new QCustomPlot(this);
    d->plot->setMinimumSize(240, 160);
    layout->addWidget(d->plot);
    d->title = detail::addTitle(*d->plot, font());
    d->plot->legend->setVisible(true);
    d->plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    d->theme = PlotTheme::forPalette(palette());
    redraw();
}

SweepPlot::~SweepPlot() = default;

void SweepPlot::setData(SweepData data) {
    d->data = std::move(data);
    redraw();
}

const SweepData& SweepPlot::data() const {
    return d->data;
}

void SweepPlot::setTheme(const PlotTheme& theme) {
    d->followPalette = false;
    d->theme = theme;
    redraw();
}

void SweepPlot::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && d->followPalette) {
        d->theme = PlotTheme::forPalette(palette());
        redraw();
    }
}

bool SweepPlot::exportTo(const QString& path, QSize size, QString* error) {
    return detail::savePlot(*d->plot, path, size, error);
}

void SweepPlot::redraw() {
    QCustomPlot& plot = *d->plot;
    plot.clearGraphs();
    d->title->setText(QString::fromStdString(d->data.title));
    plot.xAxis->setLabel(QString::fromStdString(d->data.xLabel));
    plot.yAxis->setLabel(QString::fromStdString(d->data.yLabel));
    for (auto [axis, log] : {std::pair{plot.xAxis, d->data.logX}, {plot.yAxis, d->data.logY}}) {
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
    for (std::size_t i = 0; i < d->data.lines.size(); ++i) {
        const SweepLine& line = d->data.lines[i];
        QVector<double> xs;
        QVector<double> ys;
        for (std::size_t k = 0; k < line.x.size() && k < line.y.size(); ++k) {
            const bool drawable = std::isfinite(line.y[k]) && (!d->data.logY || line.y[k] > 0) &&
                                  (!d->data.logX || line.x[k] > 0);
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
        const QColor colour = d->theme.seriesColor(static_cast<int>(i));
        graph->setPen(QPen(colour, 2));
        graph->setScatterStyle(
            QCPScatterStyle(detail::shapeFor(static_cast<int>(i)), QPen(colour, 1.2), colour, 6));
    }
    if (xLo <= xHi) {
        const double xPad = d->data.logX ? 1.15 : 0;
        plot.xAxis->setRange(d->data.logX ? xLo / xPad : xLo, d->data.logX ? xHi * xPad : xHi);
        if (d->data.logY) {
            plot.yAxis->setRange(yLo / 1.5, yHi * 1.5);
        } else {
            const double pad = (yHi - yLo) * 0.08 + std::fabs(yHi) * 1e-6;
            plot.yAxis->setRange(std::min(0.0, yLo - pad), yHi + pad);
        }
    }
    detail::applyTheme(plot, d->theme);
    plot.legend->setVisible(!d->data.lines.empty());
    plot.replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace rooflens::plot
