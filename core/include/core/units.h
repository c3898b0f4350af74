#pragma once
// Units: everything inside Rooflens is in SI base units (OPs, bytes, seconds, bytes/s, OPs/s);
// 1 multiply-accumulate = 2 OPs. Prefixes are decided only here and when formatting.
#include <optional>
#include <string>
#include <string_view>

namespace rooflens::core {

inline constexpr double kKilo = 1e3;
inline constexpr double kMega = 1e6;
inline constexpr double kGiga = 1e9;
inline constexpr double kTera = 1e12;
inline constexpr double kPeta = 1e15;
inline constexpr double kKibi = 1024.0;
inline constexpr double kMebi = 1024.0 * 1024.0;
inline constexpr double kGibi = 1024.0 * 1024.0 * 1024.0;
inline constexpr double kTebi = 1024.0 * 1024.0 * 1024.0 * 1024.0;

// What a unit string measures; used by file readers to reject "TB/s" where bytes are expected.
enum class Dimension { bytes, bytesPerSecond, opsPerSecond, hertz, seconds, watts };

// Parses a unit string such as "GB", "GiB", "TB/s", "Gb/s" (bits), "TFLOPS", "TOPS", "GHz", "us",
// "W" into the factor to
// SI base units for the given dimension. Returns nullopt for an unknown unit or a wrong dimension.
std::optional<double> unitFactor(std::string_view unit, Dimension dimension);
std::string_view dimensionName(Dimension dimension);

// Human formatting with SI (1000) prefixes: formatSi(3.2e12, "B/s") -> "3.20 TB/s".
std::string formatSi(double value, std::string_view unit, int precision = 3);
// Binary prefixes for capacities: formatBinary(80e9, "B") -> "74.5 GiB".
std::string formatBinary(double value, std::string_view unit, int precision = 3);
// Seconds with a fitting prefix: 1.5e-3 -> "1.50 ms".
std::string formatSeconds(double seconds, int precision = 3);

}  // namespace rooflens::core
