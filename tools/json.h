// JSON as clustersim reads and writes it: nlohmann-json with objects that
// keep their keys in insertion order (the documented order), printed
// compactly. Strings are escaped as JavaScript's JSON.stringify does
// (\" \\ \b \f \n \r \t, other control characters as \u00xx, everything
// else as is), so output compares byte for byte with Effect's; bytes that
// are not UTF-8 become U+FFFD instead of throwing. Pure functions.
#ifndef CLUSTERSIM_TOOLS_JSON_H_
#define CLUSTERSIM_TOOLS_JSON_H_

#include <string>

#include "nlohmann/json.hpp"

namespace clustersim::tools {

using Json = nlohmann::ordered_json;

inline std::string DumpJson(const Json& json) {
  return json.dump(-1, ' ', /*ensure_ascii=*/false,
                   Json::error_handler_t::replace);
}

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_JSON_H_
