#include "common/strict_yaml.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "common/text.h"

namespace siliconsim {
namespace {

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

// yaml-cpp marks quoted scalars with the non-specific tag "!" and plain ones with "?".
bool IsQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing (null)";
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Scalar:
      return IsQuoted(node) ? fmt::format("the string \"{}\"", node.Scalar())
                            : fmt::format("\"{}\"", node.Scalar());
  }
  return "an unknown node";
}

const std::string& PlainScalar(const YamlFile& file, const YAML::Node& node, const std::string& path,
                               std::string_view expected) {
  if (!node.IsScalar() || IsQuoted(node)) {
    file.Fail(node, path, fmt::format("expected {}, got {}", expected, Describe(node)));
  }
  return node.Scalar();
}

}  // namespace

YamlFile::YamlFile(std::string name, std::string_view text) : name_(std::move(name)), lines_(SplitLines(text)) {
  // YAML allows no control characters but tab, LF and CR (YAML 1.2, 5.1 c-printable). They must
  // be refused before yaml-cpp sees them: its plain-scalar scanner takes a NUL byte for an escape
  // character, so `a<NUL>0` loads as "a\0" and is written back as a broken escape (found by
  // fuzz_model_yaml).
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
      Diagnostic d;
      d.location = {name_, line, static_cast<int>(i - line_start) + 1};
      d.message = fmt::format("control character 0x{:02X} is not allowed in YAML", c);
      if (line <= static_cast<int>(lines_.size())) d.source_line = lines_[static_cast<size_t>(line - 1)];
      throw InputError(std::move(d));
    }
  }
  try {
    root_ = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Diagnostic d;
    d.location = {name_, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) d.location = {name_, 0, 0};
    d.message = "YAML syntax: " + e.msg;
    if (d.location.line > 0 && d.location.line <= static_cast<int>(lines_.size())) {
      d.source_line = lines_[static_cast<size_t>(d.location.line - 1)];
    }
    throw InputError(std::move(d));
  }
}

std::string QuoteYamlString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

SourceLocation YamlFile::Locate(const YAML::Node& node) const {
  if (!node.IsDefined()) return {name_, 0, 0};
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return {name_, 0, 0};
  return {name_, mark.line + 1, mark.column + 1};
}

Diagnostic YamlFile::At(Severity severity, const YAML::Node& node, std::string key_path,
                        std::string message) const {
  Diagnostic d;
  d.severity = severity;
  d.location = Locate(node);
  d.key_path = std::move(key_path);
  d.message = std::move(message);
  if (d.location.line > 0 && d.location.line <= static_cast<int>(lines_.size())) {
    d.source_line = lines_[static_cast<size_t>(d.location.line - 1)];
  }
  return d;
}

void YamlFile::Fail(const YAML::Node& node, std::string key_path, std::string message) const {
  throw InputError(At(Severity::kError, node, std::move(key_path), std::move(message)));
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string JoinPath(std::string_view parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

MapView::MapView(const YamlFile& file, const YAML::Node& node, std::string path,
                 std::initializer_list<std::string_view> allowed_keys)
    : file_(file), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    file.Fail(node, path_, fmt::format("expected a map, got {}", Describe(node)));
  }
  std::vector<std::string> allowed(allowed_keys.begin(), allowed_keys.end());
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) file.Fail(key, path_, "a key must be a plain name");
    const std::string& name = key.Scalar();
    if (Has(name)) {
      const SourceLocation first = file.Locate(KeyNode(name));
      file.Fail(key, JoinPath(path_, name), fmt::format("duplicate key (first set on line {})", first.line));
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string message = fmt::format("unknown key '{}'", name);
      if (auto near = NearestMatch(name, allowed)) message += fmt::format("; did you mean '{}'?", *near);
      else message += fmt::format("; expected one of: {}", Join(allowed, ", "));
      file.Fail(key, JoinPath(path_, name), message);
    }
    entries_.emplace_back(key, it->second);
  }
}

bool MapView::Has(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k.Scalar() == key) return true;
  }
  return false;
}

std::optional<YAML::Node> MapView::Optional(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k.Scalar() == key) return v;
  }
  return std::nullopt;
}

YAML::Node MapView::KeyNode(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k.Scalar() == key) return k;
  }
  return node_;
}

YAML::Node MapView::Required(std::string_view key) const {
  if (auto value = Optional(key)) return *value;
  file_.Fail(node_, PathOf(key), "missing required field");
}

bool IsNullValue(const YAML::Node& node) { return node.IsNull() || !node.IsDefined(); }

std::string ReadString(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) file.Fail(node, path, fmt::format("expected a string, got {}", Describe(node)));
  return node.Scalar();
}

std::string ReadNonEmptyString(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  std::string s = ReadString(file, node, path);
  if (s.find_first_not_of(" \t") == std::string::npos) file.Fail(node, path, "must not be empty");
  return s;
}

int64_t ReadInteger(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  const std::string& text = PlainScalar(file, node, path, "an integer");
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && text[0] == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc::result_out_of_range) file.Fail(node, path, fmt::format("integer {} is out of range", text));
  if (ec != std::errc() || ptr != end || begin == end) {
    file.Fail(node, path, fmt::format("expected an integer, got {}", Describe(node)));
  }
  return value;
}

double ReadNumber(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  const std::string& text = PlainScalar(file, node, path, "a number");
  // Only decimal notation: strtod alone would also take "0x1p3", "inf" and "nan".
  const bool plain = !text.empty() && text.find_first_not_of("0123456789+-.eE") == std::string::npos;
  char* end = nullptr;
  const double value = plain ? std::strtod(text.c_str(), &end) : 0.0;
  if (!plain || end != text.c_str() + text.size()) {
    file.Fail(node, path, fmt::format("expected a number, got {}", Describe(node)));
  }
  if (!std::isfinite(value)) file.Fail(node, path, fmt::format("number {} is out of range", text));
  return value;
}

bool ReadBool(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  const std::string& text = PlainScalar(file, node, path, "true or false");
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  file.Fail(node, path, fmt::format("expected true or false, got {}", Describe(node)));
}

int64_t ReadPositiveInteger(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  const int64_t value = ReadInteger(file, node, path);
  if (value <= 0) file.Fail(node, path, fmt::format("must be greater than zero, got {}", value));
  return value;
}

double ReadPositiveNumber(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  const double value = ReadNumber(file, node, path);
  if (value <= 0) file.Fail(node, path, fmt::format("must be greater than zero, got {}", node.Scalar()));
  return value;
}

std::string ReadChoice(const YamlFile& file, const YAML::Node& node, const std::string& path,
                       std::initializer_list<std::string_view> choices) {
  std::string value = ReadString(file, node, path);
  for (std::string_view c : choices) {
    if (value == c) return value;
  }
  std::vector<std::string> names(choices.begin(), choices.end());
  std::string message = fmt::format("'{}' is not one of: {}", value, Join(names, ", "));
  if (auto near = NearestMatch(value, names)) message += fmt::format(" (did you mean '{}'?)", *near);
  file.Fail(node, path, message);
}

void RequireSequence(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) file.Fail(node, path, fmt::format("expected a list, got {}", Describe(node)));
}

void CheckSchemaVersion(const MapView& top, int64_t supported) {
  const YAML::Node node = top.Required("schema_version");
  const int64_t version = ReadInteger(top.file(), node, top.PathOf("schema_version"));
  if (version != supported) {
    top.file().Fail(node, top.PathOf("schema_version"),
                    fmt::format("unsupported version {}; this build of siliconsim reads version {}", version,
                                supported));
  }
}

}  // namespace siliconsim
