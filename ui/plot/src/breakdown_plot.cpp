#include "plot/breakdown_plot.h"

#include <algorithm>

#include "plot_common.h"

namespace rooflens::plot {

BreakdownPlot::BreakdownPlot(QWidget* parent)
    : PlotWidget(QStringLiteral("breakdownPlot"), QSize(240, 160), parent) {
    customPlot().legend->setVisible(true);
    customPlot().axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    redraw();
}

void BreakdownPlot::setData(BreakdownData data) {
    m_data = std::move(data);
    redraw();
}

void BreakdownPlot::redraw() {
    QCustomPlot& plot = customPlot();
    plot.clearPlottables();
    setTitle(QString::fromStdString(m_data.title));

    double maxTotal = 0;
    for (const auto& v : m_data.values) {
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
    for (std::size_t i = 0; i < m_data.categories.size(); ++i) {
        positions << static_cast<double>(i + 1);
        ticker->addTick(static_cast<double>(i + 1), QString::fromStdString(m_data.categories[i]));
    }
    plot.xAxis->setTicker(ticker);
    plot.xAxis->setSubTicks(false);
    plot.xAxis->setTickLength(0, 4);
    plot.xAxis->grid()->setVisible(false);
    plot.xAxis->setRange(0.4, static_cast<double>(m_data.categories.size()) + 0.6);
    plot.yAxis->setLabel(QStringLiteral("Predicted time [") + unit + QStringLiteral("]"));
    plot.yAxis->setRange(0, maxTotal > 0 ? maxTotal * scale * 1.12 : 1);

    QCPBars* below = nullptr;
    const double width = m_data.categories.size() > 6 ? 0.8 : 0.55;
    for (std::size_t k = 0; k < core::kLayerKindCount; ++k) {
        QVector<double> values;
        bool any = false;
        for (const auto& v : m_data.values) {
            values << v.seconds[k] * scale;
            any |= v.seconds[k] > 0;
        }
        if (!any) {
            continue;
        }
        auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
        bars->setName(
            QString::fromStdString(std::string(core::nameOf(static_cast<core::LayerKind>(k)))));
        const QColor colour = theme().kindColor(static_cast<core::LayerKind>(k));
        bars->setPen(QPen(colour.darker(130)));
        bars->setBrush(colour);
        bars->setWidth(width);
        bars->setData(positions, values, true);
        if (below != nullptr) {
            bars->moveAbove(below);
        }
        below = bars;
    }
    detail::applyTheme(plot, theme());
    plot.replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace rooflens::plot
