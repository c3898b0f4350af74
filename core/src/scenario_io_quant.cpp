// Scenario fields of the quantization mechanisms beyond bit widths: RPTQ's per-cluster scales and
// OliVe's outlier-victim pair encoding (inside a tensor format), PTQ4ViT's quantized attention
// matmuls ("attention") and QuaRot/OstQuant's online transforms ("rotation"): parsing with
// located errors and serialization, for scenario_io.cpp.
#include <algorithm>
#include <cmath>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "scenario_io_paths.h"

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

constexpr std::int64_t kMaxCount = std::int64_t{1} << 20;

Result<AttentionQuant> attentionQuant(const JsonReader& r, const Json& obj) {
    const std::string path = "/attention";
    if (auto ok = onlyKeys(r, obj, path, {"type", "requant_ops"}); !ok) {
        return ok.error();
    }
    AttentionQuant a;
    auto name = r.string(obj, path, "type");
    if (!name) {
        return name.error();
    }
    const auto type = parseDataType(name.value());
    if (!type || !isInteger(*type) || bitsOf(*type) > 8) {
        return r.expected(childPath(path, "type"),
                          "an integer type of at most 8 bits (int8, int6, int4, int3, ...) for "
                          "the quantized attention matmuls",
                          obj.at("type"));
    }
    a.type = *type;
    if (r.has(obj, "requant_ops")) {
        auto ops = r.nonNegative(obj, path, "requant_ops");
        if (!ops) {
            return ops.error();
        }
        a.requantOps = ops.value();
    }
    return a;
}

Result<Rotation> rotation(const JsonReader& r, const Json& obj) {
    const std::string path = "/rotation";
    if (auto ok = onlyKeys(r, obj, path, {"transform", "down_proj", "attention"}); !ok) {
        return ok.error();
    }
    Rotation rot;
    auto transform = r.string(obj, path, "transform");
    if (!transform) {
        return transform.error();
    }
    if (transform.value() == "hadamard") {
        rot.transform = RotationTransform::hadamard;
    } else if (transform.value() == "orthogonal") {
        rot.transform = RotationTransform::orthogonal;
    } else {
        return r.expected(childPath(path, "transform"), "hadamard or orthogonal",
                          obj.at("transform"));
    }
    for (auto [key, target] :
         {std::pair{"down_proj", &rot.downProj}, std::pair{"attention", &rot.attention}}) {
        if (r.has(obj, key)) {
            auto count = r.integer(obj, path, key, 0, kMaxCount);
            if (!count) {
                return count.error();
            }
            *target = count.value();
        }
    }
    if (rot.downProj == 0 && rot.attention == 0) {
        return r.error(path,
                       "expected at least one online transform (down_proj or attention "
                       "above 0)");
    }
    return rot;
}

}  // namespace

double Rotation::opsPerVector(double d) const {
    if (d <= 0) {
        return 0;
    }
    return transform == RotationTransform::hadamard ? d * std::log2(d) : 2 * d * d;
}

Status parseFormatExtras(const JsonReader& r, const Json& obj, std::string_view path,
                         TensorFormat& f) {
    if (r.has(obj, "clusters")) {
        auto clusters = r.integer(obj, path, "clusters", 1, kMaxCount);
        if (!clusters) {
            return clusters.error();
        }
        f.clusters = clusters.value();
    }
    if (r.has(obj, "encoding")) {
        auto encoding = r.string(obj, path, "encoding");
        if (!encoding) {
            return encoding.error();
        }
        if (encoding.value() != "olive") {
            return r.expected(childPath(path, "encoding"), "olive (outlier-victim pair encoding)",
                              obj.at("encoding"));
        }
        if (!isInteger(f.type) || bitsOf(f.type) != 4) {
            return r.expected(childPath(path, "type"),
                              "int4 (the outlier-victim pair encoding is a 4-bit format)",
                              obj.at("type"));
        }
        f.olive = true;
    }
    if (r.has(obj, "decode_ops")) {
        if (!f.olive) {
            return r.error(childPath(path, "encoding"),
                           "missing required field (decode_ops needs \"encoding\": \"olive\")");
        }
        auto ops = r.nonNegative(obj, path, "decode_ops");
        if (!ops) {
            return ops.error();
        }
        f.decodeOps = ops.value();
    }
    return Ok{};
}

void writeFormatExtras(const TensorFormat& f, Json& j) {
    if (f.clusters > 0) {
        j["clusters"] = f.clusters;
    }
    if (f.olive) {
        j["encoding"] = "olive";
        j["decode_ops"] = f.decodeOps;
    }
}

Status parseQuantFields(const Json& doc, const std::string& label, Scenario& s) {
    const JsonReader r(label);
    if (r.has(doc, "attention")) {
        auto a = attentionQuant(r, doc.at("attention"));
        if (!a) {
            return a.error();
        }
        s.attention = a.value();
    }
    if (r.has(doc, "rotation")) {
        auto rot = rotation(r, doc.at("rotation"));
        if (!rot) {
            return rot.error();
        }
        s.rotation = rot.value();
    }
    return Ok{};
}

void writeQuantFields(const Scenario& s, Json& doc) {
    if (s.attention) {
        doc["attention"] = {{"type", nameOf(s.attention->type)},
                            {"requant_ops", s.attention->requantOps}};
    }
    if (s.rotation) {
        doc["rotation"] = {
            {"transform",
             s.rotation->transform == RotationTransform::hadamard ? "hadamard" : "orthogonal"},
            {"down_proj", s.rotation->downProj},
            {"attention", s.rotation->attention}};
    }
}

}  // namespace rooflens::core
