#pragma once
// Internal: names shared by the device parser and serializer (schema_version 1, docs/hwdb.md).
#include <string_view>

namespace rooflens::hwdb::detail {

inline constexpr std::string_view kDenseKey = "dense";
inline constexpr std::string_view kSparseKey = "sparse_2_4";
// "fp8" in a compute table sets both fp8_e4m3 and fp8_e5m2.
inline constexpr std::string_view kFp8Alias = "fp8";

inline constexpr std::string_view kMatrixKey = "matrix";
inline constexpr std::string_view kVectorKey = "vector";

}  // namespace rooflens::hwdb::detail
