#pragma once
// Scenario fields of the compression paths (EoRA's "compensation", GEAR's "kv_cache/residual",
// Energon's "sparse_attention", Sub-MoE's "expert_merging"): parsing with located errors and
// serialization, for scenario_io.cpp.
#include <string>
#include <string_view>

#include "core/scenario.h"

namespace rooflens::core {

// The "residual" object of a kv_cache.
Result<KvResidual> parseKvResidual(const Json& value, const std::string& label,
                                   std::string_view path);
// compensation, sparse_attention and expert_merging of a scenario document, into `s`.
Status parsePathFields(const Json& doc, const std::string& label, Scenario& s);

// RPTQ's "clusters" and OliVe's "encoding"/"decode_ops" of a tensor format (scenario_io_quant.cpp).
Status parseFormatExtras(const JsonReader& r, const Json& obj, std::string_view path,
                         TensorFormat& f);
void writeFormatExtras(const TensorFormat& f, Json& j);
// "attention" (PTQ4ViT, I&S-ViT) and "rotation" (QuaRot, OstQuant) of a scenario document.
Status parseQuantFields(const Json& doc, const std::string& label, Scenario& s);
void writeQuantFields(const Scenario& s, Json& doc);

Json kvResidualJson(const KvResidual& residual);
void writePathFields(const Scenario& s, Json& doc);

}  // namespace rooflens::core
