// rooflens validate: run FP32 reference kernels for the layers of a model on this machine and
// compare the measured times with the roofline predictions of a calibrated profile.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "calibrate/calibration.h"
#include "calibrate/profile.h"
#include "calibrate/validate.h"
#include "cli_common.h"
#include "core/paths.h"
#include "core/units.h"
#include "validate_whole.h"

namespace rooflens::cli {

namespace {

using calibrate::KernelClass;
using calibrate::ValidationRow;
using calibrate::ValidationSpec;

const char* kValidateUsage =
    "usage: rooflens validate --hw PROFILE [--model M] [--prompt-len N] [--context-len N]\n"
    "                         [--threads N] [--format table|json|csv|md] [--output FILE]\n"
    "Runs FP32 reference kernels for every distinct linear-layer shape of a model (prefill and\n"
    "decode), its attention and norms, and a GNN aggregation (SpMM), and compares each measured\n"
    "time with the roofline prediction from datasheet-style and from calibrated ceilings.\n"
    "Default model: validate-tiny, the TinyLlama-1.1B shapes (d 2048, d_ff 5632, 32 heads, 4 KV\n"
    "heads, vocab 32000); each distinct shape runs once, so any preset fits in memory and time.\n"
    "When the model's weights exceed the last-level cache, GEMVs cycle through copies of their\n"
    "weight (cold caches, as inside a whole decode pass).\n"
    "--whole instead runs a real FP32 forward pass of the whole model (a Llama-style decoder:\n"
    "prefill, then one decode step with its KV cache; or a ViT), every layer timed, at 1 thread\n"
    "and all physical cores (or --threads N), and compares each layer and the total with the\n"
    "engine's roofline bound and expected time.";

// The default model: TinyLlama-1.1B's shapes (tests/data/models/tiny-llama), small enough that
// every distinct FP32 kernel runs in well under a second.
const char* kDefaultModel = R"({
  "model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632,
  "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4,
  "vocab_size": 32000, "max_position_embeddings": 2048, "hidden_act": "silu",
  "tie_word_embeddings": false, "torch_dtype": "bfloat16"
})";

}  // namespace

models::LlmConfig validateDefaultModel() {
    auto config = models::parseLlmConfig(nlohmann::json::parse(kDefaultModel), "validate-tiny",
                                         "validate-tiny");
    if (!config) {
        throw CliError{kRuntime, config.error().message};
    }
    return std::move(config).value();
}

namespace {

// Distinct linear-layer shapes of one pass, with the layer names that share each.
// Returns the FP32 bytes of all linear-layer weights of the pass.
double addLinearSpecs(const models::LlmConfig& config, core::Phase phase, std::int64_t length,
                      std::vector<ValidationSpec>& specs) {
    core::RunSettings settings;
    settings.phase = phase;
    settings.batch = 1;
    settings.promptLength = length;
    settings.contextLength = length;
    auto workload = models::buildLlm(config, settings, {true});
    if (!workload) {
        throw CliError{kBadInput, workload.error().message};
    }
    const std::string prefix = phase == core::Phase::prefill ? "prefill " : "decode ";
    std::map<std::tuple<double, double, double>, std::size_t> seen;
    double weightBytes = 0;
    for (const auto& layer : workload->layers) {
        if (layer.kind != core::LayerKind::gemm || layer.m <= 0 || layer.k <= 0 || layer.n <= 0) {
            continue;
        }
        weightBytes += 4.0 * layer.k * layer.n * layer.repeat;
        const auto key = std::make_tuple(layer.m, layer.k, layer.n);
        if (auto it = seen.find(key); it != seen.end()) {
            specs[it->second].name += "," + std::string(layer.op);
            continue;
        }
        ValidationSpec s;
        s.name = prefix + std::string(layer.op);
        s.m = static_cast<std::int64_t>(layer.m);
        s.k = static_cast<std::int64_t>(layer.k);
        s.n = static_cast<std::int64_t>(layer.n);
        s.kind = s.m == 1 ? KernelClass::gemv : KernelClass::gemm;
        seen.emplace(key, specs.size());
        specs.push_back(s);
    }
    return weightBytes;
}

// `cacheBytes`: the last-level cache of the CPUs in use. When the model's weights do not fit
// in it, GEMVs run with cold caches (see ValidationSpec::coldBytes).
std::vector<ValidationSpec> buildSpecs(const models::LlmConfig& config, std::int64_t prompt,
                                       std::int64_t context, std::int64_t gnnNodes,
                                       double cacheBytes) {
    std::vector<ValidationSpec> specs;
    addLinearSpecs(config, core::Phase::prefill, prompt, specs);
    const double modelBytes = addLinearSpecs(config, core::Phase::decode, context, specs);
    if (modelBytes > 0.75 * cacheBytes) {
        for (auto& s : specs) {
            s.coldBytes = s.kind == KernelClass::gemv ? std::min(modelBytes, 4 * cacheBytes) : 0;
        }
    }
    for (bool prefill : {true, false}) {
        ValidationSpec a;
        a.kind = KernelClass::attention;
        a.name = prefill ? "prefill attention" : "decode attention";
        a.heads = config.numHeads;
        a.kvHeads = config.numKvHeads;
        a.headDim = config.headDim;
        a.queries = prefill ? prompt : 1;
        a.keys = prefill ? prompt : context;
        specs.push_back(a);
        ValidationSpec n;
        n.kind = KernelClass::norm;
        n.name = prefill ? "prefill rmsnorm" : "decode rmsnorm";
        n.m = prefill ? prompt : 1;
        n.k = config.hiddenSize;
        specs.push_back(n);
    }
    if (gnnNodes > 0) {
        for (int degree : {8, 16, 32}) {
            ValidationSpec g;
            g.kind = KernelClass::spmm;
            g.name = "gnn aggregation deg " + std::to_string(degree);
            g.m = gnnNodes;
            g.degree = degree;
            g.features = 64;
            specs.push_back(g);
        }
    }
    return specs;
}

// The sidecar: --calibration, else next to a profile file, else <user data>/calibration/<id>.json.
std::optional<core::Json> findSidecar(const std::string& explicitPath, const std::string& hwArg,
                                      const core::Hardware& hw, std::string& used) {
    std::vector<std::filesystem::path> candidates;
    if (!explicitPath.empty()) {
        candidates.emplace_back(explicitPath);
    } else {
        if (hwArg.find('/') != std::string::npos || hwArg.ends_with(".json")) {
            candidates.push_back(calibrate::sidecarPathFor(hwArg));
        }
        if (!hw.sourceFile.empty()) {
            candidates.push_back(calibrate::sidecarPathFor(hw.sourceFile));
        }
        candidates.push_back(core::userDataDir() / "calibration" / (hw.id + ".json"));
    }
    for (const auto& path : candidates) {
        std::error_code ec;
        if (!explicitPath.empty() || std::filesystem::exists(path, ec)) {
            auto doc = calibrate::loadSidecar(path);
            if (!doc) {
                throw CliError{kBadInput, doc.error().message};
            }
            used = path.string();
            return std::move(doc).value();
        }
    }
    return std::nullopt;
}

std::string seconds(double s) {
    return core::formatSeconds(s, 3);
}

std::string number(double v, const char* format = "%.4g") {
    char text[64];
    std::snprintf(text, sizeof text, format, v);
    return text;
}

std::string pad(const std::string& text, std::size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string renderTable(const std::vector<ValidationRow>& rows,
                        const std::vector<calibrate::ErrorSummary>& errors,
                        const std::vector<std::string>& header, bool markdown, bool csv) {
    std::ostringstream out;
    const std::vector<std::string> columns = {
        "kernel",    "class",           "shape",           "OPs",        "bytes",    "OPs/B",
        "datasheet", "calibrated roof", "binding ceiling", "achievable", "measured", "p10",
        "p90",       "meas/roof",       "error",           "flag"};
    if (!csv) {
        for (const auto& line : header) {
            out << (markdown ? "" : "") << line << (markdown ? "  \n" : "\n");
        }
        out << '\n';
    }
    auto cells = [&](const ValidationRow& r) {
        return std::vector<std::string>{
            r.spec.name,
            std::string(calibrate::nameOf(r.spec.kind)),
            r.spec.shape(),
            csv ? number(r.cost.ops, "%.17g") : core::formatSi(r.cost.ops, "OP"),
            csv ? number(r.cost.bytes(), "%.17g") : core::formatSi(r.cost.bytes(), "B"),
            number(r.cost.intensity(), "%.3g"),
            csv ? number(r.datasheet.seconds, "%.6g") : seconds(r.datasheet.seconds),
            csv ? number(r.calibrated.seconds, "%.6g") : seconds(r.calibrated.seconds),
            r.calibrated.bound,
            csv ? number(r.calibrated.achievableSeconds, "%.6g")
                : seconds(r.calibrated.achievableSeconds),
            csv ? number(r.seconds.median, "%.6g") : seconds(r.seconds.median),
            csv ? number(r.seconds.p10, "%.6g") : seconds(r.seconds.p10),
            csv ? number(r.seconds.p90, "%.6g") : seconds(r.seconds.p90),
            number(r.ratio, "%.2f"),
            csv ? number(r.error, "%.4f") : number(100 * r.error, "%.1f%%"),
            r.modelError ? "MODEL ERROR (above the ceiling)" : ""};
    };
    std::vector<std::vector<std::string>> table;
    table.push_back(columns);
    for (const auto& r : rows) {
        table.push_back(cells(r));
    }
    if (csv) {
        for (const auto& row : table) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                const bool quote = row[i].find_first_of(",\"") != std::string::npos;
                out << (i ? "," : "") << (quote ? "\"" : "") << row[i] << (quote ? "\"" : "");
            }
            out << '\n';
        }
        return out.str();
    }
    std::vector<std::size_t> widths(columns.size(), 0);
    for (const auto& row : table) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    for (std::size_t r = 0; r < table.size(); ++r) {
        for (std::size_t i = 0; i < table[r].size(); ++i) {
            out << (markdown ? "| " : "")
                << pad(table[r][i], markdown ? widths[i] + 1 : widths[i] + 2);
        }
        out << (markdown ? "|\n" : "\n");
        if (markdown && r == 0) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                out << "|" << std::string(widths[i] + 2, '-');
            }
            out << "|\n";
        }
    }
    out << "\nabsolute error |predicted - measured| / measured of the achievable prediction "
        << "(in parentheses: of the calibrated roofline alone):\n";
    for (const auto& e : errors) {
        out << (markdown ? "- " : "  ") << pad(e.group, 10) << "median "
            << number(100 * e.median, "%.1f%%") << ", p90 " << number(100 * e.p90, "%.1f%%")
            << "  (" << number(100 * e.roofMedian, "%.1f%%") << ", "
            << number(100 * e.roofP90, "%.1f%%") << ") over " << e.count << " kernel(s)\n";
    }
    return out.str();
}

nlohmann::ordered_json roofsJson(const calibrate::Roofs& roofs) {
    nlohmann::ordered_json j;
    j["label"] = roofs.label;
    j["compute_ops_per_s"] = roofs.computeOpsPerSecond;
    j["compute"] = roofs.computeName;
    j["gather_256b_bytes_per_s"] = roofs.gatherBytesPerSecond;
    j["gemm_efficiency"] = roofs.gemmEfficiency;
    nlohmann::ordered_json byRows = nlohmann::ordered_json::array();
    for (const auto& [rows, eta] : roofs.gemmEfficiencyByRows) {
        byRows.push_back({{"m", rows}, {"efficiency", eta}});
    }
    j["gemm_efficiency_by_m"] = byRows;
    nlohmann::ordered_json levels = nlohmann::ordered_json::array();
    for (const auto& l : roofs.levels) {
        levels.push_back({{"name", l.name},
                          {"capacity_bytes", l.capacityBytes},
                          {"read_bytes_per_s", l.readBytesPerSecond},
                          {"read_write_bytes_per_s", l.readWriteBytesPerSecond}});
    }
    j["levels"] = levels;
    j["notes"] = roofs.notes;
    return j;
}

std::string renderJson(const std::vector<ValidationRow>& rows,
                       const std::vector<calibrate::ErrorSummary>& errors,
                       const nlohmann::ordered_json& context) {
    nlohmann::ordered_json doc = context;
    nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
        kernels.push_back({{"name", r.spec.name},
                           {"class", std::string(calibrate::nameOf(r.spec.kind))},
                           {"shape", r.spec.shape()},
                           {"implementation", r.implementation},
                           {"ops", r.cost.ops},
                           {"bytes", r.cost.bytes()},
                           {"intensity_ops_per_byte", r.cost.intensity()},
                           {"datasheet_seconds", r.datasheet.seconds},
                           {"datasheet_bound", r.datasheet.bound},
                           {"calibrated_seconds", r.calibrated.seconds},
                           {"calibrated_bound", r.calibrated.bound},
                           {"achievable_seconds", r.calibrated.achievableSeconds},
                           {"achievable_bound", r.calibrated.achievableBound},
                           {"measured_median_seconds", r.seconds.median},
                           {"measured_p10_seconds", r.seconds.p10},
                           {"measured_p90_seconds", r.seconds.p90},
                           {"trials", r.seconds.count},
                           {"ratio", r.ratio},
                           {"abs_error", r.error},
                           {"roof_abs_error", r.roofError},
                           {"model_error", r.modelError}});
    }
    doc["kernels"] = kernels;
    nlohmann::ordered_json summary = nlohmann::ordered_json::array();
    for (const auto& e : errors) {
        summary.push_back({{"class", e.group},
                           {"count", e.count},
                           {"median", e.median},
                           {"p90", e.p90},
                           {"roof_median", e.roofMedian},
                           {"roof_p90", e.roofP90}});
    }
    doc["abs_error"] = summary;
    return doc.dump(2) + "\n";
}

// Pulls the hidden test option "--budget-scale X" out of the arguments.
double takeBudgetScale(std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--budget-scale" && i + 1 < args.size()) {
            double scale = 0;
            try {
                scale = std::stod(args[i + 1]);
            } catch (...) {
            }
            if (!(scale > 0) || scale > 100) {
                throw CliError{kUsage, "--budget-scale: expected a number in (0, 100]"};
            }
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                       args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
            return scale;
        }
    }
    return 1.0;
}

}  // namespace

int runValidate(const std::vector<std::string>& arguments) {
    std::vector<std::string> args = arguments;
    const double budgetScale = takeBudgetScale(args);
    po::options_description options("validate options");
    options.add_options()("hw", po::value<std::string>()->required(),
                          "calibrated profile: id or path")(
        "model", po::value<std::string>()->default_value(""),
        "preset id or config.json (default: validate-tiny)")(
        "prompt-len", po::value<std::int64_t>()->default_value(256), "prefill tokens (M of GEMMs)")(
        "context-len", po::value<std::int64_t>()->default_value(256), "decode context length")(
        "threads", po::value<int>()->default_value(0),
        "threads (0: the profile's, else one per physical core)")(
        "calibration", po::value<std::string>()->default_value(""),
        "calibration sidecar (default: next to the profile)")(
        "datasheet", po::value<std::string>()->default_value(""),
        "device id or file with datasheet ceilings to compare with")(
        "gnn-nodes", po::value<std::int64_t>()->default_value(-1),
        "nodes of the random GNN graph (-1: 4x LLC / 256 B, >= 512 Ki, the calibration's gather "
        "table; 0: no SpMM)")("format", po::value<std::string>()->default_value("table"),
                              "table|json|csv|md")(
        "output,o", po::value<std::string>()->default_value(""), "write to FILE instead of stdout")(
        "whole", po::bool_switch(), "run the whole model's forward pass (see above)")(
        "repeats", po::value<int>()->default_value(3), "--whole: timed passes after a warm-up")(
        "per-layer", po::bool_switch(), "--whole: list every layer, not one row per op");
    auto parsed = parseOptions(args, options, kValidateUsage);
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    if (vm["whole"].as<bool>()) {
        WholeRequest request;
        request.hwArg = vm["hw"].as<std::string>();
        request.model = vm["model"].as<std::string>();
        request.prompt = vm["prompt-len"].as<std::int64_t>();
        request.repeats = vm["repeats"].as<int>();
        request.perLayer = vm["per-layer"].as<bool>();
        request.format = vm["format"].as<std::string>();
        request.output = vm["output"].as<std::string>();
        const int threads = vm["threads"].as<int>();
        if (request.prompt < 1 || request.prompt > 32768 || request.repeats < 1 ||
            request.repeats > 100 || threads < 0) {
            throw CliError{kUsage,
                           "validate --whole: --prompt-len must be in [1, 32768], --repeats in "
                           "[1, 100], --threads non-negative"};
        }
        if (!vm["context-len"].defaulted()) {
            throw CliError{kUsage,
                           "validate --whole: the decode step's context is the prompt "
                           "plus one; set --prompt-len, not --context-len"};
        }
        if (threads > 0) {
            request.threadCounts = {threads};
        }
        return runValidateWhole(request);
    }
    const auto format = parseFormat(vm["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json,
                                     core::ReportFormat::csv, core::ReportFormat::md});
    const std::int64_t prompt = vm["prompt-len"].as<std::int64_t>();
    const std::int64_t context = vm["context-len"].as<std::int64_t>();
    std::int64_t gnnNodes = vm["gnn-nodes"].as<std::int64_t>();
    if (prompt < 1 || context < 1 || gnnNodes < -1 || vm["threads"].as<int>() < 0) {
        throw CliError{kUsage,
                       "--prompt-len and --context-len must be positive, --threads "
                       "non-negative, --gnn-nodes -1 or more"};
    }
    const hwdb::Database db = loadDatabase(false);
    const std::string hwArg = vm["hw"].as<std::string>();
    const core::Hardware hw = resolveHardware(db, hwArg);
    std::optional<core::Hardware> datasheet;
    if (!vm["datasheet"].as<std::string>().empty()) {
        datasheet = resolveHardware(db, vm["datasheet"].as<std::string>());
    }
    std::string sidecarPath;
    const auto sidecar = findSidecar(vm["calibration"].as<std::string>(), hwArg, hw, sidecarPath);
    const std::string modelArg = vm["model"].as<std::string>();
    const models::LlmConfig config =
        modelArg.empty() ? validateDefaultModel() : resolveModel(modelArg);

    const calibrate::MachineContext machine = calibrate::detectMachine();
    int threads = vm["threads"].as<int>();
    if (threads == 0 && sidecar) {
        threads = sidecar->value("threads", 0);
    }
    const std::vector<int> cpus = calibrate::selectCpus(machine, threads);
    threads = static_cast<int>(cpus.size());
    const core::Json* side = sidecar ? &*sidecar : nullptr;
    const calibrate::Roofs calibrated = calibrate::calibratedRoofs(hw, side, threads);
    const calibrate::Roofs sheet =
        calibrate::datasheetRoofs(hw, side, machine, threads, datasheet ? &*datasheet : nullptr);

    const double cacheBytes =
        machine.caches.empty() ? 0 : machine.cacheBytesFor(machine.caches.back().level, cpus);
    if (gnnNodes < 0) {
        // The size of calibrate's gather table: random-row speed depends on it (TLB reach).
        gnnNodes = std::max<std::int64_t>(
            512 * 1024, static_cast<std::int64_t>(4 * cacheBytes / (64 * sizeof(float))));
    }
    const auto specs = buildSpecs(config, prompt, context, gnnNodes, cacheBytes);
    calibrate::ValidationOptions run;
    run.cpus = cpus;
    run.trial = calibrate::measureOptionsFor(calibrate::Mode::quick, budgetScale);
    run.trial.minTrials = 10;
    run.trial.minRunSeconds = 0.2 * budgetScale;
    calibrate::ThreadTeam team(cpus);
    core::CancelToken cancel;
    std::vector<ValidationRow> rows;
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        std::cerr << (tty ? "\r\033[K" : "") << "validate: [" << i + 1 << "/" << specs.size()
                  << "] " << specs[i].name << " " << specs[i].shape() << (tty ? "" : "\n")
                  << std::flush;
        auto row = calibrate::runValidation(specs[i], sheet, calibrated, run, team, cancel);
        if (!row) {
            throw CliError{kRuntime, row.error().message};
        }
        rows.push_back(std::move(row).value());
    }
    if (tty) {
        std::cerr << "\r\033[K" << std::flush;
    }
    const auto errors = calibrate::summarizeErrors(rows);

    std::vector<std::string> header = {
        "validate: model " + config.id + " (FP32 reference kernels), profile " + hw.id + ", " +
            std::to_string(threads) + " thread(s), prompt " + std::to_string(prompt) +
            ", context " + std::to_string(context),
        "calibrated roofs: " + calibrated.computeName + " " +
            core::formatSi(calibrated.computeOpsPerSecond, "FLOP/s") +
            (sidecarPath.empty() ? ", no sidecar" : ", sidecar " + sidecarPath),
        "datasheet-style roofs: " + core::formatSi(sheet.computeOpsPerSecond, "FLOP/s") + ", " +
            sheet.levels.back().name + " " +
            core::formatSi(sheet.levels.back().readBytesPerSecond, "B/s")};
    for (const auto& note : calibrated.notes) {
        header.push_back("note: " + note);
    }
    for (const auto& note : sheet.notes) {
        header.push_back("note: " + note);
    }
    std::string text;
    if (format == core::ReportFormat::json) {
        nlohmann::ordered_json doc;
        doc["schema_version"] = 1;
        doc["kind"] = "rooflens-validation";
        doc["profile"] = hw.id;
        doc["sidecar"] = sidecarPath;
        doc["model"] = config.id;
        doc["threads"] = threads;
        doc["prompt_len"] = prompt;
        doc["context_len"] = context;
        doc["roofs"] = {{"datasheet", roofsJson(sheet)}, {"calibrated", roofsJson(calibrated)}};
        text = renderJson(rows, errors, doc);
    } else {
        text = renderTable(rows, errors, header, format == core::ReportFormat::md,
                           format == core::ReportFormat::csv);
    }
    emit(text, vm["output"].as<std::string>());
    return kOk;
}

}  // namespace rooflens::cli
