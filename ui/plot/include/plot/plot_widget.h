#pragma once
// PlotWidget: the shell every chart widget shares (RooflinePlot, BreakdownPlot, SweepPlot): one
// QCustomPlot filling the widget under a title row, a theme that follows the widget palette
// (light or dark) until setTheme() pins one, and exports at an explicit size. Subclasses draw
// their data in redraw(), which runs again on every theme or palette change.
#include <QSize>
#include <QString>
#include <QWidget>

#include "plot/plot_theme.h"

class QCPTextElement;
class QCustomPlot;

namespace rooflens::plot {

class PlotWidget : public QWidget {
    Q_OBJECT
public:
    ~PlotWidget() override;

    // By default the plot follows the widget palette; an explicit theme stops that.
    void setTheme(const PlotTheme& theme);
    const PlotTheme& theme() const { return m_theme; }

    // The title as drawn: broken onto two lines when wider than the plot.
    QString shownTitle() const;

    // PNG, PDF or SVG by suffix, at an explicit size in pixels; false and a message naming the
    // file on failure.
    bool exportTo(const QString& path, QSize size, QString* error = nullptr);

protected:
    PlotWidget(const QString& objectName, QSize minimumSize, QWidget* parent);

    // Draws the current data with theme(). Subclasses call it at the end of their constructor.
    virtual void redraw() = 0;

    QCustomPlot& customPlot() const { return *m_plot; }
    void setTitle(const QString& text);

    void changeEvent(QEvent* event) override;

private:
    void fitTitle();
    void followTextStrategy();

    QCustomPlot* m_plot = nullptr;
    QCPTextElement* m_title = nullptr;
    QString m_titleText;
    PlotTheme m_theme;
    bool m_followPalette = true;
};

}  // namespace rooflens::plot
