#include "format.h"

#include "core/units.h"

namespace rooflens::ui {

QString siText(double value, std::string_view unit, int precision) {
    return qs(core::formatSi(value, unit, precision));
}

QString binaryText(double value, std::string_view unit, int precision) {
    return qs(core::formatBinary(value, unit, precision));
}

QString secondsText(double seconds, int precision) {
    return qs(core::formatSeconds(seconds, precision));
}

}  // namespace rooflens::ui
