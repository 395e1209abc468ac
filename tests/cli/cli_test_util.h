#pragma once
// Helpers every CLI test uses: run the CLI in-process, read a file, compare with a golden.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

namespace siliconsim::cli_test {

/// What one CLI invocation produced.
struct Result {
  int status;
  std::string out;
  std::string err;
};

/// Runs `siliconsim args...` in-process.
inline Result Invoke(const std::vector<std::string>& args, const CliEnvironment& env = {}) {
  std::ostringstream out, err;
  const int status = RunCli(args, out, err, env);
  return {status, out.str(), err.str()};
}

/// A whole file as bytes.
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Compares with tests/golden/NAME; SILICONSIM_UPDATE_GOLDEN=1 rewrites the file instead.
inline void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(SILICONSIM_TEST_DATA_DIR) / "golden" / name;
  if (std::getenv("SILICONSIM_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; run with SILICONSIM_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, ReadFile(path)) << "golden " << name;
}

}  // namespace siliconsim::cli_test
