#include "itemmodels/text_format.h"

#include <algorithm>
#include <cmath>

#include <QLocale>

#include "core/units.h"

namespace rooflens::ui {

QString numberText(double value, int precision) {
    if (value == 0 || !std::isfinite(value)) {
        return value == 0 ? QStringLiteral("0") : QString::number(value);
    }
    precision = std::max(1, precision);
    const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
    const double step = std::pow(10.0, exponent - precision + 1);
    double rounded = std::round(value / step) * step;
    // Rounding may add a digit (999.7 -> 1000); the decimals follow the rounded value.
    const int roundedExponent = static_cast<int>(std::floor(std::log10(std::fabs(rounded))));
    const int decimals = std::clamp(precision - 1 - roundedExponent, 0, 12);
    QString text = QLocale(QLocale::English).toString(rounded, 'f', decimals);
    if (decimals > 0) {  // 2.50 -> 2.5, 3.00 -> 3
        while (text.endsWith(QLatin1Char('0'))) {
            text.chop(1);
        }
        if (text.endsWith(QLatin1Char('.'))) {
            text.chop(1);
        }
    }
    return text;
}

QString integerText(double value) {
    if (!std::isfinite(value)) {
        return QString::number(value);
    }
    return QLocale(QLocale::English).toString(std::round(value), 'f', 0);
}

QString bytesText(double bytes) {
    return QString::fromStdString(core::formatSi(bytes, "B"));
}

QString bytesWithBinaryText(double bytes) {
    return QStringLiteral("%1 (%2)").arg(bytesText(bytes),
                                         QString::fromStdString(core::formatBinary(bytes, "B")));
}

QString durationText(double seconds) {
    return QString::fromStdString(core::formatSeconds(seconds));
}

QString percentText(double fraction) {
    return QString::number(100 * fraction, 'f', 1) + QStringLiteral(" %");
}

}  // namespace rooflens::ui
