#pragma once
// Report rendering shared by the CLI and the GUI's export: JSON (the documented schema), CSV (one
// row per layer), Markdown and a terminal table (layers grouped by operation across blocks).
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/analysis.h"
#include "core/json_io.h"

namespace rooflens::core {

enum class ReportFormat : std::uint8_t { table, json, csv, md };
std::optional<ReportFormat> parseReportFormat(std::string_view name);

// 2: settings.scenario is an object (name, effective weight/activation/KV bits) instead of
// wbits/abits/kvbits run settings; totals gain compute_bound_s and items_per_s.
inline constexpr int kReportSchemaVersion = 2;

std::string renderReport(const Report& report, ReportFormat format);

// The JSON documents, the one writer of each (the CLI's --format json and the Python module's
// dicts): a report (the schema above), a comparison (`rooflens compare`, schema_version 1) and a
// sweep (`rooflens sweep`, schema_version 1: one point per record; `devices`, `scenarios` and
// `plans` name the indices of the points; `plans` empty (no plan spans devices): no plan columns,
// else each point has plan, tokens_per_s_per_device and network_s).
Json reportJson(const Report& report);
struct Comparison;
Json comparisonJson(const Comparison& comparison, const std::string& model);
struct SweepPoint;
struct SweepResult;
Json sweepPointJson(const SweepPoint& point, const std::string& device, const std::string& scenario,
                    const std::string* plan, Phase phase);
Json sweepJson(const SweepResult& result, std::span<const std::string> devices,
               std::span<const std::string> scenarios, std::span<const std::string> plans,
               Phase phase, const std::string& model);

}  // namespace rooflens::core
