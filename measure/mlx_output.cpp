// mlx_lm console output (ml-explore/mlx-lm).
//
// mlx_lm.generate --verbose prints, after the generated text and a "==========" line:
//   Prompt: 2048 tokens, 1780.630 tokens-per-sec
//   Generation: 128 tokens, 52.470 tokens-per-sec
//   Peak memory: 9.020 GB
// mlx_lm.benchmark prints:
//   Timing with prompt_tokens=2048, generation_tokens=128, batch_size=1.
//   Trial 1:  prompt_tps=1780.123, generation_tps=52.501, peak_memory=9.020
//   ...
//   Averages: prompt_tps=1780.630, generation_tps=52.470, peak_memory=9.020
// Each run gives a prefill measurement of P prompt tokens and a decode measurement of G tokens
// generated after them (depth P). Peak memory is in GB (mlx reports bytes / 1e9). The model,
// chip and quant are not printed; they come from the defaults.

#include <cmath>

#include <fmt/format.h>

#include "common/value_parse.h"
#include "measure/reader_util.h"

namespace siliconsim::measure_internal {
namespace {

// A cursor over one line that reads the fixed wording above, failing with the column.
class LineReader {
 public:
  LineReader(const SourceText& src, std::string_view line, size_t line_offset, std::string what)
      : src_(src), line_(line), base_(line_offset), what_(std::move(what)) {}

  void Spaces() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  bool Accept(std::string_view literal) {
    Spaces();
    if (line_.substr(pos_).starts_with(literal)) {
      pos_ += literal.size();
      return true;
    }
    return false;
  }
  void Expect(std::string_view literal) {
    if (!Accept(literal)) Fail(fmt::format("expected '{}'", literal));
  }
  std::string_view Word() {
    Spaces();
    const size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] != ' ' && line_[pos_] != ',' && line_[pos_] != '\t') ++pos_;
    return line_.substr(start, pos_ - start);
  }
  int64_t Tokens() {
    Spaces();
    const size_t at = pos_;
    const std::string_view w = Word();
    const std::optional<int64_t> v = ParseInt(w);
    if (!v || *v <= 0 || *v > kMaxTokenCount) {
      pos_ = at;
      Fail(fmt::format("expected a token count from 1 to {}, got {}", kMaxTokenCount, Quoted(w)));
    }
    return *v;
  }
  double Number(bool positive) {
    Spaces();
    const size_t at = pos_;
    std::string_view w = Word();
    if (!w.empty() && w.back() == '.') w.remove_suffix(1);  // "batch_size=1."
    const std::optional<double> v = ParseDecimal(w);
    if (!v || *v < 0 || (positive && *v == 0)) {
      pos_ = at;
      Fail(fmt::format("expected a {}number, got {}", positive ? "positive " : "", Quoted(w)));
    }
    return *v;
  }
  void End() {
    Spaces();
    if (pos_ != line_.size()) Fail(fmt::format("unexpected text {}", Quoted(line_.substr(pos_))));
  }
  size_t offset() const { return base_ + pos_; }
  [[noreturn]] void Fail(const std::string& message) const {
    src_.FailAt(base_ + pos_, "", fmt::format("{}: {}", what_, message));
  }

 private:
  const SourceText& src_;
  std::string_view line_;
  size_t base_;
  std::string what_;
  size_t pos_ = 0;
};

bool StartsWithThenDigit(std::string_view line, std::string_view prefix) {
  if (!line.starts_with(prefix)) return false;
  line.remove_prefix(prefix.size());
  const size_t first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] >= '0' && line[first] <= '9';
}

Measurement Make(MeasuredPhase phase, SourceLocation where, const std::string& file) {
  Measurement m;
  m.phase = phase;
  m.where = std::move(where);
  m.engine = "mlx";
  m.source = file;
  return m;
}

// Sample standard deviation (n - 1), as llama-bench reports it; none for fewer than 2 samples.
std::optional<double> StdDev(const std::vector<double>& samples) {
  if (samples.size() < 2) return std::nullopt;
  double mean = 0;
  for (double s : samples) mean += s;
  mean /= static_cast<double>(samples.size());
  double sum = 0;
  for (double s : samples) sum += (s - mean) * (s - mean);
  const double dev = std::sqrt(sum / static_cast<double>(samples.size() - 1));
  return std::isfinite(dev) ? std::optional<double>(dev) : std::nullopt;
}

}  // namespace

bool IsMlxLmStatsLine(std::string_view line) {
  line = Trim(line);
  return StartsWithThenDigit(line, "Prompt:") || StartsWithThenDigit(line, "Generation:") ||
         line.starts_with("Averages: prompt_tps=") || line.starts_with("Timing with prompt_tokens=");
}

std::vector<Measurement> ReadMlxLmOutput(const SourceText& src, const MeasurementDefaults& defaults) {
  (void)defaults;  // applied by the caller
  std::vector<Measurement> out;
  const std::string_view text = src.text();
  // mlx_lm.generate: the prompt line waiting for its generation line.
  std::optional<Measurement> prompt;
  size_t run_begin = 0;  // first measurement of the latest run, for its peak memory
  // mlx_lm.benchmark: the run announced by "Timing with ...", and its trials.
  struct BenchRun {
    int64_t prompt_tokens, generation_tokens;
    std::vector<double> prompt_tps, generation_tps;
  };
  std::optional<BenchRun> bench;

  const auto flush_prompt = [&] {
    if (prompt) {
      run_begin = out.size();
      out.push_back(std::move(*prompt));
      prompt.reset();
    }
  };

  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    size_t offset = start;
    start = end + 1;
    const size_t lead = line.find_first_not_of(" \t");
    if (lead == std::string_view::npos) continue;
    line.remove_prefix(lead);
    offset += lead;
    line = Trim(line);
    const SourceLocation where = src.At(offset);

    if (StartsWithThenDigit(line, "Prompt:")) {
      flush_prompt();
      LineReader r(src, line, offset, "mlx_lm prompt line");
      r.Expect("Prompt:");
      const int64_t tokens = r.Tokens();
      r.Expect("tokens,");
      const double tps = r.Number(true);
      r.Expect("tokens-per-sec");
      r.End();
      prompt = Make(MeasuredPhase::kPrefill, where, src.file());
      prompt->prompt_tokens = tokens;
      prompt->tokens_per_second = tps;
    } else if (StartsWithThenDigit(line, "Generation:")) {
      LineReader r(src, line, offset, "mlx_lm generation line");
      r.Expect("Generation:");
      const int64_t tokens = r.Tokens();
      r.Expect("tokens,");
      const double tps = r.Number(true);
      r.Expect("tokens-per-sec");
      r.End();
      if (!prompt) {
        src.Fail(where, "", "a Generation line without the Prompt line before it: the context depth is unknown");
      }
      const int64_t depth = prompt->prompt_tokens;
      flush_prompt();
      Measurement m = Make(MeasuredPhase::kDecode, where, src.file());
      m.gen_tokens = tokens;
      m.depth_tokens = depth;
      m.tokens_per_second = tps;
      out.push_back(std::move(m));
    } else if (line.starts_with("Peak memory:")) {
      flush_prompt();
      LineReader r(src, line, offset, "mlx_lm peak memory line");
      r.Expect("Peak memory:");
      const double gb = r.Number(true);
      r.Expect("GB");
      r.End();
      for (size_t i = run_begin; i < out.size(); ++i) {
        if (!out[i].peak_memory_gb) out[i].peak_memory_gb = gb;
      }
    } else if (line.starts_with("Timing with prompt_tokens=")) {
      flush_prompt();
      LineReader r(src, line, offset, "mlx_lm.benchmark timing line");
      r.Expect("Timing with prompt_tokens=");
      BenchRun run{r.Tokens(), 0, {}, {}};
      r.Expect(",");
      r.Expect("generation_tokens=");
      run.generation_tokens = r.Tokens();
      if (r.Accept(",")) {
        r.Expect("batch_size=");
        const double batch = r.Number(true);
        if (batch != 1) {
          r.Fail(fmt::format("batch_size={} measures batched throughput, not one stream; run with -b 1", batch));
        }
      }
      r.Accept(".");
      r.End();
      bench = std::move(run);
    } else if (line.starts_with("Trial ") && line.find("prompt_tps=") != std::string_view::npos) {
      if (!bench) continue;  // trials without a timing line are reported by the Averages line
      LineReader r(src, line, offset, "mlx_lm.benchmark trial line");
      r.Expect("Trial");
      r.Word();
      r.Expect("prompt_tps=");
      bench->prompt_tps.push_back(r.Number(true));
      r.Expect(",");
      r.Expect("generation_tps=");
      bench->generation_tps.push_back(r.Number(true));
    } else if (line.starts_with("Averages:")) {
      flush_prompt();
      LineReader r(src, line, offset, "mlx_lm.benchmark averages line");
      r.Expect("Averages:");
      r.Expect("prompt_tps=");
      const double prompt_tps = r.Number(true);
      r.Expect(",");
      r.Expect("generation_tps=");
      const double generation_tps = r.Number(true);
      std::optional<double> peak;
      if (r.Accept(",")) {
        r.Expect("peak_memory=");
        peak = r.Number(true);
      }
      r.End();
      if (!bench) {
        src.Fail(where, "",
                 "an Averages line without the 'Timing with prompt_tokens=..., generation_tokens=...' line before "
                 "it: the token counts are unknown");
      }
      Measurement p = Make(MeasuredPhase::kPrefill, where, src.file());
      p.prompt_tokens = bench->prompt_tokens;
      p.tokens_per_second = prompt_tps;
      p.stddev_tokens_per_second = StdDev(bench->prompt_tps);
      p.peak_memory_gb = peak;
      Measurement d = Make(MeasuredPhase::kDecode, where, src.file());
      d.gen_tokens = bench->generation_tokens;
      d.depth_tokens = bench->prompt_tokens;
      d.tokens_per_second = generation_tps;
      d.stddev_tokens_per_second = StdDev(bench->generation_tps);
      d.peak_memory_gb = peak;
      out.push_back(std::move(p));
      out.push_back(std::move(d));
      run_begin = out.size();
      bench.reset();
    }
  }
  flush_prompt();
  return out;
}

}  // namespace siliconsim::measure_internal
