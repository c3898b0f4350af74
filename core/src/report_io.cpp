#include "core/report_io.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/compare.h"
#include "core/json_io.h"
#include "core/sweep.h"
#include "core/units.h"

namespace rooflens::core {

namespace {

Json bytesJson(const ByteBreakdown& b) {
    return Json{{"weights", b.weights},
                {"activations_in", b.activationsIn},
                {"activations_out", b.activationsOut},
                {"kv_read", b.kvRead},
                {"kv_write", b.kvWrite},
                {"metadata", b.metadata},
                {"total", b.total()}};
}

// The run settings and the compression actually applied, with its effective bits per tensor
// class (metadata included).
Json settingsJson(const RunSettings& s, const std::string& scenario, const TensorBits& bits) {
    Json j{{"phase", nameOf(s.phase)}, {"batch", s.batch}, {"flash_attention", s.flashAttention}};
    j["scenario"] = Json{{"name", scenario.empty() ? std::string("uncompressed") : scenario},
                         {"weight_bits", bits.weights},
                         {"activation_bits", bits.activations},
                         {"kv_bits", bits.kv}};
    if (s.phase != Phase::decode) {
        j["prompt_len"] = s.promptLength;
    }
    if (s.phase == Phase::decode) {
        j["context_len"] = s.contextLength;
    }
    if (s.phase == Phase::request) {
        j["gen_len"] = s.generateLength;
    }
    return j;
}

Json deploymentJson(const Deployment& d) {
    return Json{{"tp", d.tensorParallel},
                {"pp", d.pipelineParallel},
                {"ep", d.expertParallel},
                {"dp", d.dataParallel},
                {"cp", d.contextParallel},
                {"micro_batches", d.microBatches},
                {"expert_imbalance", d.expertImbalance},
                {"overlap_communication", d.overlapCommunication},
                {"in_network_reduction", d.inNetworkReduction},
                {"devices_per_replica", d.devicesPerReplica()},
                {"devices", d.devices()}};
}

Json stagesJson(const std::vector<StageResult>& stages) {
    Json list = Json::array();
    for (const StageResult& s : stages) {
        list.push_back(Json{{"first_block", s.firstBlock},
                            {"last_block", s.lastBlock},
                            {"time_s", s.seconds},
                            {"compute_s", s.computeSeconds},
                            {"network_s", s.networkSeconds},
                            {"expected_s", s.expectedSeconds},
                            {"memory_bytes",
                             {{"weights", s.memory.weights},
                              {"kv_cache", s.memory.kvCache},
                              {"activations", s.memory.activations},
                              {"state", s.memory.state},
                              {"total", s.memory.total()}}},
                            {"fits_in_memory", s.fitsInMemory}});
    }
    return list;
}

}  // namespace

Json reportJson(const Report& report) {
    Json layers = Json::array();
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        const Layer& layer = report.layers[i];
        const LayerResult& r = report.results[i];
        layers.push_back(Json{{"name", layer.name()},
                              {"kind", nameOf(layer.kind)},
                              {"block", layer.block},
                              {"phase", nameOf(r.phase)},
                              {"repeat", layer.repeat},
                              {"ops", r.ops},
                              {"conversion_ops", r.conversionOps},
                              {"bytes", bytesJson(r.bytes)},
                              {"intensity", r.intensity},
                              {"math_type", nameOf(r.execution.mathType)},
                              {"unit", nameOf(r.execution.unit)},
                              {"sparse_units", r.execution.sparse},
                              {"weight_type", nameOf(layer.weightType)},
                              {"activation_type", nameOf(layer.activationType)},
                              {"kv_type", nameOf(layer.kvType)},
                              {"peak_ops_per_s", r.execution.peakOpsPerSecond},
                              {"attainable_ops_per_s", r.attainableOpsPerSecond},
                              {"bound", nameOf(r.bound)},
                              {"time_s", r.timeSeconds},
                              {"expected_s", r.expectedSeconds},
                              {"expected_compute_s", r.expectedComputeSeconds},
                              {"expected_memory_s", r.expectedMemorySeconds},
                              {"overhead_s", r.overheadSeconds}});
        if (layer.collective >= 0) {
            const CollectiveShape& c =
                report.collectives[static_cast<std::size_t>(layer.collective)];
            layers.back()["collective"] = Json{{"op", nameOf(c.op)},
                                               {"ranks", c.ranks},
                                               {"bytes", c.bytes},
                                               {"link", c.link},
                                               {"link_bytes_per_s", c.linkBytesPerSecond},
                                               {"latency_s", c.latencySeconds},
                                               {"in_network_reduction", c.inNetworkReduction}};
            layers.back()["network_s"] = r.networkSeconds;
        }
    }
    const Totals& t = report.totals;
    Json totals{{"ops", t.ops},
                {"macs", t.macs},
                {"conversion_ops", t.conversionOps},
                {"bytes", t.bytes},
                {"time_s", t.timeSeconds},
                {"memory_bytes",
                 {{"weights", t.memory.weights},
                  {"kv_cache", t.memory.kvCache},
                  {"activations", t.memory.activations},
                  {"state", t.memory.state},
                  {"total", t.memory.total()}}},
                {"capacity_bytes", t.capacityBytes},
                {"fits_in_memory", t.fitsInMemory},
                {"compute_bound_s", t.computeBoundSeconds},
                {"network_s", t.networkSeconds},
                {"items_per_s", t.itemsPerSecond},
                {"items_per_s_per_device", t.itemsPerSecondPerDevice},
                {"items", itemName(report.model.family)},
                {"expected_s", t.expectedSeconds},
                {"expected_items_per_s", t.expectedItemsPerSecond},
                {"time_basis", nameOf(report.timeBasis)}};
    if (report.deployment.pipelineParallel > 1) {
        totals["pipeline_bubble"] = t.pipelineBubble;
    }
    if (t.request) {
        totals["ttft_s"] = t.request->ttftSeconds;
        totals["tpot_s"] = t.request->tpotSeconds ? Json(*t.request->tpotSeconds) : Json(nullptr);
        totals["e2e_s"] = t.request->e2eSeconds;
        totals["tokens_per_s"] = t.request->tokensPerSecond;
        totals["prefill_s"] = t.request->prefillSeconds;
        totals["decode_s"] = t.request->decodeSeconds;
        totals["expected_ttft_s"] = t.request->expectedTtftSeconds;
        totals["expected_tpot_s"] =
            t.request->expectedTpotSeconds ? Json(*t.request->expectedTpotSeconds) : Json(nullptr);
        totals["expected_e2e_s"] = t.request->expectedE2eSeconds;
        totals["expected_tokens_per_s"] = t.request->expectedTokensPerSecond;
        totals["expected_decode_s"] = t.request->expectedDecodeSeconds;
    }
    Json doc{{"schema_version", kReportSchemaVersion},
             {"model",
              {{"id", report.model.id},
               {"family", nameOf(report.model.family)},
               {"parameters", report.model.parameters},
               {"active_parameters", report.model.activeParameters},
               {"kv_bytes_per_token", report.model.kvBytesPerToken},
               {"blocks", report.model.blocks},
               {"active_parameters_excl_embedding", report.model.activeParametersExclEmbedding},
               {"kv_growing_bytes_per_token", report.model.kvGrowingBytesPerToken},
               {"kv_capped_bytes_per_sequence", report.model.kvCappedBytesPerSequence},
               {"state_bytes_per_sequence", report.model.stateBytesPerSequence}}},
             {"hardware",
              {{"id", report.hardwareId},
               {"name", report.hardwareName},
               {"efficiency", report.efficiency}}},
             {"settings", settingsJson(report.settings, report.scenario, report.bits)},
             {"layers", std::move(layers)},
             {"totals", std::move(totals)},
             {"deployment", deploymentJson(report.deployment)},
             {"stages", stagesJson(report.stages)},
             {"warnings", report.warnings},
             {"notes", report.notes}};
    if (report.sparseAttention) {
        const SparseAttentionSummary& sa = *report.sparseAttention;
        doc["sparse_attention"] = {{"kept_fraction", sa.keptFraction},
                                   {"filter_s", sa.filterSeconds},
                                   {"kept_attention_s", sa.keptAttentionSeconds},
                                   {"dense_attention_s", sa.denseAttentionSeconds},
                                   {"break_even_kept_fraction", sa.breakEvenKeptFraction}};
    }
    return doc;
}

Json comparisonJson(const Comparison& c, const std::string& model) {
    Json rows = Json::array();
    for (const auto& r : c.rows) {
        if (c.singlePass) {
            rows.push_back({{"hardware", c.deviceIds[r.device]},
                            {"scenario", r.scenarioName},
                            {"forward_s", r.prefillSeconds},
                            {"weight_bytes", r.weightBytes},
                            {"memory_bytes", r.totalMemoryBytes},
                            {"fits_in_memory", r.fitsInMemory},
                            {"speedup", r.prefillSpeedup},
                            {"memory_saved", r.memorySaved},
                            {"expected_forward_s", r.expectedPrefillSeconds}});
            continue;
        }
        rows.push_back(
            {{"hardware", c.deviceIds[r.device]},
             {"scenario", r.scenarioName},
             {"prefill_s", r.prefillSeconds},
             {"decode_step_s", r.decodeStepSeconds},
             {"ttft_s", r.request.ttftSeconds},
             {"tpot_s", r.request.tpotSeconds ? Json(*r.request.tpotSeconds) : Json(nullptr)},
             {"e2e_s", r.request.e2eSeconds},
             {"tokens_per_s", r.request.tokensPerSecond},
             {"weight_bytes", r.weightBytes},
             {"kv_cache_bytes", r.kvCacheBytes},
             {"memory_bytes", r.totalMemoryBytes},
             {"fits_in_memory", r.fitsInMemory},
             {"speedup_prefill", r.prefillSpeedup},
             {"speedup_decode", r.decodeSpeedup},
             {"speedup_e2e", r.e2eSpeedup},
             {"memory_saved", r.memorySaved},
             {"expected_prefill_s", r.expectedPrefillSeconds},
             {"expected_decode_step_s", r.expectedDecodeStepSeconds},
             {"expected_ttft_s", r.request.expectedTtftSeconds},
             {"expected_tpot_s",
              r.request.expectedTpotSeconds ? Json(*r.request.expectedTpotSeconds) : Json(nullptr)},
             {"expected_e2e_s", r.request.expectedE2eSeconds},
             {"expected_tokens_per_s", r.request.expectedTokensPerSecond}});
    }
    Json layers = Json::array();
    for (const auto& l : c.layers) {
        Json times = Json::object();
        Json deltas = Json::object();
        for (std::size_t s = 0; s < l.seconds.size(); ++s) {
            times[c.scenarioNames[s]] = l.seconds[s];
            deltas[c.scenarioNames[s]] = l.seconds[s] - l.seconds[0];
        }
        layers.push_back({{"hardware", c.deviceIds[l.device]},
                          {"phase", nameOf(l.phase)},
                          {"layer", l.layer},
                          {"time_s", times},
                          {"delta_vs_first_s", deltas}});
    }
    const auto& s = c.settings;
    Json doc{{"schema_version", 1},
             {"model", model},
             {"settings",
              {{"batch", s.batch},
               {"prompt_len", s.promptLength},
               {"gen_len", s.generateLength},
               {"decode_context_len", s.contextLength},
               {"flash_attention", s.flashAttention}}},
             {"baseline", c.scenarioNames.front()},
             {"rows", rows},
             {"per_layer", layers},
             {"warnings", c.warnings},
             {"time_basis", nameOf(c.timeBasis)}};
    return doc;
}

Json sweepPointJson(const SweepPoint& p, const std::string& device, const std::string& scenario,
                    const std::string* plan, Phase phase) {
    Json j{{"hardware", device},
           {"scenario", scenario},
           {"batch", p.batch},
           {"time_s", p.timeSeconds},
           {"tokens_per_s", p.tokensPerSecond},
           {"bound", nameOf(p.bound)},
           {"weight_bytes", p.weightBytes},
           {"kv_cache_bytes", p.kvCacheBytes},
           {"memory_bytes", p.totalMemoryBytes},
           {"fits_in_memory", p.fitsInMemory},
           {"out_of_memory", !p.fitsInMemory},
           {"expected_s", p.expectedSeconds},
           {"expected_tokens_per_s", p.expectedTokensPerSecond}};
    if (phase != Phase::decode) {
        j["prompt_len"] = p.promptLength;
    }
    if (phase != Phase::prefill) {
        j["context_len"] = p.contextLength;
    }
    if (phase == Phase::request) {
        j["ttft_s"] = p.ttftSeconds;
        j["tpot_s"] = p.tpotSeconds;
        j["expected_ttft_s"] = p.expectedTtftSeconds;
        j["expected_tpot_s"] = p.expectedTpotSeconds;
    }
    if (plan != nullptr) {
        j["plan"] = *plan;
        j["tokens_per_s_per_device"] = p.tokensPerSecondPerDevice;
        j["network_s"] = p.networkSeconds;
    }
    return j;
}

Json sweepJson(const SweepResult& r, std::span<const std::string> devices,
               std::span<const std::string> scenarios, std::span<const std::string> plans,
               Phase phase, const std::string& model) {
    Json points = Json::array();
    for (const auto& p : r.points) {
        const std::string* plan = plans.empty() ? nullptr : &plans[p.deployment];
        points.push_back(sweepPointJson(p, devices[p.device], scenarios[p.scenario], plan, phase));
    }
    return Json{{"schema_version", 1},
                {"model", model},
                {"phase", nameOf(phase)},
                {"points", std::move(points)}};
}

namespace {

std::string renderJson(const Report& report) {
    return reportJson(report).dump(2) + "\n";
}

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) {
        return text;
    }
    std::string quoted = "\"";
    for (char c : text) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

std::string number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

std::string renderCsv(const Report& report) {
    std::ostringstream out;
    out << "phase,name,kind,block,repeat,ops,bytes_weights,bytes_activations_in,"
           "bytes_activations_out,bytes_kv_read,bytes_kv_write,bytes_metadata,bytes_total,"
           "intensity,math_type,unit,attainable_ops_per_s,bound,time_s,expected_s\n";
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        const Layer& l = report.layers[i];
        const LayerResult& r = report.results[i];
        out << nameOf(r.phase) << ',' << csvField(l.name()) << ',' << nameOf(l.kind) << ','
            << l.block << ',' << l.repeat << ',' << number(r.ops) << ',' << number(r.bytes.weights)
            << ',' << number(r.bytes.activationsIn) << ',' << number(r.bytes.activationsOut) << ','
            << number(r.bytes.kvRead) << ',' << number(r.bytes.kvWrite) << ','
            << number(r.bytes.metadata) << ',' << number(r.bytes.total()) << ','
            << number(r.intensity) << ',' << nameOf(r.execution.mathType) << ','
            << nameOf(r.execution.unit) << ',' << number(r.attainableOpsPerSecond) << ','
            << nameOf(r.bound) << ',' << number(r.timeSeconds) << ',' << number(r.expectedSeconds)
            << '\n';
    }
    return out.str();
}

// Rows of the human-readable formats: layers of the same operation in every block are summed
// into one row ("blocks.*.q_proj x32"), so a 80-block model reads in one screen.
struct Row {
    std::string name;
    std::string kind;
    std::string phase;
    std::size_t count = 0;
    double ops = 0;
    double bytes = 0;
    double time = 0;
    double expected = 0;
    double computeTime = 0;
    std::string math;
};

std::vector<Row> groupRows(const Report& report) {
    std::vector<Row> rows;
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        const Layer& l = report.layers[i];
        const LayerResult& r = report.results[i];
        std::string name = groupName(l);
        const std::string phase(nameOf(r.phase));
        auto [it, inserted] = index.try_emplace({phase, name}, rows.size());
        if (inserted) {
            rows.push_back(Row{name, std::string(nameOf(l.kind)), phase, 0, 0, 0, 0, 0, 0,
                               std::string(nameOf(r.execution.mathType)) + "/" +
                                   std::string(nameOf(r.execution.unit))});
        }
        Row& row = rows[it->second];
        row.count += l.repeat;
        row.ops += r.ops * l.repeat;
        row.bytes += r.bytes.total() * l.repeat;
        row.time += r.timeSeconds * l.repeat;
        row.expected += r.expectedSeconds * l.repeat;
        if (r.bound == Bound::compute) {
            row.computeTime += r.timeSeconds * l.repeat;
        }
    }
    return rows;
}

std::string boundOf(const Row& row) {
    if (row.computeTime <= 0) {
        return "memory";
    }
    if (row.computeTime >= row.time) {
        return "compute";
    }
    return "mixed";
}

struct Line {
    std::string label;
    std::string value;
};

// The pass time on the headline basis first, then the other one.
void timeLines(const Report& report, std::vector<Line>& lines) {
    const Totals& t = report.totals;
    const Line roofline{"time (roofline bound)", formatSeconds(t.timeSeconds)};
    const Line expected{"time (expected, " + report.efficiency + " efficiency)",
                        formatSeconds(t.expectedSeconds)};
    if (report.timeBasis == TimeBasis::expected) {
        lines.push_back(expected);
        lines.push_back(roofline);
    } else {
        lines.push_back(roofline);
        lines.push_back(expected);
    }
}

void requestLines(const Report& report, std::vector<Line>& lines) {
    const RequestMetrics& m = *report.totals.request;
    const bool expected = report.timeBasis == TimeBasis::expected;
    const std::optional<double> tpot = expected ? m.expectedTpotSeconds : m.tpotSeconds;
    const std::string suffix = expected ? " (expected)" : " (roofline bound)";
    lines.push_back(
        {"TTFT" + suffix, formatSeconds(expected ? m.expectedTtftSeconds : m.ttftSeconds)});
    lines.push_back({"TPOT" + suffix, tpot ? formatSeconds(*tpot) : std::string("n/a (1 token)")});
    lines.push_back({"end-to-end latency" + suffix,
                     formatSeconds(expected ? m.expectedE2eSeconds : m.e2eSeconds)});
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.4g tokens/s",
                  expected ? m.expectedTokensPerSecond : m.tokensPerSecond);
    lines.push_back({"throughput" + suffix, buffer});
    const std::optional<double> otherTpot = expected ? m.tpotSeconds : m.expectedTpotSeconds;
    std::snprintf(buffer, sizeof buffer, "%.4g tokens/s",
                  expected ? m.tokensPerSecond : m.expectedTokensPerSecond);
    lines.push_back(
        {expected ? "roofline bound" : "expected (" + report.efficiency + " efficiency)",
         "TTFT " + formatSeconds(expected ? m.ttftSeconds : m.expectedTtftSeconds) + ", TPOT " +
             (otherTpot ? formatSeconds(*otherTpot) : std::string("n/a")) + ", end-to-end " +
             formatSeconds(expected ? m.e2eSeconds : m.expectedE2eSeconds) + ", " + buffer});
}

std::vector<Line> summaryLines(const Report& report) {
    const Totals& t = report.totals;
    std::vector<Line> lines;
    lines.push_back({"total OPs", formatSi(t.ops, "OP")});
    lines.push_back({"matrix MACs", formatSi(t.macs, "MAC")});
    lines.push_back({"total bytes moved", formatSi(t.bytes, "B")});
    if (t.request) {
        requestLines(report, lines);
    } else {
        timeLines(report, lines);
    }
    lines.push_back({"memory: weights", formatSi(t.memory.weights, "B")});
    lines.push_back({"memory: KV cache", formatSi(t.memory.kvCache, "B")});
    lines.push_back({"memory: activations (peak)", formatSi(t.memory.activations, "B")});
    if (t.memory.state > 0) {
        lines.push_back({"memory: SSM state", formatSi(t.memory.state, "B")});
    }
    lines.push_back({"memory: total / capacity",
                     formatSi(t.memory.total(), "B") + " / " + formatSi(t.capacityBytes, "B") +
                         (t.fitsInMemory ? " (fits)" : " (DOES NOT FIT)")});
    return lines;
}

std::string header(const Report& report) {
    const RunSettings& s = report.settings;
    std::string text =
        report.model.id + " on " + report.hardwareName + " (" + report.hardwareId + "): ";
    const ModelFamily family = report.model.family;
    if (family == ModelFamily::vit) {
        text += "batch " + std::to_string(s.batch) + ", " + std::to_string(s.promptLength) +
                " tokens per image";
    } else if (family == ModelFamily::gnn) {
        text += "one forward pass over " + std::to_string(s.promptLength) + " target nodes";
    } else if (family == ModelFamily::onnx) {
        text += "ONNX graph, one forward pass, batch " + std::to_string(s.batch);
    } else {
        text += std::string(nameOf(s.phase)) + ", batch " + std::to_string(s.batch);
        if (s.phase != Phase::decode) {
            text += ", prompt " + std::to_string(s.promptLength);
        }
        if (s.phase == Phase::decode) {
            text += ", context " + std::to_string(s.contextLength);
        }
        if (s.phase == Phase::request) {
            text += ", generate " + std::to_string(s.generateLength);
        }
    }
    text += ", " + (report.scenario.empty() ? std::string("uncompressed") : report.scenario);
    if (family != ModelFamily::gnn) {
        text += s.flashAttention ? ", FlashAttention" : ", unfused attention";
    }
    return text;
}

std::string cell(const char* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

// Intensity for the text and Markdown tables: three significant digits and never an exponent
// (issue 17): 1024.4 -> "1,020", 15.85 -> "15.9", 0.1667 -> "0.167".
std::string intensityCell(double value) {
    if (value >= 999.5) {
        const double step = std::pow(10.0, std::floor(std::log10(value)) - 2);
        std::string digits = std::to_string(std::llround(std::round(value / step) * step));
        for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
            digits.insert(static_cast<std::size_t>(i), 1, ',');
        }
        return digits;
    }
    if (value > 0 && value < 0.001) {
        return "<0.001";
    }
    return cell("%.3g", value);
}

std::vector<std::vector<std::string>> tableCells(const Report& report) {
    std::vector<std::vector<std::string>> cells;
    const bool request = report.settings.phase == Phase::request;
    for (const Row& row : groupRows(report)) {
        std::vector<std::string> line;
        if (request) {
            line.push_back(row.phase);
        }
        line.push_back(row.name);
        line.push_back(row.kind);
        line.push_back(std::to_string(row.count));
        line.push_back(formatSi(row.ops, "OP"));
        line.push_back(formatSi(row.bytes, "B"));
        line.push_back(row.bytes > 0 ? intensityCell(row.ops / row.bytes) : std::string("-"));
        line.push_back(row.math);
        line.push_back(boundOf(row));
        line.push_back(formatSeconds(row.time));
        line.push_back(formatSeconds(row.expected));
        const bool expected = report.timeBasis == TimeBasis::expected;
        const double total = report.totals.seconds(report.timeBasis);
        line.push_back(
            cell("%.1f%%", total > 0 ? 100.0 * (expected ? row.expected : row.time) / total : 0.0));
        cells.push_back(std::move(line));
    }
    return cells;
}

std::vector<std::string> tableHeader(const Report& report) {
    std::vector<std::string> h;
    if (report.settings.phase == Phase::request) {
        h.push_back("phase");
    }
    for (const char* name : {"layer", "kind", "count", "OPs", "bytes", "OPs/B", "math", "bound",
                             "time", "expected", "share"}) {
        h.emplace_back(name);
    }
    return h;
}

std::string renderTable(const Report& report) {
    auto head = tableHeader(report);
    auto cells = tableCells(report);
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        width[c] = head[c].size();
        for (const auto& line : cells) {
            width[c] = std::max(width[c], line[c].size());
        }
    }
    std::ostringstream out;
    out << header(report) << "\n\n";
    auto emit = [&](const std::vector<std::string>& line) {
        for (std::size_t c = 0; c < line.size(); ++c) {
            const bool left = c < 3 || line[c] == "memory" || line[c] == "compute";
            std::string padded = line[c];
            const std::string pad(width[c] - line[c].size(), ' ');
            padded = left ? padded + pad : pad + padded;
            out << padded << (c + 1 < line.size() ? "  " : "\n");
        }
    };
    emit(head);
    for (const auto& line : cells) {
        emit(line);
    }
    out << '\n';
    for (const Line& line : summaryLines(report)) {
        out << line.label << ": " << line.value << '\n';
    }
    for (const auto& note : report.notes) {
        out << "note: " << note << '\n';
    }
    for (const auto& warning : report.warnings) {
        out << "warning: " << warning << '\n';
    }
    return out.str();
}

std::string renderMarkdown(const Report& report) {
    std::ostringstream out;
    out << "# " << header(report) << "\n\n";
    auto head = tableHeader(report);
    out << '|';
    for (const auto& h : head) {
        out << ' ' << h << " |";
    }
    out << "\n|";
    for (std::size_t c = 0; c < head.size(); ++c) {
        out << (c < 3 ? "---|" : "---:|");
    }
    out << '\n';
    for (const auto& line : tableCells(report)) {
        out << '|';
        for (const auto& c : line) {
            out << ' ' << c << " |";
        }
        out << '\n';
    }
    out << "\n| total | value |\n|---|---:|\n";
    for (const Line& line : summaryLines(report)) {
        out << "| " << line.label << " | " << line.value << " |\n";
    }
    for (const auto& note : report.notes) {
        out << "\n> note: " << note << '\n';
    }
    if (!report.warnings.empty()) {
        out << '\n';
        for (const auto& warning : report.warnings) {
            out << "> warning: " << warning << '\n';
        }
    }
    return out.str();
}

}  // namespace

std::optional<ReportFormat> parseReportFormat(std::string_view name) {
    if (name == "table") {
        return ReportFormat::table;
    }
    if (name == "json") {
        return ReportFormat::json;
    }
    if (name == "csv") {
        return ReportFormat::csv;
    }
    if (name == "md" || name == "markdown") {
        return ReportFormat::md;
    }
    return std::nullopt;
}

std::string renderReport(const Report& report, ReportFormat format) {
    switch (format) {
        case ReportFormat::json:
            return renderJson(report);
        case ReportFormat::csv:
            return renderCsv(report);
        case ReportFormat::md:
            return renderMarkdown(report);
        case ReportFormat::table:
            return renderTable(report);
    }
    return {};
}

}  // namespace rooflens::core
