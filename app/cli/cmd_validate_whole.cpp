// rooflens validate --whole (validate_whole.h).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "calibrate/calibration.h"
#include "calibrate/harness.h"
#include "calibrate/machine.h"
#include "cli_common.h"
#include "core/units.h"
#include "models/reference_passes.h"
#include "models/vit.h"
#include "models/workload_spec.h"
#include "validate_whole.h"

namespace rooflens::cli {

models::LlmConfig validateDefaultModel();  // cmd_validate.cpp

namespace {

// The model to run: a decoder or a ViT, with its engine workloads built at FP32.
struct WholeModel {
    std::string id;
    bool vit = false;
    calibrate::DecoderShape decoder;
    calibrate::VitShape vitShape;
    models::LlmConfig llm;
    models::VitConfig vitConfig;
};

// What a Llama-style decoder is; everything else is named in the error.
std::string unsupportedDecoderFeature(const models::LlmConfig& c) {
    if (!c.layers.empty()) {
        return "a per-layer plan (mixed attention or SSM layers)";
    }
    if (c.numExperts > 0) {
        return "mixture-of-experts MLPs";
    }
    if (c.mla.kvLoraRank > 0) {
        return "multi-head latent attention";
    }
    if (c.mlp != models::MlpKind::gated || c.activation != models::Activation::silu) {
        return "an MLP other than SwiGLU";
    }
    if (c.norm != models::NormKind::rms || c.normsPerLayer != 2) {
        return "norms other than two RMSNorms per block";
    }
    if (c.attentionBias || c.outputBias || c.mlpBias || c.fusedQkv || c.fusedGateUp ||
        c.qkNorm != models::QkNorm::none || c.attnSoftcap || c.finalSoftcap || c.attentionSinks ||
        c.slidingWindow > 0 || c.learnedPositions > 0 || c.tieEmbeddings) {
        return "biases, fused projections, Q/K norms, soft-capping, sinks, a sliding window, "
               "learned positions or tied embeddings";
    }
    return {};
}

WholeModel resolveWholeModel(const std::string& arg) {
    WholeModel m;
    if (!arg.empty()) {
        const auto family = unwrap(models::familyOf(arg));
        if (family == core::ModelFamily::vit) {
            m.vit = true;
            m.vitConfig = unwrap(models::resolveVit(arg));
            const models::VitConfig& v = m.vitConfig;
            if (v.arch != models::VitArch::vit || v.distillationTokens > 0 || v.classTokens != 1) {
                throw CliError{kUsage,
                               "validate --whole runs ViT/DeiT models with one class "
                               "token; " +
                                   v.id + " is not one"};
            }
            m.id = v.id;
            m.vitShape.image = v.imageSize;
            m.vitShape.patch = v.patchSize;
            m.vitShape.channels = v.inChannels;
            m.vitShape.dim = v.embedDim;
            m.vitShape.depth = v.depth;
            m.vitShape.heads = v.numHeads;
            m.vitShape.mlp = v.mlpHidden;
            m.vitShape.classes = v.numClasses;
            m.vitConfig.floatType = core::DataType::fp32;
            return m;
        }
        if (family != core::ModelFamily::llm) {
            throw CliError{kUsage, "validate --whole runs LLM decoders and ViTs, not the " +
                                       std::string(core::nameOf(family)) + " model " + arg};
        }
    }
    m.llm = arg.empty() ? validateDefaultModel() : resolveModel(arg);
    if (const std::string feature = unsupportedDecoderFeature(m.llm); !feature.empty()) {
        throw CliError{kUsage,
                       "validate --whole runs Llama-style decoders (RMSNorm, rotary GQA attention, "
                       "SwiGLU MLP, untied lm_head); " +
                           m.llm.id + " has " + feature};
    }
    m.id = m.llm.id;
    m.decoder.hidden = m.llm.hiddenSize;
    m.decoder.intermediate = m.llm.intermediateSize;
    m.decoder.layers = m.llm.numLayers;
    m.decoder.heads = m.llm.numHeads;
    m.decoder.kvHeads = m.llm.numKvHeads;
    m.decoder.headDim = m.llm.headDim;
    m.decoder.vocab = m.llm.vocabSize;
    m.llm.floatType = core::DataType::fp32;
    return m;
}

// The engine's analysis of one pass at FP32 with fused attention, blocks not folded.
core::Report predict(const WholeModel& m, core::Phase phase, std::int64_t prompt,
                     const core::Hardware& hw) {
    core::RunSettings s;
    s.phase = phase;
    s.batch = 1;
    s.promptLength = prompt;
    s.contextLength = phase == core::Phase::decode ? prompt + 1 : prompt;
    s.flashAttention = true;
    auto workload = m.vit ? models::buildVit(m.vitConfig, s) : models::buildLlm(m.llm, s, {});
    return core::analyze(unwrap(std::move(workload)), hw);
}

std::string pct(double fraction, bool sign = false) {
    char text[32];
    std::snprintf(text, sizeof text, sign ? "%+.1f%%" : "%.1f%%", 100 * fraction);
    return text;
}

std::string secs(double s) {
    return core::formatSeconds(s, 3);
}

std::string pad(const std::string& text, std::size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

void printTable(std::ostringstream& out, const std::vector<std::vector<std::string>>& table,
                bool markdown) {
    std::vector<std::size_t> widths(table.front().size(), 0);
    for (const auto& row : table) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    for (std::size_t r = 0; r < table.size(); ++r) {
        for (std::size_t i = 0; i < table[r].size(); ++i) {
            out << (markdown ? "| " : "") << pad(table[r][i], widths[i] + (markdown ? 1 : 2));
        }
        out << (markdown ? "|\n" : "\n");
        if (markdown && r == 0) {
            for (std::size_t w : widths) {
                out << "|" << std::string(w + 2, '-');
            }
            out << "|\n";
        }
    }
}

std::string renderText(const std::vector<calibrate::WholePassResult>& runs,
                       const std::vector<std::string>& header, bool perLayer, bool markdown) {
    std::ostringstream out;
    for (const auto& line : header) {
        out << line << (markdown ? "  \n" : "\n");
    }
    out << '\n';
    std::vector<std::vector<std::string>> summary = {
        {"threads", "pass", "layers", "measured", "roofline", "expected", "expected total err",
         "roofline total err", "expected median/p90", "roofline median/p90", "faster than roof",
         "faster than cache roof"}};
    for (const auto& r : runs) {
        const calibrate::WholeSummary& s = r.summary;
        summary.push_back(
            {std::to_string(r.threads), r.phase, std::to_string(s.layers), secs(s.measuredSeconds),
             secs(s.rooflineSeconds), secs(s.expectedSeconds), pct(s.expectedTotalError, true),
             pct(s.rooflineTotalError, true), pct(s.expectedMedian) + " / " + pct(s.expectedP90),
             pct(s.rooflineMedian) + " / " + pct(s.rooflineP90), std::to_string(s.fasterThanRoof),
             std::to_string(s.fasterThanCacheRoof)});
    }
    printTable(out, summary, markdown);
    for (const auto& r : runs) {
        out << "\n"
            << r.phase << " at " << r.threads << " thread(s), " << r.queries << " quer"
            << (r.queries == 1 ? "y" : "ies") << ", " << r.keys << " keys"
            << (perLayer ? "" : " (per op, summed over the blocks)") << ":\n";
        std::vector<std::vector<std::string>> table = {{perLayer ? "layer" : "op", "count", "bound",
                                                        "measured", "roofline", "expected",
                                                        "expected err", "roofline err", "flag"}};
        if (perLayer) {
            for (const auto& row : r.rows) {
                table.push_back({row.name, "1", row.bound,
                                 row.measured ? secs(row.measuredSeconds) : "not run",
                                 secs(row.rooflineSeconds), secs(row.expectedSeconds),
                                 row.measured ? pct(row.expectedError) : "",
                                 row.measured ? pct(row.rooflineError) : "",
                                 row.fasterThanCacheRoof ? "FASTER THAN THE CACHE ROOF"
                                 : row.fasterThanRoof    ? "faster than the DRAM roof"
                                                         : ""});
            }
        } else {
            // One row per op in first-seen order; errors of the op's summed times.
            std::vector<std::string> order;
            std::map<std::string, std::vector<const calibrate::WholeLayerRow*>> byOp;
            for (const auto& row : r.rows) {
                if (byOp[row.op].empty()) {
                    order.push_back(row.op);
                }
                byOp[row.op].push_back(&row);
            }
            for (const auto& op : order) {
                double measured = 0;
                double roof = 0;
                double expected = 0;
                int faster = 0;
                int fasterCache = 0;
                bool all = true;
                for (const calibrate::WholeLayerRow* row : byOp[op]) {
                    measured += row->measuredSeconds;
                    roof += row->rooflineSeconds;
                    expected += row->expectedSeconds;
                    faster += row->fasterThanRoof ? 1 : 0;
                    fasterCache += row->fasterThanCacheRoof ? 1 : 0;
                    all = all && row->measured;
                }
                table.push_back(
                    {op, std::to_string(byOp[op].size()), byOp[op].front()->bound,
                     all ? secs(measured) : "not run", secs(roof), secs(expected),
                     all && measured > 0 ? pct(std::fabs(expected - measured) / measured) : "",
                     all && measured > 0 ? pct(std::fabs(roof - measured) / measured) : "",
                     fasterCache > 0 ? std::to_string(fasterCache) + " FASTER THAN THE CACHE ROOF"
                     : faster > 0    ? std::to_string(faster) + " faster than the DRAM roof"
                                     : ""});
            }
        }
        printTable(out, table, markdown);
        for (const auto& name : r.unmatched) {
            out << "note: measured " << name << " has no engine layer of that name\n";
        }
    }
    out << "\nerrors are |predicted - measured| / measured; \"total err\" is signed (negative: "
           "the prediction is faster than the machine); a layer is faster than the DRAM roof when "
           "even its p90 time is below the roofline bound (every byte at main memory), and "
           "FASTER THAN THE CACHE ROOF when it is also below the cache-aware bound (its "
           "activations at the last-level cache's ceiling when they fit in it).\n";
    return out.str();
}

std::string renderCsv(const std::vector<calibrate::WholePassResult>& runs) {
    std::ostringstream out;
    out << "threads,phase,layer,op,kind,bound,roofline_s,expected_s,measured_s,p10_s,p90_s,"
           "expected_abs_error,roofline_abs_error,faster_than_roof,cache_roof_s,"
           "faster_than_cache_roof\n";
    char line[512];
    for (const auto& r : runs) {
        for (const auto& row : r.rows) {
            std::snprintf(line, sizeof line,
                          "%d,%s,%s,%s,%s,\"%s\",%.6g,%.6g,%.6g,%.6g,%.6g,%.4f,%.4f,%d,%.6g,%d\n",
                          r.threads, r.phase.c_str(), row.name.c_str(), row.op.c_str(),
                          row.kind.c_str(), row.bound.c_str(), row.rooflineSeconds,
                          row.expectedSeconds, row.measuredSeconds, row.p10, row.p90,
                          row.expectedError, row.rooflineError, row.fasterThanRoof ? 1 : 0,
                          row.cacheRoofSeconds, row.fasterThanCacheRoof ? 1 : 0);
            out << line;
        }
    }
    return out.str();
}

std::string renderJson(const std::vector<calibrate::WholePassResult>& runs,
                       nlohmann::ordered_json doc) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& r : runs) {
        const calibrate::WholeSummary& s = r.summary;
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const auto& row : r.rows) {
            layers.push_back({{"name", row.name},
                              {"op", row.op},
                              {"kind", row.kind},
                              {"bound", row.bound},
                              {"repeat", row.repeat},
                              {"ops", row.ops},
                              {"bytes", row.bytes},
                              {"roofline_seconds", row.rooflineSeconds},
                              {"expected_seconds", row.expectedSeconds},
                              {"measured", row.measured},
                              {"measured_median_seconds", row.measuredSeconds},
                              {"measured_p10_seconds", row.p10},
                              {"measured_p90_seconds", row.p90},
                              {"expected_abs_error", row.expectedError},
                              {"roofline_abs_error", row.rooflineError},
                              {"faster_than_roof", row.fasterThanRoof},
                              {"cache_roof_seconds", row.cacheRoofSeconds},
                              {"faster_than_cache_roof", row.fasterThanCacheRoof}});
        }
        list.push_back({{"threads", r.threads},
                        {"phase", r.phase},
                        {"queries", r.queries},
                        {"keys", r.keys},
                        {"summary",
                         {{"layers", s.layers},
                          {"measured_seconds", s.measuredSeconds},
                          {"roofline_seconds", s.rooflineSeconds},
                          {"expected_seconds", s.expectedSeconds},
                          {"expected_total_error", s.expectedTotalError},
                          {"roofline_total_error", s.rooflineTotalError},
                          {"expected_abs_error_median", s.expectedMedian},
                          {"expected_abs_error_p90", s.expectedP90},
                          {"roofline_abs_error_median", s.rooflineMedian},
                          {"roofline_abs_error_p90", s.rooflineP90},
                          {"faster_than_roof", s.fasterThanRoof},
                          {"faster_than_cache_roof", s.fasterThanCacheRoof}}},
                        {"unmatched", r.unmatched},
                        {"layers", layers}});
    }
    doc["runs"] = list;
    return doc.dump(2) + "\n";
}

}  // namespace

namespace {

models::ReferenceDecoder referenceDecoder(const calibrate::DecoderShape& d) {
    return {d.hidden, d.intermediate, d.layers, d.heads, d.kvHeads, d.headDim, d.vocab};
}

models::ReferenceVit referenceVit(const calibrate::VitShape& v) {
    return {v.image, v.patch, v.channels, v.dim, v.depth, v.heads, v.mlp, v.classes};
}

}  // namespace

calibrate::PassPredictor referencePassPredictor() {
    return [](const calibrate::KernelClassPass& pass, core::Phase phase,
              const core::Hardware& hw) -> core::Result<core::Report> {
        auto workload = pass.vit ? models::referenceVitPass(referenceVit(pass.vitShape))
                                 : models::referenceDecoderPass(referenceDecoder(pass.decoder),
                                                                phase, pass.prompt);
        if (!workload) {
            return workload.error();
        }
        return core::analyze(std::move(workload).value(), hw);
    };
}

int runValidateWhole(const WholeRequest& request) {
    const auto format = parseFormat(request.format.empty() ? "table" : request.format,
                                    {core::ReportFormat::table, core::ReportFormat::json,
                                     core::ReportFormat::csv, core::ReportFormat::md});
    const hwdb::Database db = loadDatabase(false);
    const core::Hardware hw = resolveHardware(db, request.hwArg);
    const WholeModel model = resolveWholeModel(request.model);
    const calibrate::MachineContext machine = calibrate::detectMachine();
    const double bytes = model.vit ? calibrate::vitBytes(model.vitShape)
                                   : calibrate::decoderBytes(model.decoder, request.prompt);
    if (machine.memoryBytes > 0 && bytes > 0.8 * machine.memoryBytes) {
        throw CliError{kUsage, "validate --whole: " + model.id + " needs " +
                                   core::formatSi(bytes, "B") + " of FP32 weights and " +
                                   "activations, more than 80 % of this machine's " +
                                   core::formatSi(machine.memoryBytes, "B")};
    }
    std::vector<int> counts = request.threadCounts;
    if (counts.empty()) {
        counts = {1, std::max(1, machine.physicalCores)};
    }
    std::sort(counts.begin(), counts.end());
    counts.erase(std::unique(counts.begin(), counts.end()), counts.end());

    std::vector<std::string> header = {
        "validate --whole: model " + model.id + " (FP32, random weights, " +
            (model.vit ? std::string("one forward pass")
                       : "prefill of " + std::to_string(request.prompt) +
                             " tokens, then one decode step") +
            "), profile " + hw.id + ", " + std::to_string(request.repeats) + " timed pass(es)",
        "machine: " + machine.cpuModel + ", " + std::to_string(machine.physicalCores) +
            " physical core(s)"};
    const core::CancelToken& cancel = installInterruptHandler();
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    std::vector<calibrate::WholePassResult> runs;
    for (int threads : counts) {
        core::Hardware device = hw;
        if (auto at = hw.atThreads(threads)) {
            device = std::move(at).value();
        } else {
            header.push_back("note: " + hw.id + " has no ceilings at " + std::to_string(threads) +
                             " thread(s); the " + std::to_string(threads) +
                             "-thread run is priced with its top-level ceilings (" +
                             at.error().message + ")");
        }
        calibrate::WholeOptions options;
        options.cpus = calibrate::selectCpus(machine, threads);
        options.repeats = request.repeats;
        options.prompt = request.prompt;
        auto progress = [&](double fraction, std::string_view step) {
            std::cerr << (tty ? "\r\033[K" : "") << "validate --whole: " << threads
                      << " thread(s): " << static_cast<int>(100 * fraction) << " % " << step
                      << (tty ? "" : "\n") << std::flush;
        };
        std::vector<calibrate::MeasuredPass> passes;
        if (model.vit) {
            passes.push_back(unwrap(calibrate::runVit(model.vitShape, options, cancel, progress)));
        } else {
            passes = unwrap(calibrate::runDecoder(model.decoder, options, cancel, progress));
        }
        for (const auto& pass : passes) {
            const core::Phase phase =
                pass.phase == "decode" ? core::Phase::decode : core::Phase::prefill;
            const core::Report report = predict(model, phase, request.prompt, device);
            if (runs.empty()) {
                header.push_back("efficiency model: " + report.efficiency);
            }
            runs.push_back(
                calibrate::joinWhole(pass, report, static_cast<int>(options.cpus.size()), &device));
        }
    }
    if (tty) {
        std::cerr << "\r\033[K" << std::flush;
    }
    std::string text;
    if (format == core::ReportFormat::json) {
        nlohmann::ordered_json doc;
        doc["schema_version"] = 1;
        doc["kind"] = "rooflens-whole-validation";
        doc["model"] = model.id;
        doc["family"] = model.vit ? "vit" : "llm";
        doc["profile"] = hw.id;
        doc["prompt_len"] = request.prompt;
        doc["repeats"] = request.repeats;
        doc["cpu"] = machine.cpuModel;
        doc["notes"] = header;
        text = renderJson(runs, doc);
    } else if (format == core::ReportFormat::csv) {
        text = renderCsv(runs);
    } else {
        text = renderText(runs, header, request.perLayer, format == core::ReportFormat::md);
    }
    emit(text, request.output);
    return kOk;
}

}  // namespace rooflens::cli
