#pragma once
// A small synthetic device with round numbers, so expected times are easy to compute by hand.
#include "core/hardware.h"

namespace rooflens::testing {

inline core::Hardware roundDevice() {
    core::Hardware hw;
    hw.id = "round";
    hw.name = "Round numbers";
    hw.matrixDense.set(core::DataType::fp16, 100e12);
    hw.matrixDense.set(core::DataType::bf16, 100e12);
    hw.matrixDense.set(core::DataType::int8, 200e12);
    hw.matrixSparse.set(core::DataType::fp16, 200e12);
    hw.vector.set(core::DataType::fp32, 10e12);
    hw.memory = {{"L2", 40e6, 0, false}, {"HBM", 10e9, 1e12, false}};
    hw.sramPerCoreBytes = 64 * 1024;
    return hw;
}

}  // namespace rooflens::testing
