#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "py_common.h"

namespace rooflens::python {

void raise(core::Error error) {
    throw error;  // translated by the exception translator of module.cpp
}

py::object toPython(const core::Json& json) {
    switch (json.type()) {
        case core::Json::value_t::object: {
            py::dict out;
            for (const auto& [key, value] : json.items()) {
                out[py::str(key)] = toPython(value);
            }
            return std::move(out);
        }
        case core::Json::value_t::array: {
            py::list out(json.size());
            for (std::size_t i = 0; i < json.size(); ++i) {
                out[i] = toPython(json[i]);
            }
            return std::move(out);
        }
        case core::Json::value_t::string:
            return py::str(json.get_ref<const std::string&>());
        case core::Json::value_t::boolean:
            return py::bool_(json.get<bool>());
        case core::Json::value_t::number_integer:
            return py::int_(json.get<std::int64_t>());
        case core::Json::value_t::number_unsigned:
            return py::int_(json.get<std::uint64_t>());
        case core::Json::value_t::number_float:
            return py::float_(json.get<double>());
        default:
            return py::none();
    }
}

std::string jsonText(const py::handle& object) {
    return py::module_::import("json").attr("dumps")(object).cast<std::string>();
}

namespace {
std::mutex g_databaseMutex;
std::optional<hwdb::Database> g_database;
}  // namespace

const hwdb::Database& database() {
    std::lock_guard lock(g_databaseMutex);
    if (!g_database) {
        g_database = hwdb::Database::load();
    }
    return *g_database;
}

void reloadDatabase() {
    std::lock_guard lock(g_databaseMutex);
    g_database = hwdb::Database::load();
}

core::ProgressCallback Progress::callback() {
    if (m_callback.is_none()) {
        return {};
    }
    return [this](double fraction, std::string_view label, double secondsLeft) {
        py::gil_scoped_acquire gil;
        if (m_stopped) {
            return;
        }
        try {
            const py::object result =
                m_callback(fraction, py::str(label.data(), label.size()), secondsLeft);
            if (py::isinstance<py::bool_>(result) && !result.cast<bool>()) {
                m_stopped = true;
                m_cancel.cancel();
            }
        } catch (py::error_already_set&) {
            m_error = std::current_exception();
            m_stopped = true;
            m_cancel.cancel();
        }
    };
}

void Progress::finish() {
    if (m_error) {
        std::rethrow_exception(m_error);
    }
}

}  // namespace rooflens::python
