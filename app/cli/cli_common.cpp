#include "cli_common.h"

#include <csignal>
#include <iostream>

#include "models/presets.h"

namespace rooflens::cli {

int exitCode(core::ErrorKind kind) {
    switch (kind) {
        case core::ErrorKind::usage:
            return kUsage;
        case core::ErrorKind::badInput:
            return kBadInput;
        case core::ErrorKind::runtime:
            return kRuntime;
    }
    return kRuntime;
}

namespace {
core::ErrorKind kindOf(Exit code) {
    switch (code) {
        case kUsage:
            return core::ErrorKind::usage;
        case kBadInput:
            return core::ErrorKind::badInput;
        default:
            return core::ErrorKind::runtime;
    }
}
}  // namespace

CliError::CliError(Exit code, std::string text) : core::Error{std::move(text), kindOf(code)} {}

std::optional<po::variables_map> parseOptions(
    const std::vector<std::string>& args, const po::options_description& options,
    const std::string& usage, const po::positional_options_description* positional) {
    po::options_description all;
    all.add_options()("help,h", "show this help");
    all.add(options);
    po::variables_map vm;
    try {
        po::command_line_parser parser(args);
        parser.options(all);
        if (positional != nullptr) {
            parser.positional(*positional);
        }
        po::store(parser.run(), vm);
        if (vm.count("help") != 0U) {
            std::cout << usage << "\n\n" << all << '\n';
            return std::nullopt;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw CliError{kUsage, std::string(e.what()) + " (see --help)"};
    }
    return vm;
}

core::ReportFormat parseFormat(const std::string& name,
                               std::initializer_list<core::ReportFormat> allowed) {
    auto format = core::parseReportFormat(name);
    bool ok = false;
    for (auto candidate : allowed) {
        ok |= format && *format == candidate;
    }
    if (!ok) {
        std::string names;
        for (auto candidate : allowed) {
            static constexpr const char* kNames[] = {"table", "json", "csv", "md"};
            names += (names.empty() ? "" : "|");
            names += kNames[static_cast<int>(candidate)];
        }
        throw CliError{kUsage, "--format: expected " + names + ", got '" + name + "'"};
    }
    return *format;
}

std::int64_t requirePositive(const po::variables_map& vm, const char* name) {
    const auto value = vm[name].as<std::int64_t>();
    if (value < 1) {
        throw CliError{kUsage, std::string("--") + name + ": expected a positive integer, got " +
                                   std::to_string(value)};
    }
    // Batches and lengths (issue 18, 3): the builders take at most 2^40, and a prompt plus a
    // generated length near 2^63 overflowed their int64 sum before any builder saw it.
    constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;
    if (value > kMaxCount) {
        throw CliError{kUsage, std::string("--") + name +
                                   ": expected at most 2^40 (1099511627776), got " +
                                   std::to_string(value)};
    }
    return value;
}

core::Phase requirePhase(const po::variables_map& vm) {
    const auto& name = vm["phase"].as<std::string>();
    const auto phase = core::parsePhase(name);
    if (!phase) {
        throw CliError{kUsage, "--phase: expected prefill|decode|request, got '" + name + "'"};
    }
    return *phase;
}

namespace {
core::CancelToken g_interrupted;
extern "C" void onInterrupt(int /*signal*/) {
    g_interrupted.cancel();
}
}  // namespace

const core::CancelToken& installInterruptHandler() {
    std::signal(SIGINT, onInterrupt);
    return g_interrupted;
}

int dispatchVerb(const std::vector<std::string>& args, std::initializer_list<Verb> verbs,
                 const char* usage) {
    if (args.empty()) {
        throw CliError{kUsage, std::string("missing subcommand\n") + usage};
    }
    const std::string& verb = args.front();
    if (verb == "--help" || verb == "-h") {
        std::cout << usage << '\n';
        return kOk;
    }
    for (const Verb& v : verbs) {
        if (verb == v.name) {
            return v.run(std::vector<std::string>(args.begin() + 1, args.end()));
        }
    }
    throw CliError{kUsage, "unknown subcommand '" + verb + "'\n" + usage};
}

void emit(const std::string& content, const std::string& outputPath) {
    if (outputPath.empty()) {
        std::cout << content;
        std::cout.flush();
        return;
    }
    auto status = core::writeFileAtomic(outputPath, content);
    if (!status) {
        throw CliError{kRuntime, status.error().message};
    }
}

hwdb::Database loadDatabase(bool reportErrors) {
    hwdb::Database db = hwdb::Database::load();
    if (reportErrors) {
        for (const auto& error : db.errors()) {
            std::cerr << "warning: skipped " << error.message << '\n';
        }
    }
    return db;
}

core::Hardware resolveHardware(const hwdb::Database& db, const std::string& idOrPath) {
    auto hw = db.resolve(idOrPath);
    if (!hw) {
        throw CliError{kBadInput, hw.error().message};
    }
    return std::move(hw).value();
}

models::LlmConfig resolveModel(const std::string& idOrPath) {
    auto config = models::resolveLlm(idOrPath);
    if (!config) {
        throw CliError{kBadInput, config.error().message};
    }
    return std::move(config).value();
}

}  // namespace rooflens::cli
