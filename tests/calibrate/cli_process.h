#pragma once
// Runs the `rooflens` executable as a user does, for the calibrate/validate process tests.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace rooflens::calibrate::testing {

namespace fs = std::filesystem;

struct Outcome {
    int exitCode = -1;
    std::string out;
    std::string err;
};

inline fs::path scratch() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("rooflens-cal-" + std::to_string(::getpid()));
        fs::remove_all(d);
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Runs rooflens with shell-quoted `args`; user profiles go to a scratch XDG_DATA_HOME.
inline Outcome rooflens(const std::string& args) {
    const fs::path errFile = scratch() / "stderr.txt";
    const std::string command = "XDG_DATA_HOME='" + (scratch() / "xdg").string() + "' '" +
                                ROOFLENS_CLI_PATH + "' " + args + " 2>'" + errFile.string() + "'";
    Outcome run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return run;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        run.out.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = slurp(errFile);
    return run;
}

}  // namespace rooflens::calibrate::testing
