#include "engine/engine_db.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"
#include "engine/engine_snapshot.h"

namespace siliconsim {

EngineDatabase::EngineDatabase(std::vector<EngineSpec> engines) : engines_(std::move(engines)) {}

EngineDatabase EngineDatabase::Load(const DataSources& sources) {
  std::vector<EngineSpec> engines;
  for (const DataLayer& layer : sources.Layers("engines")) {
    for (EngineSpec& e : ReadEngineLayer(layer)) OverrideById(engines, std::move(e));
  }
  return EngineDatabase(std::move(engines));
}

const EngineSpec* EngineDatabase::Find(std::string_view id) const {
  for (const EngineSpec& e : engines_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

const EngineSpec& EngineDatabase::Resolve(std::string_view query) const {
  const std::string q = Squash(query);
  for (const EngineSpec& e : engines_) {
    if (Squash(e.id) == q) return e;
  }
  for (const EngineSpec& e : engines_) {
    for (const std::string& a : e.aliases) {
      if (Squash(a) == q) return e;
    }
  }
  std::vector<std::string> ids;
  for (const EngineSpec& e : engines_) ids.push_back(e.id);
  std::string message = fmt::format("unknown engine '{}'", query);
  if (auto near = NearestMatch(query, ids)) message += fmt::format("; did you mean '{}'?", *near);
  message += fmt::format(" (known: {})", Join(ids, ", "));
  throw UsageError(message);
}

}  // namespace siliconsim
