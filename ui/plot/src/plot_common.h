#pragma once
// Private helpers of rooflens_plot shared by the charts: SI log ticker, theme application and
// file export. Includes qcustomplot.h, so it stays inside ui/plot/src.
#include <QSize>
#include <QString>

#include <qcustomplot.h>

#include "plot/plot_theme.h"

namespace rooflens::plot::detail {

// Log ticker whose labels use SI prefixes ("100T", "1k", "0.1") instead of 1e+14.
class SiLogTicker : public QCPAxisTickerLog {
protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar,
                         int precision) override;
};

// Linear ticker with SI labels.
class SiTicker : public QCPAxisTicker {
protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar,
                         int precision) override;
};

QString siNumber(double value);

// A plot widget's QCustomPlot with a title row and themed axes.
QCPTextElement* addTitle(QCustomPlot& plot, const QFont& base);

void applyTheme(QCustomPlot& plot, const PlotTheme& theme);
void setLogAxis(QCPAxis& axis);

// Scatter shape of the n-th scenario.
QCPScatterStyle::ScatterShape shapeFor(int index);

// Writes the plot to `path` at `size` pixels; the suffix picks PNG, PDF or SVG. On failure
// returns false and sets `error` to a message naming the file.
bool savePlot(QCustomPlot& plot, const QString& path, QSize size, QString* error);

}  // namespace rooflens::plot::detail
