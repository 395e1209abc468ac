#include "kernel/reference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>

#include "common/diagnostics.h"
#include "kernel/matmul.h"
#include "kernel/simd.h"
#include "kernel/thread_pool.h"

namespace siliconsim::kernel {

namespace {

struct Layer {
  const WeightMatrix* wq = nullptr;
  const WeightMatrix* wk = nullptr;
  const WeightMatrix* wv = nullptr;
  const WeightMatrix* wo = nullptr;
  const WeightMatrix* gate = nullptr;
  const WeightMatrix* up = nullptr;
  const WeightMatrix* down = nullptr;
  const std::vector<float>* attn_norm = nullptr;
  const std::vector<float>* ffn_norm = nullptr;
  KvLayerCache kv;
};

}  // namespace

void CheckReferenceSupported(const ModelSpec& m) {
  auto reject = [&](const std::string& why) {
    throw UsageError("reference kernel: model '" + m.id + "' " + why +
                     "; it runs Llama-family models only (every layer full attention + dense gated FFN)");
  };
  if (m.num_layers <= 0 || m.hidden_size <= 0 || m.vocab_size <= 0) reject("has no layers");
  for (int i = 0; i < m.num_layers; ++i) {
    if (m.layer_attention[static_cast<size_t>(i)] != AttentionKind::kFull) {
      reject("has " + std::string(ToString(m.layer_attention[static_cast<size_t>(i)])) + " attention in layer " +
             std::to_string(i));
    }
    if (m.layer_ffn[static_cast<size_t>(i)] != FfnKind::kDense) {
      reject("has a " + std::string(ToString(m.layer_ffn[static_cast<size_t>(i)])) + " FFN in layer " +
             std::to_string(i));
    }
  }
  const AttentionSpec& a = m.attention;
  if (m.mla || m.linear_attention || m.moe) reject("has MLA, linear attention or MoE");
  if (a.qkv_bias || a.output_bias || a.qk_norm || a.output_gate || a.sinks) {
    reject("has attention biases, q/k norms, output gates or sinks");
  }
  if (!m.ffn.gated || m.ffn.bias) reject("has an ungated or biased FFN");
  if (m.norms_per_layer != 2) reject("has " + std::to_string(m.norms_per_layer) + " norms per layer");
  if (a.num_heads <= 0 || a.num_kv_heads <= 0 || a.num_heads % a.num_kv_heads != 0 || a.head_dim % 2 != 0) {
    reject("has heads the kernel cannot group");
  }
  if (m.hidden_size % 32 != 0 || m.ffn.intermediate_size % 32 != 0 ||
      (int64_t{a.num_heads} * a.head_dim) % 32 != 0) {
    reject("has a matrix row that is not a whole number of 32-element blocks");
  }
}

namespace {

double DefaultRopeTheta(const ModelSpec& m) { return m.vocab_size >= 128000 ? 500000.0 : 10000.0; }

}  // namespace

struct ReferenceModel::State {
  ModelSpec spec;
  WeightFormat format = WeightFormat::kF32;
  const KernelTable* kernels = nullptr;
  std::unique_ptr<ThreadPool> pool;
  int64_t d = 0, n_heads = 0, n_kv = 0, head_dim = 0, ff = 0, vocab = 0, max_ctx = 0;
  double theta = 10000;
  float eps = 1e-5f;
  std::map<std::string, WeightMatrix, std::less<>> matrices;
  std::map<std::string, std::vector<float>, std::less<>> norms;
  const WeightMatrix* token_embd = nullptr;
  const WeightMatrix* lm_head = nullptr;
  const std::vector<float>* output_norm = nullptr;
  std::vector<Layer> layers;
  int64_t pos = 0;
  int64_t weight_bytes = 0;

  // Scratch, grown to the largest chunk seen.
  std::vector<float> x, h, q, k, v, att, o, gate, up, logits, scores, rope_cos, rope_sin;
  std::vector<double> inv_freq;
  MatmulInput in;

  void Forward(const int32_t* tokens, int64_t n, bool want_logits);
  void RmsNorm(const float* src, const std::vector<float>& w, float* dst, int64_t n);
  void Rope(float* data, int64_t n, int64_t heads);
  void Attention(Layer& layer, int64_t n, int64_t pos0);
  void Mm(const WeightMatrix& w, float* out) { Matmul(*kernels, *pool, w, in, out); }
  void PrepareInput(const float* src, int64_t n, int64_t k_elems) {
    in.Prepare(*kernels, *pool, src, n, k_elems, IsBlockQuantized(format));
  }
};

void ReferenceModel::State::RmsNorm(const float* src, const std::vector<float>& w, float* dst, int64_t n) {
  pool->ParallelFor(n, 16, [&](int64_t t0, int64_t t1, int) {
    for (int64_t t = t0; t < t1; ++t) {
      const float* row = src + t * d;
      double sum = 0;
      for (int64_t i = 0; i < d; ++i) sum += double{row[i]} * row[i];
      const auto inv = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(d) + eps));
      for (int64_t i = 0; i < d; ++i) dst[t * d + i] = row[i] * inv * w[static_cast<size_t>(i)];
    }
  });
}

// GGML rope mode 0 (what llama.cpp uses for Llama GGUFs): adjacent pairs (2i, 2i+1) rotate by
// pos * theta^(-2i / head_dim). The cos/sin table of the chunk is built once per forward.
void ReferenceModel::State::Rope(float* data, int64_t n, int64_t heads) {
  const int64_t half = head_dim / 2;
  pool->ParallelFor(n, 16, [&](int64_t t0, int64_t t1, int) {
    for (int64_t t = t0; t < t1; ++t) {
      const float* c = rope_cos.data() + t * half;
      const float* s = rope_sin.data() + t * half;
      for (int64_t hh = 0; hh < heads; ++hh) {
        float* x0 = data + (t * heads + hh) * head_dim;
        for (int64_t i = 0; i < half; ++i) {
          const float a = x0[2 * i], b = x0[2 * i + 1];
          x0[2 * i] = a * c[i] - b * s[i];
          x0[2 * i + 1] = a * s[i] + b * c[i];
        }
      }
    }
  });
}

KvLayerCache::KvLayerCache(int64_t kv_heads_, int64_t capacity_, int64_t head_dim_)
    : kv_heads(kv_heads_), capacity(capacity_), head_dim(head_dim_),
      k(static_cast<size_t>(kv_heads_ * capacity_ * head_dim_), 0), v(k.size(), 0) {}

void KvLayerCache::Append(const KernelTable& kernels, const float* k_rows, const float* v_rows, int64_t n,
                          int64_t pos0) {
  if (pos0 < 0 || pos0 + n > capacity) throw std::invalid_argument("reference kernel: KV cache position out of range");
  const int64_t kv_dim = kv_heads * head_dim;
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t h = 0; h < kv_heads; ++h) {
      kernels.fp32_to_fp16(k_rows + t * kv_dim + h * head_dim, k.data() + offset(h, pos0 + t), head_dim);
      kernels.fp32_to_fp16(v_rows + t * kv_dim + h * head_dim, v.data() + offset(h, pos0 + t), head_dim);
    }
  }
}

// Query t (at position pos0 + t) of head hh attends to positions 0 .. pos0 + t of KV head
// hh / (n_heads / kv_heads). One work item is one token's group of query heads on one KV head: the
// thread streams that head's keys and values from memory once and re-reads them from its own cache
// for the other heads of the group, and two threads stream two different regions at a time,
// whether the model has one query head per KV head (MHA) or several (GQA).
void Attend(const KernelTable& kernels, ThreadPool& pool, const KvLayerCache& cache, const float* q, int64_t n,
            int64_t pos0, int64_t n_heads, float* scores, float* out) {
  const int64_t head_dim = cache.head_dim;
  const int64_t q_dim = n_heads * head_dim;
  const int64_t group = n_heads / cache.kv_heads;
  const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim)));
  pool.ParallelFor(n * cache.kv_heads, 1, [&](int64_t i0, int64_t i1, int thread) {
    float* s = scores + thread * cache.capacity;
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t t = i / cache.kv_heads, kvh = i % cache.kv_heads;
      const int64_t n_pos = pos0 + t + 1;
      const int64_t at = cache.offset(kvh, 0);
      for (int64_t hh = kvh * group; hh < (kvh + 1) * group; ++hh) {
        kernels.attention_scores(q + t * q_dim + hh * head_dim, cache.k.data() + at, head_dim, n_pos,
                                 static_cast<int>(head_dim), scale, s);
        const float inv_sum = 1.0f / kernels.softmax_exp(s, n_pos);
        float* o = out + t * q_dim + hh * head_dim;
        kernels.attention_values(s, cache.v.data() + at, head_dim, n_pos, static_cast<int>(head_dim), o);
        for (int64_t j = 0; j < head_dim; ++j) o[j] *= inv_sum;
      }
    }
  });
}

void ReferenceModel::State::Attention(Layer& layer, int64_t n, int64_t pos0) {
  Attend(*kernels, *pool, layer.kv, q.data(), n, pos0, n_heads, scores.data(), att.data());
}

void ReferenceModel::State::Forward(const int32_t* tokens, int64_t n, bool want_logits) {
  if (pos + n > max_ctx) {
    throw std::invalid_argument("reference kernel: context of " + std::to_string(pos + n) +
                                " tokens exceeds the allocated " + std::to_string(max_ctx));
  }
  const int64_t q_dim = n_heads * head_dim, kv_dim = n_kv * head_dim, half = head_dim / 2;
  auto grow = [](std::vector<float>& buf, int64_t size) {
    if (static_cast<int64_t>(buf.size()) < size) buf.resize(static_cast<size_t>(size));
  };
  grow(x, n * d);
  grow(h, n * d);
  grow(q, n * q_dim);
  grow(k, n * kv_dim);
  grow(v, n * kv_dim);
  grow(att, n * q_dim);
  grow(o, n * d);
  grow(gate, n * ff);
  grow(up, n * ff);
  grow(rope_cos, n * half);
  grow(rope_sin, n * half);

  for (int64_t t = 0; t < n; ++t) {
    if (tokens[t] < 0 || tokens[t] >= vocab) throw std::invalid_argument("reference kernel: token id out of range");
    DequantizeMatrixRow(*token_embd, tokens[t], x.data() + t * d);  // a row lookup, not a matmul
  }
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t i = 0; i < half; ++i) {
      const double angle = static_cast<double>(pos + t) * inv_freq[static_cast<size_t>(i)];
      rope_cos[static_cast<size_t>(t * half + i)] = static_cast<float>(std::cos(angle));
      rope_sin[static_cast<size_t>(t * half + i)] = static_cast<float>(std::sin(angle));
    }
  }

  for (Layer& layer : layers) {
    RmsNorm(x.data(), *layer.attn_norm, h.data(), n);
    PrepareInput(h.data(), n, d);  // shared by q, k and v
    Mm(*layer.wq, q.data());
    Mm(*layer.wk, k.data());
    Mm(*layer.wv, v.data());
    Rope(q.data(), n, n_heads);
    Rope(k.data(), n, n_kv);
    layer.kv.Append(*kernels, k.data(), v.data(), n, pos);
    Attention(layer, n, pos);
    PrepareInput(att.data(), n, q_dim);
    Mm(*layer.wo, o.data());
    for (int64_t i = 0; i < n * d; ++i) x[static_cast<size_t>(i)] += o[static_cast<size_t>(i)];

    RmsNorm(x.data(), *layer.ffn_norm, h.data(), n);
    PrepareInput(h.data(), n, d);  // shared by gate and up
    Mm(*layer.gate, gate.data());
    Mm(*layer.up, up.data());
    pool->ParallelFor(n * ff, 2048, [&](int64_t i0, int64_t i1, int) {
      kernels->silu_mul(gate.data() + i0, up.data() + i0, i1 - i0);  // SiLU(g) * u
    });
    PrepareInput(gate.data(), n, ff);
    Mm(*layer.down, o.data());
    for (int64_t i = 0; i < n * d; ++i) x[static_cast<size_t>(i)] += o[static_cast<size_t>(i)];
  }
  pos += n;

  if (want_logits) {  // the last token only, as llama.cpp computes for generation
    RmsNorm(x.data() + (n - 1) * d, *output_norm, h.data(), 1);
    PrepareInput(h.data(), 1, d);
    grow(logits, vocab);
    Mm(*lm_head, logits.data());
  }
}

ReferenceModel::ReferenceModel(std::unique_ptr<State> state) : state_(std::move(state)) {}
ReferenceModel::ReferenceModel(ReferenceModel&&) noexcept = default;
ReferenceModel& ReferenceModel::operator=(ReferenceModel&&) noexcept = default;
ReferenceModel::~ReferenceModel() = default;

ReferenceModel ReferenceModel::Build(const ModelSpec& model, WeightFormat format, uint64_t seed, int threads) {
  ReferenceOptions options;
  options.seed = seed;
  options.threads = threads;
  return Build(model, format, options);
}

ReferenceModel ReferenceModel::Build(const ModelSpec& model, WeightFormat format, const ReferenceOptions& options) {
  CheckReferenceSupported(model);
  if (options.max_context_tokens < 1) throw UsageError("reference kernel: max context must be at least 1 token");
  if (options.threads < 1) throw UsageError("reference kernel: threads must be at least 1");
  auto s = std::make_unique<State>();
  s->spec = model;
  s->format = format;
  s->kernels = &KernelsFor(options.simd.value_or(BestSimdLevel()));
  s->pool = std::make_unique<ThreadPool>(options.threads);
  s->d = model.hidden_size;
  s->n_heads = model.attention.num_heads;
  s->n_kv = model.attention.num_kv_heads;
  s->head_dim = model.attention.head_dim;
  s->ff = model.ffn.intermediate_size;
  s->vocab = model.vocab_size;
  s->max_ctx = options.max_context_tokens;
  s->theta = options.rope_theta.value_or(DefaultRopeTheta(model));
  s->eps = options.rms_norm_eps;
  for (int64_t i = 0; i < s->head_dim / 2; ++i) {
    s->inv_freq.push_back(std::pow(s->theta, -2.0 * static_cast<double>(i) / static_cast<double>(s->head_dim)));
  }

  // Every tensor of the inventory, in GGUF order, each with its own hash stream. Scales keep
  // activations near unit RMS: uniform [-a, a] with a = sqrt(3 / cols) preserves the variance of
  // a matmul's input; embeddings are uniform [-1, 1]; norm weights 1 +- 0.1.
  const TensorInventory inventory = BuildTensorInventory(model);
  uint64_t stream = 0;
  for (const TensorInfo& t : inventory) {
    ++stream;
    if (t.n_dims == 1) {
      std::vector<float> w(static_cast<size_t>(t.ne[0]));
      const uint64_t key = HashMix(options.seed ^ HashMix(stream));
      for (size_t i = 0; i < w.size(); ++i) {
        w[i] = 1.0f + 0.1f * (static_cast<float>(HashMix(key + i) >> 40) / 8388608.0f - 1.0f);
      }
      s->weight_bytes += static_cast<int64_t>(w.size()) * 4;
      s->norms.emplace(t.name, std::move(w));
    } else if (t.n_dims == 2) {
      const bool embedding = t.name == "token_embd.weight";
      const float scale = embedding ? 1.0f : static_cast<float>(std::sqrt(3.0 / static_cast<double>(t.ne[0])));
      WeightMatrix w = SyntheticMatrix(format, t.ne[1], t.ne[0], scale, options.seed, stream, *s->pool);
      s->weight_bytes += w.bytes();
      s->matrices.emplace(t.name, std::move(w));
    } else {
      throw UsageError("reference kernel: model '" + model.id + "' has tensor " + t.name + " of rank " +
                       std::to_string(t.n_dims));
    }
  }
  auto matrix = [&](const std::string& name) -> const WeightMatrix* {
    auto it = s->matrices.find(name);
    if (it == s->matrices.end()) throw UsageError("reference kernel: model '" + model.id + "' lacks " + name);
    return &it->second;
  };
  auto norm = [&](const std::string& name) -> const std::vector<float>* {
    auto it = s->norms.find(name);
    if (it == s->norms.end()) throw UsageError("reference kernel: model '" + model.id + "' lacks " + name);
    return &it->second;
  };
  s->token_embd = matrix("token_embd.weight");
  s->lm_head = model.tie_word_embeddings ? s->token_embd : matrix("output.weight");
  s->output_norm = norm("output_norm.weight");
  size_t expected = 2 + (model.tie_word_embeddings ? 0 : 1);  // token_embd, output_norm, output
  s->layers.resize(static_cast<size_t>(model.num_layers));
  for (int i = 0; i < model.num_layers; ++i) {
    Layer& l = s->layers[static_cast<size_t>(i)];
    const std::string p = "blk." + std::to_string(i) + ".";
    l.wq = matrix(p + "attn_q.weight");
    l.wk = matrix(p + "attn_k.weight");
    l.wv = matrix(p + "attn_v.weight");
    l.wo = matrix(p + "attn_output.weight");
    l.gate = matrix(p + "ffn_gate.weight");
    l.up = matrix(p + "ffn_up.weight");
    l.down = matrix(p + "ffn_down.weight");
    l.attn_norm = norm(p + "attn_norm.weight");
    l.ffn_norm = norm(p + "ffn_norm.weight");
    l.kv = KvLayerCache(s->n_kv, s->max_ctx, s->head_dim);
    expected += 9;
  }
  if (s->matrices.size() + s->norms.size() != expected) {
    throw UsageError("reference kernel: model '" + model.id + "' has tensors the Llama forward pass does not use");
  }
  s->scores.resize(static_cast<size_t>(options.threads * s->max_ctx));
  return ReferenceModel(std::move(s));
}

std::vector<float> ReferenceModel::Prefill(std::span<const int32_t> tokens, int64_t ubatch_tokens) {
  if (tokens.empty()) throw std::invalid_argument("reference kernel: prefill needs at least one token");
  if (ubatch_tokens < 1) throw std::invalid_argument("reference kernel: ubatch must be at least 1 token");
  const auto n = static_cast<int64_t>(tokens.size());
  for (int64_t begin = 0; begin < n; begin += ubatch_tokens) {
    const int64_t chunk = std::min(ubatch_tokens, n - begin);
    state_->Forward(tokens.data() + begin, chunk, begin + chunk == n);
  }
  return {state_->logits.begin(), state_->logits.begin() + state_->vocab};
}

std::vector<float> ReferenceModel::DecodeStep(int32_t token) {
  state_->Forward(&token, 1, true);
  return {state_->logits.begin(), state_->logits.begin() + state_->vocab};
}

void ReferenceModel::ResetCache() { state_->pos = 0; }
int64_t ReferenceModel::position() const { return state_->pos; }
int64_t ReferenceModel::max_context_tokens() const { return state_->max_ctx; }
int64_t ReferenceModel::weight_bytes() const { return state_->weight_bytes; }
int64_t ReferenceModel::kv_cache_bytes() const {
  return static_cast<int64_t>(state_->layers.size()) * 2 * state_->max_ctx * state_->n_kv * state_->head_dim * 2;
}
WeightFormat ReferenceModel::format() const { return state_->format; }
SimdLevel ReferenceModel::simd_level() const { return state_->kernels->level; }
int ReferenceModel::threads() const { return state_->pool->threads(); }
double ReferenceModel::rope_theta() const { return state_->theta; }
float ReferenceModel::rms_norm_eps() const { return state_->eps; }
const ModelSpec& ReferenceModel::spec() const { return state_->spec; }

std::vector<float> ReferenceModel::TensorAsFloat(std::string_view gguf_name) const {
  if (auto it = state_->matrices.find(gguf_name); it != state_->matrices.end()) return DequantizeMatrix(it->second);
  if (auto it = state_->norms.find(gguf_name); it != state_->norms.end()) return it->second;
  throw std::invalid_argument("reference kernel: no tensor named " + std::string(gguf_name));
}

ReferenceTiming RunReference(const ReferenceConfig& config) {
  if (config.model == nullptr) throw std::invalid_argument("reference kernel: no model given");
  if (config.prompt_tokens < 1 || config.gen_tokens < 0) {
    throw UsageError("reference kernel: needs at least one prompt token and no negative generation");
  }
  if (config.repetitions < 1) throw UsageError("reference kernel: needs at least one timed pass");
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
  ReferenceOptions options;
  options.threads = config.threads;
  options.seed = config.seed;
  options.simd = config.simd;
  options.max_context_tokens = config.prompt_tokens + std::max<int64_t>(config.gen_tokens, 1);
  const Clock::time_point t0 = Clock::now();
  ReferenceModel model = ReferenceModel::Build(*config.model, config.format, options);
  std::vector<int32_t> prompt(static_cast<size_t>(config.prompt_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) {
    prompt[i] = static_cast<int32_t>(HashMix(config.seed * 7919 + i) % static_cast<uint64_t>(config.model->vocab_size));
  }
  const Clock::time_point t1 = Clock::now();
  ReferenceTiming timing;
  timing.build_seconds = seconds(t0, t1);
  for (int r = 0; r < config.repetitions; ++r) {
    model.ResetCache();
    const Clock::time_point a = Clock::now();
    std::vector<float> logits = model.Prefill(prompt, config.ubatch_tokens);
    const Clock::time_point b = Clock::now();
    for (int64_t i = 0; i < config.gen_tokens; ++i) {
      const auto next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
      logits = model.DecodeStep(next);
    }
    const Clock::time_point c = Clock::now();
    timing.prefill_pass_seconds.push_back(seconds(a, b));
    timing.decode_pass_seconds.push_back(seconds(b, c));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  timing.prefill_seconds = median(timing.prefill_pass_seconds);
  timing.decode_seconds = median(timing.decode_pass_seconds);
  timing.prompt_tokens = config.prompt_tokens;
  timing.gen_tokens = config.gen_tokens;
  timing.weight_bytes = model.weight_bytes();
  timing.kv_cache_bytes = model.kv_cache_bytes();
  timing.threads = model.threads();
  timing.simd = ToString(model.simd_level());
  return timing;
}

namespace {

std::pair<double, double> TpsRange(const std::vector<double>& pass_seconds, int64_t tokens) {
  if (pass_seconds.empty()) return {0, 0};
  const auto [fast, slow] = std::minmax_element(pass_seconds.begin(), pass_seconds.end());
  auto tps = [&](double s) { return s > 0 ? static_cast<double>(tokens) / s : 0.0; };
  return {tps(*fast), tps(*slow)};
}

}  // namespace

std::pair<double, double> ReferenceTiming::prefill_tps_range() const {
  return TpsRange(prefill_pass_seconds, prompt_tokens);
}
std::pair<double, double> ReferenceTiming::decode_tps_range() const {
  return TpsRange(decode_pass_seconds, gen_tokens);
}

ForwardCost ForwardChunkCost(const ModelSpec& m, WeightFormat format, int64_t chunk_tokens, int64_t context_tokens,
                             bool logits) {
  CheckReferenceSupported(m);
  const AttentionSpec& a = m.attention;
  const int64_t d = m.hidden_size, q_dim = int64_t{a.num_heads} * a.head_dim;
  const int64_t kv_dim = int64_t{a.num_kv_heads} * a.head_dim, ff = m.ffn.intermediate_size;
  ForwardCost c;
  // Per layer: q (q_dim x d), k and v (kv_dim x d), output (d x q_dim), gate and up (ff x d), down (d x ff).
  const int64_t layer_params = q_dim * d + 2 * kv_dim * d + d * q_dim + 2 * ff * d + d * ff;
  c.matrix_bytes = m.num_layers * (RowBytes(format, d) * (q_dim + 2 * kv_dim + 2 * ff) +
                                   RowBytes(format, q_dim) * d + RowBytes(format, ff) * d);
  c.matmul_flops = 2.0 * static_cast<double>(layer_params) * static_cast<double>(m.num_layers) *
                   static_cast<double>(chunk_tokens);
  if (logits) {
    c.matrix_bytes += RowBytes(format, d) * m.vocab_size;
    c.matmul_flops += 2.0 * static_cast<double>(d) * static_cast<double>(m.vocab_size);
  }
  c.embedding_bytes = chunk_tokens * RowBytes(format, d);
  c.norm_bytes = (int64_t{m.num_layers} * 2 + (logits ? 1 : 0)) * d * 4;
  const int64_t kv_bytes_per_token = m.num_layers * 2 * kv_dim * 2;
  c.kv_read_bytes = (context_tokens + chunk_tokens) * kv_bytes_per_token;
  c.kv_write_bytes = chunk_tokens * kv_bytes_per_token;
  // Query i of the chunk sees context_tokens + i + 1 keys: sum = n * ctx + n (n + 1) / 2.
  const double pairs = static_cast<double>(chunk_tokens) * static_cast<double>(context_tokens) +
                       static_cast<double>(chunk_tokens) * static_cast<double>(chunk_tokens + 1) / 2.0;
  c.attention_flops = 4.0 * static_cast<double>(a.head_dim) * static_cast<double>(a.num_heads) * pairs *
                      static_cast<double>(m.num_layers);
  return c;
}

}  // namespace siliconsim::kernel
