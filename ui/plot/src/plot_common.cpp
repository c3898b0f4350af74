#include "plot_common.h"

#include <cmath>

#include <filesystem>
#include <string_view>

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSvgGenerator>
#include <QTemporaryFile>

#include "core/json_io.h"

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
    // Rendered in memory, then written by core::writeFileAtomic like every other file: a failed
    // or killed export leaves an old file intact and no temporary beside it (issue 18, 5).
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        QPixmap pixmap = plot.toPixmap(size.width(), size.height(), 1.0);
        ok = pixmap.save(&buffer, "PNG");
    } else if (suffix == QLatin1String("pdf")) {
        // QCustomPlot writes PDFs to a file name only: a scratch file in the system's temporary
        // directory, never in the target's.
        QTemporaryFile pdf(QDir::tempPath() + QStringLiteral("/rooflens-XXXXXX.pdf"));
        if (pdf.open()) {
            pdf.close();
            ok = plot.savePdf(pdf.fileName(), size.width(), size.height(), QCP::epNoCosmetic,
                              QStringLiteral("Rooflens"), QStringLiteral("Roofline"));
            QFile in(pdf.fileName());
            ok = ok && in.open(QIODevice::ReadOnly);
            if (ok) {
                bytes = in.readAll();
                ok = !bytes.isEmpty();
            }
        }
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setOutputDevice(&buffer);
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
        return fail(
            QStringLiteral("unknown format '.%1' (expected .png, .pdf or .svg)").arg(suffix));
    }
    if (!ok) {
        return fail(QStringLiteral("could not render the chart"));
    }
    const auto status = core::writeFileAtomic(
        std::filesystem::path(QFile::encodeName(path).toStdString()),
        std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
    if (!status) {
        if (error != nullptr) {
            *error = QString::fromStdString(status.error().message);
        }
        return false;
    }
    return true;
}

}  // namespace rooflens::plot::detail
