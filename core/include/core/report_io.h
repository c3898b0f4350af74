#pragma once
// Report rendering shared by the CLI and the GUI's export: JSON (the documented schema), CSV (one
// row per layer), Markdown and a terminal table (layers grouped by operation across blocks).
#include <optional>
#include <string>
#include <string_view>

#include "core/analysis.h"

namespace rooflens::core {

enum class ReportFormat : std::uint8_t { table, json, csv, md };
std::optional<ReportFormat> parseReportFormat(std::string_view name);

// 2: settings.scenario is an object (name, effective weight/activation/KV bits) instead of
// wbits/abits/kvbits run settings; totals gain compute_bound_s and items_per_s.
inline constexpr int kReportSchemaVersion = 2;

std::string renderReport(const Report& report, ReportFormat format);

}  // namespace rooflens::core
