// The inputs of an evaluation as Python objects: models (a WorkloadSpec bound to its builder),
// devices, systems, scenarios and parsed run settings. Keyword arguments reach the engine as the
// CLI's flags of the same name (batch= is --batch), parsed and checked by the CLI's own option
// code, so a bad value fails with the CLI's message.
#include <algorithm>

#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/datatypes.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"
#include "plan_options.h"
#include "py_common.h"
#include "serve_options.h"

namespace rooflens::python {

namespace {

po::options_description modelOptions() {
    po::options_description options("model options");
    cli::addModelOptions(options, false, false);
    cli::addFamilyOptions(options);
    return options;
}

po::options_description settingsOptions(const cli::RunOptionStyle& style) {
    po::options_description options("run settings");
    cli::addRunOptions(options, style);
    cli::addDeploymentOptions(options, style.ranges);
    if (style.ranges) {
        options.add_options()("threads", po::value<unsigned>()->default_value(0),
                              "worker threads (0 = all cores)");
    }
    return options;
}

// `rooflens plan` and `serve` without the model, output and table options.
po::options_description planOptions() {
    po::options_description options("plan settings");
    cli::addPlanOptions(options, false);
    cli::addDeploymentOptions(options, true);
    return options;
}

po::options_description serveOptions() {
    po::options_description options("serve settings");
    cli::addServeOptions(options);
    cli::addDeploymentOptions(options, false);
    return options;
}

const po::options_description& optionsOf(const std::string& command) {
    static const po::options_description analyze =
        settingsOptions(cli::RunOptionStyle{"prefill", false, false});
    static const po::options_description compare =
        settingsOptions(cli::RunOptionStyle{"prefill", false, true});
    static const po::options_description sweep =
        settingsOptions(cli::RunOptionStyle{"decode", true, false});
    if (command == "analyze") {
        return analyze;
    }
    if (command == "compare") {
        return compare;
    }
    static const po::options_description plan = planOptions();
    static const po::options_description serve = serveOptions();
    if (command == "sweep") {
        return sweep;
    }
    if (command == "plan") {
        return plan;
    }
    if (command == "serve") {
        return serve;
    }
    raise(core::usageError("unknown command '" + command +
                           "': expected analyze|compare|sweep|plan|serve"));
}

po::variables_map parse(const std::vector<std::string>& args,
                        const po::options_description& options) {
    auto vm = cli::parseOptions(args, options, "rooflens (Python)");
    if (!vm) {
        raise(core::usageError("--help is not a setting"));
    }
    return std::move(*vm);
}

Model bindModel(const std::vector<std::string>& args, py::object callback) {
    static const po::options_description options = modelOptions();
    const po::variables_map vm = parse(args, options);
    Progress progress(std::move(callback));
    std::shared_ptr<cli::BoundModel> bound;
    {
        py::gil_scoped_release release;
        bound = std::make_shared<cli::BoundModel>(cli::bindModel(vm, progress.callback()));
    }
    progress.finish();
    return Model{std::move(bound)};
}

Device resolveDevice(const std::string& idOrPath) {
    return Device{std::make_shared<const core::Hardware>(unwrap(database().resolve(idOrPath)))};
}

py::list deviceList() {
    py::list out;
    for (const hwdb::Entry* entry : database().visibleEntries()) {
        const core::Hardware& hw = entry->hardware;
        py::dict d;
        d["id"] = hw.id;
        d["name"] = hw.name;
        d["vendor"] = hw.vendor;
        d["kind"] = std::string(core::nameOf(hw.kind));
        d["year"] = hw.releaseYear;
        d["origin"] = entry->origin == hwdb::Origin::builtin ? "builtin" : "user";
        out.append(d);
    }
    return out;
}

Device importDevice(const std::string& path, bool force) {
    hwdb::Database db = hwdb::Database::load();
    auto hw = db.importProfile(path, force);
    reloadDatabase();
    return Device{std::make_shared<const core::Hardware>(unwrap(std::move(hw)))};
}

int bits(int value, const char* name) {
    if (!((value >= 2 && value <= 8) || value == 16 || value == 32)) {
        raise(core::usageError(std::string("--") + name + ": expected 2..8, 16 or 32, got " +
                               std::to_string(value)));
    }
    return value;
}

Scenario scenarioFromDict(const py::handle& dict, const std::string& label) {
    auto json = unwrap(core::parseJsonText(jsonText(dict), label));
    return Scenario{
        std::make_shared<const core::Scenario>(unwrap(core::parseScenario(json, label)))};
}

py::object asDict(const std::string& text) {
    return toPython(core::Json::parse(text));
}

void registerModel(py::module_& m) {
    py::class_<Model>(m, "Model")
        .def_property_readonly("id", [](const Model& x) { return x.bound->builder->id(); })
        .def_property_readonly(
            "family",
            [](const Model& x) { return std::string(core::nameOf(x.bound->builder->family())); })
        .def_property_readonly("spec",
                               [](const Model& x) {
                                   const models::WorkloadSpec& s = x.bound->spec;
                                   py::dict d;
                                   d["family"] = std::string(core::nameOf(s.family));
                                   d["model"] = s.model;
                                   d["image_height"] = s.imageHeight;
                                   d["image_width"] = s.imageWidth;
                                   d["token_reduction"] = s.tokenReduction;
                                   d["graph"] = s.graph;
                                   d["dtype"] = s.floatType
                                                    ? std::string(core::nameOf(*s.floatType))
                                                    : std::string("auto");
                                   return d;
                               })
        .def_property_readonly("has_decode",
                               [](const Model& x) { return x.bound->builder->hasDecode(); })
        .def("checkpoint_scenario", [](const Model& x) -> std::optional<Scenario> {
            auto s = x.bound->builder->checkpointScenario();
            if (!s) {
                return std::nullopt;
            }
            return Scenario{std::make_shared<const core::Scenario>(std::move(*s))};
        });
    m.def("bind_model", &bindModel, py::arg("args"), py::arg("progress") = py::none());
    // The family options (--image-size, --graph, ...) as keyword names, from the CLI's own list,
    // so that an option a family gains reaches Python as a keyword of rooflens.model().
    m.def("model_option_names", [] {
        po::options_description family;
        cli::addFamilyOptions(family);
        std::vector<std::string> names;
        for (const auto& option : family.options()) {
            std::string name = option->long_name();
            std::replace(name.begin(), name.end(), '-', '_');
            names.push_back(std::move(name));
        }
        return names;
    });
}

void registerDevices(py::module_& m) {
    py::class_<Device>(m, "Device")
        .def_property_readonly("id", [](const Device& d) { return d.hardware->id; })
        .def_property_readonly("name", [](const Device& d) { return d.hardware->name; })
        .def_property_readonly("source_file",
                               [](const Device& d) { return d.hardware->sourceFile; })
        .def("to_dict", [](const Device& d) { return asDict(hwdb::serializeDevice(*d.hardware)); });
    py::class_<System>(m, "System")
        .def_property_readonly("id", [](const System& s) { return s.system->id; })
        .def_property_readonly("name", [](const System& s) { return s.system->name; })
        .def_property_readonly("devices", [](const System& s) { return s.system->devices(); })
        .def_property_readonly("device", [](const System& s) {
            return Device{std::make_shared<const core::Hardware>(s.system->device)};
        });
    m.def("device", &resolveDevice, py::arg("id_or_path"));
    m.def("device_list", &deviceList);
    m.def("import_device", &importDevice, py::arg("path"), py::arg("force") = false);
    m.def("system", [](const std::string& idOrPath) {
        return System{std::make_shared<const core::System>(
            unwrap(hwdb::resolveSystem(idOrPath, database())))};
    });
    m.def("system_list", &hwdb::listSystems);
}

void registerScenarios(py::module_& m) {
    py::class_<Scenario>(m, "Scenario")
        .def_property_readonly("name", [](const Scenario& s) { return s.scenario->name; })
        .def_property_readonly("description",
                               [](const Scenario& s) { return s.scenario->description; })
        .def("to_dict",
             [](const Scenario& s) { return asDict(core::serializeScenario(*s.scenario)); });
    m.def("scenario", [](const std::string& nameOrPath) {
        return Scenario{
            std::make_shared<const core::Scenario>(unwrap(core::resolveScenario(nameOrPath)))};
    });
    m.def("scenario_from_dict", &scenarioFromDict, py::arg("dict"), py::arg("label"));
    m.def("scenario_from_bits", [](int w, int a, int kv) {
        return Scenario{std::make_shared<const core::Scenario>(
            core::scenarioFromBits(bits(w, "wbits"), bits(a, "abits"), bits(kv, "kvbits")))};
    });
    m.def("scenario_presets", &core::listScenarioPresets);
    m.def("scenario_catalog", [] { return asDict(unwrap(core::scenarioCatalogJson())); });
}

}  // namespace

void registerObjects(py::module_& m) {
    registerModel(m);
    registerDevices(m);
    registerScenarios(m);
    py::class_<Settings>(m, "Settings").def_property_readonly("command", [](const Settings& s) {
        return s.command;
    });
    m.def(
        "settings",
        [](const std::string& command, const std::vector<std::string>& args) {
            return Settings{command, std::make_shared<const po::variables_map>(
                                         parse(args, optionsOf(command)))};
        },
        py::arg("command"), py::arg("args"));
}

}  // namespace rooflens::python
