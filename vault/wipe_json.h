// Wipes the text a JSON DOM holds before it is freed: record headers, register entries,
// attachment names and exports pass through nlohmann::json, whose strings are ordinary heap
// memory.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "crypto/secret.h"

namespace fieldnotes::vault {

// Every string value, at any depth (object keys are field names, not testimony).
inline void wipe_json(nlohmann::json& j) {
  if (j.is_string()) {
    crypto::wipe(*j.get_ptr<std::string*>());
  } else if (j.is_array() || j.is_object()) {
    for (auto& v : j) wipe_json(v);
  }
}

}  // namespace fieldnotes::vault
