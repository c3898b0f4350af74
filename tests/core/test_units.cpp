#include <gtest/gtest.h>

#include "core/datatypes.h"
#include "core/units.h"

namespace rooflens::core {
namespace {

TEST(Units, FactorsAndDimensions) {
    EXPECT_DOUBLE_EQ(*unitFactor("TFLOPS", Dimension::opsPerSecond), 1e12);
    EXPECT_DOUBLE_EQ(*unitFactor("GiB", Dimension::bytes), 1073741824.0);
    EXPECT_DOUBLE_EQ(*unitFactor("TB/s", Dimension::bytesPerSecond), 1e12);
    EXPECT_FALSE(unitFactor("TB/s", Dimension::bytes).has_value());  // wrong dimension
    EXPECT_FALSE(unitFactor("furlongs", Dimension::bytes).has_value());
}

TEST(Units, Formatting) {
    EXPECT_EQ(formatSi(3.35e12, "B/s"), "3.35 TB/s");
    EXPECT_EQ(formatBinary(32 * kGibi, "B"), "32 GiB");
    EXPECT_EQ(formatSeconds(1.5e-3), "1.5 ms");
    EXPECT_EQ(formatSeconds(2.5e-6), "2.5 us");
}

// Long times never print an exponent (issue 17): 3.87e5 s is 387,000 s, and 387000 / 86400 =
// 4.479 days -> "4.5 days"; 7200 s / 3600 = 2 hours; 1234.5 s at three significant digits is
// 1,230 s (under two hours: no second unit). Rounding that reaches 1000 moves up a unit:
// 0.99996 s -> 1.00 s (not "1e+03 ms"), 999.7 us -> 1 ms.
TEST(Units, SecondsWithoutExponent) {
    EXPECT_EQ(formatSeconds(3.87e5), "387,000 s (4.5 days)");
    EXPECT_EQ(formatSeconds(7200), "7,200 s (2.0 hours)");
    EXPECT_EQ(formatSeconds(1234.5), "1,230 s");
    EXPECT_EQ(formatSeconds(999.4), "999 s");
    EXPECT_EQ(formatSeconds(0.99996), "1 s");
    EXPECT_EQ(formatSeconds(999.7e-6), "1 ms");
    EXPECT_EQ(formatSeconds(1.2e7), "12,000,000 s (139 days)");
    EXPECT_EQ(formatSeconds(0), "0 s");
}

TEST(DataTypes, BitsAndNames) {
    EXPECT_EQ(bitsOf(DataType::fp16), 16);
    EXPECT_EQ(bitsOf(DataType::int3), 3);
    EXPECT_DOUBLE_EQ(bytesOf(DataType::int4), 0.5);
    EXPECT_EQ(*parseDataType("fp8"), DataType::fp8_e4m3);
    EXPECT_EQ(*parseDataType("bfloat16"), DataType::bf16);
    EXPECT_FALSE(parseDataType("fp12").has_value());
    for (DataType type : kAllDataTypes) {
        EXPECT_EQ(*parseDataType(nameOf(type)), type);
    }
    EXPECT_TRUE(isInteger(DataType::int8));
    EXPECT_FALSE(isInteger(DataType::nf4));
}

}  // namespace
}  // namespace rooflens::core
