#pragma once
// Internal: names shared by the device parser and serializer (schema_version 2, docs/hwdb.md).
#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/datatypes.h"
#include "core/units.h"

namespace rooflens::hwdb::detail {

inline constexpr std::string_view kDenseKey = "dense";
inline constexpr std::string_view kSparseKey = "sparse_2_4";
inline constexpr std::string_view kBlockScalesKey = "block_scales";
// "fp8" in a compute table sets both fp8_e4m3 and fp8_e5m2.
inline constexpr std::string_view kFp8Alias = "fp8";
// "fp4" and "fp6" name the block-scaled FP4/FP6 formats a matrix unit runs at one rate (the
// rate datasheets quote); they set only the formats in block_scales, never plain E2M1/E2M3/E3M2.
inline constexpr std::string_view kFp4Family = "fp4";
inline constexpr std::string_view kFp6Family = "fp6";

inline constexpr std::string_view kMatrixKey = "matrix";
inline constexpr std::string_view kVectorKey = "vector";

// What one quantity measures and its sanity limit in SI base units.
struct QuantityKind {
    core::Dimension dimension;
    double maximum;
    std::string_view siUnit;
};

// The names block_scales takes and the microscaling type each makes of an element type.
struct BlockFamily {
    std::string_view name;  // "mxfp8"
    core::DataType element;
    core::DataType block;
};
inline constexpr std::array<BlockFamily, 6> kBlockFamilies = {{
    {"nvfp4", core::DataType::fp4_e2m1, core::DataType::nvfp4},
    {"mxfp4", core::DataType::fp4_e2m1, core::DataType::mxfp4},
    {"mxfp6", core::DataType::fp6_e2m3, core::DataType::mxfp6_e2m3},
    {"mxfp6", core::DataType::fp6_e3m2, core::DataType::mxfp6_e3m2},
    {"mxfp8", core::DataType::fp8_e4m3, core::DataType::mxfp8_e4m3},
    {"mxfp8", core::DataType::fp8_e5m2, core::DataType::mxfp8_e5m2},
}};
inline constexpr std::string_view kBlockFamilyNames = "nvfp4, mxfp4, mxfp6, mxfp8";

// The microscaling type of `family` ("mxfp8") with elements of `element`; nullopt if none.
inline std::optional<core::DataType> blockTypeOf(std::string_view family, core::DataType element) {
    for (const auto& entry : kBlockFamilies) {
        if (entry.name == family && entry.element == element) {
            return entry.block;
        }
    }
    return std::nullopt;
}

// The element types a compute-table key names: the fp8 alias both FP8 types, the fp6 family both
// FP6 types, fp4 E2M1, a canonical type itself.
inline std::vector<core::DataType> elementTypesOfKey(std::string_view key,
                                                     std::optional<core::DataType> canonical) {
    if (key == kFp8Alias) {
        return {core::DataType::fp8_e4m3, core::DataType::fp8_e5m2};
    }
    if (key == kFp6Family) {
        return {core::DataType::fp6_e2m3, core::DataType::fp6_e3m2};
    }
    if (key == kFp4Family) {
        return {core::DataType::fp4_e2m1};
    }
    return canonical ? std::vector<core::DataType>{*canonical} : std::vector<core::DataType>{};
}

}  // namespace rooflens::hwdb::detail
