#include "ui/session.h"

#include <functional>

#include <nlohmann/json.hpp>

#include "core/evaluate.h"
#include "core/json_io.h"
#include "core/scenario.h"

namespace rooflens::ui {

namespace {

using core::Json;

std::string ceilingsName(core::CeilingSet set) {
    return set == core::CeilingSet::all ? "all" : "used";
}

core::Status parseHeader(const core::JsonReader& j, const Json& doc) {
    auto version = j.integer(doc, "", "schema_version", 1, 1000);
    if (!version) {
        return version.error();
    }
    if (version.value() != kSessionSchemaVersion) {
        return j.expected("/schema_version", "schema_version 1", doc.at("schema_version"));
    }
    auto kind = j.string(doc, "", "kind");
    if (!kind) {
        return kind.error();
    }
    if (kind.value() != "rooflens-session") {
        return j.expected("/kind", "\"rooflens-session\"", doc.at("kind"));
    }
    return core::Ok{};
}

core::Status parseParameters(const core::JsonReader& j, const Json& w, WorkloadChoice& out) {
    if (!j.has(w, "parameters")) {
        return core::Ok{};
    }
    const Json& params = w.at("parameters");
    if (!params.is_object()) {
        return j.expected("/workload/parameters", "an object of integer parameters", params);
    }
    for (const auto& [key, value] : params.items()) {
        auto v = j.integer(params, "/workload/parameters", key, 0, std::int64_t{1} << 40);
        if (!v) {
            return v.error();
        }
        out.parameters[key] = v.value();
    }
    return core::Ok{};
}

// "/workload": family, model, graph, image size, parameters.
core::Status parseWorkload(const core::JsonReader& j, const Json& doc, WorkloadChoice& out) {
    auto workload = j.member(doc, "", "workload");
    if (!workload) {
        return workload.error();
    }
    const Json& w = *workload.value();
    auto family = j.string(w, "/workload", "family");
    auto model = j.string(w, "/workload", "model");
    if (!family) {
        return family.error();
    }
    if (!model) {
        return model.error();
    }
    if (findFamily(family.value()) == nullptr) {
        return j.error("/workload/family",
                       "unknown or unavailable model family \"" + family.value() + "\"");
    }
    out.family = family.value();
    out.model = model.value();
    if (j.has(w, "graph")) {
        auto graph = j.string(w, "/workload", "graph");
        if (!graph) {
            return graph.error();
        }
        out.graph = graph.value();
    }
    if (j.has(w, "image_size")) {
        auto size = j.integer(w, "/workload", "image_size", 16, 8192);
        if (!size) {
            return size.error();
        }
        out.imageSize = size.value();
    }
    return parseParameters(j, w, out);
}

// "/run": phase, batch, lengths, fused attention.
core::Status parseRun(const core::JsonReader& j, const Json& doc, core::RunSettings& out) {
    auto run = j.member(doc, "", "run");
    if (!run) {
        return run.error();
    }
    const Json& r = *run.value();
    auto phaseName = j.string(r, "/run", "phase");
    if (!phaseName) {
        return phaseName.error();
    }
    const auto phase = core::parsePhase(phaseName.value());
    if (!phase) {
        return j.expected("/run/phase", "prefill, decode or request", r.at("phase"));
    }
    out.phase = *phase;
    struct Field {
        const char* key;
        std::int64_t* target;
        std::int64_t max;
    };
    for (const Field& f :
         {Field{"batch", &out.batch, 1 << 20}, Field{"prompt_length", &out.promptLength, 1 << 24},
          Field{"context_length", &out.contextLength, 1 << 24},
          Field{"generate_length", &out.generateLength, 1 << 20}}) {
        auto value = j.integer(r, "/run", f.key, 1, f.max);
        if (!value) {
            return value.error();
        }
        *f.target = value.value();
    }
    if (j.has(r, "flash_attention")) {
        auto flash = j.boolean(r, "/run", "flash_attention");
        if (!flash) {
            return flash.error();
        }
        out.flashAttention = flash.value();
    }
    return core::Ok{};
}

core::Status parseDevices(const core::JsonReader& j, const Json& doc,
                          std::vector<std::string>& out) {
    auto devices = j.member(doc, "", "devices");
    if (!devices) {
        return devices.error();
    }
    if (!devices.value()->is_array()) {
        return j.expected("/devices", "an array of device ids", *devices.value());
    }
    for (std::size_t i = 0; i < devices.value()->size(); ++i) {
        const Json& id = (*devices.value())[i];
        if (!id.is_string() || id.get<std::string>().empty()) {
            return j.expected(core::childPath("/devices", i), "a device id", id);
        }
        out.push_back(id.get<std::string>());
    }
    return core::Ok{};
}

// The optional "/deployment": system id and degrees (each optional, default 1).
core::Status parseDeployment(const core::JsonReader& j, const Json& doc, core::Deployment& out,
                             std::string& system, std::string& compare) {
    if (!j.has(doc, "deployment")) {
        return core::Ok{};
    }
    const Json& d = doc.at("deployment");
    if (!d.is_object()) {
        return j.expected("/deployment", "an object (system, tp, ep, pp, dp)", d);
    }
    if (j.has(d, "system")) {
        auto id = j.string(d, "/deployment", "system");
        if (!id) {
            return id.error();
        }
        system = id.value();
    }
    if (j.has(d, "compare")) {
        auto list = j.string(d, "/deployment", "compare");
        if (!list) {
            return list.error();
        }
        if (auto plans = core::parsePlanList(list.value()); !plans) {
            return j.error("/deployment/compare", plans.error().message);
        }
        compare = list.value();
    }
    struct Field {
        const char* key;
        int* target;
    };
    for (const Field& f : {Field{"tp", &out.tensorParallel}, Field{"ep", &out.expertParallel},
                           Field{"pp", &out.pipelineParallel}, Field{"dp", &out.dataParallel},
                           Field{"micro_batches", &out.microBatches}}) {
        if (!j.has(d, f.key)) {
            continue;
        }
        auto value = j.integer(d, "/deployment", f.key, 1, 1024);
        if (!value) {
            return value.error();
        }
        *f.target = static_cast<int>(value.value());
    }
    if (j.has(d, "overlap")) {
        auto overlap = j.boolean(d, "/deployment", "overlap");
        if (!overlap) {
            return overlap.error();
        }
        out.overlapCommunication = overlap.value();
    }
    return core::Ok{};
}

// One entry of "/scenarios" at `path`: enabled, the embedded scenario, a token schedule.
core::Result<ScenarioItem> parseScenarioItem(const core::JsonReader& j, const Json& entry,
                                             const std::string& path) {
    ScenarioItem item;
    auto enabled = j.boolean(entry, path, "enabled");
    if (!enabled) {
        return enabled.error();
    }
    item.enabled = enabled.value();
    auto scenario = j.member(entry, path, "scenario");
    if (!scenario) {
        return scenario.error();
    }
    auto parsedScenario =
        core::parseScenario(*scenario.value(), j.label() + ": " + path + "/scenario");
    if (!parsedScenario) {
        return parsedScenario.error();
    }
    item.scenario = std::move(parsedScenario).value();
    if (j.has(entry, "token_schedule")) {
        auto schedule = j.string(entry, path, "token_schedule");
        if (!schedule) {
            return schedule.error();
        }
        item.tokenSchedule = schedule.value();
    }
    return item;
}

core::Status parseScenarios(const core::JsonReader& j, const Json& doc,
                            std::vector<ScenarioItem>& out) {
    if (!j.has(doc, "scenarios")) {
        return core::Ok{};
    }
    const Json& list = doc.at("scenarios");
    if (!list.is_array()) {
        return j.expected("/scenarios", "an array of scenarios", list);
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto item = parseScenarioItem(j, list[i], core::childPath("/scenarios", i));
        if (!item) {
            return item.error();
        }
        out.push_back(std::move(item).value());
    }
    return core::Ok{};
}

core::Status parseChart(const core::JsonReader& j, const Json& doc, core::ChartOptions& out,
                        ChartView& view) {
    if (!j.has(doc, "chart")) {
        return core::Ok{};
    }
    const Json& c = doc.at("chart");
    if (j.has(c, "ceilings")) {
        auto ceilings = j.string(c, "/chart", "ceilings");
        if (!ceilings) {
            return ceilings.error();
        }
        if (ceilings.value() != "used" && ceilings.value() != "all") {
            return j.expected("/chart/ceilings", "\"used\" or \"all\"", c.at("ceilings"));
        }
        out.ceilings = ceilings.value() == "all" ? core::CeilingSet::all : core::CeilingSet::used;
    }
    for (auto [key, target] : {std::pair{"sparse_ceilings", &out.sparseCeilings},
                               std::pair{"on_chip_levels", &out.onChipLevels},
                               std::pair{"expected_points", &out.expectedPoints},
                               std::pair{"point_labels", &view.pointLabels}}) {
        if (j.has(c, key)) {
            auto value = j.boolean(c, "/chart", key);
            if (!value) {
                return value.error();
            }
            *target = value.value();
        }
    }
    if (j.has(c, "legend")) {
        auto legend = j.string(c, "/chart", "legend");
        if (!legend) {
            return legend.error();
        }
        if (legend.value() != "auto" && legend.value() != "outside" && legend.value() != "hidden") {
            return j.expected("/chart/legend", "\"auto\", \"outside\" or \"hidden\"",
                              c.at("legend"));
        }
        view.legend = legend.value();
    }
    return core::Ok{};
}

}  // namespace

Session defaultSession() {
    Session s;
    s.workload.family = "llm";
    s.workload.model = "llama-2-7b";
    s.settings.phase = core::Phase::prefill;
    s.settings.batch = 1;
    s.settings.promptLength = 1024;
    s.settings.contextLength = 1024;
    s.settings.generateLength = 128;
    s.devices = {"a100-80gb-sxm"};
    ScenarioItem baseline;
    baseline.scenario.name = std::string(core::kUncompressed);
    baseline.scenario.description = "the model at its native precision";
    s.scenarios.push_back(baseline);
    // The question users start with: what does 4-bit AWQ buy on this device?
    if (auto awq = core::resolveScenario("awq-w4a16-g128")) {
        ScenarioItem item;
        item.scenario = std::move(awq).value();
        s.scenarios.push_back(std::move(item));
    }
    return s;
}

std::string serializeSession(const Session& s) {
    Json scenarios = Json::array();
    for (const auto& item : s.scenarios) {
        Json entry{{"enabled", item.enabled},
                   {"scenario", Json::parse(core::serializeScenario(item.scenario))}};
        if (!item.tokenSchedule.empty()) {
            entry["token_schedule"] = item.tokenSchedule;
        }
        scenarios.push_back(entry);
    }
    Json doc{
        {"schema_version", kSessionSchemaVersion},
        {"kind", "rooflens-session"},
        {"workload",
         {{"family", s.workload.family},
          {"model", s.workload.model},
          {"graph", s.workload.graph},
          {"image_size", s.workload.imageSize},
          {"parameters", s.workload.parameters}}},
        {"run",
         {{"phase", std::string(core::nameOf(s.settings.phase))},
          {"batch", s.settings.batch},
          {"prompt_length", s.settings.promptLength},
          {"context_length", s.settings.contextLength},
          {"generate_length", s.settings.generateLength},
          {"flash_attention", s.settings.flashAttention}}},
        {"devices", s.devices},
        {"scenarios", scenarios},
        {"chart",
         {{"ceilings", ceilingsName(s.chart.ceilings)},
          {"sparse_ceilings", s.chart.sparseCeilings},
          {"on_chip_levels", s.chart.onChipLevels}}},
    };
    if (s.chart.expectedPoints) {
        doc["chart"]["expected_points"] = true;
    }
    if (!s.view.pointLabels) {
        doc["chart"]["point_labels"] = false;
    }
    if (s.view.legend != ChartView{}.legend) {
        doc["chart"]["legend"] = s.view.legend;
    }
    if (!s.deployment.single() || !s.system.empty() || !s.comparePlans.empty()) {
        const core::Deployment& d = s.deployment;
        doc["deployment"] = {{"system", s.system},
                             {"tp", d.tensorParallel},
                             {"ep", d.expertParallel},
                             {"pp", d.pipelineParallel},
                             {"dp", d.dataParallel},
                             {"micro_batches", d.microBatches},
                             {"overlap", d.overlapCommunication},
                             {"compare", s.comparePlans}};
    }
    return doc.dump(2) + "\n";
}

core::Result<Session> parseSession(std::string_view text, const std::string& label) {
    auto parsed = core::parseJsonText(text, label);
    if (!parsed) {
        return parsed.error();
    }
    const Json& doc = parsed.value();
    const core::JsonReader j(label);
    Session s;
    // Part by part in document order; the first fault stops the reading.
    const std::function<core::Status()> parts[] = {
        [&] { return parseHeader(j, doc); },
        [&] { return parseWorkload(j, doc, s.workload); },
        [&] { return parseRun(j, doc, s.settings); },
        [&] { return parseDevices(j, doc, s.devices); },
        [&] { return parseScenarios(j, doc, s.scenarios); },
        [&] { return parseChart(j, doc, s.chart, s.view); },
        [&] { return parseDeployment(j, doc, s.deployment, s.system, s.comparePlans); },
    };
    for (const auto& part : parts) {
        if (auto status = part(); !status) {
            return status.error();
        }
    }
    return s;
}

core::Result<Session> loadSession(const std::filesystem::path& path) {
    auto text = core::readFile(path);
    if (!text) {
        return text.error();
    }
    return parseSession(text.value(), path.string());
}

core::Status saveSession(const std::filesystem::path& path, const Session& session) {
    return core::writeFileAtomic(path, serializeSession(session));
}

}  // namespace rooflens::ui
