// `siliconsim quants` (every quantization the database knows, and the ggml block types) and
// `siliconsim import gguf FILE` (what a GGUF file holds, from its header alone).
//
// As in chips_command.cpp, each row is one ordered JSON record; JSON prints the records as they
// are, CSV writes their values and the table printer picks columns from them. Rows of different
// kinds (`--kind all`; the file row and the type rows of `import gguf`) carry a `kind` key, and
// CSV then has the union of their columns, in first-seen order, with empty cells where a key
// does not apply.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/table.h"
#include "common/text.h"
#include "model/ggml_types.h"
#include "model/gguf_mixture.h"
#include "model/gguf_reader.h"
#include "model/quant_db.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Shared printing helpers

std::string RenderJsonArray(const std::vector<Json>& records) {
  Json array = Json::array();
  for (const Json& r : records) array.push_back(r);
  return RenderJson(array);
}

// 1234567 -> "1,234,567".
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// "1,234,567 bytes (1.23 MB)": decimal units (1 GB = 1e9 bytes), as everywhere in SiliconSim.
std::string BytesText(int64_t n) {
  std::string text = Grouped(n) + (n == 1 ? " byte" : " bytes");
  if (n >= 1'000'000'000) return text + fmt::format(" ({:.2f} GB)", static_cast<double>(n) / 1e9);
  if (n >= 1'000'000) return text + fmt::format(" ({:.2f} MB)", static_cast<double>(n) / 1e6);
  return text;
}

void AddFormatOption(CLI::App* app, std::string& format) {
  app->add_option("-f,--format", format, "Output format: table (for people), json or csv (for scripts)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kOutputFormatNames), std::end(kOutputFormatNames))))
      ->capture_default_str();
}

template <typename T>
Json OptionalValue(const std::optional<QuantFact<T>>& fact) {
  return fact ? Json(fact->value) : Json(nullptr);
}

// ---------------------------------------------------------------------------------------------
// quants

const char* EngineName(KvEngine engine) { return engine == KvEngine::kMlx ? "mlx" : "llama.cpp"; }

std::vector<std::string> TypeNames(const std::vector<GgmlType>& types) {
  std::vector<std::string> names;
  for (const GgmlType& t : types) names.emplace_back(t.name);
  return names;
}

Json GgufRecord(const GgufFileType& g) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "gguf";
  j["id"] = g.id;
  j["name"] = g.name;
  j["ftype"] = g.ftype.value;
  j["default_type"] = std::string(g.default_type.value.name);
  j["bits_per_weight"] = g.default_type.value.bits_per_weight();
  j["promoted_types"] = TypeNames(g.promoted_types.value);
  j["requires_imatrix"] = g.requires_imatrix.value;
  j["aliases"] = g.aliases;
  j["description"] = g.description;
  return j;
}

Json MlxRecord(const MlxQuant& m) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "mlx";
  j["id"] = m.id;
  j["name"] = m.name;
  j["mode"] = ToString(m.mode.value);
  j["bits"] = m.bits.value;
  j["group_size"] = m.group_size.value > 0 ? Json(m.group_size.value) : Json(nullptr);  // null: unquantized
  j["bits_per_weight"] = 8.0 * m.bytes_per_weight(m.bits.value);
  j["high_bits"] = m.high_bits ? Json(m.high_bits->value) : Json(nullptr);
  j["high_bits_per_weight"] = m.high_bits ? Json(8.0 * m.bytes_per_weight(m.high_bits->value)) : Json(nullptr);
  j["scale_dtype"] = ToString(m.scale_dtype.value);
  j["bias_dtype"] = m.bias_dtype ? Json(ToString(m.bias_dtype->value)) : Json(nullptr);
  j["unquantized_dtype"] = ToString(m.unquantized_dtype.value);
  j["aliases"] = m.aliases;
  return j;
}

Json KvRecord(const KvCacheType& k) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "kv";
  j["id"] = k.id;
  j["name"] = k.name;
  j["engine"] = EngineName(k.engine);
  j["ggml_type"] = k.ggml_type ? Json(std::string(k.ggml_type->value.name)) : Json(nullptr);
  j["bits"] = OptionalValue(k.bits);
  j["block_elements"] = k.block_elements();
  j["bytes_per_element"] = k.bytes_per_element();
  j["v_requires_flash_attention"] = k.v_requires_flash_attention.value;
  j["aliases"] = k.aliases;
  return j;
}

Json BlockRecord(const GgmlType& t) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "block";
  j["type"] = std::string(t.name);
  j["type_id"] = t.id;
  j["block_elements"] = t.block_elements;
  j["block_bytes"] = t.block_bytes;
  j["bits_per_weight"] = t.bits_per_weight();
  return j;
}

constexpr const char* kQuantKinds[] = {"all", "gguf", "mlx", "kv", "blocks"};

struct QuantsOptions {
  std::string format = "table";
  std::string kind = "all";
};

std::vector<Json> QuantRecords(const QuantDatabase& db, const std::string& kind) {
  std::vector<Json> records;
  const bool all = kind == "all";
  if (all || kind == "gguf") {
    for (const GgufFileType& g : db.gguf_file_types()) records.push_back(GgufRecord(g));
  }
  if (all || kind == "mlx") {
    for (const MlxQuant& m : db.mlx_quants()) records.push_back(MlxRecord(m));
  }
  if (all || kind == "kv") {
    for (const KvCacheType& k : db.kv_cache_types()) records.push_back(KvRecord(k));
  }
  if (kind == "blocks") {
    for (const GgmlType& t : GgmlTypes()) records.push_back(BlockRecord(t));
  }
  return records;
}

void PrintGgufTable(std::ostream& out, const QuantDatabase& db) {
  out << "GGUF file types (llama.cpp; bits per weight of the default block type)\n";
  Table table({{"NAME"},
               {"FTYPE", Align::kRight},
               {"DEFAULT"},
               {"BITS/WEIGHT", Align::kRight},
               {"MAY PROMOTE TO"},
               {"IMATRIX"},
               {"DESCRIPTION"}});
  for (const GgufFileType& g : db.gguf_file_types()) {
    const Json r = GgufRecord(g);
    table.AddRow({g.name, RecordCell(r["ftype"], "?"), RecordCell(r["default_type"], "?"),
                  RecordCell(r["bits_per_weight"], "?"), Join(TypeNames(g.promoted_types.value), " "),
                  g.requires_imatrix.value ? "required" : "", g.description});
  }
  table.Print(out);
}

void PrintMlxTable(std::ostream& out, const QuantDatabase& db) {
  out << "MLX recipes (mlx_lm.convert; bits per weight include the scale and bias per group)\n";
  Table table({{"ID"},
               {"MODE"},
               {"BITS", Align::kRight},
               {"HIGH BITS", Align::kRight},
               {"GROUP", Align::kRight},
               {"BITS/WEIGHT", Align::kRight},
               {"SCALE"},
               {"BIAS"},
               {"NAME"}});
  for (const MlxQuant& m : db.mlx_quants()) {
    const Json r = MlxRecord(m);
    table.AddRow({m.id, RecordCell(r["mode"], ""), RecordCell(r["bits"], ""), RecordCell(r["high_bits"], ""),
                  RecordCell(r["group_size"], ""), RecordCell(r["bits_per_weight"], "?"),
                  m.mode.value == MlxMode::kNone ? "" : RecordCell(r["scale_dtype"], ""),
                  m.mode.value == MlxMode::kNone ? "" : RecordCell(r["bias_dtype"], "none"), m.name});
  }
  table.Print(out);
}

void PrintKvTable(std::ostream& out, const QuantDatabase& db) {
  out << "KV-cache types (llama.cpp -ctk/-ctv, MLX --kv-bits)\n";
  Table table({{"ID"},
               {"ENGINE"},
               {"TYPE"},
               {"BLOCK", Align::kRight},
               {"BYTES/ELEMENT", Align::kRight},
               {"QUANTIZED V NEEDS FA"},
               {"NAME"}});
  for (const KvCacheType& k : db.kv_cache_types()) {
    const Json r = KvRecord(k);
    std::string type = RecordCell(r["ggml_type"], "");
    if (!k.ggml_type && k.bits) type = fmt::format("{}-bit", k.bits->value);
    table.AddRow({k.id, RecordCell(r["engine"], ""), type, RecordCell(r["block_elements"], "?"),
                  RecordCell(r["bytes_per_element"], "?"), k.v_requires_flash_attention.value ? "yes" : "", k.name});
  }
  table.Print(out);
}

void PrintBlocksTable(std::ostream& out) {
  out << "ggml block types (ggml-common.h)\n";
  Table table({{"TYPE"},
               {"ID", Align::kRight},
               {"BLOCK ELEMENTS", Align::kRight},
               {"BLOCK BYTES", Align::kRight},
               {"BITS/WEIGHT", Align::kRight}});
  for (const GgmlType& t : GgmlTypes()) {
    const Json r = BlockRecord(t);
    table.AddRow({std::string(t.name), RecordCell(r["type_id"], ""), RecordCell(r["block_elements"], ""),
                  RecordCell(r["block_bytes"], ""), RecordCell(r["bits_per_weight"], "")});
  }
  table.Print(out);
}

std::string RenderQuantsTable(const QuantDatabase& db, const std::string& kind) {
  std::ostringstream out;
  const bool all = kind == "all";
  std::vector<std::string> counts;
  if (all || kind == "gguf") {
    PrintGgufTable(out, db);
    counts.push_back(fmt::format("{} GGUF file types", db.gguf_file_types().size()));
  }
  if (all || kind == "mlx") {
    if (all) out << "\n";
    PrintMlxTable(out, db);
    counts.push_back(fmt::format("{} MLX recipes", db.mlx_quants().size()));
  }
  if (all || kind == "kv") {
    if (all) out << "\n";
    PrintKvTable(out, db);
    counts.push_back(fmt::format("{} KV-cache types", db.kv_cache_types().size()));
  }
  if (kind == "blocks") {
    PrintBlocksTable(out);
    counts.push_back(fmt::format("{} ggml block types", GgmlTypes().size()));
  }
  out << "\n" << Join(counts, ", ") << ".";
  if (all || kind == "gguf") {
    out << "\nA GGUF file type mixes block types per tensor (docs/quantization.md); block sizes: "
           "siliconsim quants --kind blocks";
  }
  out << "\n";
  return out.str();
}

std::string RenderQuants(OutputFormat format, const QuantDatabase& db, const std::string& kind) {
  if (format == OutputFormat::kJson) return RenderJsonArray(QuantRecords(db, kind));
  if (format == OutputFormat::kCsv) return RenderRecordsCsv(QuantRecords(db, kind));
  return RenderQuantsTable(db, kind);
}

constexpr const char* kQuantsFooter = R"(Examples:
  siliconsim quants                          GGUF file types, MLX recipes and KV-cache types
  siliconsim quants --kind gguf              llama.cpp file types: ftype, default block type, bits per weight
  siliconsim quants --kind blocks            ggml block types: elements and bytes per block
  siliconsim quants --kind mlx --format json
  siliconsim quants --data ./mydata          with ./mydata/quants/*.yaml added or overriding by id

Worked example: Q4_K_M stores most tensors as Q4_K blocks, 256 weights in 144 bytes =
8 x 144 / 256 = 4.5 bits per weight; its rules promote some tensors (attn_v, ffn_down, output)
to Q6_K (6.5625 bits), so a whole Q4_K_M file averages more than 4.5. mlx-4bit packs 4 bits per
weight plus a bf16 scale and a bf16 bias per group of 64: 4 + 32/64 = 4.5 bits per weight.
A q8_0 KV cache holds 34 bytes per 32 elements = 1.0625 bytes per element.

  $ siliconsim quants --kind blocks --format csv | grep -E '^(kind|block,Q4_K,)'
  kind,type,type_id,block_elements,block_bytes,bits_per_weight
  block,Q4_K,12,256,144,4.5

JSON is an array of objects, each with a schema_version and a kind (gguf, mlx, kv, block) and
unit-suffixed keys: ftype, default_type, bits_per_weight, promoted_types, requires_imatrix (gguf);
mode, bits, group_size, bits_per_weight, high_bits, scale_dtype, bias_dtype (mlx); engine,
ggml_type, bits, block_elements, bytes_per_element, v_requires_flash_attention (kv); type,
type_id, block_elements, block_bytes, bits_per_weight (block). null: does not apply. CSV has the
union of the columns of the kinds listed.)";

// ---------------------------------------------------------------------------------------------
// import gguf

struct TypeTotals {
  std::optional<GgmlType> type;
  int type_id = 0;
  int64_t tensors = 0;
  int64_t elements = 0;
  std::optional<int64_t> bytes = 0;  // null once a tensor of an unknown type is counted
};

Json BitsPerWeight(const std::optional<int64_t>& bytes, int64_t elements) {
  return bytes && elements > 0 ? Json(8.0 * static_cast<double>(*bytes) / static_cast<double>(elements))
                               : Json(nullptr);
}

Json Share(const std::optional<int64_t>& bytes, int64_t known_bytes) {
  return bytes && known_bytes > 0 ? Json(static_cast<double>(*bytes) / static_cast<double>(known_bytes))
                                  : Json(nullptr);
}

std::string TypeName(const std::optional<GgmlType>& type, int type_id) {
  return type ? std::string(type->name) : fmt::format("unknown type {}", type_id);
}

// What the import rows are built from: the header plus totals.
struct GgufSummary {
  std::string path;
  GgufHeader header;
  std::optional<int64_t> ftype;
  std::optional<std::string> file_type;  // the ftype's name, if known
  int64_t elements = 0;
  std::optional<int64_t> bytes = 0;  // sum of tensor sizes; null if any type is unknown
  int64_t known_bytes = 0;           // sum over the tensors of known types
  std::vector<TypeTotals> types;     // by bytes, largest first; unknown types last
};

GgufSummary Summarize(const std::string& path, GgufHeader header, const QuantDatabase& db) {
  GgufSummary s;
  s.path = path;
  s.header = std::move(header);
  s.ftype = s.header.GetInt("general.file_type");
  if (s.ftype && *s.ftype >= 0 && *s.ftype <= std::numeric_limits<int>::max()) {
    const int ftype = static_cast<int>(*s.ftype);
    if (const GgufFileType* g = db.FindByFtype(ftype)) {
      s.file_type = g->name;
    } else if (auto name = LlamaFtypeName(ftype)) {
      s.file_type = std::string(*name);
    }
  }
  std::map<int, TypeTotals> by_id;
  for (const GgufTensorRecord& t : s.header.tensors) {
    TypeTotals& totals = by_id[t.type_id];
    totals.type = t.type;
    totals.type_id = t.type_id;
    ++totals.tensors;
    totals.elements += t.elements;
    s.elements += t.elements;
    if (t.bytes && totals.bytes) {
      *totals.bytes += *t.bytes;
    } else {
      totals.bytes.reset();
    }
    if (t.bytes) s.known_bytes += *t.bytes;
    if (!t.bytes) s.bytes.reset();
  }
  if (s.bytes) s.bytes = s.known_bytes;
  for (auto& [id, totals] : by_id) s.types.push_back(totals);
  std::stable_sort(s.types.begin(), s.types.end(), [](const TypeTotals& a, const TypeTotals& b) {
    if (a.bytes.has_value() != b.bytes.has_value()) return a.bytes.has_value();
    return a.bytes.value_or(0) > b.bytes.value_or(0);
  });
  return s;
}

// Bytes from the aligned data start to the end of the file (none when a file without tensors
// ends before the padding).
uint64_t TensorDataBytes(const GgufHeader& h) {
  return h.file_size_bytes > h.data_offset ? h.file_size_bytes - h.data_offset : 0;
}

Json OptionalJson(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }
Json OptionalJson(const std::optional<int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

Json FileRecord(const GgufSummary& s) {
  const GgufHeader& h = s.header;
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "file";
  j["file"] = s.path;
  j["architecture"] = OptionalJson(h.GetString("general.architecture"));
  j["model_name"] = OptionalJson(h.GetString("general.name"));
  j["ftype"] = OptionalJson(s.ftype);
  j["file_type"] = OptionalJson(s.file_type);
  j["gguf_version"] = h.version;
  j["file_bytes"] = h.file_size_bytes;
  j["header_bytes"] = h.data_offset;
  j["tensor_data_bytes"] = TensorDataBytes(h);
  j["metadata_count"] = h.metadata_count;
  j["tensors"] = h.tensor_count;
  j["elements"] = s.elements;
  j["bytes"] = OptionalJson(s.bytes);
  j["share"] = Share(s.bytes, s.known_bytes);
  j["bits_per_weight"] = BitsPerWeight(s.bytes, s.elements);
  return j;
}

Json TypeRecord(const TypeTotals& t, int64_t known_bytes) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "type";
  j["type"] = t.type ? Json(std::string(t.type->name)) : Json(nullptr);
  j["type_id"] = t.type_id;
  j["tensors"] = t.tensors;
  j["elements"] = t.elements;
  j["bytes"] = OptionalJson(t.bytes);
  j["share"] = Share(t.bytes, known_bytes);
  j["bits_per_weight"] = BitsPerWeight(t.bytes, t.elements);
  return j;
}

Json TensorRecord(const GgufTensorRecord& t) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["kind"] = "tensor";
  j["name"] = t.name;
  j["type"] = t.type ? Json(std::string(t.type->name)) : Json(nullptr);
  j["type_id"] = t.type_id;
  j["dims"] = t.dims;
  j["elements"] = t.elements;
  j["bytes"] = OptionalJson(t.bytes);
  j["offset_bytes"] = t.offset;
  return j;
}

std::vector<Json> ImportRecords(const GgufSummary& s, bool tensors) {
  std::vector<Json> records{FileRecord(s)};
  for (const TypeTotals& t : s.types) records.push_back(TypeRecord(t, s.known_bytes));
  if (tensors) {
    for (const GgufTensorRecord& t : s.header.tensors) records.push_back(TensorRecord(t));
  }
  return records;
}

std::string Percent(const Json& share) {
  return share.is_null() ? "?" : fmt::format("{:.1f}%", 100.0 * share.get<double>());
}

std::string TwoDecimals(const Json& v) { return v.is_null() ? "?" : fmt::format("{:.2f}", v.get<double>()); }

std::string RenderImportTable(const GgufSummary& s, bool tensors) {
  const GgufHeader& h = s.header;
  std::ostringstream out;
  const Json file = FileRecord(s);
  std::string file_type = "unknown (no general.file_type)";
  if (s.ftype) {
    file_type = s.file_type ? fmt::format("{} (general.file_type {})", *s.file_type, *s.ftype)
                            : fmt::format("general.file_type {}, not a known llama_ftype", *s.ftype);
  }
  std::vector<std::pair<std::string, std::string>> facts = {
      {"architecture", RecordCell(file["architecture"], "unknown")},
      {"name", RecordCell(file["model_name"], "unknown")},
      {"file type", file_type},
      {"file size", BytesText(static_cast<int64_t>(h.file_size_bytes))},
      {"GGUF", fmt::format("version {}, {} metadata keys, header {}", h.version, h.metadata_count,
                           BytesText(static_cast<int64_t>(h.data_offset)))},
      {"tensors", fmt::format("{}, {} elements", Grouped(static_cast<int64_t>(h.tensor_count)), Grouped(s.elements))},
      {"tensor data", BytesText(static_cast<int64_t>(TensorDataBytes(h))) +
                          (s.bytes ? fmt::format(", of which tensors {}", BytesText(*s.bytes)) : "")},
  };
  out << s.path << "\n";
  for (const auto& [key, value] : facts) out << fmt::format("  {:<14}{}\n", key, value);
  out << "\n";

  Table types({{"TYPE"},
               {"TENSORS", Align::kRight},
               {"ELEMENTS", Align::kRight},
               {"BYTES", Align::kRight},
               {"SHARE", Align::kRight},
               {"BITS/WEIGHT", Align::kRight}});
  for (const TypeTotals& t : s.types) {
    const Json r = TypeRecord(t, s.known_bytes);
    types.AddRow({TypeName(t.type, t.type_id), Grouped(t.tensors), Grouped(t.elements),
                  t.bytes ? Grouped(*t.bytes) : "?", Percent(r["share"]), TwoDecimals(r["bits_per_weight"])});
  }
  types.AddRow({"total", Grouped(static_cast<int64_t>(h.tensor_count)), Grouped(s.elements),
                s.bytes ? Grouped(*s.bytes) : "?", Percent(file["share"]), TwoDecimals(file["bits_per_weight"])});
  types.Print(out);

  if (tensors) {
    out << "\n";
    Table rows({{"TENSOR"},
                {"TYPE"},
                {"DIMS"},
                {"ELEMENTS", Align::kRight},
                {"BYTES", Align::kRight},
                {"OFFSET", Align::kRight}});
    for (const GgufTensorRecord& t : h.tensors) {
      std::vector<std::string> dims;
      for (int64_t d : t.dims) dims.push_back(std::to_string(d));
      rows.AddRow({t.name, TypeName(t.type, t.type_id), Join(dims, " x "), Grouped(t.elements),
                   t.bytes ? Grouped(*t.bytes) : "?", Grouped(static_cast<int64_t>(t.offset))});
    }
    rows.Print(out);
    out << "DIMS in ggml order (row length first); OFFSET from the start of the tensor data.\n";
  }
  return out.str();
}

std::string RenderImport(OutputFormat format, const GgufSummary& s, bool tensors) {
  if (format == OutputFormat::kJson) return RenderJsonArray(ImportRecords(s, tensors));
  if (format == OutputFormat::kCsv) return RenderRecordsCsv(ImportRecords(s, tensors));
  return RenderImportTable(s, tensors);
}

struct ImportGgufOptions {
  std::string format = "table";
  std::string file;
  bool tensors = false;
};

constexpr const char* kImportGgufFooter = R"(Examples:
  siliconsim import gguf model.gguf                        architecture, sizes, bytes per tensor type
  siliconsim import gguf model.gguf --tensors              and one row per tensor
  siliconsim import gguf model.gguf --format json -o model.json

Only the header is read (metadata and tensor infos, never the tensor data), so a 40 GB file
takes milliseconds. Every count, length and offset is checked against the file; a damaged or
hostile file is refused with exit status 2 and `file: error: where: what (at byte N)`.

Worked example: a tensor of 4096 x 4096 Q4_K weights holds 16,777,216 / 256 blocks x 144 bytes
= 9,437,184 bytes (4.5 bits per weight); the TYPE table adds such tensors up per type.

JSON is an array of objects, each with a schema_version and a kind: one `file` row (file,
architecture, model_name, ftype, file_type, gguf_version, file_bytes, header_bytes,
tensor_data_bytes, metadata_count, tensors, elements, bytes, share, bits_per_weight), one `type`
row per tensor type (type, type_id, tensors, elements, bytes, share = fraction of the tensor
bytes, bits_per_weight) and, with --tensors, one `tensor` row per tensor (name, type, type_id,
dims in ggml order, elements, bytes, offset_bytes from the start of the tensor data). `bytes`
is unpadded tensor data; null when the type is unknown to this build. CSV has the union of the
columns, with the kind first.)";

// The `import` node, shared with `import hf` (registered elsewhere, in either order).
CLI::App* ImportNode(CLI::App& app) {
  const std::function<bool(CLI::App*)> is_import = [](CLI::App* sub) { return sub->get_name() == "import"; };
  for (CLI::App* sub : app.get_subcommands(is_import)) return sub;
  CLI::App* node = app.add_subcommand("import", "Read a model file (a GGUF header, a Hugging Face config.json)");
  node->require_subcommand(1);
  return node;
}

}  // namespace

std::vector<Command> AddQuantsCommands(CLI::App& app, GlobalOptions& options) {
  (void)options;
  auto quants_state = std::make_shared<QuantsOptions>();
  CLI::App* quants = app.add_subcommand(
      "quants", "List every quantization the database knows: GGUF file types, MLX recipes, KV-cache types");
  quants->footer(kQuantsFooter);
  AddFormatOption(quants, quants_state->format);
  quants
      ->add_option("-k,--kind", quants_state->kind,
                   "Which to list: all (GGUF, MLX and KV-cache), gguf, mlx, kv, or blocks (ggml block types)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kQuantKinds), std::end(kQuantKinds))))
      ->capture_default_str();

  auto import_state = std::make_shared<ImportGgufOptions>();
  CLI::App* gguf =
      ImportNode(app)->add_subcommand("gguf", "Summarize a GGUF file from its header: sizes per tensor type");
  gguf->footer(kImportGgufFooter);
  gguf->add_option("FILE", import_state->file, "The .gguf file (only its header is read)")->required();
  gguf->add_flag("--tensors", import_state->tensors, "Also list every tensor: name, type, dims, elements, bytes");
  AddFormatOption(gguf, import_state->format);

  Command quants_cmd{quants, [quants_state](const CommandContext& ctx) {
                       const QuantDatabase db = QuantDatabase::Load(SourcesFor(ctx));
                       ReportWarnings(ctx, db.warnings());
                       EmitOutput(RenderQuants(ParseOutputFormat(quants_state->format), db, quants_state->kind),
                                  ctx.options.output_path, ctx.out);
                     }};
  Command gguf_cmd{gguf, [import_state](const CommandContext& ctx) {
                     GgufHeader header = ReadGgufHeader(import_state->file);  // throws InputError on a bad file
                     const QuantDatabase db = QuantDatabase::Load(SourcesFor(ctx));
                     ReportWarnings(ctx, db.warnings());
                     const GgufSummary summary = Summarize(import_state->file, std::move(header), db);
                     EmitOutput(RenderImport(ParseOutputFormat(import_state->format), summary, import_state->tensors),
                                ctx.options.output_path, ctx.out);
                   }};
  return {gguf_cmd, quants_cmd};
}

}  // namespace siliconsim
