// llama-bench output (llama.cpp tools/llama-bench, formerly examples/llama-bench).
//
// CSV, JSON and JSONL carry the same fields (`test::get_fields()`); the column set has grown
// over the years and only these are read:
//   n_prompt, n_gen, avg_ts (required); n_depth (builds since 2025), stddev_ts, model_filename,
//   model_type ("llama 7B mostly Q4_0", "qwen2 7B Q4_K - Medium"), cpu_info, gpu_info,
//   backends ("Metal,BLAS", "CPU") or, in 2023 builds, the flags cuda/opencl/metal/vulkan/
//   kompute/sycl/gpu_blas/blas, n_gpu_layers, n_threads.
// Markdown (`-o md`, the default) prints `| model | size | params | backend | ngl | ... | test | t/s |`
// with test `pp512`, `tg128`, `pp512 @ d4096` (older builds: `pp 512`) and t/s `132.19 ± 0.55`;
// some builds leave a cell blank when it repeats the row above.
//
// A `pp512+tg128` test (-pg) times prompt and generation together and is skipped: it cannot be
// attributed to one phase.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "common/value_parse.h"
#include "measure/reader_util.h"

namespace siliconsim::measure_internal {
namespace {

using Json = nlohmann::json;

std::string KeyOf(const Record& r, std::string_view field) { return r.key_prefix + std::string(field); }

[[noreturn]] void FailField(const SourceText& src, const Record& r, std::string_view name, const Record::Field& f,
                            const std::string& message) {
  src.Fail(f.where, KeyOf(r, name), message);
}

int64_t TokenField(const SourceText& src, const Record& r, std::string_view name, bool required) {
  const Record::Field* f = r.Get(name);
  if (!f) {
    if (required) src.Fail(r.where, KeyOf(r, name), "missing: the test's token count is needed");
    return 0;
  }
  const std::optional<int64_t> v = ParseInt(Trim(f->value));
  if (!v || *v < 0 || *v > kMaxTokenCount) {
    FailField(src, r, name, *f,
              fmt::format("expected a token count from 0 to {}, got {}", kMaxTokenCount, Quoted(f->value)));
  }
  return *v;
}

std::optional<double> RateField(const SourceText& src, const Record& r, std::string_view name, bool required,
                                bool allow_zero) {
  const Record::Field* f = r.Get(name);
  if (!f) {
    if (required) src.Fail(r.where, KeyOf(r, name), "missing: the measured tokens per second are needed");
    return std::nullopt;
  }
  const std::optional<double> v = ParseDecimal(Trim(f->value));
  if (!v || *v < 0 || (!allow_zero && *v == 0)) {
    FailField(src, r, name, *f,
              fmt::format("expected {} number of tokens per second, got {}", allow_zero ? "a" : "a positive",
                          Quoted(f->value)));
  }
  return v;
}

std::optional<int64_t> OptionalInt(const SourceText& src, const Record& r, std::string_view name) {
  const Record::Field* f = r.Get(name);
  if (!f) return std::nullopt;
  const std::optional<int64_t> v = ParseInt(Trim(f->value));
  if (!v) FailField(src, r, name, *f, fmt::format("expected an integer, got {}", Quoted(f->value)));
  return v;
}

bool Truthy(const Record& r, std::string_view name) {
  const Record::Field* f = r.Get(name);
  if (!f) return false;
  const std::string v = ToLower(Trim(f->value));
  return v == "1" || v == "true";
}

// "llama 7B mostly Q4_0" -> {"llama 7B", "Q4_0"}; "qwen2 7B Q4_K - Medium" -> {"qwen2 7B", "Q4_K_M"}.
// llama_model_desc() writes "<arch> <size> <ftype name>"; the ftype names are llama.cpp's
// llama_model_ftype_name(): "mostly Q4_0" (2023), "Q4_K - Medium", "IQ2_XXS - 2.0625 bpw",
// "all F32", "MXFP4 MoE", each possibly followed by " (guessed)".
std::pair<std::string, std::string> SplitModelType(std::string_view model_type) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < model_type.size()) {
    while (i < model_type.size() && model_type[i] == ' ') ++i;
    const size_t start = i;
    while (i < model_type.size() && model_type[i] != ' ') ++i;
    if (i > start) words.push_back(model_type.substr(start, i - start));
  }
  if (words.size() < 3) return {std::string(Trim(model_type)), ""};
  std::string model = fmt::format("{} {}", words[0], words[1]);
  std::vector<std::string> rest(words.begin() + 2, words.end());
  if (!rest.empty() && rest.back() == "(guessed)") rest.pop_back();
  if (!rest.empty() && (rest.front() == "mostly" || rest.front() == "all")) rest.erase(rest.begin());
  if (rest.size() >= 2 && rest.back() == "MoE") rest.pop_back();
  if (rest.empty()) return {model, ""};
  std::string quant = rest[0];
  if (rest.size() >= 3 && rest[1] == "-") {
    const std::string size = ToLower(rest[2]);
    if (size == "medium") quant += "_M";
    else if (size == "small") quant += "_S";
    else if (size == "large") quant += "_L";
    // Anything else after the dash ("2.0625 bpw", "ternary") describes the type; it is not a name.
  } else if (rest.size() >= 2 && rest[1] != "-") {
    return {model, Join(rest, " ")};  // an ftype name this code does not know: as written
  }
  return {model, quant};
}

// The backends a record names: `backends`, or the 2023 boolean columns.
std::optional<std::string> Backends(const Record& r) {
  if (const Record::Field* f = r.Get("backends")) return std::string(Trim(f->value));
  static constexpr std::pair<std::string_view, std::string_view> kFlags[] = {
      {"metal", "Metal"}, {"cuda", "CUDA"},     {"vulkan", "Vulkan"}, {"sycl", "SYCL"},
      {"kompute", "Kompute"}, {"opencl", "OpenCL"}, {"gpu_blas", "GPU BLAS"}, {"blas", "BLAS"}};
  bool any_flag = false;
  std::vector<std::string> on;
  for (const auto& [column, name] : kFlags) {
    if (r.fields.count(std::string(column))) any_flag = true;
    if (Truthy(r, column)) on.emplace_back(name);
  }
  if (!any_flag) return std::nullopt;
  return on.empty() ? std::string("CPU") : Join(on, ",");
}

std::string EngineOf(const Record& r, std::optional<int64_t> gpu_layers, const MeasurementDefaults& defaults) {
  const std::optional<std::string> backends = Backends(r);
  if (!backends) return defaults.engine.empty() ? "llama.cpp" : NormalizeEngine(defaults.engine);
  if (gpu_layers && *gpu_layers == 0) return "llama.cpp-cpu";
  const std::string lower = ToLower(*backends);
  if (lower.find("metal") != std::string::npos) return "llama.cpp-metal";
  bool cpu_only = true;
  size_t start = 0;
  while (start <= lower.size()) {
    size_t end = lower.find(',', start);
    if (end == std::string::npos) end = lower.size();
    const std::string_view part = Trim(std::string_view(lower).substr(start, end - start));
    if (!part.empty() && part != "cpu" && part != "blas" && part != "accelerate") cpu_only = false;
    start = end + 1;
  }
  if (cpu_only) return "llama.cpp-cpu";
  std::string name = "llama.cpp-" + lower;
  std::replace(name.begin(), name.end(), ',', '+');
  return name;
}

std::string ChipOf(const Record& r, const MeasurementDefaults& defaults) {
  for (const char* column : {"gpu_info", "cpu_info"}) {
    if (const Record::Field* f = r.Get(column)) {
      if (f->value.find("Apple M") != std::string::npos) return std::string(Trim(f->value));
    }
  }
  if (!defaults.chip.empty()) return defaults.chip;
  for (const char* column : {"gpu_info", "cpu_info"}) {
    if (const Record::Field* f = r.Get(column)) return std::string(Trim(f->value));
  }
  return "";
}

// Offsets of the values of a top-level JSON array (the '{' of each object), and a nesting check,
// in one scan that skips strings.
std::vector<size_t> ScanJson(const SourceText& src) {
  const std::string_view text = src.text();
  std::vector<size_t> element_starts;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (depth == 1 && c == '{') element_starts.push_back(i);
      if (++depth > kMaxMeasurementJsonDepth) {
        src.FailAt(i, "", fmt::format("JSON nested deeper than {} levels is not benchmark output",
                                      kMaxMeasurementJsonDepth));
      }
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return element_starts;
}

Json ParseJson(const SourceText& src, std::string_view text, size_t base_offset) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based, the position just past the offending character.
    const size_t at = base_offset + (e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    const size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    src.FailAt(at, "", fmt::format("not valid JSON: {}", what));
  } catch (const Json::exception& e) {
    src.FailAt(base_offset, "", fmt::format("not valid JSON: {}", e.what()));
  }
}

Record RecordFromJson(const SourceText& src, const Json& object, SourceLocation where, std::string prefix) {
  Record r;
  r.where = where;
  r.key_prefix = std::move(prefix);
  if (!object.is_object()) src.Fail(where, "", "expected a JSON object for each test");
  for (const auto& [key, value] : object.items()) {
    std::string text;
    if (value.is_string()) text = value.get<std::string>();
    else if (value.is_boolean()) text = value.get<bool>() ? "true" : "false";
    else if (value.is_null()) continue;
    else if (value.is_number() || key == "n_prompt" || key == "n_gen" || key == "n_depth" || key == "avg_ts" ||
             key == "stddev_ts" || key == "n_gpu_layers" || key == "n_threads") {
      text = value.dump();  // a list or object where a number belongs: shown in the message
    } else {
      continue;  // samples_ns, samples_ts and other lists
    }
    r.fields[key] = Record::Field{std::move(text), where};
  }
  return r;
}

std::vector<std::string_view> SplitMarkdownRow(std::string_view line) {
  line = Trim(line);
  std::vector<std::string_view> cells;
  if (line.empty() || line.front() != '|') return cells;
  line.remove_prefix(1);
  if (!line.empty() && line.back() == '|') line.remove_suffix(1);
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find('|', start);
    if (end == std::string_view::npos) end = line.size();
    cells.push_back(Trim(line.substr(start, end - start)));
    start = end + 1;
  }
  return cells;
}

bool IsSeparatorRow(const std::vector<std::string_view>& cells) {
  if (cells.empty()) return false;
  for (std::string_view c : cells) {
    if (c.empty() || c.find_first_not_of(":-") != std::string_view::npos || c.find('-') == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string WithoutSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

// `pp512`, `tg 128`, `pp512+tg128`, `pp512 @ d4096` -> n_prompt, n_gen, n_depth fields.
void AddTestFields(const SourceText& src, Record& r, const Record::Field& test) {
  const std::string s = WithoutSpaces(test.value);
  const auto fail = [&] {
    src.Fail(test.where, "test",
             fmt::format("expected a llama-bench test like pp512, tg128 or pp512 @ d4096, got {}", Quoted(test.value)));
  };
  const size_t at = s.find('@');
  const std::string name = s.substr(0, at);
  std::string depth = "0";
  if (at != std::string::npos) {
    const std::string d = s.substr(at + 1);
    if (d.size() < 2 || d[0] != 'd') fail();
    depth = d.substr(1);
  }
  std::string prompt = "0", gen = "0";
  const size_t plus = name.find('+');
  const std::string first = name.substr(0, plus);
  const std::string second = plus == std::string::npos ? "" : name.substr(plus + 1);
  const auto take = [&](const std::string& part) {
    if (part.size() < 3) fail();
    if (part.compare(0, 2, "pp") == 0) prompt = part.substr(2);
    else if (part.compare(0, 2, "tg") == 0) gen = part.substr(2);
    else fail();
  };
  take(first);
  if (plus != std::string::npos) take(second);
  for (const std::string* v : {&prompt, &gen, &depth}) {
    if (v->empty() || v->find_first_not_of("0123456789") != std::string::npos) fail();
  }
  r.fields["n_prompt"] = {prompt, test.where};
  r.fields["n_gen"] = {gen, test.where};
  r.fields["n_depth"] = {depth, test.where};
}

// `132.19 ± 0.55` (also `+/-`, `+-`, or a bare number) -> avg_ts, stddev_ts.
void AddRateFields(const SourceText& src, Record& r, const Record::Field& rate) {
  std::string_view s = rate.value;
  std::string_view avg = s, dev;
  for (std::string_view sep : {std::string_view("\xC2\xB1"), std::string_view("+/-"), std::string_view("+-")}) {
    const size_t at = s.find(sep);
    if (at != std::string_view::npos) {
      avg = s.substr(0, at);
      dev = s.substr(at + sep.size());
      break;
    }
  }
  if (!ParseDecimal(Trim(avg)) || (!dev.empty() && !ParseDecimal(Trim(dev)))) {
    src.Fail(rate.where, "t/s", fmt::format("expected tokens per second like 132.19 ± 0.55, got {}", Quoted(s)));
  }
  r.fields["avg_ts"] = {std::string(Trim(avg)), rate.where};
  if (!dev.empty()) r.fields["stddev_ts"] = {std::string(Trim(dev)), rate.where};
}

}  // namespace

std::optional<Measurement> LlamaBenchMeasurement(const SourceText& src, const Record& r,
                                                 const MeasurementDefaults& defaults) {
  Measurement m;
  m.where = r.where;
  const int64_t n_prompt = TokenField(src, r, "n_prompt", true);
  const int64_t n_gen = TokenField(src, r, "n_gen", true);
  m.depth_tokens = TokenField(src, r, "n_depth", false);
  const double avg = *RateField(src, r, "avg_ts", true, false);
  m.stddev_tokens_per_second = RateField(src, r, "stddev_ts", false, true);
  if (n_prompt > 0 && n_gen > 0) return std::nullopt;  // pp+tg: both phases in one figure
  if (n_prompt == 0 && n_gen == 0) {
    const Record::Field* f = r.Get("n_prompt");
    src.Fail(f ? f->where : r.where, KeyOf(r, "n_prompt"), "a test with neither prompt nor generated tokens");
  }
  m.phase = n_prompt > 0 ? MeasuredPhase::kPrefill : MeasuredPhase::kDecode;
  m.prompt_tokens = n_prompt;
  m.gen_tokens = n_gen;
  m.tokens_per_second = avg;

  const std::optional<int64_t> gpu_layers = OptionalInt(src, r, "n_gpu_layers");
  m.engine = EngineOf(r, gpu_layers, defaults);
  if (const std::optional<int64_t> threads = OptionalInt(src, r, "n_threads")) {
    if (*threads <= 0 || *threads > 65536) {
      FailField(src, r, "n_threads", *r.Get("n_threads"), fmt::format("expected 1 to 65536 threads, got {}", *threads));
    }
    m.threads = static_cast<int>(*threads);
  }
  m.chip = ChipOf(r, defaults);
  std::string type_model, type_quant;
  if (const Record::Field* f = r.Get("model_type")) std::tie(type_model, type_quant) = SplitModelType(f->value);
  if (const Record::Field* f = r.Get("model_filename")) m.model = std::string(Trim(f->value));
  else m.model = type_model;
  m.quant = type_quant;
  m.source = src.file();
  return m;
}

std::vector<Measurement> ReadLlamaBenchCsv(const SourceText& src, const std::vector<CsvRow>& rows,
                                           const MeasurementDefaults& defaults) {
  std::vector<Measurement> out;
  const CsvRow& header = rows.front();
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.cells.size() == 1 && Trim(row.cells[0].text).empty()) continue;
    if (row.cells.size() != header.cells.size()) {
      src.FailAt(row.offset, "",
                 fmt::format("this row has {} fields but the header has {}", row.cells.size(), header.cells.size()));
    }
    Record record;
    record.where = src.At(row.offset);
    for (size_t c = 0; c < row.cells.size(); ++c) {
      record.fields[header.cells[c].text] = {row.cells[c].text, src.At(row.cells[c].offset)};
    }
    if (std::optional<Measurement> m = LlamaBenchMeasurement(src, record, defaults)) out.push_back(std::move(*m));
  }
  return out;
}

std::vector<Measurement> ReadLlamaBenchJson(const SourceText& src, bool lines, const MeasurementDefaults& defaults) {
  std::vector<Measurement> out;
  const std::vector<size_t> element_starts = ScanJson(src);
  const auto add = [&](const Record& record) {
    if (std::optional<Measurement> m = LlamaBenchMeasurement(src, record, defaults)) out.push_back(std::move(*m));
  };
  try {
    if (!lines) {
      const Json root = ParseJson(src, src.text(), 0);
      if (!root.is_array()) src.FailAt(0, "", "expected a JSON array of llama-bench tests (llama-bench -o json)");
      for (size_t i = 0; i < root.size(); ++i) {
        const size_t at = i < element_starts.size() ? element_starts[i] : 0;
        add(RecordFromJson(src, root[i], src.At(at), fmt::format("[{}].", i)));
      }
      return out;
    }
    const std::string_view text = src.text();
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = text.substr(start, end - start);
      if (!Trim(line).empty()) {
        const Json object = ParseJson(src, line, start);
        const SourceLocation where = src.At(start);
        add(RecordFromJson(src, object, where, fmt::format("line {}: ", where.line)));
      }
      start = end + 1;
    }
  } catch (const Json::exception& e) {
    src.FailAt(0, "", fmt::format("unreadable JSON value: {}", e.what()));
  }
  return out;
}

bool IsLlamaBenchMarkdownHeader(std::string_view line) {
  const std::vector<std::string_view> cells = SplitMarkdownRow(line);
  return std::find(cells.begin(), cells.end(), "test") != cells.end() &&
         std::find(cells.begin(), cells.end(), "t/s") != cells.end();
}

std::vector<Measurement> ReadLlamaBenchMarkdown(const SourceText& src, const MeasurementDefaults& defaults) {
  // Display names of the markdown columns -> the CSV field each stands for.
  static constexpr std::pair<std::string_view, std::string_view> kColumns[] = {
      {"model", "model_type"}, {"backend", "backends"}, {"ngl", "n_gpu_layers"}, {"threads", "n_threads"},
      {"n_gpu_layers", "n_gpu_layers"}, {"n_threads", "n_threads"}};
  std::vector<Measurement> out;
  const std::string_view text = src.text();
  std::vector<std::string> header;
  std::vector<std::string> previous;  // the last row's values, for blank (repeated) cells
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    const size_t line_start = start;
    start = end + 1;
    const std::vector<std::string_view> cells = SplitMarkdownRow(line);
    if (cells.empty()) {  // any other line ends the table
      header.clear();
      continue;
    }
    if (IsLlamaBenchMarkdownHeader(line)) {
      header.assign(cells.begin(), cells.end());
      previous.assign(cells.size(), "");
      continue;
    }
    if (header.empty() || IsSeparatorRow(cells)) continue;
    if (cells.size() != header.size()) {
      src.FailAt(line_start, "",
                 fmt::format("this table row has {} cells but the header has {}", cells.size(), header.size()));
    }
    Record record;
    record.where = src.At(line_start);
    std::vector<size_t> bars;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '|') bars.push_back(i);
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string value = cells[c].empty() ? previous[c] : std::string(cells[c]);
      previous[c] = value;
      size_t at = c < bars.size() ? bars[c] + 1 : 0;
      while (at < line.size() && line[at] == ' ') ++at;
      const SourceLocation where = src.At(line_start + at);
      const Record::Field field{value, where};
      if (header[c] == "test") {
        if (value.empty()) src.Fail(where, "test", "empty test name");
        AddTestFields(src, record, field);
      } else if (header[c] == "t/s") {
        AddRateFields(src, record, field);
      } else {
        std::string name = header[c];
        for (const auto& [display, field_name] : kColumns) {
          if (header[c] == display) name = field_name;
        }
        record.fields[name] = field;
      }
    }
    if (std::optional<Measurement> m = LlamaBenchMeasurement(src, record, defaults)) out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace siliconsim::measure_internal
