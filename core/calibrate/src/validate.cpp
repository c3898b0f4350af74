#include "calibrate/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "calibrate/gemm.h"
#include "calibrate/layer_kernels.h"

namespace rooflens::calibrate {

namespace {

constexpr double kFloat = 4.0;

double d(std::int64_t v) {
    return static_cast<double>(v);
}

// (query, key) pairs of causal attention for `queries` queries ending at key position keys-1.
double attentionPairs(const ValidationSpec& s) {
    if (!s.causal) {
        return d(s.queries) * d(s.keys);
    }
    return d(s.queries) * d(s.keys) - d(s.queries) * d(s.queries - 1) / 2;
}

// Interpolates the bandwidth by the write share: 0 -> read roof, >= 1/3 (triad) -> read+write.
double bandwidthFor(const Roofs::Level& level, double writeShare) {
    const double rw = level.readWriteBytesPerSecond > 0 ? level.readWriteBytesPerSecond
                                                        : level.readBytesPerSecond;
    const double t = std::clamp(writeShare * 3, 0.0, 1.0);
    return level.readBytesPerSecond + t * (rw - level.readBytesPerSecond);
}

}  // namespace

double Roofs::gemmEfficiencyFor(double rows) const {
    const auto& table = gemmEfficiencyByRows;
    if (table.empty() || rows <= 0) {
        return gemmEfficiency;
    }
    if (rows <= table.front().first) {
        return table.front().second;
    }
    if (rows >= table.back().first) {
        return table.back().second;
    }
    for (std::size_t i = 1; i < table.size(); ++i) {
        if (rows <= table[i].first) {
            const auto [m0, e0] = table[i - 1];
            const auto [m1, e1] = table[i];
            const double t = std::log(rows / m0) / std::log(m1 / m0);
            return e0 + t * (e1 - e0);
        }
    }
    return table.back().second;
}

std::string_view nameOf(KernelClass kind) {
    switch (kind) {
        case KernelClass::gemm:
            return "gemm";
        case KernelClass::gemv:
            return "gemv";
        case KernelClass::spmm:
            return "spmm";
        case KernelClass::attention:
            return "attention";
        case KernelClass::norm:
            return "norm";
    }
    return "?";
}

int ValidationSpec::weightCopies() const {
    const double weight = kFloat * d(n) * d(k);
    if (kind != KernelClass::gemv || coldBytes <= weight || weight <= 0) {
        return 1;
    }
    return static_cast<int>(std::ceil(coldBytes / weight));
}

std::string ValidationSpec::shape() const {
    switch (kind) {
        case KernelClass::gemm:
        case KernelClass::gemv:
            return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) +
                   (weightCopies() > 1 ? " cold x" + std::to_string(weightCopies()) : "");
        case KernelClass::norm:
            return std::to_string(m) + "x" + std::to_string(k);
        case KernelClass::attention:
            return std::to_string(heads) + "h/" + std::to_string(kvHeads) + "kv x " +
                   std::to_string(queries) + "q x " + std::to_string(keys) + "k x " +
                   std::to_string(headDim);
        case KernelClass::spmm:
            return std::to_string(m) + " rows x deg " + std::to_string(degree) + " x F" +
                   std::to_string(features);
    }
    return "";
}

KernelCost costOf(const ValidationSpec& s) {
    KernelCost c;
    switch (s.kind) {
        case KernelClass::gemm:
        case KernelClass::gemv:
            c.ops = 2 * d(s.m) * d(s.n) * d(s.k);
            c.readBytes = kFloat * (d(s.n) * d(s.k) + d(s.m) * d(s.k));
            c.writeBytes = kFloat * d(s.m) * d(s.n);
            break;
        case KernelClass::norm:
            c.ops = 4 * d(s.m) * d(s.k);
            c.readBytes = kFloat * (d(s.m) * d(s.k) + d(s.k));
            c.writeBytes = kFloat * d(s.m) * d(s.k);
            break;
        case KernelClass::attention:
            c.ops = 4 * d(s.headDim) * attentionPairs(s) * d(s.heads);
            c.readBytes =
                kFloat * d(s.headDim) * (d(s.heads) * d(s.queries) + 2 * d(s.kvHeads) * d(s.keys));
            c.writeBytes = kFloat * d(s.headDim) * d(s.heads) * d(s.queries);
            break;
        case KernelClass::spmm: {
            const double nnz = d(s.m) * s.degree;
            c.ops = 2 * nnz * s.features;
            c.gatheredBytes = kFloat * nnz * s.features;
            c.readBytes = c.gatheredBytes + 8 * (d(s.m) + 1) + 8 * nnz;
            c.writeBytes = kFloat * d(s.m) * s.features;
            c.footprintBytes = kFloat * d(s.m) * s.features * 2 + 8 * (d(s.m) + 1) + 8 * nnz;
            return c;
        }
    }
    c.footprintBytes = c.bytes() + kFloat * d(s.n) * d(s.k) * (s.weightCopies() - 1);
    return c;
}

Prediction predict(const ValidationSpec& spec, const KernelCost& cost, const Roofs& roofs) {
    Prediction p;
    const double compute = roofs.computeOpsPerSecond > 0 ? cost.ops / roofs.computeOpsPerSecond : 0;
    const Roofs::Level* level = nullptr;
    for (const auto& l : roofs.levels) {
        if (l.readBytesPerSecond > 0 && cost.footprintBytes <= 0.75 * l.capacityBytes) {
            level = &l;
            break;
        }
    }
    if (level == nullptr && !roofs.levels.empty()) {
        level = &roofs.levels.back();
    }
    double memory = 0;
    std::string memoryName;
    if (level != nullptr) {
        const double writeShare = cost.bytes() > 0 ? cost.writeBytes / cost.bytes() : 0;
        const double bandwidth = bandwidthFor(*level, writeShare);
        memoryName =
            level->name +
            (writeShare * 3 >= 0.5 && level->readWriteBytesPerSecond > 0 ? " read+write" : " read");
        if (spec.kind == KernelClass::spmm && roofs.gatherBytesPerSecond > 0) {
            memory = cost.gatheredBytes / roofs.gatherBytesPerSecond +
                     (cost.bytes() - cost.gatheredBytes) / bandwidth;
            memoryName = "gather-256B + " + memoryName;
        } else {
            memory = cost.bytes() / bandwidth;
        }
    }
    p.seconds = std::max(compute, memory);
    p.bound = compute >= memory ? roofs.computeName : memoryName;
    const double eta = spec.kind == KernelClass::gemm ? roofs.gemmEfficiencyFor(d(spec.m)) : 1;
    const bool library = eta > 0 && eta < 1;
    const double achievableCompute = library ? compute / eta : compute;
    p.achievableSeconds = std::max(achievableCompute, memory);
    if (achievableCompute < memory) {
        p.achievableBound = memoryName;
    } else if (library) {
        char text[64];
        std::snprintf(text, sizeof text, " at %.0f %% of FMA", 100 * eta);
        p.achievableBound = roofs.gemmName + text;
    } else {
        p.achievableBound = roofs.computeName;
    }
    return p;
}

std::vector<ErrorSummary> summarizeErrors(const std::vector<ValidationRow>& rows) {
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> groups;
    for (const auto& row : rows) {
        for (const std::string& name : {std::string(nameOf(row.spec.kind)), std::string("all")}) {
            groups[name].first.push_back(row.error);
            groups[name].second.push_back(row.roofError);
        }
    }
    std::vector<ErrorSummary> out;
    for (const std::string name : {"gemm", "gemv", "spmm", "attention", "norm", "all"}) {
        if (auto it = groups.find(name); it != groups.end()) {
            const auto& [errors, roofErrors] = it->second;
            out.push_back({name, static_cast<int>(errors.size()), quantile(errors, 0.5),
                           quantile(errors, 0.9), quantile(roofErrors, 0.5),
                           quantile(roofErrors, 0.9)});
        }
    }
    return out;
}

}  // namespace rooflens::calibrate
