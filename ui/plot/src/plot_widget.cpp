#include "plot/plot_widget.h"

#include <QEvent>
#include <QVBoxLayout>

#include "plot_common.h"

namespace rooflens::plot {

PlotWidget::PlotWidget(const QString& objectName, QSize minimumSize, QWidget* parent)
    : QWidget(parent) {
    setObjectName(objectName);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(minimumSize);
    layout->addWidget(m_plot);
    m_title = detail::addTitle(*m_plot, font());
    m_theme = PlotTheme::forPalette(palette());
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setTheme(const PlotTheme& theme) {
    m_followPalette = false;
    m_theme = theme;
    redraw();
}

void PlotWidget::setTitle(const QString& text) {
    m_title->setText(text);
}

void PlotWidget::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_followPalette) {
        m_theme = PlotTheme::forPalette(palette());
        redraw();
    }
}

bool PlotWidget::exportTo(const QString& path, QSize size, QString* error) {
    const bool ok = detail::savePlot(*m_plot, path, size, error);
    // The export laid the plot out at its own size (labels included); lay it out for the
    // widget again.
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return ok;
}

}  // namespace rooflens::plot
