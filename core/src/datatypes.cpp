#include "core/datatypes.h"

#include <array>

namespace rooflens::core {

namespace {

struct TypeInfo {
    std::string_view name;
    int bits;
    bool integer;
};

constexpr std::array<TypeInfo, kDataTypeCount> kInfo = {{
    {"fp64", 64, false},
    {"fp32", 32, false},
    {"tf32", 32, false},
    {"fp16", 16, false},
    {"bf16", 16, false},
    {"fp8_e4m3", 8, false},
    {"fp8_e5m2", 8, false},
    {"int8", 8, true},
    {"int7", 7, true},
    {"int6", 6, true},
    {"int5", 5, true},
    {"int4", 4, true},
    {"int3", 3, true},
    {"int2", 2, true},
    {"nf4", 4, false},
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
    if (name == "fp8") {
        return DataType::fp8_e4m3;
    }
    if (name == "float16" || name == "half") {
        return DataType::fp16;
    }
    if (name == "bfloat16") {
        return DataType::bf16;
    }
    if (name == "float32" || name == "float") {
        return DataType::fp32;
    }
    if (name == "float64" || name == "double") {
        return DataType::fp64;
    }
    return std::nullopt;
}

}  // namespace rooflens::core
