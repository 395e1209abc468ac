#include "measure/reader_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "common/text.h"

namespace siliconsim::measure_internal {

SourceText::SourceText(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

SourceLocation SourceText::At(size_t offset) const {
  offset = std::min(offset, text_.size());
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const size_t line_index = static_cast<size_t>(it - line_starts_.begin()) - 1;
  return {file_, static_cast<int>(line_index + 1), static_cast<int>(offset - line_starts_[line_index] + 1)};
}

std::string SourceText::Line(int line) const {
  if (line <= 0 || static_cast<size_t>(line) > line_starts_.size()) return "";
  const size_t begin = line_starts_[static_cast<size_t>(line - 1)];
  size_t end = text_.find('\n', begin);
  if (end == std::string_view::npos) end = text_.size();
  std::string_view s = text_.substr(begin, end - begin);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  constexpr size_t kShown = 240;  // a megabyte-long line is not worth printing
  if (s.size() > kShown) s = s.substr(0, kShown);
  // Control bytes would garble the terminal; tabs stay so the caret lines up.
  std::string out(s);
  for (char& c : out) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  }
  return out;
}

Diagnostic SourceText::Make(SourceLocation where, std::string key, std::string message) const {
  Diagnostic d;
  d.location = std::move(where);
  if (d.location.file.empty()) d.location.file = file_;
  d.key_path = std::move(key);
  d.message = std::move(message);
  d.source_line = Line(d.location.line);
  return d;
}

void SourceText::Fail(SourceLocation where, std::string key, std::string message) const {
  throw InputError(Make(std::move(where), std::move(key), std::move(message)));
}

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::string Quoted(std::string_view s) {
  constexpr size_t kShown = 64;
  std::string shown(s.substr(0, std::min(s.size(), kShown)));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s.size() <= kShown ? fmt::format("\"{}\"", shown) : fmt::format("\"{}...\"", shown);
}

std::optional<double> ParseDecimal(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string_view::npos) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::vector<CsvRow> ReadCsv(const SourceText& src) {
  const std::string_view text = src.text();
  std::vector<CsvRow> rows;
  size_t i = 0;
  while (i < text.size()) {
    // A blank line (or a lone CR) is no record.
    if (text[i] == '\n') {
      ++i;
      continue;
    }
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] == '\n')) {
      i += 1;
      continue;
    }
    CsvRow row;
    row.offset = i;
    for (;;) {
      if (row.cells.size() >= kMaxCsvFields) {
        src.FailAt(i, "", fmt::format("a row with more than {} fields is not a benchmark table", kMaxCsvFields));
      }
      CsvCell cell;
      cell.offset = i;
      if (i < text.size() && text[i] == '"') {
        ++i;
        for (;;) {
          if (i >= text.size()) src.FailAt(cell.offset, "", "a quoted field is never closed: missing '\"'");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              cell.text += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          cell.text += text[i++];
        }
        if (i < text.size() && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n') {
          src.FailAt(i, "", "unexpected text after a closing quote; a quote inside a quoted field is written \"\"");
        }
      } else {
        const size_t start = i;
        while (i < text.size() && text[i] != ',' && text[i] != '\n') {
          if (text[i] == '"') {
            src.FailAt(i, "", "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
          }
          ++i;
        }
        std::string_view raw = text.substr(start, i - start);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        cell.text = std::string(raw);
      }
      row.cells.push_back(std::move(cell));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size()) ++i;  // the line break
      break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

const Record::Field* Record::Get(std::string_view name) const {
  const auto it = fields.find(name);
  if (it == fields.end() || Trim(it->second.value).empty()) return nullptr;
  return &it->second;
}

std::string NormalizeEngine(std::string_view engine) {
  const std::string squashed = Squash(engine);
  if (squashed == "mlx" || squashed == "mlxlm") return "mlx";
  // llama.cpp on Apple Silicon runs on Metal with every layer offloaded unless told otherwise.
  if (squashed == "llamacpp" || squashed == "llamacppmetal" || squashed == "metal") return "llama.cpp-metal";
  if (squashed == "llamacppcpu") return "llama.cpp-cpu";
  return std::string(Trim(engine));
}

}  // namespace siliconsim::measure_internal
