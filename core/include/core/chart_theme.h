#pragma once
// The colours of every chart, Qt-free: the GUI's PlotTheme (ui/plot) and the Python module's
// matplotlib drawing (rooflens.plot) read the same tables, so both draw one chart alike.
// Colours are 0xRRGGBB.
#include <array>
#include <cstdint>

#include "core/workload.h"

namespace rooflens::core {

struct ChartPalette {
    bool dark = false;
    std::uint32_t background = 0;
    std::uint32_t foreground = 0;  // axes, text, ridge markers
    std::uint32_t grid = 0;
    std::uint32_t subGrid = 0;
    std::uint32_t legendBackground = 0;
    int legendAlpha = 255;  // 0..255
    // Points and breakdown bars, in LayerKind order: gemm, attention, matmul, softmax, norm,
    // elementwise, embedding, router, spmm, gather, fft, ssm_conv, ssm_scan, then the
    // communication kinds allreduce, allgather, reducescatter, alltoall, p2p (greys and a dark
    // red: not math). Colour-blind friendly (Okabe-Ito and Tol) hues.
    std::array<std::uint32_t, kLayerKindCount> kinds{};
    std::array<std::uint32_t, 6> series{};  // devices (roofs) and sweep lines, cycled
};

inline constexpr ChartPalette kLightChartPalette{
    false,
    0xffffff,
    0x202020,
    0xd0d0d0,
    0xececec,
    0xffffff,
    220,
    {0x0072b2, 0xd55e00, 0xcc79a7, 0x009e73, 0x8c6d1f, 0x56b4e9, 0x7f7f7f, 0xe69f00, 0x332288,
     0x882255, 0x117733, 0x999933, 0x44aa99, 0x4d4d4d, 0x666666, 0x808080, 0x994455, 0xaaaaaa},
    {0x303030, 0xc0392b, 0x2471a3, 0x1e8449, 0x7d3c98, 0xb9770e}};

inline constexpr ChartPalette kDarkChartPalette{
    true,
    0x1e1f22,
    0xe0e0e0,
    0x45474c,
    0x2e3034,
    0x1e1f22,
    220,
    {0x56b4e9, 0xff8c42, 0xf0a0d0, 0x3ed6a0, 0xe0c060, 0xc0a8ff, 0xb0b0b0, 0xffc040, 0xff7070,
     0xe070a0, 0x60d070, 0xd8d870, 0x70e0c8, 0xd0d0d0, 0xb8b8b8, 0xa0a0a0, 0xee99aa, 0x8c8c8c},
    {0xe8e8e8, 0xff6b5b, 0x6cb4ff, 0x6fdc8c, 0xd09cff, 0xffc266}};

// Pen widths of the roofline chart: memory diagonals 2.0, compute ceilings 1.8; calibrated
// (measured) ceilings solid, datasheet ones dashed. Point shapes cycle per scenario.
inline constexpr double kMemoryRoofWidth = 2.0;
inline constexpr double kComputeRoofWidth = 1.8;

}  // namespace rooflens::core
