// The preset catalog of `rooflens scenarios list`: each preset's mechanism in words, derived from
// its fields, and the papers its citation names.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/scenario.h"

namespace rooflens::core {

namespace {

std::string number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

std::string formatWords(const TensorFormat& f) {
    std::string text(nameOf(f.type));
    if (f.groupSize > 0) {
        text += " g" + std::to_string(f.groupSize);
        if (f.groupRows > 1) {
            text += "x" + std::to_string(f.groupRows);
        }
    }
    if (f.channelScale) {
        text += " + channel scale";
    }
    if (f.secondLevelGroup > 0) {
        text += " + quantized stats";
    }
    if (f.outlierFraction > 0) {
        text += " + " + number(100 * f.outlierFraction) + "% outliers";
    }
    if (f.clusters > 0) {
        text += " + " + std::to_string(f.clusters) +
                " reordered channel clusters with a scale each (reorder fused into LayerNorm)";
    }
    if (f.olive) {
        text += " outlier-victim pairs (no outlier storage, " + number(f.decodeOps) +
                " decode OPs per element)";
    }
    return text;
}

// Splits at `separator` outside parentheses.
std::vector<std::string> splitTopLevel(const std::string& text, const std::string& separator) {
    std::vector<std::string> parts;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(') {
            ++depth;
        } else if (text[i] == ')') {
            depth = std::max(0, depth - 1);
        } else if (depth == 0 && text.compare(i, separator.size(), separator) == 0) {
            parts.push_back(text.substr(start, i - start));
            start = i + separator.size();
            i = start - 1;
        }
    }
    parts.push_back(text.substr(start));
    return parts;
}

std::string arxivIn(const std::string& text) {
    const auto at = text.find("arXiv:");
    if (at == std::string::npos) {
        return "";
    }
    std::size_t end = at + 6;
    while (end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.')) {
        ++end;
    }
    return text.substr(at + 6, end - at - 6);
}

std::string bitsText(const std::optional<TensorFormat>& format, double k) {
    return format
               ? number(format->effectiveBits(k)) + " (" + std::string(nameOf(format->type)) + ")"
               : std::string("16 (native)");
}

// KV bits with GEAR's residual counted for heads of 128 (Llama, Mistral, Mixtral).
std::string kvBitsText(const Scenario& s) {
    if (!s.kvCache) {
        return "16 (native)";
    }
    return number(kvEffectiveBits(*s.kvCache, 128)) + " (" +
           std::string(nameOf(s.kvCache->format.type)) + ")";
}

}  // namespace

std::string mechanismOf(const Scenario& s) {
    std::vector<std::string> parts;
    if (s.weights) {
        parts.push_back("weights " + formatWords(*s.weights));
    }
    if (s.activations) {
        parts.push_back("activations " + formatWords(*s.activations));
    }
    if (s.kvCache) {
        std::string kv = "KV cache " + formatWords(s.kvCache->format);
        if (s.kvCache->fullPrecisionWindow > 0) {
            kv += ", last " + std::to_string(s.kvCache->fullPrecisionWindow) + " tokens 16-bit";
        }
        if (s.kvCache->keptRatio < 1) {
            kv += ", " + number(100 * s.kvCache->keptRatio) + "% of older tokens kept";
        }
        if (const auto& r = s.kvCache->residual) {
            kv += " + low-rank residual r=" + std::to_string(r->rank) + " per head and " +
                  std::to_string(r->groupTokens) + " tokens + " + number(100 * r->outlierFraction) +
                  "% sparse outliers, rebuilt at decode";
        }
        parts.push_back(kv);
    }
    if (s.sparsity.kind == SparsityKind::structured24) {
        parts.push_back("2:4 sparse weights");
    } else if (s.sparsity.kind == SparsityKind::unstructured) {
        parts.push_back("unstructured sparsity " + number(100 * (1 - s.sparsity.density)) + "%");
    }
    if (s.lowRank && (s.lowRank->rankRatio > 0 || s.lowRank->paramRatio > 0)) {
        parts.push_back("low-rank factorized linears (" +
                        (s.lowRank->rankRatio > 0
                             ? "rank ratio " + number(s.lowRank->rankRatio)
                             : "parameter ratio " + number(s.lowRank->paramRatio)) +
                        ")");
    }
    if (s.depth.dropBlocks > 0 || s.depth.dropFraction > 0) {
        parts.push_back(s.depth.dropBlocks > 0
                            ? "drop " + std::to_string(s.depth.dropBlocks) + " blocks"
                            : "drop " + number(100 * s.depth.dropFraction) + "% of blocks");
    }
    if (s.depth.exitDepth > 0) {
        parts.push_back("early exit at depth " + number(s.depth.exitDepth));
    }
    if (s.compensation) {
        parts.push_back("rank-" + std::to_string(s.compensation->rank) + " " +
                        std::string(nameOf(s.compensation->type)) +
                        " compensation GEMM pair beside each quantized weight");
    }
    if (s.sparseAttention) {
        parts.push_back(std::string(nameOf(s.sparseAttention->filterType)) +
                        " QK^T filter over all pairs, attention on " +
                        number(100 * s.sparseAttention->keptFraction) + "% of them");
    }
    if (s.expertMerging) {
        std::string merge = "routed experts merged to " + std::to_string(s.expertMerging->experts);
        if (s.expertMerging->sharedBasisRank > 0) {
            merge +=
                " on a shared basis of rank " + std::to_string(s.expertMerging->sharedBasisRank);
        }
        parts.push_back(merge);
    }
    if (s.attention) {
        parts.push_back("attention matmuls QK^T and PV in " +
                        std::string(nameOf(s.attention->type)) +
                        " (scores and probabilities stored quantized, " +
                        number(s.attention->requantOps) + " requant OPs per element each way)");
    }
    if (s.rotation) {
        const bool hadamard = s.rotation->transform == RotationTransform::hadamard;
        std::string rot = std::string("online ") + (hadamard ? "Hadamard" : "orthogonal") +
                          " transforms (" + (hadamard ? "d log2 d" : "2 d^2") + " OPs each):";
        if (s.rotation->downProj > 0) {
            rot += " " + std::to_string(s.rotation->downProj) + " before down_proj";
        }
        if (s.rotation->attention > 0) {
            rot += std::string(s.rotation->downProj > 0 ? "," : "") + " " +
                   std::to_string(s.rotation->attention) + " per head on the attention path";
        }
        parts.push_back(rot);
    }
    if (!s.tokenReduction.empty()) {
        parts.push_back("token reduction " + s.tokenReduction);
    }
    if (!s.overrides.empty()) {
        parts.push_back(std::to_string(s.overrides.size()) + " override" +
                        (s.overrides.size() > 1 ? "s" : ""));
    }
    if (parts.empty()) {
        return "none (native precision)";
    }
    std::string text;
    for (const auto& part : parts) {
        text += (text.empty() ? "" : "; ") + part;
    }
    return text;
}

std::vector<PaperReference> papersOf(const std::string& citation) {
    std::vector<PaperReference> papers;
    for (const std::string& entry : splitTopLevel(citation, "; ")) {
        const std::string id = arxivIn(entry);
        const auto fields = splitTopLevel(entry, ", ");
        if (id.empty() && fields.size() < 2) {
            continue;  // no paper named ("Baseline (no compression).")
        }
        // "Authors, Title, Venue, arXiv:id": the title is the second field.
        PaperReference paper;
        paper.title = fields.size() > 1 ? fields[1] : fields[0];
        paper.arxivId = id;
        papers.push_back(std::move(paper));
    }
    return papers;
}

Result<std::string> scenarioCatalogJson() {
    Json list = Json::array();
    for (const auto& name : listScenarioPresets()) {
        auto s = resolveScenario(name);
        if (!s) {
            return s.error();
        }
        Json papers = Json::array();
        for (const auto& paper : papersOf(s->citation)) {
            papers.push_back({{"title", paper.title}, {"arxiv_id", paper.arxivId}});
        }
        list.push_back({{"name", name},
                        {"description", s->description},
                        {"mechanism", mechanismOf(s.value())},
                        {"citation", s->citation},
                        {"papers", papers},
                        {"weight_bits", bitsText(s->weights, 4096)},
                        {"activation_bits", bitsText(s->activations, 4096)},
                        {"kv_bits", kvBitsText(s.value())}});
    }
    Json doc{{"schema_version", 1}, {"scenarios", list}};
    return doc.dump(2) + "\n";
}

}  // namespace rooflens::core
