#include "core/workload.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <mutex>
#include <set>
#include <string>

namespace rooflens::core {

namespace {

constexpr std::array<std::string_view, kLayerKindCount> kLayerKindNames = {
    "gemm",      "attention", "matmul",    "softmax",       "norm",     "elementwise",
    "embedding", "router",    "spmm",      "gather",        "fft",      "ssm_conv",
    "ssm_scan",  "allreduce", "allgather", "reducescatter", "alltoall", "p2p"};

// Sum of min(j, window) for j = first..last (window <= 0: no cap).
double sumCapped(double first, double last, double window) {
    if (last < first) {
        return 0;
    }
    if (window <= 0 || last <= window) {
        return (last * (last + 1) - (first - 1) * first) / 2;
    }
    double sum = 0;
    if (first <= window) {
        sum += (window * (window + 1) - (first - 1) * first) / 2;
        first = window + 1;
    }
    return sum + window * (last - first + 1);
}

}  // namespace

std::string_view nameOf(LayerKind kind) {
    return kLayerKindNames[static_cast<std::size_t>(kind)];
}

bool isCommunication(LayerKind kind) {
    return kind == LayerKind::allreduce || kind == LayerKind::allgather ||
           kind == LayerKind::reducescatter || kind == LayerKind::alltoall ||
           kind == LayerKind::p2p;
}

std::optional<LayerKind> parseLayerKind(std::string_view name) {
    for (std::size_t i = 0; i < kLayerKindNames.size(); ++i) {
        if (kLayerKindNames[i] == name) {
            return static_cast<LayerKind>(i);
        }
    }
    return std::nullopt;
}

std::string_view nameOf(Phase phase) {
    switch (phase) {
        case Phase::prefill:
            return "prefill";
        case Phase::decode:
            return "decode";
        case Phase::request:
            return "request";
    }
    return "?";
}

std::optional<Phase> parsePhase(std::string_view name) {
    for (Phase phase : {Phase::prefill, Phase::decode, Phase::request}) {
        if (nameOf(phase) == name) {
            return phase;
        }
    }
    return std::nullopt;
}

std::string_view nameOf(ModelFamily family) {
    switch (family) {
        case ModelFamily::llm:
            return "llm";
        case ModelFamily::vit:
            return "vit";
        case ModelFamily::gnn:
            return "gnn";
        case ModelFamily::onnx:
            return "onnx";
    }
    return "?";
}

std::optional<ModelFamily> parseModelFamily(std::string_view name) {
    for (ModelFamily family :
         {ModelFamily::llm, ModelFamily::vit, ModelFamily::gnn, ModelFamily::onnx}) {
        if (nameOf(family) == name) {
            return family;
        }
    }
    return std::nullopt;
}

std::string Layer::name() const {
    if (block < 0) {
        return std::string(op);
    }
    // One allocation: the chart spec names every point of every series on each GUI change.
    char digits[16];
    const auto written = std::to_chars(digits, digits + sizeof digits, block);
    constexpr std::string_view kPrefix = "blocks.";
    std::string result;
    result.reserve(kPrefix.size() + static_cast<std::size_t>(written.ptr - digits) + 1 + op.size());
    result.append(kPrefix).append(digits, written.ptr).append(1, '.').append(op);
    return result;
}

std::string WeightTensor::name() const {
    Layer layer;
    layer.op = op;
    layer.block = block;
    return layer.name();
}

std::string_view internName(std::string_view name) {
    static std::mutex mutex;
    static std::set<std::string, std::less<>> names;
    const std::lock_guard<std::mutex> lock(mutex);
    auto it = names.find(name);
    if (it == names.end()) {
        it = names.emplace(name).first;
    }
    return *it;
}

double attentionPairs(double queries, double keys, double window, bool causal) {
    if (!causal) {
        return queries * (window > 0 ? std::min(keys, window) : keys);
    }
    // Query at 0-based position p sees min(p + 1, window) keys; queries occupy the last
    // `queries` positions of the `keys` context.
    return sumCapped(keys - queries + 1, keys, window);
}

double chunkedAttentionPairs(double queries, double keys, double chunk) {
    if (chunk <= 0) {
        return attentionPairs(queries, keys, 0, true);
    }
    // Sum of ((p mod C) + 1) over the first n positions: q full chunks and a partial one.
    const auto prefix = [chunk](double n) {
        const double full = std::floor(n / chunk);
        const double rest = n - full * chunk;
        return full * chunk * (chunk + 1) / 2 + rest * (rest + 1) / 2;
    };
    return prefix(keys) - prefix(keys - queries);
}

double attentionPairs(const AttentionShape& shape) {
    if (shape.chunk > 0 && shape.causal) {
        return chunkedAttentionPairs(shape.queries, shape.keys, shape.chunk);
    }
    return attentionPairs(shape.queries, shape.keys, shape.window, shape.causal);
}

double fusedKeyReads(const AttentionShape& shape, double blockRows) {
    const double rows = std::max(1.0, std::floor(blockRows));
    const double offset = shape.keys - shape.queries;  // positions already in the cache
    double reads = 0;
    for (double start = 0; start < shape.queries; start += rows) {
        const double end = std::min(start + rows, shape.queries);
        double high = shape.causal ? offset + end : shape.keys;
        double low = 0;
        if (shape.window > 0) {
            low = std::max(0.0, offset + start - shape.window + 1);
        }
        if (shape.chunk > 0) {
            // The block reads from the start of its first query's chunk.
            low = std::max(low, std::floor((offset + start) / shape.chunk) * shape.chunk);
        }
        reads += high - low;
    }
    return reads;
}

double matrixMacs(const Layer& layer, const Workload& workload) {
    if (layer.attentionShape >= 0) {
        const AttentionShape& s =
            workload.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
        if (s.valueDim > 0 || s.chunk > 0) {
            // QK over the key width, PV over the value width.
            const double values = s.valueDim > 0 ? s.valueDim : s.headDim;
            return s.batch * s.queryHeads * (s.headDim + values) * attentionPairs(s);
        }
        return 2 * s.batch * s.queryHeads * s.headDim *
               attentionPairs(s.queries, s.keys, s.window, s.causal);
    }
    if (layer.kind == LayerKind::gemm || layer.kind == LayerKind::matmul ||
        layer.kind == LayerKind::router) {
        return layer.m * layer.k * layer.n;
    }
    return 0;
}

double gatherReuse(const GatherShape& shape, double onChipBytes) {
    const double table = shape.tableRows * shape.rowBytes;
    if (table <= 0) {
        return 1.0;
    }
    return std::clamp(onChipBytes / table, 0.0, 1.0);
}

double gatheredBytes(const GatherShape& shape, double onChipBytes) {
    const double eta = gatherReuse(shape, onChipBytes);
    const double randomRow = std::max(shape.rowBytes, shape.sectorBytes);
    // Misses fetch whole sectors; the resident part is streamed in once at its real size.
    return randomRow * shape.gathers * (1 - eta) + shape.rowBytes * shape.tableRows * eta;
}

}  // namespace rooflens::core
