#include "plot/breakdown_plot.h"

#include <algorithm>

#include <QEvent>
#include <QVBoxLayout>

#include "plot_common.h"

namespace rooflens::plot {

struct BreakdownPlot::Private {
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
    BreakdownData data;
    PlotTheme theme;
    bool followPalette = true;
};

BreakdownPlot::BreakdownPlot(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {
    setObjectName(QStringLiteral("breakdownPlot"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    d->plot = new QCustomPlot(this);
    d->plot->setMinimumSize(240, 160);
    layout->addWidget(d->plot);
    d->title = detail::addTitle(*d->plot, font());
    d->plot->legend->setVisible(true);
    d->plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    d->theme = PlotTheme::forPalette(palette());
    redraw();
}

BreakdownPlot::~BreakdownPlot() = default;

void BreakdownPlot::setData(BreakdownData data) {
    d->data = std::move(data);
    redraw();
}

const BreakdownData& BreakdownPlot::data() const {
    return d->data;
}

void BreakdownPlot::setTheme(const PlotTheme& theme) {
    d->followPalette = false;
    d->theme = theme;
    redraw();
}

void BreakdownPlot::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && d->followPalette) {
        d->theme = PlotTheme::forPalette(palette());
        redraw();
    }
}

bool BreakdownPlot::exportTo(const QString& path, QSize size, QString* error) {
    return detail::savePlot(*d->plot, path, size, error);
}

void BreakdownPlot::redraw() {
    QCustomPlot& plot = *d->plot;
    plot.clearPlottables();
    d->title->setText(QString::fromStdString(d->data.title));

    double maxTotal = 0;
    for (const auto& v : d->data.values) {
        maxTotal = std::max(maxTotal, v.totalSeconds);
    }
    double scale = 1;
    QString unit = QStringLiteral("s");
    if (maxTotal < 1e-3) {
        scale = 1e6;
        unit = QStringLiteral("µs");
    } else if (maxTotal < 1) {
        scale = 1e3;
        unit = QStringLiteral("ms");
    }

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> positions;
    for (std::size_t i = 0; i < d->data.categories.size(); ++i) {
        positions << static_cast<double>(i + 1);
        ticker->addTick(static_cast<double>(i + 1), QString::fromStdString(d->data.categories[i]));
    }
    plot.xAxis->setTicker(ticker);
    plot.xAxis->setSubTicks(false);
    plot.xAxis->setTickLength(0, 4);
    plot.xAxis->grid()->setVisible(false);
    plot.xAxis->setRange(0.4, static_cast<double>(d->data.categories.size()) + 0.6);
    plot.yAxis->setLabel(QStringLiteral("Predicted time [") + unit + QStringLiteral("]"));
    plot.yAxis->setRange(0, maxTotal > 0 ? maxTotal * scale * 1.12 : 1);

    QCPBars* below = nullptr;
    const double width = d->data.categories.size() > 6 ? 0.8 : 0.55;
    for (std::size_t k = 0; k < core::kLayerKindCount; ++k) {
        QVector<double> values;
        bool any = false;
        for (const auto& v : d->data.values) {
            values << v.seconds[k] * scale;
            any |= v.seconds[k] > 0;
        }
        if (!any) {
            continue;
        }
        auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
        bars->setName(
            QString::fromStdString(std::string(core::nameOf(static_cast<core::LayerKind>(k)))));
        const QColor colour = d->theme.kindColor(static_cast<core::LayerKind>(k));
        bars->setPen(QPen(colour.darker(130)));
        bars->setBrush(colour);
        bars->setWidth(width);
        bars->setData(positions, values, true);
        if (below != nullptr) {
            bars->moveAbove(below);
        }
        below = bars;
    }
    detail::applyTheme(plot, d->theme);
    plot.replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace rooflens::plot
