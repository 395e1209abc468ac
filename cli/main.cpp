#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  siliconsim::CliEnvironment env;
  if (const char* data = std::getenv("SILICONSIM_DATA")) env.data_path = data;
  if (const char* sysctl = std::getenv("SILICONSIM_SYSCTL")) env.sysctl_path = sysctl;
  try {
    return siliconsim::RunCli(args, std::cout, std::cerr, env);
  } catch (const std::exception& e) {
    std::cerr << "siliconsim: internal error: " << e.what() << "\n";
    return 1;
  }
}
