#include "plot_common.h"

#include <cmath>

#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTemporaryFile>

namespace rooflens::plot::detail {

QString siNumber(double value) {
    static constexpr struct {
        double factor;
        const char* prefix;
    } kPrefixes[] = {{1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"},
                     {1e6, "M"},  {1e3, "k"},  {1, ""}};
    const double magnitude = std::fabs(value);
    for (const auto& p : kPrefixes) {
        if (magnitude >= p.factor * 0.9999) {
            return QString::number(value / p.factor, 'g', 3) + QLatin1String(p.prefix);
        }
    }
    return QString::number(value, 'g', 3);
}

QString SiLogTicker::getTickLabel(double tick, const QLocale& /*locale*/, QChar /*formatChar*/,
                                  int /*precision*/) {
    return siNumber(tick);
}

QString SiTicker::getTickLabel(double tick, const QLocale& /*locale*/, QChar /*formatChar*/,
                               int /*precision*/) {
    return siNumber(tick);
}

QCPTextElement* addTitle(QCustomPlot& plot, const QFont& base) {
    plot.plotLayout()->insertRow(0);
    auto* title = new QCPTextElement(&plot, QString(), QFont(base.family(), 11, QFont::Bold));
    plot.plotLayout()->addElement(0, 0, title);
    return title;
}

void applyTheme(QCustomPlot& plot, const PlotTheme& theme) {
    plot.setBackground(theme.background);
    for (QCPAxis* axis : plot.axisRect()->axes()) {
        axis->setBasePen(QPen(theme.foreground, 1));
        axis->setTickPen(QPen(theme.foreground, 1));
        axis->setSubTickPen(QPen(theme.foreground, 1));
        axis->setTickLabelColor(theme.foreground);
        axis->setLabelColor(theme.foreground);
        axis->grid()->setPen(QPen(theme.grid, 1, Qt::SolidLine));
        axis->grid()->setSubGridPen(QPen(theme.subGrid, 1, Qt::SolidLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot.legend->setBrush(theme.legendBackground);
    plot.legend->setBorderPen(QPen(theme.grid));
    plot.legend->setTextColor(theme.foreground);
    for (int i = 0; i < plot.plotLayout()->elementCount(); ++i) {
        if (auto* title = qobject_cast<QCPTextElement*>(plot.plotLayout()->elementAt(i))) {
            title->setTextColor(theme.foreground);
        }
    }
}

void setLogAxis(QCPAxis& axis) {
    axis.setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<SiLogTicker>::create();
    ticker->setLogBase(10);
    ticker->setSubTickCount(8);
    axis.setTicker(ticker);
    axis.grid()->setSubGridVisible(true);
}

QCPScatterStyle::ScatterShape shapeFor(int index) {
    static constexpr QCPScatterStyle::ScatterShape kShapes[] = {QCPScatterStyle::ssDisc,
                                                                QCPScatterStyle::ssSquare,
                                                                QCPScatterStyle::ssTriangle,
                                                                QCPScatterStyle::ssDiamond,
                                                                QCPScatterStyle::ssCross,
                                                                QCPScatterStyle::ssStar,
                                                                QCPScatterStyle::ssTriangleInverted,
                                                                QCPScatterStyle::ssPlus,
                                                                QCPScatterStyle::ssCrossSquare};
    constexpr int count = static_cast<int>(sizeof kShapes / sizeof kShapes[0]);
    return kShapes[((index % count) + count) % count];
}

bool savePlot(QCustomPlot& plot, const QString& path, QSize size, QString* error) {
    auto fail = [&](const QString& why) {
        if (error != nullptr) {
            *error = path + QStringLiteral(": ") + why;
        }
        return false;
    };
    if (size.width() < 16 || size.height() < 16 || size.width() > 20000 || size.height() > 20000) {
        return fail(QStringLiteral("size %1x%2 is outside 16..20000 pixels")
                        .arg(size.width())
                        .arg(size.height()));
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    // Write to a temporary file and rename, so a failed export leaves an old file intact.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return fail(file.errorString());
    }
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        QPixmap pixmap = plot.toPixmap(size.width(), size.height(), 1.0);
        ok = pixmap.save(&file, "PNG");
    } else if (suffix == QLatin1String("pdf")) {
        QTemporaryFile pdf(QFileInfo(path).absolutePath() +
                           QStringLiteral("/.rooflens-XXXXXX.pdf"));
        if (pdf.open()) {
            pdf.close();
            ok = plot.savePdf(pdf.fileName(), size.width(), size.height(), QCP::epNoCosmetic,
                              QStringLiteral("Rooflens"), QStringLiteral("Roofline"));
            QFile in(pdf.fileName());
            ok = ok && in.open(QIODevice::ReadOnly) && file.write(in.readAll()) > 0;
        }
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setOutputDevice(&file);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(QStringLiteral("Rooflens chart"));
        generator.setDescription(QStringLiteral("Generated by Rooflens"));
        QCPPainter painter;
        ok = painter.begin(&generator);
        if (ok) {
            plot.toPainter(&painter, size.width(), size.height());
            ok = painter.end();
        }
    } else {
        file.cancelWriting();
        return fail(
            QStringLiteral("unknown format '.%1' (expected .png, .pdf or .svg)").arg(suffix));
    }
    if (!ok) {
        file.cancelWriting();
        return fail(QStringLiteral("could not render the chart"));
    }
    if (!file.commit()) {
        return fail(file.errorString());
    }
    return true;
}

}  // namespace rooflens::plot::detail
