// JSON string literals: quoting and escaping text for the JSON clustersim
// writes (trace files, run summaries, route/ring/snowflake output), escaped
// exactly as JavaScript's JSON.stringify does, so output can be compared byte
// for byte with Effect's. Bytes >= 0x80 pass through unchanged, so valid
// UTF-8 stays valid. Pure function.
#ifndef CLUSTERSIM_SIM_JSON_STRING_H_
#define CLUSTERSIM_SIM_JSON_STRING_H_

#include <string>
#include <string_view>

namespace clustersim::sim {

// Appends `text` to `out` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view text);
std::string JsonString(std::string_view text);

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_JSON_STRING_H_
