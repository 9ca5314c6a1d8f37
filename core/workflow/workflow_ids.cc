#include "core/workflow/workflow_ids.h"

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/cluster/utf16.h"
#include "core/storage/sha256.h"
#include "nlohmann/json.hpp"

namespace clustersim {
namespace {

constexpr char32_t kReplacementCharacter = 0xFFFD;

bool IsHighSurrogate(char16_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool IsLowSurrogate(char16_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

void AppendUtf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Walks `units` by code point, calling on_scalar(code_point) for a scalar value
// (a surrogate pair combined) and on_lone(unit) for a lone surrogate.
template <typename OnScalar, typename OnLone>
void ForEachCodePoint(std::u16string_view units, OnScalar on_scalar,
                      OnLone on_lone) {
  for (size_t i = 0; i < units.size(); ++i) {
    const char16_t unit = units[i];
    if (IsHighSurrogate(unit) && i + 1 < units.size() &&
        IsLowSurrogate(units[i + 1])) {
      on_scalar(0x10000 + ((char32_t{unit} - 0xD800) << 10) +
                (char32_t{units[i + 1]} - 0xDC00));
      ++i;
    } else if (IsHighSurrogate(unit) || IsLowSurrogate(unit)) {
      on_lone(unit);
    } else {
      on_scalar(unit);
    }
  }
}

// TextEncoder.encode: UTF-8, a lone surrogate as U+FFFD.
std::string TextEncode(std::u16string_view js_string) {
  std::string out;
  out.reserve(js_string.size());
  ForEachCodePoint(
      js_string, [&](char32_t c) { AppendUtf8(c, out); },
      [&](char16_t) { AppendUtf8(kReplacementCharacter, out); });
  return out;
}

// JSON.stringify of a string (ECMAScript QuoteJSONString), as UTF-8.
void AppendJsonQuoted(std::u16string_view js_string, std::string& out) {
  out += '"';
  const auto append_escape = [&](char16_t unit) {
    constexpr char kHex[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out += kHex[(unit >> shift) & 0xF];
  };
  ForEachCodePoint(
      js_string,
      [&](char32_t c) {
        switch (c) {
          case '"':
            out += "\\\"";
            break;
          case '\\':
            out += "\\\\";
            break;
          case '\b':
            out += "\\b";
            break;
          case '\f':
            out += "\\f";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          case '\t':
            out += "\\t";
            break;
          default:
            if (c < 0x20) {
              append_escape(static_cast<char16_t>(c));
            } else {
              AppendUtf8(c, out);
            }
        }
      },
      append_escape);
  out += '"';
}

// TextDecoder("utf-8").decode with its defaults (WHATWG Encoding): each
// maximal invalid subpart becomes U+FFFD, and a leading byte order mark is
// dropped.
std::string TextDecode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  char32_t code_point = 0;
  int bytes_needed = 0;
  int bytes_seen = 0;
  uint8_t lower = 0x80;
  uint8_t upper = 0xBF;
  bool first = true;
  const auto emit = [&](char32_t c) {
    if (!(first && c == 0xFEFF)) AppendUtf8(c, out);
    first = false;
  };
  for (size_t i = 0; i < bytes.size();) {
    const uint8_t byte = static_cast<uint8_t>(bytes[i]);
    if (bytes_needed == 0) {
      ++i;
      if (byte < 0x80) {
        emit(byte);
      } else if (byte >= 0xC2 && byte <= 0xDF) {
        bytes_needed = 1;
        code_point = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower = 0xA0;
        if (byte == 0xED) upper = 0x9F;
        bytes_needed = 2;
        code_point = byte & 0x0F;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower = 0x90;
        if (byte == 0xF4) upper = 0x8F;
        bytes_needed = 3;
        code_point = byte & 0x07;
      } else {
        emit(kReplacementCharacter);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The byte is not consumed: it starts the next sequence.
      bytes_needed = bytes_seen = 0;
      lower = 0x80;
      upper = 0xBF;
      emit(kReplacementCharacter);
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    code_point = (code_point << 6) | (byte & 0x3F);
    if (++bytes_seen == bytes_needed) {
      emit(code_point);
      bytes_needed = bytes_seen = 0;
    }
  }
  if (bytes_needed != 0) emit(kReplacementCharacter);
  return out;
}

absl::Status BadToken(std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed durable deferred token: ", std::string(why)));
}

// Effect's Base64Url.decode: CR and LF are dropped anywhere; then the text is
// the base64url alphabet followed by at most two '=', a multiple of four
// long when padded and not one more than a multiple of four when not; bits
// past the last whole byte are ignored.
absl::StatusOr<std::string> DecodeBase64Url(std::string_view text) {
  std::string stripped;
  for (char c : text) {
    if (c != '\n' && c != '\r') stripped += c;
  }
  const bool padded = !stripped.empty() && stripped.back() == '=';
  if (padded ? stripped.size() % 4 != 0 : stripped.size() % 4 == 1) {
    return BadToken(absl::StrCat("base64url length ", stripped.size(),
                                 padded ? " is not a multiple of 4"
                                        : " is one more than a multiple of 4"));
  }
  size_t data_length = stripped.size();
  while (data_length > 0 && stripped[data_length - 1] == '=') --data_length;
  if (stripped.size() - data_length > 2) {
    return BadToken("more than two base64url padding characters");
  }
  std::string bytes;
  uint32_t bits = 0;
  int bit_count = 0;
  for (size_t i = 0; i < data_length; ++i) {
    const char c = stripped[i];
    uint32_t sextet;
    if (c >= 'A' && c <= 'Z') {
      sextet = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      sextet = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      sextet = c - '0' + 52;
    } else if (c == '-') {
      sextet = 62;
    } else if (c == '_') {
      sextet = 63;
    } else {
      return BadToken(absl::StrCat("byte ",
                                   static_cast<int>(static_cast<uint8_t>(c)),
                                   " at offset ", i, " is not base64url"));
    }
    bits = (bits << 6) | sextet;
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      bytes += static_cast<char>((bits >> bit_count) & 0xFF);
    }
  }
  return bytes;
}

// `utf8` as a JavaScript string; `what` names it in the error.
absl::StatusOr<std::u16string> JsString(std::string_view utf8,
                                        std::string_view what) {
  absl::StatusOr<std::u16string> units = Utf8ToUtf16(utf8);
  if (!units.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": ", units.status().message()));
  }
  return units;
}

std::u16string AsciiJsString(std::string_view ascii) {
  return std::u16string(ascii.begin(), ascii.end());
}

}  // namespace

std::string HashDigest(std::u16string_view js_string) {
  // 16 bytes are 32 hex characters.
  return Sha256Hex(TextEncode(js_string)).substr(0, 32);
}

absl::StatusOr<ExecutionId> MakeExecutionId(std::string_view tag,
                                            std::string_view idempotency_key) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::u16string tag_units,
                              JsString(tag, "workflow tag"));
  CLUSTERSIM_ASSIGN_OR_RETURN(
      const std::u16string key_units,
      JsString(idempotency_key, "workflow idempotency key"));
  return ExecutionId(HashDigest(AsciiJsString(absl::StrCat(tag_units.size())) +
                                u":" + tag_units + u":" + key_units));
}

absl::StatusOr<std::string> ActivityIdempotencyKey(
    const ExecutionId& execution_id, std::string_view name,
    std::optional<int32_t> attempt) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::u16string key,
                              JsString(execution_id.value(), "execution id"));
  if (attempt.has_value()) key += AsciiJsString(absl::StrCat("-", *attempt));
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::u16string name_units,
                              JsString(name, "activity name"));
  return HashDigest(key + u"-" + name_units);
}

std::string EncodeJsToken(std::u16string_view workflow_name,
                          std::u16string_view execution_id,
                          std::u16string_view deferred_name) {
  std::string json = "[";
  AppendJsonQuoted(workflow_name, json);
  json += ',';
  AppendJsonQuoted(execution_id, json);
  json += ',';
  AppendJsonQuoted(deferred_name, json);
  json += ']';
  return absl::WebSafeBase64Escape(json);
}

absl::StatusOr<std::string> EncodeToken(const DeferredToken& token) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::u16string workflow_name,
                              JsString(token.workflow_name, "workflow name"));
  CLUSTERSIM_ASSIGN_OR_RETURN(
      const std::u16string execution_id,
      JsString(token.execution_id.value(), "execution id"));
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::u16string deferred_name,
                              JsString(token.deferred_name, "deferred name"));
  return EncodeJsToken(workflow_name, execution_id, deferred_name);
}

absl::StatusOr<DeferredToken> ParseToken(std::string_view token) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::string bytes, DecodeBase64Url(token));
  const std::string text = TextDecode(bytes);
  // nlohmann skips a leading byte order mark; JSON.parse does not (the
  // decoder has already dropped one, so this is a second).
  if (text.starts_with("\xEF\xBB\xBF")) {
    return BadToken("not JSON: U+FEFF before the value");
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return BadToken(absl::StrCat("not JSON: ", e.what()));
  }
  if (!json.is_array()) {
    return BadToken(
        absl::StrCat("not an array of three strings but a ", json.type_name()));
  }
  if (json.size() != 3) {
    return BadToken(absl::StrCat("not an array of three strings but of ",
                                 json.size(), " elements"));
  }
  for (const nlohmann::json& element : json) {
    if (!element.is_string()) {
      return BadToken(
          absl::StrCat("not an array of three strings: an element is a ",
                       element.type_name()));
    }
  }
  return DeferredToken{
      .workflow_name = json[0].get<std::string>(),
      .execution_id = ExecutionId(json[1].get<std::string>()),
      .deferred_name = json[2].get<std::string>(),
  };
}

std::string ClockDeferredName(std::string_view name) {
  return std::string("DurableClock/").append(name);
}

std::string RaceAllDeferredName(std::string_view name) {
  return std::string("raceAll/").append(name);
}

std::string ActivityRaceAllName(std::string_view name) {
  return RaceAllDeferredName(std::string("Activity/").append(name));
}

std::string QueueDeferredName(std::string_view queue,
                              std::string_view item_id) {
  return std::string("DurableQueue/").append(queue).append("/").append(item_id);
}

std::string WithActivityAttempt(std::string_view name, int32_t attempt) {
  return std::string(name).append("/").append(absl::StrCat(attempt));
}

EntityType WorkflowEntityType(std::string_view tag) {
  return EntityType(std::string("Workflow/").append(tag));
}

}  // namespace clustersim
