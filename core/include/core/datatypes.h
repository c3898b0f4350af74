#pragma once
// Numeric data types of tensors and of math units. Packed odd widths (int3, int5, ...) are storage
// formats; no device has math units for them, so execution rules promote them (see execution.h).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rooflens::core {

enum class DataType : std::uint8_t {
    fp64,
    fp32,
    tf32,
    fp16,
    bf16,
    fp8_e4m3,
    fp8_e5m2,
    int8,
    int7,
    int6,
    int5,
    int4,
    int3,
    int2,
    nf4,
};
inline constexpr std::size_t kDataTypeCount = 15;

inline constexpr std::array<DataType, kDataTypeCount> kAllDataTypes = {
    DataType::fp64,     DataType::fp32,     DataType::tf32, DataType::fp16, DataType::bf16,
    DataType::fp8_e4m3, DataType::fp8_e5m2, DataType::int8, DataType::int7, DataType::int6,
    DataType::int5,     DataType::int4,     DataType::int3, DataType::int2, DataType::nf4};

// Storage bits of one element (tf32 is stored as 32 bits).
int bitsOf(DataType type);
double bytesOf(DataType type);
std::string_view nameOf(DataType type);
bool isInteger(DataType type);  // int2..int8 (nf4 is a lookup-table float format, not integer)
bool isFloat(DataType type);
// Accepts the canonical names, plus the aliases "fp8" (fp8_e4m3), "float16", "bfloat16", "float32".
std::optional<DataType> parseDataType(std::string_view name);

inline constexpr std::size_t indexOf(DataType type) {
    return static_cast<std::size_t>(type);
}

}  // namespace rooflens::core
