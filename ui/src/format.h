#pragma once
// Private string helpers of rooflens_ui: std::string <-> QString and unit formatting.
#include <string>
#include <string_view>

#include <QString>

namespace rooflens::ui {

inline QString qs(const std::string& text) {
    return QString::fromStdString(text);
}
inline QString qs(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}
inline QString qs(const char* text) {
    return QString::fromUtf8(text);
}
inline std::string toStd(const QString& text) {
    return text.toStdString();
}

QString siText(double value, std::string_view unit, int precision = 3);
QString binaryText(double value, std::string_view unit, int precision = 3);
QString secondsText(double seconds, int precision = 3);

}  // namespace rooflens::ui
