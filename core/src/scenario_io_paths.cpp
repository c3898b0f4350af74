// Scenario fields of the compression paths: parsing with located errors, serialization.
#include "scenario_io_paths.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

namespace rooflens::core {

namespace {

Status onlyKeys(const JsonReader& r, const Json& obj, std::string_view path,
                std::initializer_list<std::string_view> keys) {
    if (!obj.is_object()) {
        return r.expected(path, "an object", obj);
    }
    for (const auto& item : obj.items()) {
        if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
            std::string list;
            for (auto key : keys) {
                list += (list.empty() ? "" : ", ") + std::string(key);
            }
            return r.error(childPath(path, item.key()),
                           "unknown field (expected one of: " + list + ")");
        }
    }
    return Ok{};
}

Result<DataType> typeField(const JsonReader& r, const Json& obj, std::string_view path,
                           std::string_view key) {
    auto name = r.string(obj, path, key);
    if (!name) {
        return name.error();
    }
    auto type = parseDataType(name.value());
    if (!type) {
        return r.expected(childPath(path, key), "a data type (fp16, bf16, int8, int4, ...)",
                          obj.at(std::string(key)));
    }
    return *type;
}

constexpr std::int64_t kMaxRank = std::int64_t{1} << 20;

Result<Compensation> compensation(const JsonReader& r, const Json& obj) {
    const std::string path = "/compensation";
    if (auto ok = onlyKeys(r, obj, path, {"rank", "type"}); !ok) {
        return ok.error();
    }
    Compensation c;
    auto rank = r.integer(obj, path, "rank", 1, kMaxRank);
    if (!rank) {
        return rank.error();
    }
    c.rank = rank.value();
    if (r.has(obj, "type")) {
        auto type = typeField(r, obj, path, "type");
        if (!type) {
            return type.error();
        }
        if (type.value() != DataType::fp16 && type.value() != DataType::bf16) {
            return r.expected(childPath(path, "type"),
                              "fp16 or bf16 (the compensation path runs in the float type)",
                              obj.at("type"));
        }
        c.type = type.value();
    }
    return c;
}

Result<SparseAttention> sparseAttention(const JsonReader& r, const Json& obj) {
    const std::string path = "/sparse_attention";
    if (auto ok = onlyKeys(r, obj, path, {"filter_type", "kept_fraction"}); !ok) {
        return ok.error();
    }
    SparseAttention sa;
    auto type = typeField(r, obj, path, "filter_type");
    if (!type) {
        return type.error();
    }
    if (!isInteger(type.value()) || bitsOf(type.value()) > 8) {
        return r.expected(childPath(path, "filter_type"),
                          "an integer type of at most 8 bits (int4, int8, ...) for the "
                          "low-precision filtering pass",
                          obj.at("filter_type"));
    }
    sa.filterType = type.value();
    auto kept = r.positive(obj, path, "kept_fraction");
    if (!kept) {
        return kept.error();
    }
    if (kept.value() > 1) {
        return r.expected(childPath(path, "kept_fraction"),
                          "a number in (0, 1] (the fraction of query-key pairs kept)",
                          obj.at("kept_fraction"));
    }
    sa.keptFraction = kept.value();
    return sa;
}

Result<ExpertMerging> expertMerging(const JsonReader& r, const Json& obj) {
    const std::string path = "/expert_merging";
    if (auto ok = onlyKeys(r, obj, path, {"experts", "shared_basis_rank"}); !ok) {
        return ok.error();
    }
    ExpertMerging m;
    auto experts = r.integer(obj, path, "experts", 1, kMaxRank);
    if (!experts) {
        return experts.error();
    }
    m.experts = experts.value();
    if (r.has(obj, "shared_basis_rank")) {
        auto rank = r.integer(obj, path, "shared_basis_rank", 0, kMaxRank);
        if (!rank) {
            return rank.error();
        }
        m.sharedBasisRank = rank.value();
    }
    return m;
}

}  // namespace

Result<KvResidual> parseKvResidual(const Json& value, const std::string& label,
                                   std::string_view path) {
    const JsonReader r(label);
    if (auto ok = onlyKeys(r, value, path,
                           {"rank", "group_tokens", "outlier_fraction", "outlier_value_bits",
                            "outlier_index_bits"});
        !ok) {
        return ok.error();
    }
    KvResidual kv;
    if (r.has(value, "rank")) {
        auto rank = r.integer(value, path, "rank", 0, kMaxRank);
        if (!rank) {
            return rank.error();
        }
        kv.rank = rank.value();
    }
    if (kv.rank > 0 || r.has(value, "group_tokens")) {
        auto group = r.integer(value, path, "group_tokens", 1, std::int64_t{1} << 40);
        if (!group) {
            return group.error();
        }
        kv.groupTokens = group.value();
    }
    if (kv.rank > kv.groupTokens) {
        return r.expected(childPath(path, "rank"),
                          "at most group_tokens = " + std::to_string(kv.groupTokens) +
                              " (the residual of a group of G tokens has rank <= G)",
                          value.at("rank"));
    }
    if (r.has(value, "outlier_fraction")) {
        auto fraction = r.nonNegative(value, path, "outlier_fraction");
        if (!fraction || fraction.value() > 1) {
            return r.expected(childPath(path, "outlier_fraction"),
                              "a number in [0, 1] (the fraction of elements kept as sparse "
                              "outliers)",
                              value.at("outlier_fraction"));
        }
        kv.outlierFraction = fraction.value();
    }
    for (auto [key, target] : {std::pair{"outlier_value_bits", &kv.outlierValueBits},
                               std::pair{"outlier_index_bits", &kv.outlierIndexBits}}) {
        if (r.has(value, key)) {
            auto bits = r.positive(value, path, key);
            if (!bits) {
                return bits.error();
            }
            *target = bits.value();
        }
    }
    return kv;
}

Status parsePathFields(const Json& doc, const std::string& label, Scenario& s) {
    const JsonReader r(label);
    if (r.has(doc, "compensation")) {
        auto c = compensation(r, doc.at("compensation"));
        if (!c) {
            return c.error();
        }
        s.compensation = c.value();
    }
    if (r.has(doc, "sparse_attention")) {
        auto sa = sparseAttention(r, doc.at("sparse_attention"));
        if (!sa) {
            return sa.error();
        }
        s.sparseAttention = sa.value();
    }
    if (r.has(doc, "expert_merging")) {
        auto m = expertMerging(r, doc.at("expert_merging"));
        if (!m) {
            return m.error();
        }
        s.expertMerging = m.value();
    }
    return Ok{};
}

Json kvResidualJson(const KvResidual& residual) {
    Json j{{"rank", residual.rank},
           {"group_tokens", residual.groupTokens},
           {"outlier_fraction", residual.outlierFraction},
           {"outlier_value_bits", residual.outlierValueBits},
           {"outlier_index_bits", residual.outlierIndexBits}};
    return j;
}

void writePathFields(const Scenario& s, Json& doc) {
    if (s.compensation) {
        doc["compensation"] = {{"rank", s.compensation->rank},
                               {"type", nameOf(s.compensation->type)}};
    }
    if (s.sparseAttention) {
        doc["sparse_attention"] = {{"filter_type", nameOf(s.sparseAttention->filterType)},
                                   {"kept_fraction", s.sparseAttention->keptFraction}};
    }
    if (s.expertMerging) {
        doc["expert_merging"] = {{"experts", s.expertMerging->experts},
                                 {"shared_basis_rank", s.expertMerging->sharedBasisRank}};
    }
}

}  // namespace rooflens::core
