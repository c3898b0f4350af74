#pragma once
// Numeric data types of tensors and of math units. Packed odd widths (int3, int5, ...) and the
// plain FP4/FP6 element types are storage formats; no device has math units for them on their
// own, so execution rules promote them (core/analysis.h). The microscaling formats (nvfp4,
// mxfp4, mxfp6_*, mxfp8_*) are block-scaled types: every block of elements shares one scale
// (blockScalingOf); a device's matrix unit either takes them natively (it has a peak for the
// type) or the operands are dequantized and the math runs wider.
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
    mxfp8_e4m3,  // OCP MX: E4M3 elements, one E8M0 scale per 32
    mxfp8_e5m2,  // OCP MX: E5M2 elements, one E8M0 scale per 32
    fp6_e2m3,
    fp6_e3m2,
    mxfp6_e2m3,  // OCP MX: E2M3 elements, one E8M0 scale per 32
    mxfp6_e3m2,  // OCP MX: E3M2 elements, one E8M0 scale per 32
    fp4_e2m1,
    mxfp4,  // OCP MX: E2M1 elements, one E8M0 scale per 32
    nvfp4,  // NVIDIA: E2M1 elements, one E4M3 scale per 16, one FP32 scale per tensor
    int8,
    int7,
    int6,
    int5,
    int4,
    int3,
    int2,
    nf4,
    e8m0,  // unsigned power-of-two scale (OCP MX scale); a scale type only, never a tensor
};
inline constexpr std::size_t kDataTypeCount = 25;

inline constexpr std::array<DataType, kDataTypeCount> kAllDataTypes = {
    DataType::fp64,       DataType::fp32,     DataType::tf32,     DataType::fp16,
    DataType::bf16,       DataType::fp8_e4m3, DataType::fp8_e5m2, DataType::mxfp8_e4m3,
    DataType::mxfp8_e5m2, DataType::fp6_e2m3, DataType::fp6_e3m2, DataType::mxfp6_e2m3,
    DataType::mxfp6_e3m2, DataType::fp4_e2m1, DataType::mxfp4,    DataType::nvfp4,
    DataType::int8,       DataType::int7,     DataType::int6,     DataType::int5,
    DataType::int4,       DataType::int3,     DataType::int2,     DataType::nf4,
    DataType::e8m0};

// Storage bits of one element (tf32 is stored as 32 bits). For block-scaled types the element
// bits only: nvfp4 and mxfp4 are 4; the scales come from blockScalingOf().
int bitsOf(DataType type);
double bytesOf(DataType type);
std::string_view nameOf(DataType type);
bool isInteger(DataType type);  // int2..int8 (nf4 is a lookup-table float format, not integer)
bool isFloat(DataType type);
// Accepts the canonical names, plus the aliases "fp8" (fp8_e4m3), "fp6" (fp6_e2m3), "fp4"
// (fp4_e2m1), "mxfp8" (mxfp8_e4m3), "mxfp6" (mxfp6_e2m3), "ue8m0" (e8m0), "float16",
// "bfloat16", "float32".
std::optional<DataType> parseDataType(std::string_view name);

// The scales a block-scaled (microscaling) type carries with its elements.
struct BlockScaling {
    DataType element;     // fp4_e2m1, fp6_e2m3, ...: the type of each element
    int blockSize;        // elements sharing one scale, along the reduction dimension
    DataType scale;       // e8m0 (OCP MX) or fp8_e4m3 (NVFP4)
    int tensorScaleBits;  // one more scale per tensor (NVFP4: FP32), 0 if none
};
// nullopt for every type that is not block-scaled.
std::optional<BlockScaling> blockScalingOf(DataType type);
inline bool isBlockScaled(DataType type) {
    return blockScalingOf(type).has_value();
}
// Storage bits per element including the block scale (not the per-tensor scale):
// nvfp4 4 + 8/16 = 4.5, mxfp4 4 + 8/32 = 4.25, mxfp6 6.25, mxfp8 8.25; bitsOf() for others.
double blockBitsOf(DataType type);
// e8m0 describes scales only: it is no tensor's element type and no unit's math type.
inline bool isScaleOnly(DataType type) {
    return type == DataType::e8m0;
}

inline constexpr std::size_t indexOf(DataType type) {
    return static_cast<std::size_t>(type);
}

}  // namespace rooflens::core
