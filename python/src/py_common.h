#pragma once
// Shared pieces of the Python module (rooflens._core): the wrapped engine objects, errors raised
// as the rooflens.Error hierarchy, JSON documents turned into Python objects, and progress
// callbacks run under the GIL.
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include "core/analysis.h"
#include "core/deployment.h"
#include "core/hardware.h"
#include "core/json_io.h"
#include "core/progress.h"
#include "core/result.h"
#include "core/scenario.h"
#include "hwdb/hwdb.h"
#include "workload_options.h"

namespace rooflens::python {

namespace py = pybind11;
namespace po = boost::program_options;

// Raises the error as rooflens.UsageError, BadInputError or RunFailedError (by its kind), with
// the engine's message unchanged (the message the CLI prints).
[[noreturn]] void raise(core::Error error);

template <typename T>
T unwrap(core::Result<T> result) {
    if (!result) {
        raise(std::move(result).error());
    }
    return std::move(result).value();
}

// A JSON document (the engine's writers: reports, comparisons, sweeps, charts) as dicts, lists,
// str, int, float, bool and None.
py::object toPython(const core::Json& json);
// A Python object that json.dumps accepts, as text (dict scenarios go through the engine's parser).
std::string jsonText(const py::handle& object);

// The device database, loaded once per process (reloaded after an import).
const hwdb::Database& database();
void reloadDatabase();

// A progress callback (fraction, label, seconds_left) called from the engine's threads with the
// GIL held. An exception in it, or a return value of False, cancels the work; finish() raises
// the callback's exception, if any, once the work has returned.
class Progress {
public:
    explicit Progress(py::object callback) : m_callback(std::move(callback)) {}
    core::ProgressCallback callback();
    const core::CancelToken* token() const { return &m_cancel; }
    bool cancelled() const { return m_cancel.cancelled(); }
    void finish();

private:
    py::object m_callback;
    core::CancelToken m_cancel;
    std::exception_ptr m_error;
    bool m_stopped = false;
};

struct Device {
    std::shared_ptr<const core::Hardware> hardware;
};
struct System {
    std::shared_ptr<const core::System> system;
};
struct Scenario {
    std::shared_ptr<const core::Scenario> scenario;
};
struct Model {
    std::shared_ptr<const cli::BoundModel> bound;
};
// Run settings and the deployment as the flags of one command parsed them ("analyze", "compare"
// or "sweep"); turned into core::RunSettings against a model when evaluated.
struct Settings {
    std::string command;
    std::shared_ptr<const po::variables_map> values;
};
struct Report {
    std::shared_ptr<const core::Report> report;
    std::shared_ptr<const core::Hardware> hardware;
    std::string scenario;
};

void registerObjects(py::module_& m);
void registerEvaluate(py::module_& m);

}  // namespace rooflens::python
