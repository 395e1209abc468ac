// Runs every file of the malformed-input corpus (tests/malformed/, listed in manifest.yaml)
// through the real CLI in-process, and checks the exit status and the key words of the message.
// Under the sanitizer build this is also a crash/leak check for each reader on each file.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "common/diagnostics.h"
#include "measure/measurement.h"

namespace siliconsim {
namespace {

namespace fs = std::filesystem;

struct MalformedCase {
  std::string file;  ///< relative to tests/malformed
  std::string run;
  int status = 2;
  std::vector<std::string> words;
};

fs::path CorpusDir() { return fs::path(SILICONSIM_TEST_DATA_DIR) / "malformed"; }

std::vector<MalformedCase> LoadManifest() {
  std::vector<MalformedCase> cases;
  const YAML::Node root = YAML::LoadFile((CorpusDir() / "manifest.yaml").string());
  for (const YAML::Node& entry : root["inputs"]) {
    MalformedCase c;
    c.file = entry["file"].as<std::string>();
    c.run = entry["run"].as<std::string>();
    c.status = entry["status"].as<int>();
    for (const YAML::Node& w : entry["words"]) c.words.push_back(w.as<std::string>());
    cases.push_back(std::move(c));
  }
  return cases;
}

struct Outcome {
  int status = 0;
  std::string err;
};

// A data directory holding only `file`, as DIR/<database>/x.yaml.
fs::path DataDirWith(const fs::path& file, const std::string& database, const std::string& test_name) {
  const fs::path dir = fs::temp_directory_path() / ("siliconsim_malformed_" + std::to_string(::getpid())) / test_name;
  fs::remove_all(dir);
  fs::create_directories(dir / database);
  fs::copy_file(file, dir / database / "x.yaml");
  return dir;
}

Outcome RunCase(const MalformedCase& c, const std::string& test_name) {
  const fs::path file = CorpusDir() / c.file;
  Outcome o;
  if (c.run == "measurements") {
    try {
      MeasurementDefaults defaults;
      defaults.model = "llama-2-7b";
      defaults.quant = "Q4_0";
      ReadMeasurementsFile(file.string(), defaults);
    } catch (const InputError& e) {
      o.status = kExitBadInput;
      o.err = e.what();
    }
    return o;
  }
  std::vector<std::string> args;
  if (c.run == "chips" || c.run == "models" || c.run == "quants" || c.run == "engines") {
    args = {c.run, "--data", DataDirWith(file, c.run, test_name).string(), "--no-builtin-data"};
  } else if (c.run == "import-hf") {
    args = {"import", "hf", file.string()};
  } else if (c.run == "import-gguf") {
    args = {"import", "gguf", file.string()};
  } else {
    ADD_FAILURE() << c.file << ": unknown run '" << c.run << "' in manifest.yaml";
    return o;
  }
  std::ostringstream out, err;
  o.status = RunCli(args, out, err);
  o.err = err.str();
  return o;
}

class MalformedInput : public testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedInput, FailsWithItsMessage) {
  const MalformedCase& c = GetParam();
  const std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
  Outcome o;
  try {
    o = RunCase(c, std::to_string(std::hash<std::string>{}(name)));
  } catch (const std::exception& e) {
    FAIL() << c.file << ": an exception escaped the reader: " << e.what();
  }
  EXPECT_EQ(o.status, c.status) << c.file << "\n" << o.err;
  for (const std::string& word : c.words) {
    EXPECT_NE(o.err.find(word), std::string::npos) << c.file << ": message lacks '" << word << "':\n" << o.err;
  }
  // One diagnostic, not a flood: a hostile file must not make the message huge.
  EXPECT_LT(o.err.size(), 4096u) << c.file;
}

std::string CaseName(const testing::TestParamInfo<MalformedCase>& info) {
  std::string name = info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedInput, testing::ValuesIn(LoadManifest()), CaseName);

TEST(MalformedCorpus, HasAtLeastFiftyFilesAllListed) {
  size_t files = 0;
  std::vector<std::string> listed;
  for (const MalformedCase& c : LoadManifest()) listed.push_back(c.file);
  for (const auto& entry : fs::recursive_directory_iterator(CorpusDir())) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), CorpusDir()).generic_string();
    if (rel == "manifest.yaml" || rel.ends_with(".cpp")) continue;
    ++files;
    EXPECT_NE(std::find(listed.begin(), listed.end(), rel), listed.end()) << rel << " is not in manifest.yaml";
  }
  EXPECT_GE(files, 50u);
}

}  // namespace
}  // namespace siliconsim
