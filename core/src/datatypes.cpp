#include "core/datatypes.h"

#include <array>
#include <utility>

namespace rooflens::core {

namespace {

struct TypeInfo {
    std::string_view name;
    int bits;
    bool integer;
};

constexpr std::array<TypeInfo, kDataTypeCount> kInfo = {{
    {"fp64", 64, false},      {"fp32", 32, false},      {"tf32", 32, false},
    {"fp16", 16, false},      {"bf16", 16, false},      {"fp8_e4m3", 8, false},
    {"fp8_e5m2", 8, false},   {"mxfp8_e4m3", 8, false}, {"mxfp8_e5m2", 8, false},
    {"fp6_e2m3", 6, false},   {"fp6_e3m2", 6, false},   {"mxfp6_e2m3", 6, false},
    {"mxfp6_e3m2", 6, false}, {"fp4_e2m1", 4, false},   {"mxfp4", 4, false},
    {"nvfp4", 4, false},      {"int8", 8, true},        {"int7", 7, true},
    {"int6", 6, true},        {"int5", 5, true},        {"int4", 4, true},
    {"int3", 3, true},        {"int2", 2, true},        {"nf4", 4, false},
    {"e8m0", 8, false},
}};

constexpr std::array<std::pair<std::string_view, DataType>, 12> kAliases = {{
    {"fp8", DataType::fp8_e4m3},
    {"fp6", DataType::fp6_e2m3},
    {"fp4", DataType::fp4_e2m1},
    {"mxfp8", DataType::mxfp8_e4m3},
    {"mxfp6", DataType::mxfp6_e2m3},
    {"ue8m0", DataType::e8m0},
    {"float16", DataType::fp16},
    {"half", DataType::fp16},
    {"bfloat16", DataType::bf16},
    {"float32", DataType::fp32},
    {"float", DataType::fp32},
    {"float64", DataType::fp64},
}};

}  // namespace

int bitsOf(DataType type) {
    return kInfo[indexOf(type)].bits;
}
double bytesOf(DataType type) {
    return kInfo[indexOf(type)].bits / 8.0;
}
std::string_view nameOf(DataType type) {
    return kInfo[indexOf(type)].name;
}
bool isInteger(DataType type) {
    return kInfo[indexOf(type)].integer;
}
bool isFloat(DataType type) {
    return !isInteger(type);
}

std::optional<DataType> parseDataType(std::string_view name) {
    for (DataType type : kAllDataTypes) {
        if (nameOf(type) == name) {
            return type;
        }
    }
    for (const auto& [alias, type] : kAliases) {
        if (alias == name) {
            return type;
        }
    }
    if (name == "double") {
        return DataType::fp64;
    }
    return std::nullopt;
}

std::optional<BlockScaling> blockScalingOf(DataType type) {
    // OCP Microscaling Formats (MX) v1.0: k = 32 elements share one E8M0 scale. NVFP4: 16 E2M1
    // elements share one E4M3 scale, and the tensor has one FP32 scale on top.
    switch (type) {
        case DataType::mxfp8_e4m3:
            return BlockScaling{DataType::fp8_e4m3, 32, DataType::e8m0, 0};
        case DataType::mxfp8_e5m2:
            return BlockScaling{DataType::fp8_e5m2, 32, DataType::e8m0, 0};
        case DataType::mxfp6_e2m3:
            return BlockScaling{DataType::fp6_e2m3, 32, DataType::e8m0, 0};
        case DataType::mxfp6_e3m2:
            return BlockScaling{DataType::fp6_e3m2, 32, DataType::e8m0, 0};
        case DataType::mxfp4:
            return BlockScaling{DataType::fp4_e2m1, 32, DataType::e8m0, 0};
        case DataType::nvfp4:
            return BlockScaling{DataType::fp4_e2m1, 16, DataType::fp8_e4m3, 32};
        default:
            return std::nullopt;
    }
}

double blockBitsOf(DataType type) {
    const auto block = blockScalingOf(type);
    if (!block) {
        return bitsOf(type);
    }
    return bitsOf(type) + static_cast<double>(bitsOf(block->scale)) / block->blockSize;
}

}  // namespace rooflens::core
