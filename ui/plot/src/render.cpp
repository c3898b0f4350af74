#include "plot/render.h"

#include "plot/roofline_plot.h"

namespace rooflens::plot {

bool renderRooflineChart(const core::RooflineChartSpec& spec, const QString& path,
                         const RenderOptions& options, QString* error) {
    RooflinePlot plot;
    plot.resize(options.size);
    plot.setTheme(options.theme);
    plot.setSpec(spec);
    plot.setMeasured(options.measured);
    if (options.x || options.y) {
        plot.setView(options.x.value_or(spec.x), options.y.value_or(spec.y));
    }
    return plot.exportTo(path, options.size, error);
}

}  // namespace rooflens::plot
