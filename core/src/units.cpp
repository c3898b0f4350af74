#include "core/units.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

namespace rooflens::core {

namespace {

struct UnitEntry {
    std::string_view name;
    Dimension dimension;
    double factor;
};

constexpr std::array kUnits = {
    UnitEntry{"B", Dimension::bytes, 1.0},
    UnitEntry{"KB", Dimension::bytes, kKilo},
    UnitEntry{"MB", Dimension::bytes, kMega},
    UnitEntry{"GB", Dimension::bytes, kGiga},
    UnitEntry{"TB", Dimension::bytes, kTera},
    UnitEntry{"KiB", Dimension::bytes, kKibi},
    UnitEntry{"MiB", Dimension::bytes, kMebi},
    UnitEntry{"GiB", Dimension::bytes, kGibi},
    UnitEntry{"TiB", Dimension::bytes, kTebi},
    UnitEntry{"B/s", Dimension::bytesPerSecond, 1.0},
    UnitEntry{"KB/s", Dimension::bytesPerSecond, kKilo},
    UnitEntry{"MB/s", Dimension::bytesPerSecond, kMega},
    UnitEntry{"GB/s", Dimension::bytesPerSecond, kGiga},
    UnitEntry{"TB/s", Dimension::bytesPerSecond, kTera},
    UnitEntry{"GiB/s", Dimension::bytesPerSecond, kGibi},
    UnitEntry{"TiB/s", Dimension::bytesPerSecond, kTebi},
    UnitEntry{"Gb/s", Dimension::bytesPerSecond, kGiga / 8},  // network links are quoted in bits
    UnitEntry{"Tb/s", Dimension::bytesPerSecond, kTera / 8},
    UnitEntry{"OPS", Dimension::opsPerSecond, 1.0},
    UnitEntry{"FLOPS", Dimension::opsPerSecond, 1.0},
    UnitEntry{"GOPS", Dimension::opsPerSecond, kGiga},
    UnitEntry{"GFLOPS", Dimension::opsPerSecond, kGiga},
    UnitEntry{"TOPS", Dimension::opsPerSecond, kTera},
    UnitEntry{"TFLOPS", Dimension::opsPerSecond, kTera},
    UnitEntry{"POPS", Dimension::opsPerSecond, kPeta},
    UnitEntry{"PFLOPS", Dimension::opsPerSecond, kPeta},
    UnitEntry{"Hz", Dimension::hertz, 1.0},
    UnitEntry{"MHz", Dimension::hertz, kMega},
    UnitEntry{"GHz", Dimension::hertz, kGiga},
    UnitEntry{"s", Dimension::seconds, 1.0},
    UnitEntry{"ms", Dimension::seconds, 1e-3},
    UnitEntry{"us", Dimension::seconds, 1e-6},
    UnitEntry{"ns", Dimension::seconds, 1e-9},
    UnitEntry{"W", Dimension::watts, 1.0},
    UnitEntry{"kW", Dimension::watts, kKilo},
};

std::string formatScaled(double value, std::string_view unit, int precision, double base,
                         const std::array<std::string_view, 6>& prefixes) {
    double scaled = value;
    std::size_t index = 0;
    while (std::fabs(scaled) >= base && index + 1 < prefixes.size()) {
        scaled /= base;
        ++index;
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g %.*s%.*s", precision, scaled,
                  static_cast<int>(prefixes[index].size()), prefixes[index].data(),
                  static_cast<int>(unit.size()), unit.data());
    return buffer;
}

}  // namespace

std::optional<double> unitFactor(std::string_view unit, Dimension dimension) {
    for (const auto& entry : kUnits) {
        if (entry.name == unit && entry.dimension == dimension) {
            return entry.factor;
        }
    }
    return std::nullopt;
}

std::string_view dimensionName(Dimension dimension) {
    switch (dimension) {
        case Dimension::bytes:
            return "bytes (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)";
        case Dimension::bytesPerSecond:
            return "bytes/s (B/s, GB/s, TB/s, GiB/s, ...)";
        case Dimension::opsPerSecond:
            return "OPs/s (OPS, FLOPS, GOPS, GFLOPS, TOPS, TFLOPS, POPS, PFLOPS)";
        case Dimension::hertz:
            return "Hz (Hz, MHz, GHz)";
        case Dimension::seconds:
            return "seconds (s, ms, us, ns)";
        case Dimension::watts:
            return "watts (W, kW)";
    }
    return "?";
}

std::string formatSi(double value, std::string_view unit, int precision) {
    static const std::array<std::string_view, 6> kPrefixes = {"", "k", "M", "G", "T", "P"};
    return formatScaled(value, unit, precision, 1000.0, kPrefixes);
}

std::string formatBinary(double value, std::string_view unit, int precision) {
    static const std::array<std::string_view, 6> kPrefixes = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
    return formatScaled(value, unit, precision, 1024.0, kPrefixes);
}

namespace {

// 387000 -> "387,000": digits grouped by three, no exponent.
std::string groupedInteger(double value) {
    const long long n = std::llround(std::fabs(value));
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(static_cast<std::size_t>(i), 1, ',');
    }
    return value < 0 ? "-" + digits : digits;
}

// `value` rounded to `precision` significant digits.
double roundSignificant(double value, int precision) {
    if (value == 0 || !std::isfinite(value)) {
        return value;
    }
    const double step =
        std::pow(10.0, std::floor(std::log10(std::fabs(value))) - std::max(1, precision) + 1);
    return std::round(value / step) * step;
}

}  // namespace

std::string formatSeconds(double seconds, int precision) {
    static constexpr std::pair<double, const char*> kUnits[] = {
        {1e-9, "ns"}, {1e-6, "us"}, {1e-3, "ms"}, {1.0, "s"}};
    if (!std::isfinite(seconds)) {
        return std::to_string(seconds) + " s";
    }
    // The largest unit below 1000 after rounding, so 0.99996 s reads "1 s", never "1e+03 ms".
    const double rounded = roundSignificant(seconds, precision);
    const char* unit = "s";
    double scaled = rounded;
    if (rounded != 0) {
        for (const auto& [factor, name] : kUnits) {
            unit = name;
            scaled = roundSignificant(rounded / factor, precision);
            if (std::fabs(scaled) < 1000) {
                break;
            }
        }
    }
    if (std::fabs(scaled) >= 1000) {
        // Long times: grouped digits and, past two hours, hours or days ("387,000 s (4.5 days)").
        std::string text = groupedInteger(scaled) + " s";
        const double hours = std::fabs(seconds) / 3600;
        const double days = hours / 24;
        auto count = [](double v) {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.1f", v);
            return v < 10 ? std::string(buffer) : groupedInteger(v);
        };
        if (days >= 2) {
            text += " (" + count(days) + " days)";
        } else if (hours >= 2) {
            text += " (" + count(hours) + " hours)";
        }
        return text;
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g %s", precision, scaled, unit);
    return buffer;
}

}  // namespace rooflens::core
