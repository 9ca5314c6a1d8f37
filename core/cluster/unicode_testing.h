// Test support: RapidCheck generators for Unicode text, encoded both as UTF-8
// (our representation) and as UTF-16 (JavaScript's), independently of the
// converter under test. Test-only.
#ifndef CLUSTERSIM_CORE_CLUSTER_UNICODE_TESTING_H_
#define CLUSTERSIM_CORE_CLUSTER_UNICODE_TESTING_H_

#include <string>
#include <vector>

#include "rapidcheck.h"

namespace clustersim::testing {

// A Unicode scalar value (any code point except surrogates), biased towards
// each UTF-8 length so all encodings show up.
inline rc::Gen<char32_t> ScalarValue() {
  return rc::gen::oneOf(
      rc::gen::inRange<char32_t>(0, 0x80),
      rc::gen::inRange<char32_t>(0x80, 0x800),
      rc::gen::suchThat(rc::gen::inRange<char32_t>(0x800, 0x10000),
                        [](char32_t c) { return c < 0xD800 || c > 0xDFFF; }),
      rc::gen::inRange<char32_t>(0x10000, 0x110000));
}

inline rc::Gen<std::vector<char32_t>> ScalarValues() {
  return rc::gen::container<std::vector<char32_t>>(ScalarValue());
}

inline std::string EncodeUtf8(const std::vector<char32_t>& text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

inline std::u16string EncodeUtf16(const std::vector<char32_t>& text) {
  std::u16string out;
  for (char32_t c : text) {
    if (c < 0x10000) {
      out += static_cast<char16_t>(c);
    } else {
      out += static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10));
      out += static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF));
    }
  }
  return out;
}

// Valid UTF-8 text.
inline rc::Gen<std::string> Utf8Text() {
  return rc::gen::map(ScalarValues(), EncodeUtf8);
}

}  // namespace clustersim::testing

#endif  // CLUSTERSIM_CORE_CLUSTER_UNICODE_TESTING_H_
