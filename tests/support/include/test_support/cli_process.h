#pragma once
// Test support: runs the `rooflens` executable as a user would, capturing the exit code, stdout
// and stderr. User profiles go to a scratch XDG_DATA_HOME, never the real home. Used by the
// process tests of cli_tests and calibrate_tests (library rooflens_test_support).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace rooflens::testing {

struct Outcome {
    int exitCode = -1;  // -1 when the process could not start or was killed by a signal
    int signal = 0;     // the signal that ended the process, 0 when it exited
    std::string out;
    std::string err;
};

// The built `rooflens` executable.
const std::string& cliPath();

// A directory private to this test process (created empty on first use).
std::filesystem::path scratch();

// The whole file as text; empty when it cannot be read.
std::string slurp(const std::filesystem::path& path);

// Runs rooflens with `args` (shell words, quoted by the caller). XDG_DATA_HOME is `xdg`, or
// scratch()/xdg when empty.
Outcome rooflens(const std::string& args, const std::string& xdg = "");

// As rooflens(), with `environment` (shell words "NAME=value ...") added to its environment.
Outcome rooflensWith(const std::string& environment, const std::string& args,
                     const std::string& xdg = "");

// The environment for rooflensWith() under which rooflens is SIGKILLed while writing a file
// in `dir` (a canonical path), once it has written `bytes` bytes to files there
// (src/kill_writes.cpp, preloaded).
std::string killWritesAfter(const std::filesystem::path& dir, long long bytes);

// Starts rooflens with `args` (no shell) in the background, stdout to /dev/null and stderr to
// `errFile`, in the caller's environment. Returns the process id, or -1 if it did not start;
// the caller waits for it (waitpid).
pid_t spawnRooflens(const std::vector<std::string>& args, const std::filesystem::path& errFile);

}  // namespace rooflens::testing
