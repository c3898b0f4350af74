// Kernel-class efficiency curves from reference passes (kernel_classes.h).
#include "calibrate/kernel_classes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "calibrate/harness.h"
#include "core/workload.h"

namespace rooflens::calibrate {

namespace {

constexpr double kClusterSpan = 1.25;
constexpr double kMinEfficiency = 0.01;

bool fittedKind(core::LayerKind kind) {
    switch (kind) {
        case core::LayerKind::norm:
        case core::LayerKind::softmax:
        case core::LayerKind::attention:
        case core::LayerKind::elementwise:
        case core::LayerKind::gemm:
            return true;
        default:
            return false;  // embeddings keep the gather model; the rest is not in the passes
    }
}

}  // namespace

std::vector<core::KindEfficiency> fitKindEfficiency(const std::vector<WholeLayerRow>& rows) {
    std::map<core::LayerKind, std::vector<std::pair<double, double>>> points;  // bytes, e
    for (const WholeLayerRow& row : rows) {
        const auto kind = core::parseLayerKind(row.kind);
        if (!kind || !fittedKind(*kind) || !row.measured || !(row.bytes > 0)) {
            continue;
        }
        const double available = row.measuredSeconds - row.overheadSeconds;
        double base = row.rooflineSeconds;
        if (*kind == core::LayerKind::gemm) {
            // Only the memory term of a GEMV-like product is the kind's: the math keeps its grid.
            if (row.bound != "memory" || !(row.expectedComputeSeconds < available)) {
                continue;
            }
            base = row.rooflineMemorySeconds;
        }
        if (!(base > 0)) {
            continue;
        }
        const double e = available > 0 ? base / available : 1.0;
        points[*kind].emplace_back(row.bytes, std::clamp(e, kMinEfficiency, 1.0));
    }
    std::vector<core::KindEfficiency> out;
    for (auto& [kind, list] : points) {
        std::sort(list.begin(), list.end());
        core::KindEfficiency k;
        k.kind = kind;
        for (std::size_t i = 0; i < list.size();) {
            std::size_t j = i;
            double logSum = 0;
            std::vector<double> values;
            while (j < list.size() && list[j].first <= kClusterSpan * list[i].first) {
                logSum += std::log(list[j].first);
                values.push_back(list[j].second);
                ++j;
            }
            k.curve.bytes.push_back(j - i == 1 ? list[i].first
                                               : std::exp(logSum / static_cast<double>(j - i)));
            k.curve.values.push_back(quantile(values, 0.5));
            i = j;
        }
        out.push_back(std::move(k));
    }
    return out;
}

std::vector<KernelClassPass> kernelClassPasses() {
    KernelClassPass decoder;
    decoder.decoder.hidden = 1024;
    decoder.decoder.intermediate = 2816;
    decoder.decoder.layers = 1;
    decoder.decoder.heads = 16;
    decoder.decoder.kvHeads = 2;
    decoder.decoder.headDim = 64;
    decoder.decoder.vocab = 2048;
    KernelClassPass shortPrompt = decoder;
    shortPrompt.prompt = 32;
    KernelClassPass longPrompt = decoder;
    longPrompt.prompt = 512;
    KernelClassPass vit;
    vit.vit = true;
    vit.vitShape.dim = 384;
    vit.vitShape.depth = 1;
    vit.vitShape.heads = 6;
    vit.vitShape.mlp = 1536;
    return {shortPrompt, longPrompt, vit};
}

core::Result<std::vector<KernelClassFit>> addKernelClassEfficiency(
    core::Hardware& hw, const MachineContext& machine, const PassPredictor& predict, Mode mode,
    const core::CancelToken& cancel, const WholeProgress& progress) {
    std::vector<int> counts;
    for (const core::ThreadCeilings& t : hw.threadCeilings) {
        counts.push_back(t.threads);
    }
    if (counts.empty()) {
        counts.push_back(hw.threads > 0 ? hw.threads : std::max(1, machine.physicalCores));
    }
    const std::vector<KernelClassPass> passes = kernelClassPasses();
    std::vector<KernelClassFit> fits;
    const double steps = static_cast<double>(counts.size() * passes.size());
    double done = 0;
    for (int threads : counts) {
        const auto start = std::chrono::steady_clock::now();
        core::Hardware device = hw;
        if (auto at = hw.atThreads(threads)) {
            device = std::move(at).value();
        }
        WholeOptions options;
        options.cpus = selectCpus(machine, threads);
        options.repeats = mode == Mode::full ? 8 : 4;
        std::vector<WholeLayerRow> rows;
        for (const KernelClassPass& pass : passes) {
            if (progress) {
                progress(done / steps, "kernel classes");
            }
            options.prompt = pass.prompt;
            std::vector<MeasuredPass> measured;
            if (pass.vit) {
                auto run = runVit(pass.vitShape, options, cancel);
                if (!run) {
                    return run.error();
                }
                measured.push_back(std::move(run).value());
            } else {
                auto run = runDecoder(pass.decoder, options, cancel);
                if (!run) {
                    return run.error();
                }
                measured = std::move(run).value();
            }
            for (const MeasuredPass& m : measured) {
                const core::Phase phase =
                    m.phase == "decode" ? core::Phase::decode : core::Phase::prefill;
                auto report = predict(pass, phase, device);
                if (!report) {
                    return report.error();
                }
                WholePassResult joined =
                    joinWhole(m, report.value(), static_cast<int>(options.cpus.size()));
                rows.insert(rows.end(), joined.rows.begin(), joined.rows.end());
            }
            done += 1;
        }
        KernelClassFit fit;
        fit.threads = threads;
        fit.kinds = fitKindEfficiency(rows);
        fit.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (core::ThreadCeilings& t : hw.threadCeilings) {
            if (t.threads == threads && t.efficiency) {
                t.efficiency->kinds = fit.kinds;
            }
        }
        const bool topLevel = hw.threads == threads || (hw.threads <= 0 && counts.size() == 1);
        if (topLevel && hw.efficiency) {
            hw.efficiency->kinds = fit.kinds;
        }
        fits.push_back(std::move(fit));
    }
    return fits;
}

}  // namespace rooflens::calibrate
