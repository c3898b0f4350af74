// Scenario documents: parsing with located errors, serialization, presets, the bits shorthand.
#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "core/paths.h"
#include "core/scenario.h"
#include "scenario_io_paths.h"

namespace rooflens::core {

namespace {

using Keys = std::initializer_list<std::string_view>;

class ScenarioReader {
public:
    explicit ScenarioReader(const std::string& label) : m_r(label) {}

    Status onlyKeys(const Json& obj, std::string_view path, Keys keys) const {
        if (!obj.is_object()) {
            return m_r.expected(path, "an object", obj);
        }
        for (const auto& item : obj.items()) {
            if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
                std::string list;
                for (auto key : keys) {
                    list += (list.empty() ? "" : ", ") + std::string(key);
                }
                return m_r.error(childPath(path, item.key()),
                                 "unknown field (expected one of: " + list + ")");
            }
        }
        return Ok{};
    }

    Result<DataType> dataType(const Json& obj, std::string_view path, std::string_view key) const {
        auto name = m_r.string(obj, path, key);
        if (!name) {
            return name.error();
        }
        auto type = parseDataType(name.value());
        if (!type) {
            return m_r.expected(childPath(path, key),
                                "a data type (fp32, fp16, bf16, fp8_e4m3, fp8_e5m2, nvfp4, mxfp4, "
                                "mxfp6_e2m3, mxfp6_e3m2, mxfp8_e4m3, mxfp8_e5m2, int8, int4, "
                                "int3, int2, nf4, ...)",
                                obj.at(std::string(key)));
        }
        return *type;
    }

    // The element type of a format: any data type but a scale-only one (e8m0).
    Result<DataType> elementType(const Json& obj, std::string_view path) const {
        auto type = dataType(obj, path, "type");
        if (type && isScaleOnly(type.value())) {
            return m_r.expected(childPath(path, "type"),
                                "an element type (e8m0 is a scale type: use it as \"scale\")",
                                obj.at("type"));
        }
        return type;
    }

    // Group fields a microscaling type may not take: its block scale is part of the type.
    Status noGroupFields(const Json& obj, std::string_view path, DataType type) const {
        for (const char* key : {"group_size", "group_rows", "scale", "zero"}) {
            if (m_r.has(obj, key)) {
                const auto block = blockScalingOf(type).value();
                return m_r.error(childPath(path, key),
                                 std::string(nameOf(type)) + " carries its own scale (one " +
                                     std::string(nameOf(block.scale)) + " per " +
                                     std::to_string(block.blockSize) + " elements); remove \"" +
                                     key + "\"");
            }
        }
        return Ok{};
    }

    Result<double> fraction(const Json& obj, std::string_view path, std::string_view key,
                            double maximum) const {
        auto value = m_r.positive(obj, path, key);
        if (!value) {
            return value.error();
        }
        if (value.value() > maximum) {
            return m_r.expected(childPath(path, key),
                                "a number in (0, " + std::to_string(maximum).substr(0, 4) + "]",
                                obj.at(std::string(key)));
        }
        return value.value();
    }

    Result<TensorFormat> format(const Json& obj, std::string_view path) const {
        if (auto ok = onlyKeys(obj, path,
                               {"type", "group_size", "group_rows", "scale", "zero", "second_level",
                                "channel_scale", "outliers", "clusters", "encoding", "decode_ops"});
            !ok) {
            return ok.error();
        }
        TensorFormat f;
        auto type = elementType(obj, path);
        if (!type) {
            return type.error();
        }
        f.type = type.value();
        if (isBlockScaled(f.type)) {
            if (auto ok = noGroupFields(obj, path, f.type); !ok) {
                return ok.error();
            }
        }
        if (m_r.has(obj, "group_size")) {
            auto g = m_r.integer(obj, path, "group_size", 1, std::int64_t{1} << 24);
            if (!g) {
                return g.error();
            }
            f.groupSize = g.value();
        }
        if (m_r.has(obj, "group_rows")) {
            auto rows = m_r.integer(obj, path, "group_rows", 1, std::int64_t{1} << 24);
            if (!rows) {
                return rows.error();
            }
            if (f.groupSize == 0) {
                return m_r.error(childPath(path, "group_size"),
                                 "missing required field (group_rows needs a group size)");
            }
            f.groupRows = rows.value();
        }
        for (auto [key, target] : {std::pair{"scale", &f.scale}, std::pair{"zero", &f.zero},
                                   std::pair{"channel_scale", &f.channelScale}}) {
            if (m_r.has(obj, key)) {
                auto t = dataType(obj, path, key);
                if (!t) {
                    return t.error();
                }
                if (isBlockScaled(t.value())) {
                    return m_r.expected(childPath(path, key),
                                        "a scalar scale type (fp16, fp32, fp8_e4m3, e8m0, ...)",
                                        obj.at(key));
                }
                *target = t.value();
            }
        }
        if (auto ok = parseFormatExtras(m_r, obj, path, f); !ok) {
            return ok.error();
        }
        if ((f.scale || f.zero) && f.groupSize == 0 && f.clusters == 0) {
            return m_r.error(childPath(path, "group_size"),
                             "missing required field (scale or zero given without a group size)");
        }
        if (m_r.has(obj, "second_level")) {
            const Json& second = obj.at("second_level");
            const std::string p = childPath(path, "second_level");
            if (auto ok = onlyKeys(second, p, {"group", "bits", "stats"}); !ok) {
                return ok.error();
            }
            auto group = m_r.integer(second, p, "group", 1, std::int64_t{1} << 24);
            auto bits = m_r.positive(second, p, "bits");
            auto stats = m_r.integer(second, p, "stats", 1, 2);
            if (!group || !bits || !stats) {
                return !group ? group.error() : !bits ? bits.error() : stats.error();
            }
            if (f.groupSize == 0) {
                return m_r.error(childPath(path, "group_size"),
                                 "missing required field (second_level needs a group size)");
            }
            f.secondLevelGroup = group.value();
            f.secondLevelBits = bits.value();
            f.quantizedStats = static_cast<int>(stats.value());
        }
        if (m_r.has(obj, "outliers")) {
            const Json& outliers = obj.at("outliers");
            const std::string p = childPath(path, "outliers");
            if (auto ok = onlyKeys(outliers, p, {"fraction", "bits"}); !ok) {
                return ok.error();
            }
            auto fractionValue = fraction(outliers, p, "fraction", 1.0);
            if (!fractionValue) {
                return fractionValue.error();
            }
            f.outlierFraction = fractionValue.value();
            if (m_r.has(outliers, "bits")) {
                auto bits = m_r.positive(outliers, p, "bits");
                if (!bits) {
                    return bits.error();
                }
                f.outlierBits = bits.value();
            }
        }
        return f;
    }

    Result<Sparsity> sparsity(const Json& obj, std::string_view path) const {
        if (auto ok = onlyKeys(obj, path, {"kind", "density", "index", "sparse_kernel", "block"});
            !ok) {
            return ok.error();
        }
        Sparsity s;
        auto kind = m_r.string(obj, path, "kind");
        if (!kind) {
            return kind.error();
        }
        if (kind.value() == "dense") {
            s.kind = SparsityKind::dense;
        } else if (kind.value() == "2:4") {
            s.kind = SparsityKind::structured24;
            s.density = 0.5;
        } else if (kind.value() == "unstructured") {
            s.kind = SparsityKind::unstructured;
            auto density = fraction(obj, path, "density", 1.0);
            if (!density) {
                return density.error();
            }
            s.density = density.value();
            if (m_r.has(obj, "index")) {
                auto index = m_r.string(obj, path, "index");
                if (!index) {
                    return index.error();
                }
                if (index.value() == "csr16") {
                    s.index = IndexFormat::csr16;
                } else if (index.value() == "csr32") {
                    s.index = IndexFormat::csr32;
                } else if (index.value() == "bitmap") {
                    s.index = IndexFormat::bitmap;
                } else {
                    return m_r.expected(childPath(path, "index"), "csr16, csr32 or bitmap",
                                        obj.at("index"));
                }
            }
            if (m_r.has(obj, "sparse_kernel")) {
                auto kernel = m_r.boolean(obj, path, "sparse_kernel");
                if (!kernel) {
                    return kernel.error();
                }
                s.sparseKernel = kernel.value();
            }
        } else if (kind.value() == "block") {
            // LPViT: b x b weight tiles removed whole; density = fraction of tiles kept.
            s.kind = SparsityKind::block;
            auto density = fraction(obj, path, "density", 1.0);
            if (!density) {
                return density.error();
            }
            s.density = density.value();
            if (m_r.has(obj, "block")) {
                auto block = m_r.integer(obj, path, "block", 1, 4096);
                if (!block) {
                    return block.error();
                }
                s.blockSize = block.value();
            }
        } else {
            return m_r.expected(childPath(path, "kind"),
                                "dense, 2:4 or unstructured, or block (LPViT)", obj.at("kind"));
        }
        return s;
    }

    // `false` disables low rank (in overrides); otherwise exactly one of the two ratios.
    Result<LowRank> lowRank(const Json& value, std::string_view path) const {
        if (value.is_boolean() && !value.get<bool>()) {
            return LowRank{};
        }
        if (auto ok = onlyKeys(value, path, {"rank_ratio", "param_ratio", "cache_projection"});
            !ok) {
            return ok.error();
        }
        LowRank lr;
        const bool rank = m_r.has(value, "rank_ratio");
        const bool param = m_r.has(value, "param_ratio");
        if (rank == param) {
            return m_r.error(path, "expected exactly one of rank_ratio and param_ratio");
        }
        auto ratio = rank ? fraction(value, path, "rank_ratio", 1.0)
                          : fraction(value, path, "param_ratio", 4.0);
        if (!ratio) {
            return ratio.error();
        }
        (rank ? lr.rankRatio : lr.paramRatio) = ratio.value();
        if (m_r.has(value, "cache_projection")) {
            auto cache = m_r.boolean(value, path, "cache_projection");
            if (!cache) {
                return cache.error();
            }
            lr.cacheProjection = cache.value();
        }
        return lr;
    }

    Result<KvCompression> kv(const Json& obj, std::string_view path) const {
        Json formatPart = Json::object();
        KvCompression kv;
        if (!obj.is_object()) {
            return m_r.expected(path, "an object", obj);
        }
        for (const auto& item : obj.items()) {
            if (item.key() == "full_precision_window") {
                auto window = m_r.integer(obj, path, item.key(), 0, std::int64_t{1} << 40);
                if (!window) {
                    return window.error();
                }
                kv.fullPrecisionWindow = window.value();
            } else if (item.key() == "kept_ratio") {
                auto kept = fraction(obj, path, item.key(), 1.0);
                if (!kept) {
                    return kept.error();
                }
                kv.keptRatio = kept.value();
            } else if (item.key() == "residual") {
                auto residual =
                    parseKvResidual(item.value(), m_r.label(), childPath(path, item.key()));
                if (!residual) {
                    return residual.error();
                }
                kv.residual = residual.value();
            } else {
                formatPart[item.key()] = item.value();
            }
        }
        auto format = this->format(formatPart, path);
        if (!format) {
            return format.error();
        }
        kv.format = format.value();
        return kv;
    }

    Result<Depth> depth(const Json& obj, std::string_view path) const {
        if (auto ok = onlyKeys(obj, path,
                               {"drop_blocks", "drop_fraction", "exit_depth", "exit_check_every"});
            !ok) {
            return ok.error();
        }
        Depth d;
        if (m_r.has(obj, "drop_blocks")) {
            auto drop = m_r.integer(obj, path, "drop_blocks", 0, 1 << 20);
            if (!drop) {
                return drop.error();
            }
            d.dropBlocks = drop.value();
        }
        if (m_r.has(obj, "drop_fraction")) {
            if (d.dropBlocks > 0) {
                return m_r.error(childPath(path, "drop_fraction"),
                                 "give drop_blocks or drop_fraction, not both");
            }
            auto fractionValue = fraction(obj, path, "drop_fraction", 0.99);
            if (!fractionValue) {
                return fractionValue.error();
            }
            d.dropFraction = fractionValue.value();
        }
        if (m_r.has(obj, "exit_depth")) {
            auto exitDepth = m_r.positive(obj, path, "exit_depth");
            if (!exitDepth) {
                return exitDepth.error();
            }
            d.exitDepth = exitDepth.value();
        }
        if (m_r.has(obj, "exit_check_every")) {
            auto every = m_r.integer(obj, path, "exit_check_every", 1, 1 << 20);
            if (!every) {
                return every.error();
            }
            d.exitCheckEvery = every.value();
        }
        return d;
    }

    const JsonReader& reader() const { return m_r; }

private:
    JsonReader m_r;
};

const char* sparsityKindName(SparsityKind kind) {
    switch (kind) {
        case SparsityKind::dense:
            return "dense";
        case SparsityKind::structured24:
            return "2:4";
        case SparsityKind::unstructured:
            return "unstructured";
        case SparsityKind::block:
            return "block";
    }
    return "dense";
}

const char* indexName(IndexFormat index) {
    switch (index) {
        case IndexFormat::csr16:
            return "csr16";
        case IndexFormat::csr32:
            return "csr32";
        case IndexFormat::bitmap:
            return "bitmap";
    }
    return "csr16";
}

Json formatJson(const TensorFormat& f) {
    Json j{{"type", nameOf(f.type)}};
    if (f.groupSize > 0) {
        j["group_size"] = f.groupSize;
    }
    if (f.groupRows > 1) {
        j["group_rows"] = f.groupRows;
    }
    if (f.scale) {
        j["scale"] = nameOf(*f.scale);
    }
    if (f.zero) {
        j["zero"] = nameOf(*f.zero);
    }
    if (f.secondLevelGroup > 0) {
        j["second_level"] = {{"group", f.secondLevelGroup},
                             {"bits", f.secondLevelBits},
                             {"stats", f.quantizedStats}};
    }
    if (f.channelScale) {
        j["channel_scale"] = nameOf(*f.channelScale);
    }
    if (f.outlierFraction > 0) {
        j["outliers"] = {{"fraction", f.outlierFraction}, {"bits", f.outlierBits}};
    }
    writeFormatExtras(f, j);
    return j;
}

Json sparsityJson(const Sparsity& s) {
    Json j{{"kind", sparsityKindName(s.kind)}};
    if (s.kind == SparsityKind::unstructured) {
        j["density"] = s.density;
        j["index"] = indexName(s.index);
        j["sparse_kernel"] = s.sparseKernel;
    }
    if (s.kind == SparsityKind::block) {
        j["density"] = s.density;
        j["block"] = s.blockSize;
    }
    return j;
}

Json lowRankJson(const LowRank& lr) {
    if (lr.rankRatio <= 0 && lr.paramRatio <= 0) {
        return false;
    }
    Json j = Json::object();
    if (lr.rankRatio > 0) {
        j["rank_ratio"] = lr.rankRatio;
    } else {
        j["param_ratio"] = lr.paramRatio;
    }
    j["cache_projection"] = lr.cacheProjection;
    return j;
}

DataType integerOfBits(int bits) {
    static constexpr DataType kTypes[] = {DataType::int2, DataType::int3, DataType::int4,
                                          DataType::int5, DataType::int6, DataType::int7,
                                          DataType::int8};
    return kTypes[std::clamp(bits, 2, 8) - 2];
}

std::optional<TensorFormat> formatOfBits(int bits) {
    if (bits == 16) {
        return std::nullopt;
    }
    TensorFormat f;
    f.type = bits == 32 ? DataType::fp32 : integerOfBits(bits);
    return f;
}

}  // namespace

double TensorFormat::effectiveBits(double k) const {
    double bits = blockBitsOf(type);
    if (groupSize > 0) {
        const double g = static_cast<double>(groupSize);
        const double rows = static_cast<double>(std::max<std::int64_t>(groupRows, 1));
        bits += ((scale ? bitsOf(*scale) : 0) + (zero ? bitsOf(*zero) : 0)) / (g * rows);
        if (secondLevelGroup > 0) {
            bits += quantizedStats * secondLevelBits / (g * static_cast<double>(secondLevelGroup));
        }
    }
    if (channelScale && k > 0) {
        bits += bitsOf(*channelScale) / k;
    }
    if (clusters > 0 && k > 0) {
        bits += static_cast<double>(clusters) *
                ((scale ? bitsOf(*scale) : 16) + (zero ? bitsOf(*zero) : 0)) / k;
    }
    return bits + outlierBits * outlierFraction;
}

bool Scenario::compresses() const {
    return weights || activations || kvCache || sparsity != Sparsity{} || lowRank ||
           depth != Depth{} || !overrides.empty() || compensation || sparseAttention ||
           expertMerging || attention || rotation;
}

double TensorFormat::tensorScaleBytes() const {
    const auto block = blockScalingOf(type);
    return block ? block->tensorScaleBits / 8.0 : 0.0;
}

bool matchesPattern(std::string_view pattern, std::string_view name) {
    // Iterative glob with backtracking to the last '*'.
    std::size_t p = 0;
    std::size_t n = 0;
    std::size_t star = std::string_view::npos;
    std::size_t mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

Result<Scenario> parseScenario(const Json& doc, const std::string& label) {
    const ScenarioReader r(label);
    const JsonReader& j = r.reader();
    if (auto ok = r.onlyKeys(
            doc, "",
            {"schema_version", "name", "description", "citation", "weights", "activations",
             "kv_cache", "sparsity", "low_rank", "depth", "overrides", "token_reduction",
             "compensation", "sparse_attention", "expert_merging", "attention", "rotation"});
        !ok) {
        return ok.error();
    }
    auto version = j.integer(doc, "", "schema_version", 1, 1000);
    if (!version) {
        return version.error();
    }
    if (version.value() != kScenarioSchemaVersion) {
        return j.expected("/schema_version", "schema_version 1 (the only supported one)",
                          doc.at("schema_version"));
    }
    Scenario s;
    s.source.label = label;
    auto name = j.string(doc, "", "name");
    if (!name) {
        return name.error();
    }
    if (name.value().empty()) {
        return j.expected("/name", "a non-empty name", doc.at("name"));
    }
    s.name = name.value();
    for (auto [key, target] :
         {std::pair{"description", &s.description}, std::pair{"citation", &s.citation},
          std::pair{"token_reduction", &s.tokenReduction}}) {
        if (j.has(doc, key)) {
            auto text = j.string(doc, "", key);
            if (!text) {
                return text.error();
            }
            *target = text.value();
        }
    }
    for (auto [key, target] :
         {std::pair{"weights", &s.weights}, std::pair{"activations", &s.activations}}) {
        if (j.has(doc, key)) {
            auto f = r.format(doc.at(key), std::string("/") + key);
            if (!f) {
                return f.error();
            }
            *target = f.value();
        }
    }
    if (j.has(doc, "kv_cache")) {
        auto kv = r.kv(doc.at("kv_cache"), "/kv_cache");
        if (!kv) {
            return kv.error();
        }
        s.kvCache = kv.value();
    }
    if (j.has(doc, "sparsity")) {
        auto sp = r.sparsity(doc.at("sparsity"), "/sparsity");
        if (!sp) {
            return sp.error();
        }
        s.sparsity = sp.value();
    }
    if (j.has(doc, "low_rank")) {
        auto lr = r.lowRank(doc.at("low_rank"), "/low_rank");
        if (!lr) {
            return lr.error();
        }
        s.lowRank = lr.value();
    }
    if (j.has(doc, "depth")) {
        auto d = r.depth(doc.at("depth"), "/depth");
        if (!d) {
            return d.error();
        }
        s.depth = d.value();
    }
    if (j.has(doc, "overrides")) {
        const Json& list = doc.at("overrides");
        if (!list.is_array()) {
            return j.expected("/overrides", "an array", list);
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string path = childPath("/overrides", i);
            const Json& item = list[i];
            if (auto ok = r.onlyKeys(item, path,
                                     {"pattern", "weights", "activations", "sparsity", "low_rank"});
                !ok) {
                return ok.error();
            }
            LayerOverride o;
            auto pattern = j.string(item, path, "pattern");
            if (!pattern) {
                return pattern.error();
            }
            if (pattern.value().empty()) {
                return j.expected(childPath(path, "pattern"), "a non-empty name pattern",
                                  item.at("pattern"));
            }
            o.pattern = pattern.value();
            for (auto [key, target] :
                 {std::pair{"weights", &o.weights}, std::pair{"activations", &o.activations}}) {
                if (j.has(item, key)) {
                    auto f = r.format(item.at(key), childPath(path, key));
                    if (!f) {
                        return f.error();
                    }
                    if (f.value().olive) {
                        return j.error(childPath(childPath(path, key), "encoding"),
                                       "expected the olive encoding in the top-level format only "
                                       "(its decode is priced for the whole scenario)");
                    }
                    *target = f.value();
                }
            }
            if (j.has(item, "sparsity")) {
                auto sp = r.sparsity(item.at("sparsity"), childPath(path, "sparsity"));
                if (!sp) {
                    return sp.error();
                }
                o.sparsity = sp.value();
            }
            if (j.has(item, "low_rank")) {
                auto lr = r.lowRank(item.at("low_rank"), childPath(path, "low_rank"));
                if (!lr) {
                    return lr.error();
                }
                o.lowRank = lr.value();
            }
            s.overrides.push_back(std::move(o));
        }
    }
    if (auto ok = parseQuantFields(doc, label, s); !ok) {
        return ok.error();
    }
    if (auto ok = parsePathFields(doc, label, s); !ok) {
        return ok.error();
    }
    return s;
}

Result<Scenario> loadScenario(const std::filesystem::path& path) {
    auto doc = parseJsonFile(path);
    if (!doc) {
        return doc.error();
    }
    return parseScenario(doc.value(), path.string());
}

std::string serializeScenario(const Scenario& s) {
    Json doc{{"schema_version", kScenarioSchemaVersion}, {"name", s.name}};
    if (!s.description.empty()) {
        doc["description"] = s.description;
    }
    if (!s.citation.empty()) {
        doc["citation"] = s.citation;
    }
    if (!s.tokenReduction.empty()) {
        doc["token_reduction"] = s.tokenReduction;
    }
    if (s.weights) {
        doc["weights"] = formatJson(*s.weights);
    }
    if (s.activations) {
        doc["activations"] = formatJson(*s.activations);
    }
    if (s.kvCache) {
        Json kv = formatJson(s.kvCache->format);
        if (s.kvCache->fullPrecisionWindow > 0) {
            kv["full_precision_window"] = s.kvCache->fullPrecisionWindow;
        }
        if (s.kvCache->keptRatio < 1) {
            kv["kept_ratio"] = s.kvCache->keptRatio;
        }
        if (s.kvCache->residual) {
            kv["residual"] = kvResidualJson(*s.kvCache->residual);
        }
        doc["kv_cache"] = kv;
    }
    if (s.sparsity.kind != SparsityKind::dense) {
        doc["sparsity"] = sparsityJson(s.sparsity);
    }
    if (s.lowRank) {
        doc["low_rank"] = lowRankJson(*s.lowRank);
    }
    if (s.depth != Depth{}) {
        Json d = Json::object();
        if (s.depth.dropBlocks > 0) {
            d["drop_blocks"] = s.depth.dropBlocks;
        }
        if (s.depth.dropFraction > 0) {
            d["drop_fraction"] = s.depth.dropFraction;
        }
        if (s.depth.exitDepth > 0) {
            d["exit_depth"] = s.depth.exitDepth;
            d["exit_check_every"] = s.depth.exitCheckEvery;
        }
        doc["depth"] = d;
    }
    if (!s.overrides.empty()) {
        Json list = Json::array();
        for (const auto& o : s.overrides) {
            Json item{{"pattern", o.pattern}};
            if (o.weights) {
                item["weights"] = formatJson(*o.weights);
            }
            if (o.activations) {
                item["activations"] = formatJson(*o.activations);
            }
            if (o.sparsity) {
                item["sparsity"] = sparsityJson(*o.sparsity);
            }
            if (o.lowRank) {
                item["low_rank"] = lowRankJson(*o.lowRank);
            }
            list.push_back(item);
        }
        doc["overrides"] = list;
    }
    writePathFields(s, doc);
    writeQuantFields(s, doc);
    return doc.dump(2) + "\n";
}

std::filesystem::path scenarioPresetDir() {
    return builtinDataDir() / "models" / "presets" / "scenarios";
}

std::vector<std::string> listScenarioPresets() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(scenarioPresetDir(), ec)) {
        if (entry.path().extension() == ".json") {
            names.push_back(entry.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

Result<Scenario> resolveScenario(const std::string& nameOrPath) {
    const bool isPath =
        nameOrPath.find('/') != std::string::npos ||
        (nameOrPath.size() > 5 && nameOrPath.compare(nameOrPath.size() - 5, 5, ".json") == 0);
    if (isPath) {
        return loadScenario(nameOrPath);
    }
    const auto names = listScenarioPresets();
    if (std::find(names.begin(), names.end(), nameOrPath) == names.end()) {
        std::string list;
        for (const auto& name : names) {
            list += (list.empty() ? "" : ", ") + name;
        }
        return makeError("unknown scenario '" + nameOrPath + "' (presets: " + list +
                         "; or give a path to a scenario .json)");
    }
    return loadScenario(scenarioPresetDir() / (nameOrPath + ".json"));
}

std::optional<DataType> passFloatType(const Scenario& scenario) {
    TensorFormat fp32;
    fp32.type = DataType::fp32;
    const auto plainFp32 = [&fp32](const std::optional<TensorFormat>& f) {
        return f && *f == fp32;
    };
    const auto& kv = scenario.kvCache;
    const bool kvFp32 =
        kv && plainFp32(kv->format) && kv->fullPrecisionWindow == 0 && kv->keptRatio == 1.0;
    if (plainFp32(scenario.weights) && plainFp32(scenario.activations) && kvFp32) {
        return DataType::fp32;
    }
    return std::nullopt;
}

Scenario scenarioFromBits(int weightBits, int activationBits, int kvBits) {
    Scenario s;
    s.name = "W" + std::to_string(weightBits) + "A" + std::to_string(activationBits) + "KV" +
             std::to_string(kvBits);
    s.weights = formatOfBits(weightBits);
    s.activations = formatOfBits(activationBits);
    if (auto kv = formatOfBits(kvBits)) {
        s.kvCache = KvCompression{*kv, 0, 1.0, std::nullopt};
    }
    return s;
}

}  // namespace rooflens::core
