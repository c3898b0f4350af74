#pragma once
// Runs the `rooflens` executable as a user would, capturing exit code, stdout and stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace rooflens::testing {

namespace fs = std::filesystem;

struct Outcome {
    int exitCode = -1;
    std::string out;
    std::string err;
};

inline std::filesystem::path scratch() {
    static const std::filesystem::path dir = [] {
        std::filesystem::path d =
            std::filesystem::temp_directory_path() / ("rooflens-cli-" + std::to_string(::getpid()));
        std::filesystem::remove_all(d);
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Runs rooflens with `args` (shell words); XDG_DATA_HOME points into a scratch directory so user
// profiles never touch the real home.
inline Outcome rooflens(const std::string& args, const std::string& xdg = "") {
    const std::filesystem::path errFile = scratch() / "stderr.txt";
    const std::string home = xdg.empty() ? (scratch() / "xdg").string() : xdg;
    const std::string command = "XDG_DATA_HOME='" + home + "' '" ROOFLENS_CLI_PATH "' " + args +
                                " 2>'" + errFile.string() + "'";
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

}  // namespace rooflens::testing
