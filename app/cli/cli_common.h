#pragma once
// Shared plumbing of the `rooflens` subcommands: exit codes, option parsing with Boost, output to
// stdout or an atomically written file, and resolution of --model and --hw arguments.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/hardware.h"
#include "core/progress.h"
#include "core/report_io.h"
#include "core/result.h"
#include "core/workload.h"
#include "hwdb/hwdb.h"
#include "models/llm.h"

namespace rooflens::cli {

namespace po = boost::program_options;

enum Exit : int { kOk = 0, kUsage = 1, kBadInput = 2, kRuntime = 3 };

// The exit code of an error of this kind: the one place where faults become exit codes (1 usage,
// 2 bad input or data, 3 runtime failure), so the same fault exits the same way in every command.
int exitCode(core::ErrorKind kind);

// Thrown inside a command to end it: main() prints the message on stderr and exits by the kind.
// `Exit` names the kind at the throw site (kUsage -> usage, kBadInput -> bad input, ...).
struct CliError : core::Error {
    CliError(Exit code, std::string text);
    explicit CliError(core::Error error) : core::Error(std::move(error)) {}
};

// The value of a pipeline or loader result, or the end of the command with its error.
template <typename T>
T unwrap(core::Result<T> result) {
    if (!result) {
        throw CliError(std::move(result).error());
    }
    return std::move(result).value();
}

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args);
};

// Parses `args` against `options` (with --help); returns nullopt after printing help.
std::optional<po::variables_map> parseOptions(
    const std::vector<std::string>& args, const po::options_description& options,
    const std::string& usage, const po::positional_options_description* positional = nullptr);

core::ReportFormat parseFormat(const std::string& name,
                               std::initializer_list<core::ReportFormat> allowed);

// The value of an integer option, which must be >= 1 (usage error otherwise).
std::int64_t requirePositive(const po::variables_map& vm, const char* name);

// The --phase option (prefill|decode|request); a usage error otherwise.
core::Phase requirePhase(const po::variables_map& vm);

// A token cancelled by Ctrl-C (SIGINT) once installInterruptHandler() ran.
const core::CancelToken& installInterruptHandler();

// Writes to --output atomically (exit 3 on failure) or to stdout.
void emit(const std::string& content, const std::string& outputPath);

// Loads the database; bad device files are reported on stderr but do not stop the command.
hwdb::Database loadDatabase(bool reportErrors);
core::Hardware resolveHardware(const hwdb::Database& db, const std::string& idOrPath);
models::LlmConfig resolveModel(const std::string& idOrPath);

// Runs the verb of a command with subcommands ("hw list ..."): --help prints `usage`, a missing
// or unknown verb is a usage error.
struct Verb {
    const char* name;
    int (*run)(const std::vector<std::string>& args);
};
int dispatchVerb(const std::vector<std::string>& args, std::initializer_list<Verb> verbs,
                 const char* usage);

// Dispatch tables of the subcommands.
int runAnalyze(const std::vector<std::string>& args);
int runCalibrate(const std::vector<std::string>& args);
int runValidate(const std::vector<std::string>& args);
int runHw(const std::vector<std::string>& args);
int runModels(const std::vector<std::string>& args);
int runScenarios(const std::vector<std::string>& args);
int runCompare(const std::vector<std::string>& args);
int runSweep(const std::vector<std::string>& args);
int runPlan(const std::vector<std::string>& args);
int runPlot(const std::vector<std::string>& args);

}  // namespace rooflens::cli
