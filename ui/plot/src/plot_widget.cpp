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
    // Runs before the charts' own afterLayout handlers (connected later), so they see the final
    // layout.
    connect(m_plot, &QCustomPlot::afterLayout, this, [this] { fitTitle(); });
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setTheme(const PlotTheme& theme) {
    m_followPalette = false;
    m_theme = theme;
    redraw();
}

void PlotWidget::setTitle(const QString& text) {
    m_titleText = text;
    m_title->setText(text);
}

QString PlotWidget::shownTitle() const {
    return m_title->text();
}

// A title wider than the plot (the viewport, at the current or the export size) breaks at the
// space nearest its middle instead of being clipped at both ends; the layout is then redone for
// the taller title row.
void PlotWidget::fitTitle() {
    const QFontMetrics metrics(m_title->font());
    const int available = m_plot->viewport().width() - 16;
    QString text = m_titleText;
    if (metrics.horizontalAdvance(text) > available) {
        const qsizetype middle = text.size() / 2;
        qsizetype best = -1;
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (text[i] == QLatin1Char(' ') &&
                (best < 0 || std::abs(i - middle) < std::abs(best - middle))) {
                best = i;
            }
        }
        if (best > 0) {
            text[best] = QLatin1Char('\n');
        }
    }
    if (text != m_title->text()) {
        m_title->setText(text);
        QCPLayoutGrid* layout = m_plot->plotLayout();
        layout->update(QCPLayoutElement::upPreparation);
        layout->update(QCPLayoutElement::upMargins);
        layout->update(QCPLayoutElement::upLayout);
    }
}

void PlotWidget::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_followPalette) {
        m_theme = PlotTheme::forPalette(palette());
        redraw();
    }
    if (event->type() == QEvent::FontChange) {
        followTextStrategy();
    }
}

// The chart's fonts (axes, ticks, legend, title) were copied when it was built; they take the
// widget's style strategy when it changes, so the main window's "no HarfBuzz shaping" reaches
// the text QCustomPlot measures and draws on every replot too (issue 17 item 9).
void PlotWidget::followTextStrategy() {
    const QFont::StyleStrategy strategy = font().styleStrategy();
    auto follow = [strategy](QFont f) {
        f.setStyleStrategy(strategy);
        return f;
    };
    for (QCPAxis* axis : m_plot->axisRect()->axes()) {
        axis->setLabelFont(follow(axis->labelFont()));
        axis->setTickLabelFont(follow(axis->tickLabelFont()));
    }
    m_plot->legend->setFont(follow(m_plot->legend->font()));
    m_title->setFont(follow(m_title->font()));
}

bool PlotWidget::exportTo(const QString& path, QSize size, QString* error) {
    const bool ok = detail::savePlot(*m_plot, path, size, error);
    // The export laid the plot out at its own size (labels included); lay it out for the
    // widget again.
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return ok;
}

}  // namespace rooflens::plot
