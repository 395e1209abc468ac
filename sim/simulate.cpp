#include "sim/simulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/diagnostics.h"

namespace siliconsim::sim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

// ---- compile -----------------------------------------------------------------------------------

// Static strings: Compile calls this for every tensor of every model a sweep compiles.
std::string_view LabelOf(const WeightTensor& w) {
  switch (w.role) {
    case TensorRole::kTokenEmbedding: return "token embedding (row lookup)";
    case TensorRole::kLmHead: return "LM head";
    case TensorRole::kRoutedExperts: return "routed experts";
    case TensorRole::kVector: return "norms, biases, small vectors";
    case TensorRole::kMatrix: break;
  }
  const std::string_view n = w.name;
  const size_t dot = n.find('.', 4);  // after `blk.N`
  const std::string_view local = dot == std::string_view::npos ? n : n.substr(dot + 1);
  if (local.starts_with("ffn_gate_inp")) return "router";
  if (local.find("shexp") != std::string_view::npos) return "shared experts";
  if (local.starts_with("ffn_")) return "dense FFN";
  if (local.starts_with("attn_")) return "attention projections";
  if (local.starts_with("ssm_")) return "recurrent mixer projections";
  return "other matrices";
}

std::string AttentionLabel(const ModelSpec& model, int layer, const LayerCache& cache) {
  const AttentionKind kind = model.layer_attention[static_cast<size_t>(layer)];
  switch (kind) {
    case AttentionKind::kSliding: return fmt::format("attention, sliding {}", cache.max_tokens.value_or(0));
    case AttentionKind::kChunked: return fmt::format("attention, chunked {}", cache.max_tokens.value_or(0));
    case AttentionKind::kMla: return "attention, MLA latent";
    case AttentionKind::kFull: return "attention, full";
    default: return fmt::format("recurrent state ({})", ToString(kind));
  }
}

// FLOP per query-key pair of one layer: q.k (2 x dim) and p.v (2 x dim) per head.
double FlopsPerKey(const ModelSpec& model, AttentionKind kind) {
  const double heads = model.attention.num_heads;
  if (kind == AttentionKind::kMla && model.mla) {
    // llama.cpp and MLX attend in the latent space: scores over latent + rope, values over the latent.
    const double latent = model.mla->kv_lora_rank;
    return 2.0 * heads * (latent + model.mla->qk_rope_head_dim) + 2.0 * heads * latent;
  }
  return 4.0 * heads * model.attention.head_dim;
}

}  // namespace

CompiledModel Compile(const ModelSpec& model, const WeightPlan& weights, const EngineSpec& engine) {
  CompiledModel c;
  c.model = &model;
  c.engine = &engine;
  c.weights_description = weights.description;
  c.weights_bytes = static_cast<double>(weights.total_bytes);
  c.vocab = static_cast<double>(model.vocab_size);

  std::vector<double> per_layer_dispatches(static_cast<size_t>(std::max(model.num_layers, 0)), 6.0);
  double outside_dispatches = 3.0;  // embedding lookup, final norm, LM head
  std::vector<std::pair<std::string_view, const KernelCost*>> kernels;  // per kernel class, looked up once
  for (const WeightTensor& w : weights.tensors) {
    auto known = std::find_if(kernels.begin(), kernels.end(), [&](const auto& k) { return k.first == w.kernel_class; });
    if (known == kernels.end()) known = kernels.emplace(kernels.end(), w.kernel_class, engine.FindKernel(w.kernel_class));
    const KernelCost* kernel = known->second;
    if (!kernel) {
      throw UsageError(fmt::format("engine {} has no kernel for {} weights (tensor {}); its kernels: see "
                                   "'siliconsim engines show {}'",
                                   engine.id, w.kernel_class, w.name, engine.id));
    }
    const std::string_view label = LabelOf(w);
    // A dozen groups at most: a linear scan beats a map keyed by two strings.
    size_t group = 0;
    while (group < c.matmuls.size() &&
           (c.matmuls[group].label != label || c.matmuls[group].kernel_class != w.kernel_class)) {
      ++group;
    }
    if (group == c.matmuls.size()) {
      MatmulGroup g;
      g.label = std::string(label);
      g.role = w.role;
      g.kernel_class = w.kernel_class;
      g.kernel = kernel;
      c.matmuls.push_back(std::move(g));
    }
    MatmulGroup& g = c.matmuls[group];
    g.bytes += static_cast<double>(w.bytes);
    g.elements += static_cast<double>(w.elements);
    if (w.role == TensorRole::kRoutedExperts && w.experts > 0) {
      g.experts = static_cast<double>(w.experts);
      g.active_experts = static_cast<double>(w.active_experts);
      g.active_fraction = g.active_experts / g.experts;
    }
    if (w.role == TensorRole::kTokenEmbedding && w.row_elements > 0) {
      g.rows += static_cast<double>(w.elements / w.row_elements);
    }
    if (w.role != TensorRole::kVector && w.row_elements > 0) {
      const double rows = static_cast<double>(w.elements / w.row_elements);
      g.matrix_rows += rows;
      if (!kernel->row_stall_weights.empty()) {
        g.row_stall_weight_rows += rows * kernel->RowStallWeights(static_cast<double>(w.row_elements), 0.0);
      }
      g.matrices += w.experts > 0 ? static_cast<double>(w.experts) : 1.0;
    }
    const double launches = w.role == TensorRole::kVector ? 0.5 : 1.0;  // norms and biases fuse in pairs
    if (w.layer >= 0 && w.layer < model.num_layers) per_layer_dispatches[static_cast<size_t>(w.layer)] += launches;
    else outside_dispatches += 0.0;
  }
  c.dispatches_per_step = outside_dispatches;
  for (double d : per_layer_dispatches) c.dispatches_per_step += d;

  std::map<std::string, size_t> attention_index;
  for (int i = 0; i < model.num_layers; ++i) {
    const LayerCache cache = LayerCacheShape(model, i);
    const AttentionKind kind = model.layer_attention[static_cast<size_t>(i)];
    const std::string label = AttentionLabel(model, i, cache);
    auto [it, inserted] = attention_index.emplace(label, c.attention.size());
    if (inserted) {
      AttentionGroup g;
      g.label = label;
      g.kv_elements_per_token = static_cast<double>(cache.kv_elements_per_token);
      g.window_tokens = cache.max_tokens;
      g.chunked = kind == AttentionKind::kChunked;
      g.flops_per_key = cache.kv_elements_per_token > 0 ? FlopsPerKey(model, kind) : 0.0;
      g.state_bytes = static_cast<double>(cache.state_bytes);
      // A recurrent update touches each f32 state element a few times: decay, outer-product
      // update and read-out, about 6 FLOP per element.
      g.state_flops_per_token = 6.0 * g.state_bytes / 4.0;
      c.attention.push_back(std::move(g));
    }
    c.attention[it->second].layers += 1;
  }

  // Widest per-token activations a step keeps live: residual + normed input, q, k, v, and the
  // FFN's gate and up outputs (the routed experts' for MoE, plus shared experts).
  double ffn = static_cast<double>(model.ffn.intermediate_size);
  if (model.moe) {
    ffn = std::max(ffn, static_cast<double>(model.moe->experts_per_token) *
                            static_cast<double>(model.moe->expert_intermediate_size) +
                            static_cast<double>(model.moe->shared_expert_intermediate_size));
  }
  const double q = static_cast<double>(model.attention.num_heads) * model.attention.head_dim;
  const double kv = static_cast<double>(model.attention.num_kv_heads) * model.attention.head_dim;
  c.activation_width = 2.0 * model.hidden_size + q + 2.0 * kv + 2.0 * ffn;
  return c;
}

// ---- memory ------------------------------------------------------------------------------------

double DefaultGpuWorkingSetBytes(double ram_bytes) {
  // Public reports (../shared/data/metal_working_set.csv): about 2/3 of RAM up to 32 GiB and
  // 3/4 from 36 GiB up. docs/simulator.md lists each report against this rule.
  return ram_bytes * (ram_bytes < 36.0 * kGiB ? 2.0 / 3.0 : 3.0 / 4.0);
}

double RaisedGpuWorkingSetBytes(double ram_bytes) {
  // Leave macOS and the apps around it 10% of RAM, at least 4 GiB: a planning choice, not a fact.
  return ram_bytes - std::max(4.0 * kGiB, 0.10 * ram_bytes);
}

const char* ToString(FitVerdict verdict) {
  switch (verdict) {
    case FitVerdict::kFits: return "fits";
    case FitVerdict::kFitsAfterRaisingLimit: return "fits-after-raising-limit";
    case FitVerdict::kDoesNotFit: return "does-not-fit";
    case FitVerdict::kNotChecked: return "not-checked";
  }
  return "not-checked";
}

namespace {

double KvBytes(const CompiledModel& c, int64_t tokens, double bytes_per_element) {
  double bytes = 0;
  for (const AttentionGroup& g : c.attention) {
    const double held = static_cast<double>(g.window_tokens ? std::min(tokens, *g.window_tokens) : tokens);
    bytes += g.layers * (held * g.kv_elements_per_token * bytes_per_element + g.state_bytes);
  }
  return bytes;
}

}  // namespace

MemoryResult EstimateMemory(const CompiledModel& c, const ChipPeaks& peaks, const Workload& w) {
  const EngineSpec& e = *c.engine;
  MemoryResult m;
  m.weights_bytes = c.weights_bytes;
  const int64_t used = w.depth_tokens + w.prompt_tokens + w.gen_tokens;
  if (e.kv_allocation == KvAllocation::kFullContext) {
    m.kv_tokens = std::max(w.context_tokens.value_or(used), used);
  } else {
    const int64_t step = e.kv_step_tokens ? static_cast<int64_t>(e.kv_step_tokens->value) : 1;
    m.kv_tokens = (used + step - 1) / step * step;
  }
  m.kv_cache_bytes = KvBytes(c, m.kv_tokens, w.kv_bytes_per_element);
  // f32 activations of one prefill step, and f32 logits of one token.
  const double step_tokens =
      static_cast<double>(std::max<int64_t>(1, std::min<int64_t>(std::max<int64_t>(w.prompt_tokens, 1),
                                                                  static_cast<int64_t>(e.prefill_chunk_tokens.value))));
  m.compute_buffer_bytes = 4.0 * (step_tokens * c.activation_width + c.vocab);
  m.runtime_overhead_bytes = e.runtime_overhead_bytes.value;
  m.total_bytes = m.weights_bytes + m.kv_cache_bytes + m.compute_buffer_bytes + m.runtime_overhead_bytes;
  if (w.ram_gib <= 0) return m;

  m.ram_bytes = w.ram_gib * kGiB;
  const bool gpu = e.device == EngineDevice::kGpu && !peaks.cpu;
  m.default_limit_bytes = gpu ? DefaultGpuWorkingSetBytes(m.ram_bytes) : RaisedGpuWorkingSetBytes(m.ram_bytes);
  m.raised_limit_bytes = RaisedGpuWorkingSetBytes(m.ram_bytes);
  const double need_gib = m.total_bytes / kGiB;
  if (m.total_bytes <= m.default_limit_bytes) {
    m.verdict = FitVerdict::kFits;
    m.reason = fmt::format("{:.2f} GiB needed <= {:.2f} GiB {}", need_gib, m.default_limit_bytes / kGiB,
                           gpu ? "GPU working-set limit (default)" : "usable RAM");
  } else if (gpu && m.total_bytes <= m.raised_limit_bytes) {
    m.verdict = FitVerdict::kFitsAfterRaisingLimit;
    m.suggested_wired_limit_mb = static_cast<int64_t>(std::floor(m.raised_limit_bytes / kMiB));
    m.reason = fmt::format(
        "{:.2f} GiB needed > {:.2f} GiB default GPU limit; fits under {:.2f} GiB after: sudo sysctl "
        "iogpu.wired_limit_mb={}",
        need_gib, m.default_limit_bytes / kGiB, m.raised_limit_bytes / kGiB, m.suggested_wired_limit_mb);
  } else {
    m.verdict = FitVerdict::kDoesNotFit;
    m.reason = fmt::format("{:.2f} GiB needed > {:.2f} GiB usable of {:.0f} GiB RAM", need_gib,
                           m.raised_limit_bytes / kGiB, w.ram_gib);
  }
  return m;
}

namespace {

// ---- time --------------------------------------------------------------------------------------

// The roofs one prediction uses, in bytes/s and FLOP/s.
struct Roofs {
  double weight_bandwidth = 0;
  double attention_bandwidth = 0;
  double alu = 0;             // unpacking work and decode attention (FP32 ALUs)
  double decode_attention = 0;
  double matmul = 0;          // prefill GEMMs
  double prefill_attention = 0;
  double p = 1;
  double dispatch_seconds = 0;
  double step_seconds = 0;
  bool from_dram = true;          // the weights stream from DRAM (the stalls below apply)
  double row_stall_weights = 0;  // per matrix row streamed from DRAM, in weights, unless the kernel class has its own
  double matrix_seconds = 0;  // per matrix streamed from DRAM (0 when the weights sit in a cache)
  double row_compute_weights = 0;  // per matrix row computed, per token, in weights of work (every regime)
  std::string bandwidth_source = "DRAM";
};

double SmoothMax(double a, double b, double p) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  const double hi = std::max(a, b);
  const double lo = std::min(a, b);
  return hi * std::pow(1.0 + std::pow(lo / hi, p), 1.0 / p);
}

Roofs RoofsFor(const CompiledModel& c, const ChipPeaks& peaks, double working_set_bytes) {
  const EngineSpec& e = *c.engine;
  auto param = [&](EngineParamId id) { return e.param(id).value; };
  Roofs r;
  double dram = peaks.memory_bandwidth_gbs * 1e9;
  for (const CacheRoof& level : peaks.caches) {
    if (working_set_bytes <= level.capacity_bytes && level.read_bandwidth_gbs > 0) {
      dram = level.read_bandwidth_gbs * 1e9;
      r.bandwidth_source = level.name;
      break;
    }
  }
  const double die = peaks.dual_die ? param(EngineParamId::kDualDieMemoryEfficiency) : 1.0;
  r.weight_bandwidth = dram * param(EngineParamId::kMemoryEfficiency) * die;
  r.attention_bandwidth = dram * param(EngineParamId::kAttentionMemoryEfficiency) * die;
  r.alu = peaks.alu_tflops * 1e12;
  r.decode_attention = r.alu * param(EngineParamId::kAttentionComputeEfficiency);
  const double units = peaks.matrix_units && e.uses_matrix_units ? param(EngineParamId::kMatrixUnitSpeedup) : 1.0;
  r.matmul = peaks.matmul_tflops * 1e12 * units * param(EngineParamId::kComputeEfficiency);
  r.prefill_attention = peaks.matmul_tflops * 1e12 * units * param(EngineParamId::kAttentionComputeEfficiency);
  r.p = param(EngineParamId::kOverlapExponent);
  r.dispatch_seconds = param(EngineParamId::kDispatchSeconds);
  r.step_seconds = param(EngineParamId::kStepOverheadSeconds);
  r.from_dram = r.bandwidth_source == "DRAM";
  r.row_stall_weights = param(EngineParamId::kRowStallWeights);
  r.matrix_seconds = r.bandwidth_source == "DRAM" ? param(EngineParamId::kMatrixSeconds) : 0.0;
  r.row_compute_weights = param(EngineParamId::kRowComputeWeights);
  return r;
}

struct Cost {
  double memory_seconds = 0;
  double compute_seconds = 0;
  double seconds = 0;
};

// Seconds of the stalls of streaming `rows` rows and `matrices` matrices of group g from DRAM: each
// row costs as much as row_stall_weights more of its weights at the weight bandwidth (the kernel
// class's at the rows' widths, averaged over the group's rows; else the engine's), each matrix
// matrix_seconds. None in a cache.
double StreamStalls(const MatmulGroup& g, double rows, double matrices, const Roofs& r) {
  if (!r.from_dram) return 0.0;
  const bool by_width = g.kernel && !g.kernel->row_stall_weights.empty() && g.matrix_rows > 0;
  const double stall_weights = by_width ? g.row_stall_weight_rows / g.matrix_rows : r.row_stall_weights;
  const double bytes_per_weight = g.elements > 0 ? g.bytes / g.elements : 0.0;
  const double row_seconds = r.weight_bandwidth > 0 ? stall_weights * bytes_per_weight / r.weight_bandwidth : 0.0;
  return rows * row_seconds + matrices * r.matrix_seconds;
}

Cost Roofline(double bytes, double bandwidth, double flops, double compute, double p) {
  Cost c;
  c.memory_seconds = bandwidth > 0 ? bytes / bandwidth : 0;
  c.compute_seconds = compute > 0 ? flops / compute : 0;
  c.seconds = SmoothMax(c.memory_seconds, c.compute_seconds, p);
  return c;
}

// Keys attended by every query at positions first..last (1-based: the query at position x sees
// x keys in a full layer), summed: S(last) - S(first - 1) with S in closed form per kind.
double KeysUpTo(const AttentionGroup& g, double x) {
  if (x <= 0) return 0;
  if (!g.window_tokens) return x * (x + 1) / 2;
  const double w = static_cast<double>(*g.window_tokens);
  if (g.chunked) {
    const double full = std::floor(x / w);
    const double rest = x - full * w;
    return full * w * (w + 1) / 2 + rest * (rest + 1) / 2;
  }
  if (x <= w) return x * (x + 1) / 2;
  return w * (w + 1) / 2 + (x - w) * w;
}
double KeysBetween(const AttentionGroup& g, double first, double last) {
  return KeysUpTo(g, last) - KeysUpTo(g, first - 1);
}
// Keys a query at position x attends.
double KeysAt(const AttentionGroup& g, double x) {
  if (!g.window_tokens) return x;
  const double w = static_cast<double>(*g.window_tokens);
  if (g.chunked) return x - std::floor((x - 1) / w) * w;
  return std::min(x, w);
}

// Sum of f(i) for integers i in [first, last]: exactly when short, else by composite Simpson
// over [first - 1/2, last + 1/2], split at `kinks` (where f bends, e.g. a sliding window fills).
Cost operator+(const Cost& a, const Cost& b) {
  return {a.memory_seconds + b.memory_seconds, a.compute_seconds + b.compute_seconds, a.seconds + b.seconds};
}
Cost operator*(double k, const Cost& a) { return {k * a.memory_seconds, k * a.compute_seconds, k * a.seconds}; }

template <typename F>
Cost SumOver(F f, int64_t first, int64_t last, std::initializer_list<double> kinks = {}) {
  if (last < first) return {};
  if (last - first < 48) {
    Cost s;
    for (int64_t i = first; i <= last; ++i) s = s + f(static_cast<double>(i));
    return s;
  }
  std::vector<double> edges = {static_cast<double>(first) - 0.5};
  for (double k : kinks) {
    if (k > edges.front() && k < static_cast<double>(last) + 0.5) edges.push_back(k);
  }
  edges.push_back(static_cast<double>(last) + 0.5);
  std::sort(edges.begin(), edges.end());
  constexpr int kIntervals = 16;  // even
  Cost total;
  for (size_t e = 0; e + 1 < edges.size(); ++e) {
    const double a = edges[e];
    const double h = (edges[e + 1] - a) / kIntervals;
    if (h <= 0) continue;
    Cost s = f(a) + f(edges[e + 1]);
    for (int k = 1; k < kIntervals; ++k) s = s + (k % 2 == 1 ? 4.0 : 2.0) * f(a + k * h);
    total = total + (h / 3.0) * s;
  }
  return total;
}

// Per-token weight traffic and work of decode, and per-step for prefill.
struct StaticCosts {
  double seconds = 0;
  double memory_seconds = 0;
  double compute_seconds = 0;
};

// One decode step's weight reads.
StaticCosts DecodeWeights(const CompiledModel& c, const Roofs& r, std::vector<OpTime>* ops) {
  StaticCosts s;
  for (const MatmulGroup& g : c.matmuls) {
    double bytes = g.bytes * g.active_fraction;
    // Each row computed costs row_compute_weights more weights' work (its reduction and store).
    double flops = (g.elements + g.matrix_rows * r.row_compute_weights) * g.active_fraction *
                   g.kernel->decode_ops_per_weight.value;
    double rows = g.matrix_rows * g.active_fraction;
    double matrices = g.matrices * g.active_fraction;
    if (g.role == TensorRole::kTokenEmbedding) {
      bytes = g.rows > 0 ? g.bytes / g.rows : 0;
      flops = 0;
      rows = 1;
      matrices = 0;
    }
    Cost cost = Roofline(bytes, r.weight_bandwidth, flops, r.alu, r.p);
    // Each row a GEMV starts is a new stream, and each matrix starts its streams cold: stalls the
    // bandwidth roof does not see.
    const double stalls = StreamStalls(g, rows, matrices, r);
    cost.memory_seconds += stalls;
    cost.seconds += stalls;
    s.seconds += cost.seconds;
    s.memory_seconds += cost.memory_seconds;
    s.compute_seconds += cost.compute_seconds;
    if (ops) {
      ops->push_back({g.label, g.kernel_class, bytes, flops, r.weight_bandwidth / 1e9, r.alu / 1e12,
                      cost.memory_seconds, cost.compute_seconds, cost.seconds,
                      cost.compute_seconds > cost.memory_seconds ? "compute" : "memory"});
    }
  }
  return s;
}

// One decode step's attention when the new token is at position `x` (it attends KeysAt(x) keys).
Cost DecodeAttention(const AttentionGroup& g, double x, double kv_bpe, const Roofs& r) {
  double bytes;
  double flops;
  if (g.kv_elements_per_token > 0) {
    const double keys = KeysAt(g, x);
    bytes = g.layers * keys * g.kv_elements_per_token * kv_bpe;
    flops = g.layers * keys * g.flops_per_key;
  } else {
    bytes = g.layers * 2.0 * g.state_bytes;  // read and write the state
    flops = g.layers * g.state_flops_per_token;
  }
  return Roofline(bytes, r.attention_bandwidth, flops, r.decode_attention, r.p);
}

// One prefill step of `n` tokens whose last token sits at position `end`.
StaticCosts PrefillWeights(const CompiledModel& c, const Roofs& r, double n, std::vector<OpTime>* ops) {
  StaticCosts s;
  for (const MatmulGroup& g : c.matmuls) {
    double bytes = g.bytes;
    double flops = n * (g.elements + g.matrix_rows * r.row_compute_weights) * g.active_fraction *
                   g.kernel->prefill_ops_per_weight.value;
    double compute = r.matmul;
    switch (g.role) {
      case TensorRole::kTokenEmbedding:
        bytes = g.rows > 0 ? n * g.bytes / g.rows : 0;
        flops = 0;
        break;
      case TensorRole::kLmHead:
        continue;  // only the prompt's last token needs logits: counted once, as a decode step
      case TensorRole::kRoutedExperts:
        // n tokens each picking k of E experts touch 1 - (1 - k/E)^n of them (uniform routing).
        bytes = g.bytes * (1.0 - std::pow(1.0 - g.active_fraction, n));
        break;
      case TensorRole::kVector:
        compute = r.alu;
        break;
      case TensorRole::kMatrix:
        break;
    }
    Cost cost = Roofline(bytes, r.weight_bandwidth, flops, compute, r.p);
    if (g.role != TensorRole::kTokenEmbedding) {  // every row read once per step: one stream start each
      const double read = bytes / std::max(g.bytes, 1.0);
      const double stalls = read * StreamStalls(g, g.matrix_rows, g.matrices, r);
      cost.memory_seconds += stalls;
      cost.seconds += stalls;
    }
    s.seconds += cost.seconds;
    s.memory_seconds += cost.memory_seconds;
    s.compute_seconds += cost.compute_seconds;
    if (ops) {
      ops->push_back({g.label, g.kernel_class, bytes, flops, r.weight_bandwidth / 1e9, compute / 1e12,
                      cost.memory_seconds, cost.compute_seconds, cost.seconds,
                      cost.compute_seconds > cost.memory_seconds ? "compute" : "memory"});
    }
  }
  return s;
}

// Attention of a prefill step covering positions first..last.
Cost PrefillAttention(const AttentionGroup& g, double first, double last, double kv_bpe, const Roofs& r) {
  double bytes;
  double flops;
  if (g.kv_elements_per_token > 0) {
    // Keys and values are streamed once per step (flash attention tiles the queries on chip).
    bytes = g.layers * KeysAt(g, last) * g.kv_elements_per_token * kv_bpe;
    flops = g.layers * KeysBetween(g, first, last) * g.flops_per_key;
  } else {
    bytes = g.layers * 2.0 * g.state_bytes;
    flops = g.layers * (last - first + 1) * g.state_flops_per_token;
  }
  return Roofline(bytes, r.attention_bandwidth, flops, r.prefill_attention, r.p);
}

void AddOp(std::vector<OpTime>* ops, std::string name, double bytes, double flops, double bw, double compute,
           const Cost& cost) {
  if (!ops) return;
  ops->push_back({std::move(name), "", bytes, flops, bw / 1e9, compute / 1e12, cost.memory_seconds,
                  cost.compute_seconds, cost.seconds, cost.compute_seconds > cost.memory_seconds ? "compute" : "memory"});
}

std::string BoundOf(double memory, double compute, double overhead) {
  if (overhead > memory && overhead > compute) return "overhead";
  return compute > memory ? "compute" : "memory";
}

}  // namespace

double SmoothRoofSeconds(double memory_seconds, double compute_seconds, double p) {
  return SmoothMax(memory_seconds, compute_seconds, p);
}

Prediction Predict(const CompiledModel& c, const ChipPeaks& peaks, const Workload& w, bool explain) {
  Prediction out;
  out.assumptions = peaks.assumptions;
  out.memory = EstimateMemory(c, peaks, w);
  const double bpe = w.kv_bytes_per_element;

  // ---- prefill: chunks of the engine's step size ----
  if (w.prompt_tokens > 0) {
    const int64_t chunk = std::max<int64_t>(1, static_cast<int64_t>(c.engine->prefill_chunk_tokens.value));
    const int64_t first = w.depth_tokens + 1;  // 1-based positions of the prompt
    const int64_t last = w.depth_tokens + w.prompt_tokens;
    const int64_t full_chunks = w.prompt_tokens / chunk;
    const int64_t rest = w.prompt_tokens % chunk;
    // The weights a step streams: all of them for a dense model (experts: those touched).
    const Roofs r = RoofsFor(c, peaks, c.weights_bytes);
    std::vector<OpTime>* ops = explain ? &out.prefill.ops : nullptr;
    StaticCosts weights;
    if (full_chunks > 0) {
      const StaticCosts one = PrefillWeights(c, r, static_cast<double>(chunk), ops);
      weights.seconds += one.seconds * static_cast<double>(full_chunks);
      weights.memory_seconds += one.memory_seconds * static_cast<double>(full_chunks);
      weights.compute_seconds += one.compute_seconds * static_cast<double>(full_chunks);
      if (ops) {
        for (OpTime& op : *ops) {
          op.bytes *= static_cast<double>(full_chunks);
          op.flops *= static_cast<double>(full_chunks);
          op.memory_seconds *= static_cast<double>(full_chunks);
          op.compute_seconds *= static_cast<double>(full_chunks);
          op.seconds *= static_cast<double>(full_chunks);
        }
      }
    }
    if (rest > 0) {
      std::vector<OpTime> rest_ops;
      const StaticCosts one = PrefillWeights(c, r, static_cast<double>(rest), ops ? &rest_ops : nullptr);
      weights.seconds += one.seconds;
      weights.memory_seconds += one.memory_seconds;
      weights.compute_seconds += one.compute_seconds;
      if (ops) {
        if (ops->empty()) *ops = std::move(rest_ops);
        else {
          for (size_t i = 0; i < ops->size(); ++i) {
            (*ops)[i].bytes += rest_ops[i].bytes;
            (*ops)[i].flops += rest_ops[i].flops;
            (*ops)[i].memory_seconds += rest_ops[i].memory_seconds;
            (*ops)[i].compute_seconds += rest_ops[i].compute_seconds;
            (*ops)[i].seconds += rest_ops[i].seconds;
          }
        }
      }
    }
    const int64_t steps = full_chunks + (rest > 0 ? 1 : 0);
    // Attention per step; step i covers positions first + i*chunk .. min(that + chunk - 1, last).
    double attention_seconds = 0;
    double attention_memory = 0;
    double attention_compute = 0;
    for (const AttentionGroup& g : c.attention) {
      auto step_cost = [&](double i) {
        const double a = static_cast<double>(first) + i * static_cast<double>(chunk);
        const double b = std::min(a + static_cast<double>(chunk) - 1, static_cast<double>(last));
        return PrefillAttention(g, a, b, bpe, r);
      };
      double kink = 1e300;
      if (g.window_tokens && !g.chunked) {
        kink = (static_cast<double>(*g.window_tokens) - static_cast<double>(first)) / static_cast<double>(chunk);
      }
      Cost total;
      if (g.chunked) {  // a sawtooth: no smooth integral, so every step
        for (int64_t i = 0; i < steps; ++i) total = total + step_cost(static_cast<double>(i));
      } else {
        total = SumOver(step_cost, 0, steps - 1, {kink});
      }
      const double secs = total.seconds;
      const double mem = total.memory_seconds;
      const double comp = total.compute_seconds;
      attention_seconds += secs;
      attention_memory += mem;
      attention_compute += comp;
      if (explain) {
        double bytes = 0;
        double flops = 0;
        if (g.kv_elements_per_token > 0) {
          flops = g.layers * KeysBetween(g, static_cast<double>(first), static_cast<double>(last)) * g.flops_per_key;
          bytes = mem * r.attention_bandwidth;
        } else {
          flops = g.layers * static_cast<double>(w.prompt_tokens) * g.state_flops_per_token;
          bytes = mem * r.attention_bandwidth;
        }
        out.prefill.ops.push_back({fmt::format("{} ({} layers)", g.label, g.layers), "", bytes, flops,
                                   r.attention_bandwidth / 1e9, r.prefill_attention / 1e12, mem, comp, secs,
                                   comp > mem ? "compute" : "memory"});
      }
    }
    // The last token's logits.
    double head_seconds = 0;
    for (const MatmulGroup& g : c.matmuls) {
      if (g.role != TensorRole::kLmHead) continue;
      const double flops = (g.elements + g.matrix_rows * r.row_compute_weights) * g.kernel->decode_ops_per_weight.value;
      Cost cost = Roofline(g.bytes, r.weight_bandwidth, flops, r.alu, r.p);
      const double stalls = StreamStalls(g, g.matrix_rows, g.matrices, r);
      cost.memory_seconds += stalls;
      cost.seconds += stalls;
      head_seconds += cost.seconds;
      weights.memory_seconds += cost.memory_seconds;
      weights.compute_seconds += cost.compute_seconds;
      AddOp(explain ? &out.prefill.ops : nullptr, g.label + " (last token)", g.bytes, flops, r.weight_bandwidth, r.alu,
            cost);
    }
    const double step_overhead = static_cast<double>(steps) * (c.dispatches_per_step * r.dispatch_seconds + r.step_seconds);
    if (explain) {
      out.prefill.ops.push_back({fmt::format("overhead: {} steps x ({:.0f} launches x {:.1f} us + {:.1f} us)", steps,
                                             c.dispatches_per_step, r.dispatch_seconds * 1e6, r.step_seconds * 1e6),
                                 "", 0, 0, 0, 0, 0, 0, step_overhead, "overhead"});
    }
    out.prefill.tokens = w.prompt_tokens;
    out.prefill.seconds = weights.seconds + attention_seconds + head_seconds + step_overhead;
    out.prefill.overhead_seconds = step_overhead;
    out.prefill.tokens_per_second = static_cast<double>(w.prompt_tokens) / out.prefill.seconds;
    out.prefill.bound = BoundOf(weights.memory_seconds + attention_memory, weights.compute_seconds + attention_compute,
                                step_overhead);
  }

  // ---- decode: gen tokens at positions c0+1 .. c0+gen ----
  if (w.gen_tokens > 0) {
    const int64_t c0 = w.depth_tokens + w.prompt_tokens;
    const int64_t first = c0 + 1;
    const int64_t last = c0 + w.gen_tokens;
    const double mean_position = 0.5 * static_cast<double>(first + last);
    double active_bytes = 0;
    for (const MatmulGroup& g : c.matmuls) active_bytes += g.bytes * g.active_fraction;
    const Roofs r = RoofsFor(c, peaks, active_bytes + KvBytes(c, static_cast<int64_t>(mean_position), bpe));
    std::vector<OpTime>* ops = explain ? &out.decode.ops : nullptr;
    const StaticCosts weights = DecodeWeights(c, r, ops);
    const double n = static_cast<double>(w.gen_tokens);
    double attention_seconds = 0;
    double attention_memory = 0;
    double attention_compute = 0;
    for (const AttentionGroup& g : c.attention) {
      double kink = 1e300;
      if (g.window_tokens && !g.chunked) kink = static_cast<double>(*g.window_tokens) + 0.5;
      if (g.chunked) {
        // Sawtooth: every position's cost at the mean attended length (cost is linear in it).
        const double keys = KeysBetween(g, static_cast<double>(first), static_cast<double>(last)) / n;
        double bytes = g.layers * keys * g.kv_elements_per_token * bpe;
        double flops = g.layers * keys * g.flops_per_key;
        const Cost cost = Roofline(bytes, r.attention_bandwidth, flops, r.decode_attention, r.p);
        attention_seconds += cost.seconds * n;
        attention_memory += cost.memory_seconds * n;
        attention_compute += cost.compute_seconds * n;
      } else {
        const Cost total = SumOver([&](double x) { return DecodeAttention(g, x, bpe, r); }, first, last, {kink});
        attention_seconds += total.seconds;
        attention_memory += total.memory_seconds;
        attention_compute += total.compute_seconds;
      }
      if (explain) {
        const Cost at_mean = DecodeAttention(g, mean_position, bpe, r);
        const double keys = g.kv_elements_per_token > 0 ? KeysAt(g, mean_position) : 0;
        const double bytes = g.kv_elements_per_token > 0 ? g.layers * keys * g.kv_elements_per_token * bpe
                                                         : g.layers * 2.0 * g.state_bytes;
        const double flops = g.kv_elements_per_token > 0 ? g.layers * keys * g.flops_per_key
                                                         : g.layers * g.state_flops_per_token;
        AddOp(ops, fmt::format("{} ({} layers, {:.0f} keys)", g.label, g.layers, keys), bytes, flops,
              r.attention_bandwidth, r.decode_attention, at_mean);
      }
    }
    const double step_overhead = c.dispatches_per_step * r.dispatch_seconds + r.step_seconds;
    if (explain) {
      out.decode.ops.push_back({fmt::format("overhead: {:.0f} launches x {:.1f} us + {:.1f} us per step",
                                            c.dispatches_per_step, r.dispatch_seconds * 1e6, r.step_seconds * 1e6),
                                "", 0, 0, 0, 0, 0, 0, step_overhead, "overhead"});
    }
    out.decode.tokens = w.gen_tokens;
    out.decode.seconds = n * (weights.seconds + step_overhead) + attention_seconds;
    out.decode.overhead_seconds = n * step_overhead;
    out.decode.tokens_per_second = n / out.decode.seconds;
    out.decode.bound = BoundOf(n * weights.memory_seconds + attention_memory,
                               n * weights.compute_seconds + attention_compute, n * step_overhead);
    if (r.bandwidth_source != "DRAM") {
      out.assumptions.push_back(fmt::format("decode working set fits in {}: streamed at its bandwidth", r.bandwidth_source));
    }
  }
  out.ttft_seconds = out.prefill.seconds;
  out.e2e_seconds = out.prefill.seconds + out.decode.seconds;
  return out;
}

}  // namespace siliconsim::sim
