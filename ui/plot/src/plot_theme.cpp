#include "plot/plot_theme.h"

namespace rooflens::plot {

namespace {

// Kind order: gemm, attention, matmul, softmax, norm, elementwise, embedding, router, spmm,
// gather, fft, ssm_conv, ssm_scan, then the communication kinds allreduce, allgather,
// reducescatter, alltoall, p2p (greys and a dark red: not math). Colour-blind friendly
// (Okabe-Ito and Tol) hues.
constexpr std::array<QRgb, core::kLayerKindCount> kLightKinds = {
    0x0072b2, 0xd55e00, 0xcc79a7, 0x009e73, 0x8c6d1f, 0x56b4e9, 0x7f7f7f,
    0xe69f00, 0x332288, 0x882255, 0x117733, 0x999933, 0x44aa99, 0x4d4d4d, 0x666666, 0x808080,
    0x994455, 0xaaaaaa};
constexpr std::array<QRgb, core::kLayerKindCount> kDarkKinds = {
    0x56b4e9, 0xff8c42, 0xf0a0d0, 0x3ed6a0, 0xe0c060, 0xc0a8ff, 0xb0b0b0,
    0xffc040, 0xff7070, 0xe070a0, 0x60d070, 0xd8d870, 0x70e0c8, 0xd0d0d0, 0xb8b8b8, 0xa0a0a0,
    0xee99aa, 0x8c8c8c};

}  // namespace

PlotTheme PlotTheme::light() {
    PlotTheme t;
    t.dark = false;
    t.background = QColor(0xffffff);
    t.foreground = QColor(0x202020);
    t.grid = QColor(0xd0d0d0);
    t.subGrid = QColor(0xececec);
    t.legendBackground = QColor(255, 255, 255, 220);
    for (std::size_t i = 0; i < kLightKinds.size(); ++i) {
        t.kindColors[i] = QColor(kLightKinds[i]);
    }
    t.seriesColors = {QColor(0x303030), QColor(0xc0392b), QColor(0x2471a3),
                      QColor(0x1e8449), QColor(0x7d3c98), QColor(0xb9770e)};
    return t;
}

PlotTheme PlotTheme::darkTheme() {
    PlotTheme t;
    t.dark = true;
    t.background = QColor(0x1e1f22);
    t.foreground = QColor(0xe0e0e0);
    t.grid = QColor(0x45474c);
    t.subGrid = QColor(0x2e3034);
    t.legendBackground = QColor(30, 31, 34, 220);
    for (std::size_t i = 0; i < kDarkKinds.size(); ++i) {
        t.kindColors[i] = QColor(kDarkKinds[i]);
    }
    t.seriesColors = {QColor(0xe8e8e8), QColor(0xff6b5b), QColor(0x6cb4ff),
                      QColor(0x6fdc8c), QColor(0xd09cff), QColor(0xffc266)};
    return t;
}

PlotTheme PlotTheme::forPalette(const QPalette& palette) {
    const bool dark = palette.color(QPalette::Window).lightness() <
                      palette.color(QPalette::WindowText).lightness();
    PlotTheme t = dark ? darkTheme() : light();
    t.background = palette.color(QPalette::Base);
    t.foreground = palette.color(QPalette::Text);
    return t;
}

QColor PlotTheme::kindColor(core::LayerKind kind) const {
    return kindColors[static_cast<std::size_t>(kind)];
}

QColor PlotTheme::seriesColor(int index) const {
    if (seriesColors.empty()) {
        return foreground;
    }
    return seriesColors[static_cast<std::size_t>(index) % seriesColors.size()];
}

}  // namespace rooflens::plot
