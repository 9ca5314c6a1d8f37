// Golden workflow identity vectors computed by Effect 4.1.0 (dist/workflow
// under node) by tools/vectors/workflow_vectors.mjs. Facts, not code:
// regenerate rather than edit. JavaScript strings appear as UTF-16 code
// units and, where they have one (no lone surrogates), as UTF-8.
#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_TEST_VECTORS_H_
#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_TEST_VECTORS_H_

#include <cstdint>
#include <string_view>

namespace clustersim::testing {

// makeHashDigest(input).
struct HashDigestVector {
  std::u16string_view input;
  std::string_view digest;
};

inline constexpr HashDigestVector kHashDigestVectors[] = {
    {std::u16string_view(u"", 0), "e3b0c44298fc1c149afbf4c8996fb924"},
    {std::u16string_view(u"a", 1), "ca978112ca1bbdcafac231b39a23dc4d"},
    {std::u16string_view(u"EmailWorkflow", 13),
     "20ccae72ab7a65ce87c1c1250c0b233b"},
    {std::u16string_view(u"test-email-1", 12),
     "21d1471e13d20d80500fe7f0df2822ca"},
    {std::u16string_view(u"Wf/\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         6),
     "412e13653700d4fced0ed7b0eb8b2735"},
    {std::u16string_view(u"k\xD800"
                         u"",
                         2),
     "71897223600b2575e8dfdc3cba8ce8d9"},
    {std::u16string_view(u"\xD800"
                         u"",
                         1),
     "83d544ccc223c057d2bf80d3f2a32982"},
    {std::u16string_view(u"\xDFFF"
                         u"",
                         1),
     "83d544ccc223c057d2bf80d3f2a32982"},
    {std::u16string_view(u"\xDC00"
                         u"x",
                         2),
     "a87ce46793cc659b79bd187e998f8488"},
    {std::u16string_view(u"x\xD83D"
                         u"",
                         2),
     "5f350b94b4920d9b754a97c80041225f"},
    {std::u16string_view(u"\xD83D"
                         u"\xDE00"
                         u"",
                         2),
     "f0443a342c5ef54783a111b51ba56c93"},
    {std::u16string_view(u"\xDE00"
                         u"\xD83D"
                         u"",
                         2),
     "52793f8dc1d85e409f8c88be99d8b31d"},
    {std::u16string_view(u"na\"me/\xE9"
                         u"",
                         7),
     "577d2fd50420117a8376b335a010612f"},
    {std::u16string_view(u"back\\slash", 10),
     "1498e0b566ad7dd265d5f2deebc80abb"},
    {std::u16string_view(u"quote\"", 6), "7f58083d86043d698599f93ab89cd11b"},
    {std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     "e962b20b8ae29a1d23f87e9fea1b317b"},
    {std::u16string_view(u"\x2028"
                         u"\x2029"
                         u"",
                         2),
     "790bf6b279a63b3d1b766f545a7ed132"},
    {std::u16string_view(u"\xFEFF"
                         u"bom",
                         4),
     "2623148f0d047ef6feae63422c0d6074"},
    {std::u16string_view(u"\xFFFD"
                         u"",
                         1),
     "83d544ccc223c057d2bf80d3f2a32982"},
    {std::u16string_view(u"\x65E5"
                         u"\x672C"
                         u"\x8A9E"
                         u"\x306E"
                         u"\x30BF"
                         u"\x30B0"
                         u"",
                         6),
     "04423eeebbdd8ac79419a50873d523be"},
    {std::u16string_view(u"\x645"
                         u"\x631"
                         u"\x62D"
                         u"\x628"
                         u"\x627"
                         u"",
                         5),
     "80eff1a750bb540045622ad23c148c88"},
    {std::u16string_view(u"\xD83D"
                         u"\xDC68"
                         u"\x200D"
                         u"\xD83D"
                         u"\xDC69"
                         u"\x200D"
                         u"\xD83D"
                         u"\xDC67"
                         u"",
                         8),
     "cc3baf32248d766570483335ce273f90"},
    {std::u16string_view(
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         1000),
     "41edece42d63e8d9bf515a9ba6932e1c"},
    {std::u16string_view(u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xD800"
                         u"",
                         301),
     "cf793b614a96d49ebbd254c038ba4a76"},
    {std::u16string_view(u"tab\x9"
                         u"new\xA"
                         u"line\xD"
                         u"",
                         13),
     "5530d3a0cad4ad38c8363cf0ff95f0a4"},
    {std::u16string_view(u"nul\x0"
                         u"nul",
                         7),
     "9891047683974c897bb8cb1d4db77dd6"},
    {std::u16string_view(u"1:a:b", 5), "5a4c05f2245e456741e5fe29bd0e0c1f"},
    {std::u16string_view(u"-1-", 3), "a267d6bd89fd06eaa9bff9a047f1fa75"},
    {std::u16string_view(u"%s{}[]<>", 8), "96c81bc57aa25e18c0ed26bf53b45ee3"},
    {std::u16string_view(u"\x3F"
                         u"",
                         1),
     "8a8de823d5ed3e12746a62ef169bcf37"},
    {std::u16string_view(u"6:Wf/\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u":k\xD800"
                         u"",
                         11),
     "01134ae7ac4e2cd1cebd87f80e8efe9a"},
    {std::u16string_view(u"13:EmailWorkflow:test-email-1", 29),
     "8f86cb6dac9f9bc041a2165d105c1362"},
};

// Workflow.make(tag, {idempotencyKey: () => key}).executionId(payload).
struct ExecutionIdVector {
  std::u16string_view tag_utf16;
  std::u16string_view key_utf16;
  std::string_view tag;
  bool has_tag;
  std::string_view key;
  bool has_key;
  std::string_view execution_id;
};

inline constexpr ExecutionIdVector kExecutionIdVectors[] = {
    {std::u16string_view(u"EmailWorkflow", 13),
     std::u16string_view(u"test-email-1", 12),
     std::string_view("EmailWorkflow", 13), true,
     std::string_view("test-email-1", 12), true,
     "8f86cb6dac9f9bc041a2165d105c1362"},
    {std::u16string_view(u"EmailWorkflow", 13), std::u16string_view(u"", 0),
     std::string_view("EmailWorkflow", 13), true, std::string_view("", 0), true,
     "2bbf468728f62c2739db46d61955b6a8"},
    {std::u16string_view(u"Wf/\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         6),
     std::u16string_view(u"k\xD800"
                         u"",
                         2),
     std::string_view("Wf/\303\251\360\237\230\200", 9),
     true,
     {},
     false,
     "01134ae7ac4e2cd1cebd87f80e8efe9a"},
    {std::u16string_view(u"", 0), std::u16string_view(u"", 0),
     std::string_view("", 0), true, std::string_view("", 0), true,
     "d0609c4cf79f05d84dc5065a0f8001d1"},
    {std::u16string_view(u"", 0), std::u16string_view(u"key", 3),
     std::string_view("", 0), true, std::string_view("key", 3), true,
     "775d6442dee10014007eb0957b8320e3"},
    {std::u16string_view(u"a:b", 3), std::u16string_view(u"c", 1),
     std::string_view("a:b", 3), true, std::string_view("c", 1), true,
     "cb600fd6a0198fd3e7d5672901f57926"},
    {std::u16string_view(u"a", 1), std::u16string_view(u"b:c", 3),
     std::string_view("a", 1), true, std::string_view("b:c", 3), true,
     "f6ef836b3dd58acb2e6c16859337d15a"},
    {std::u16string_view(u"\xD83D"
                         u"\xDE00"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         4),
     std::u16string_view(u"\xD83D"
                         u"\xDE00"
                         u"",
                         2),
     std::string_view("\360\237\230\200\360\237\230\200", 8), true,
     std::string_view("\360\237\230\200", 4), true,
     "a32b6e1978aea05660f413749abfd7a0"},
    {std::u16string_view(u"\xD800"
                         u"",
                         1),
     std::u16string_view(u"\xDC00"
                         u"",
                         1),
     {},
     false,
     {},
     false,
     "be867cf377a0c9e692f98417515513ce"},
    {std::u16string_view(u"tag", 3),
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view("tag", 3), true,
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, "481be2426c6241ed90160cb5ec17a89d"},
    {std::u16string_view(u"Workflow", 8),
     std::u16string_view(
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         2000),
     std::string_view("Workflow", 8), true,
     std::string_view(
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         2000),
     true, "616d60c19ca9e2f4066b4111cfc5e1d2"},
    {std::u16string_view(u"\x65E5"
                         u"\x672C"
                         u"\x8A9E"
                         u"\x306E"
                         u"\x30BF"
                         u"\x30B0"
                         u"",
                         6),
     std::u16string_view(u"\x43A"
                         u"\x43B"
                         u"\x44E"
                         u"\x447"
                         u"",
                         4),
     std::string_view("\346\227\245\346\234\254\350\252\236\343\201\256\343\202"
                      "\277\343\202\260",
                      18),
     true, std::string_view("\320\272\320\273\321\216\321\207", 8), true,
     "6c1eca90473096d3dffc0568c6847ff5"},
    {std::u16string_view(u"q\"uote", 6),
     std::u16string_view(u"back\\slash", 10), std::string_view("q\"uote", 6),
     true, std::string_view("back\\slash", 10), true,
     "805fbec19b870119b2abaaa6cdddcd83"},
};

// Activity.idempotencyKey(name, {includeAttempt}) in an instance of
// execution_id, with CurrentAttempt = attempt when attempt >= 0.
struct ActivityKeyVector {
  std::string_view execution_id;
  std::u16string_view name_utf16;
  std::string_view name;
  bool has_name;
  int32_t attempt;  // -1: includeAttempt false
  std::string_view key;
};

inline constexpr ActivityKeyVector kActivityKeyVectors[] = {
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, -1,
     "afa8bdedf8207518a782549621863ed4"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 1,
     "a338baf38f7145596422ee2d4c03dd49"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 3,
     "e3c458942bfb20abf3d178fe2ea6cbff"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 0,
     "13a183231ffb9fa0d0f3fdf81ac530a7"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 12345678,
     "87a3a3448f2b174d8ad2081891040d92"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"", 0),
     std::string_view("", 0), true, -1, "ad49b9c30669e4c784b2d91cb3caca87"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 1, "1e90d581953d366281862ad8c93c36e2"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 3, "9089584810eb044a0cb94d357238dc87"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 0, "9f92238fde53f35203eb1ee99e2ff0c9"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 12345678,
     "d5d26870617d46bcb0e95e66e0b59496"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, -1, "04dacdabb80725d54e53168cc1df360f"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 1, "818bf3709bb4a5610745b04ffbfb682d"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 3, "0a993bd53824ca39d2d70a426cff876b"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 0, "5a47920416acb0d74ca0a316daba950e"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 12345678,
     "240222b8b46e58953026d7389faf2987"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, -1, "727595f92e218c6bbc4bd911988a7cfb"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 1, "04dacdabb80725d54e53168cc1df360f"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 3, "be9010f5758c6cd5b72786d34c07a480"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 0, "e26da8d34aa8e5b9b9a7547edb96b78b"},
    {"8f86cb6dac9f9bc041a2165d105c1362", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 12345678,
     "a0ed459aee04ef93b201d21b693c62ea"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, -1,
     "e91736f757dfeb990917c0e9924380b5"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 1,
     "3bae6e1d2eed3e3e3d744599033a0876"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 3,
     "b65468ceba753cb6c43ade39d777288d"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 0,
     "1353dd731504e401572088a1cdb1a7e0"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 12345678,
     "783930faaf14c7b130e1889e33df7249"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     -1,
     "89b2d559b3ab85c5e583ece4977d25a7"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     1,
     "2e486b5456694db4176ef47ca66cefcb"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     3,
     "83a30b442084fa7864ab6e1f613ff39c"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     0,
     "fd368730cb4c14345e4a96b13f88ba42"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     12345678,
     "c443cc38e86c145f34015b7eb14010e9"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, -1,
     "d0563934b68d6b0f3e9a9908ba009f98"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 1,
     "f5428d7468dc960f957663471dfa7e74"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 3,
     "ce6093cd5dbc106019c7fa35f163223c"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 0,
     "d466a9f7779b2c746e366b005421ab31"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 12345678,
     "77a7e441525b9bd819df7e30c2c6664a"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, -1, "32e788a90f8194270e5f4e3d94af6255"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 1, "f4631e6a937a3ff77a9bce99723f8a30"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 3, "0e2fa070344c5487014f55368db5ca94"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 0, "a86fff18a79c8a3846b0e3e40c3c5498"},
    {"8f86cb6dac9f9bc041a2165d105c1362",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 12345678, "61dedb1e85d8c1bf00312f0352b07af5"},
    {"", std::u16string_view(u"SendEmail", 9), std::string_view("SendEmail", 9),
     true, -1, "db123eb348182f195842712963a19aa6"},
    {"", std::u16string_view(u"SendEmail", 9), std::string_view("SendEmail", 9),
     true, 1, "2e5bc87448c10ff758cd535fd719654c"},
    {"", std::u16string_view(u"SendEmail", 9), std::string_view("SendEmail", 9),
     true, 3, "f0330316b4d1ef1ba303ec210206c2f8"},
    {"", std::u16string_view(u"SendEmail", 9), std::string_view("SendEmail", 9),
     true, 0, "1078cb1f5d86451bd858ead763837fba"},
    {"", std::u16string_view(u"SendEmail", 9), std::string_view("SendEmail", 9),
     true, 12345678, "a0d4c272c2e65e2f800d86ca37b4fe9e"},
    {"", std::u16string_view(u"", 0), std::string_view("", 0), true, -1,
     "3973e022e93220f9212c18d0d0c543ae"},
    {"", std::u16string_view(u"", 0), std::string_view("", 0), true, 1,
     "a267d6bd89fd06eaa9bff9a047f1fa75"},
    {"", std::u16string_view(u"", 0), std::string_view("", 0), true, 3,
     "8199482bd48139a83cf69419a888ed95"},
    {"", std::u16string_view(u"", 0), std::string_view("", 0), true, 0,
     "db234fc8dcaeeb7acc1b454fcd820fea"},
    {"", std::u16string_view(u"", 0), std::string_view("", 0), true, 12345678,
     "bc49f97051b5658180d4020c6ac11fb8"},
    {"", std::u16string_view(u"1-x", 3), std::string_view("1-x", 3), true, -1,
     "4ebb06ff53187e6d024cbf28a7718f6a"},
    {"", std::u16string_view(u"1-x", 3), std::string_view("1-x", 3), true, 1,
     "798107b03ceb274af629684d3ea1f6eb"},
    {"", std::u16string_view(u"1-x", 3), std::string_view("1-x", 3), true, 3,
     "3c863a818aa097e39460ac8b9f217e50"},
    {"", std::u16string_view(u"1-x", 3), std::string_view("1-x", 3), true, 0,
     "d43b3361fde182b2cb3750f32c9c6eb0"},
    {"", std::u16string_view(u"1-x", 3), std::string_view("1-x", 3), true,
     12345678, "eb0e83a30b6a9681f716c800674bc026"},
    {"", std::u16string_view(u"x", 1), std::string_view("x", 1), true, -1,
     "a420962426d711880258b007d6767792"},
    {"", std::u16string_view(u"x", 1), std::string_view("x", 1), true, 1,
     "4ebb06ff53187e6d024cbf28a7718f6a"},
    {"", std::u16string_view(u"x", 1), std::string_view("x", 1), true, 3,
     "67b3e27356ee77625e86557d9ae59e39"},
    {"", std::u16string_view(u"x", 1), std::string_view("x", 1), true, 0,
     "92a49c84ef0ee9d6b1c97c615b621e9d"},
    {"", std::u16string_view(u"x", 1), std::string_view("x", 1), true, 12345678,
     "1431291c63b185150a6f545844cffbfd"},
    {"",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, -1,
     "c215f492d6b4bf06af4acb653304c68f"},
    {"",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 1,
     "55b6376f20cb4ee76932e5c70cd5b329"},
    {"",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 3,
     "d1751de39b8c5a0d1a597e4ab4b9d25c"},
    {"",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 0,
     "234953555ef7f41eadac89803b7869a2"},
    {"",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 12345678,
     "d4401d9b2fccc5b344bbaaff45bfd6b8"},
    {"",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     -1,
     "5e0c49b4682511cfdbd7067011641673"},
    {"",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     1,
     "ed97d31b892275abd0b27731b3b530f0"},
    {"",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     3,
     "9115658b0e41ffb76249143ff725dd73"},
    {"",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     0,
     "c829bb8292018075a534a89511aa349b"},
    {"",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     12345678,
     "6c773dbef32aa54b52c4568b916cc5bc"},
    {"", std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, -1,
     "eb854b71ae94891a039963e43b4d2542"},
    {"", std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 1,
     "c8cc0d18fb27795ab0ef6140d34e80a4"},
    {"", std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 3,
     "ad575893f44f5e9123921feb8bd0b5c0"},
    {"", std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 0,
     "6b5c4e0d99fdb058cf40288bc3ed8761"},
    {"", std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 12345678,
     "936227f8d2b433b6c5c4b35ae61e4be4"},
    {"",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, -1, "b9f34b990780c0c8ac35c14a9ec06c5e"},
    {"",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 1, "e0b391d592b9c042e6475b6f76f32540"},
    {"",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 3, "33274a854cd87466795e58a011f66b1b"},
    {"",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 0, "a237e3bad129fb98b87beb3eced3e6cc"},
    {"",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 12345678, "1c8ef6aeb566747102abd7bb2644b67e"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, -1,
     "f92b951d5e89571795f7d1b0445bacfa"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 1,
     "7e4c0fe5357781e204ef015f026d0ab5"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 3,
     "cda82ff0eec5e1d6305079a0b1fc8b9a"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 0,
     "c5c1a964fc1aa29499ffb1ef3de0a690"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"SendEmail", 9),
     std::string_view("SendEmail", 9), true, 12345678,
     "0de5d0208512ff2fb9716686345363d2"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"", 0),
     std::string_view("", 0), true, -1, "cf8e587ac58edd1532b23d37723738e7"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 1, "d1d967c14ba2d047479ac845d7872b0e"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 3, "d17fc7c9536b9fdc06c0943e9c840334"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 0, "37094584b349c987f3084562f51d007b"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"", 0),
     std::string_view("", 0), true, 12345678,
     "3a48426fe0339e812a4fbd7ec7585863"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, -1, "a5cb4f992a92da12f745dce873da5823"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 1, "996f6ac053640cb131a1da26f7d97dbc"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 3, "b89dfad358a6f1fb7b3e2d640d7db89e"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 0, "3d189754e055c2af5d622db9b162927a"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"1-x", 3),
     std::string_view("1-x", 3), true, 12345678,
     "763ae749dd6f4c1781e0022efbea83ff"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, -1, "ff4d4a393e3df83271edf0ae92f849b1"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 1, "a5cb4f992a92da12f745dce873da5823"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 3, "e8cb18392555ea439381afbadd9412d8"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 0, "4ec082aefc0489a12c7b0521b408d0f1"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a", std::u16string_view(u"x", 1),
     std::string_view("x", 1), true, 12345678,
     "47463c1838085d4286c67eb39852c075"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, -1,
     "9f776307f11314f750cbd2f0992c53d6"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 1,
     "c3528ec20eae0d74e0631c68f1cb99fb"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 3,
     "1f840d70440bc0aa8dc5c53a3869c5c8"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 0,
     "58829cfd18a8f446385c9c9ca9dfbe29"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         3),
     std::string_view("\303\251\360\237\230\200", 6), true, 12345678,
     "f2334945957713996a80b44e915d0e43"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     -1,
     "6f17aae2fef4203a27526881148a5411"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     1,
     "7478f9045ba0251ad48604249a795bb1"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     3,
     "a6eabe0f8c4f6b696c5211ca04bd5f75"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     0,
     "3503fb000635cd645619e8de60929670"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"n\xD800"
                         u"",
                         2),
     {},
     false,
     12345678,
     "3c71ee3484a2be2f2e4dd6d10824a020"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, -1,
     "2742ca7106c35cc22414c9e168733a75"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 1,
     "2cd96cde80089f41b1048cb67f2d95df"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 3,
     "ccd2211c812433cdcf8977e3563079a5"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 0,
     "4b3e5e59644be2647be8de43e3004901"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"DurableQueue/q/key", 18),
     std::string_view("DurableQueue/q/key", 18), true, 12345678,
     "2953e5af80733086042d132fd856a87e"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, -1, "591d52c8af3fa04ad6f50c8d0111ddc7"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 1, "1a3a35a7240851ac234fa404a52abe00"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 3, "c34d48d2c309244ef76d7a0bffd70525"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 0, "da7b7ebf7a99c233d9113381e6be0894"},
    {"01134ae7ac4e2cd1cebd87f80e8efe9a",
     std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     true, 12345678, "99a5f21c66db36ef6a78c3ddc7edc3a2"},
};

// DurableDeferred.tokenFromExecutionId; TokenParsed.fromString gives the
// strings back for every one of them.
struct TokenVector {
  std::u16string_view workflow_name_utf16;
  std::u16string_view execution_id_utf16;
  std::u16string_view deferred_name_utf16;
  bool well_formed;  // all three have a UTF-8 form
  std::string_view workflow_name;
  std::string_view execution_id;
  std::string_view deferred_name;
  std::string_view token;
};

inline constexpr TokenVector kTokenVectors[] = {
    {std::u16string_view(u"EmailWorkflow", 13),
     std::u16string_view(u"8f86cb6dac9f9bc041a2165d105c1362", 32),
     std::u16string_view(u"EmailTrigger", 12), true,
     std::string_view("EmailWorkflow", 13),
     std::string_view("8f86cb6dac9f9bc041a2165d105c1362", 32),
     std::string_view("EmailTrigger", 12),
     "WyJFbWFpbFdvcmtmbG93IiwiOGY4NmNiNmRhYzlmOWJjMDQxYTIxNjVkMTA1YzEzNjIiLCJFb"
     "WFpbFRyaWdnZXIiXQ"},
    {std::u16string_view(u"Wf/\xE9"
                         u"\xD83D"
                         u"\xDE00"
                         u"",
                         6),
     std::u16string_view(u"01134ae7ac4e2cd1cebd87f80e8efe9a", 32),
     std::u16string_view(u"na\"me/\xE9"
                         u"",
                         7),
     true, std::string_view("Wf/\303\251\360\237\230\200", 9),
     std::string_view("01134ae7ac4e2cd1cebd87f80e8efe9a", 32),
     std::string_view("na\"me/\303\251", 8),
     "WyJXZi_"
     "DqfCfmIAiLCIwMTEzNGFlN2FjNGUyY2QxY2ViZDg3ZjgwZThlZmU5YSIsIm5hXCJtZS_"
     "DqSJd"},
    {std::u16string_view(u"", 0), std::u16string_view(u"", 0),
     std::u16string_view(u"", 0), true, std::string_view("", 0),
     std::string_view("", 0), std::string_view("", 0), "WyIiLCIiLCIiXQ"},
    {std::u16string_view(u"a", 1), std::u16string_view(u"b", 1),
     std::u16string_view(u"c", 1), true, std::string_view("a", 1),
     std::string_view("b", 1), std::string_view("c", 1), "WyJhIiwiYiIsImMiXQ"},
    {std::u16string_view(u"ab", 2), std::u16string_view(u"c", 1),
     std::u16string_view(u"", 0), true, std::string_view("ab", 2),
     std::string_view("c", 1), std::string_view("", 0), "WyJhYiIsImMiLCIiXQ"},
    {std::u16string_view(u"abc", 3), std::u16string_view(u"d", 1),
     std::u16string_view(u"ef", 2), true, std::string_view("abc", 3),
     std::string_view("d", 1), std::string_view("ef", 2),
     "WyJhYmMiLCJkIiwiZWYiXQ"},
    {std::u16string_view(u"\x0"
                         u"\x1"
                         u"\x2"
                         u"\x3"
                         u"\x4"
                         u"\x5"
                         u"\x6"
                         u"\x7"
                         u"\x8"
                         u"\x9"
                         u"\xA"
                         u"\xB"
                         u"\xC"
                         u"\xD"
                         u"\xE"
                         u"\xF"
                         u"\x10"
                         u"\x11"
                         u"\x12"
                         u"\x13"
                         u"\x14"
                         u"\x15"
                         u"\x16"
                         u"\x17"
                         u"\x18"
                         u"\x19"
                         u"\x1A"
                         u"\x1B"
                         u"\x1C"
                         u"\x1D"
                         u"\x1E"
                         u"\x1F"
                         u"\x7F"
                         u"",
                         33),
     std::u16string_view(u"\x2028"
                         u"\x2029"
                         u"",
                         2),
     std::u16string_view(u"\xFEFF"
                         u"",
                         1),
     true,
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     std::string_view("\342\200\250\342\200\251", 6),
     std::string_view("\357\273\277", 3),
     "WyJcdTAwMDBcdTAwMDFcdTAwMDJcdTAwMDNcdTAwMDRcdTAwMDVcdTAwMDZcdTAwMDdcYlx0X"
     "G5cdTAwMGJcZlxyXHUwMDBlXHUwMDBmXHUwMDEwXHUwMDExXHUwMDEyXHUwMDEzXHUwMDE0XH"
     "UwMDE1XHUwMDE2XHUwMDE3XHUwMDE4XHUwMDE5XHUwMDFhXHUwMDFiXHUwMDFjXHUwMDFkXHU"
     "wMDFlXHUwMDFmfyIsIuKAqOKAqSIsIu-7vyJd"},
    {std::u16string_view(u"\xD800"
                         u"",
                         1),
     std::u16string_view(u"x\xDC00"
                         u"",
                         2),
     std::u16string_view(u"\xDBFF"
                         u"\xDFFF"
                         u"",
                         2),
     false,
     {},
     {},
     {},
     "WyJcdWQ4MDAiLCJ4XHVkYzAwIiwi9I-_vyJd"},
    {std::u16string_view(u"back\\slash", 10),
     std::u16string_view(u"quote\"", 6), std::u16string_view(u"/solidus/", 9),
     true, std::string_view("back\\slash", 10), std::string_view("quote\"", 6),
     std::string_view("/solidus/", 9),
     "WyJiYWNrXFxzbGFzaCIsInF1b3RlXCIiLCIvc29saWR1cy8iXQ"},
    {std::u16string_view(u"\xD83D"
                         u"\xDE00"
                         u"",
                         2),
     std::u16string_view(u"\x65E5"
                         u"\x672C"
                         u"\x8A9E"
                         u"",
                         3),
     std::u16string_view(u"Workflow/InterruptSignal", 24), true,
     std::string_view("\360\237\230\200", 4),
     std::string_view("\346\227\245\346\234\254\350\252\236", 9),
     std::string_view("Workflow/InterruptSignal", 24),
     "WyLwn5iAIiwi5pel5pys6KqeIiwiV29ya2Zsb3cvSW50ZXJydXB0U2lnbmFsIl0"},
    {std::u16string_view(u"W", 1),
     std::u16string_view(
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         u"aaaaaaaaaaaaaaaaaaaaaaaa",
         500),
     std::u16string_view(u"DurableClock/\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"\xE9"
                         u"",
                         113),
     true, std::string_view("W", 1),
     std::string_view(
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaa",
         500),
     std::string_view(
         "DurableClock/"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251",
         213),
     "WyJXIiwiYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
     "WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW"
     "FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWF"
     "hYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
     "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
     "WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW"
     "FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWF"
     "hYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
     "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
     "WFhYWFhYWFhYWFhYWEiLCJEdXJhYmxlQ2xvY2svw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6"
     "nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6n"
     "DqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nD"
     "qcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDq"
     "cOpw6nDqcOpw6kiXQ"},
    {std::u16string_view(u"tab\x9"
                         u"",
                         4),
     std::u16string_view(u"nul\x0"
                         u"",
                         4),
     std::u16string_view(u"\x7F"
                         u"\x80"
                         u"\x9F"
                         u"",
                         3),
     true, std::string_view("tab\011", 4), std::string_view("nul\000", 4),
     std::string_view("\177\302\200\302\237", 5),
     "WyJ0YWJcdCIsIm51bFx1MDAwMCIsIn_CgMKfIl0"},
};

// TokenParsed.fromString(token): accepted (the three strings) or rejected.
struct TokenParseVector {
  std::string_view token;
  bool accepted;
  // Accepted with a lone surrogate in a name, which UTF-8 cannot hold.
  bool lone_surrogate;
  std::string_view workflow_name;
  std::string_view execution_id;
  std::string_view deferred_name;
};

inline constexpr TokenParseVector kTokenParseVectors[] = {
    {std::string_view("WyJFbWFpbFdvcmtmbG93IiwiOGY4NmNiNmRhYzlmOWJjMDQxYTIxNjVk"
                      "MTA1YzEzNjIiLCJFbWFpbFRyaWdnZXIiXQ",
                      90),
     true, false, std::string_view("EmailWorkflow", 13),
     std::string_view("8f86cb6dac9f9bc041a2165d105c1362", 32),
     std::string_view("EmailTrigger", 12)},
    {std::string_view("WyJXZi_"
                      "DqfCfmIAiLCIwMTEzNGFlN2FjNGUyY2QxY2ViZDg3ZjgwZThlZmU5YSI"
                      "sIm5hXCJtZS_DqSJd",
                      80),
     true, false, std::string_view("Wf/\303\251\360\237\230\200", 9),
     std::string_view("01134ae7ac4e2cd1cebd87f80e8efe9a", 32),
     std::string_view("na\"me/\303\251", 8)},
    {std::string_view("WyIiLCIiLCIiXQ", 14), true, false,
     std::string_view("", 0), std::string_view("", 0), std::string_view("", 0)},
    {std::string_view("WyJhIiwiYiIsImMiXQ", 18), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhYiIsImMiLCIiXQ", 18), true, false,
     std::string_view("ab", 2), std::string_view("c", 1),
     std::string_view("", 0)},
    {std::string_view("WyJhYmMiLCJkIiwiZWYiXQ", 22), true, false,
     std::string_view("abc", 3), std::string_view("d", 1),
     std::string_view("ef", 2)},
    {std::string_view(
         "WyJcdTAwMDBcdTAwMDFcdTAwMDJcdTAwMDNcdTAwMDRcdTAwMDVcdTAwMDZcdTAwMDdcY"
         "lx0XG5cdTAwMGJcZlxyXHUwMDBlXHUwMDBmXHUwMDEwXHUwMDExXHUwMDEyXHUwMDEzXH"
         "UwMDE0XHUwMDE1XHUwMDE2XHUwMDE3XHUwMDE4XHUwMDE5XHUwMDFhXHUwMDFiXHUwMDF"
         "jXHUwMDFkXHUwMDFlXHUwMDFmfyIsIuKAqOKAqSIsIu-7vyJd",
         256),
     true, false,
     std::string_view(
         "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
         "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177",
         33),
     std::string_view("\342\200\250\342\200\251", 6),
     std::string_view("\357\273\277", 3)},
    {std::string_view("WyJcdWQ4MDAiLCJ4XHVkYzAwIiwi9I-_vyJd", 36),
     true,
     true,
     {},
     {},
     {}},
    {std::string_view("WyJiYWNrXFxzbGFzaCIsInF1b3RlXCIiLCIvc29saWR1cy8iXQ", 50),
     true, false, std::string_view("back\\slash", 10),
     std::string_view("quote\"", 6), std::string_view("/solidus/", 9)},
    {std::string_view(
         "WyLwn5iAIiwi5pel5pys6KqeIiwiV29ya2Zsb3cvSW50ZXJydXB0U2lnbmFsIl0", 63),
     true, false, std::string_view("\360\237\230\200", 4),
     std::string_view("\346\227\245\346\234\254\350\252\236", 9),
     std::string_view("Workflow/InterruptSignal", 24)},
    {std::string_view(
         "WyJXIiwiYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
         "WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW"
         "FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWF"
         "hYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
         "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
         "WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW"
         "FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWF"
         "hYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
         "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
         "WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWEiLCJEdXJhYmxlQ2"
         "xvY2svw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcO"
         "pw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nD"
         "qcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw"
         "6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6kiX"
         "Q",
         966),
     true, false, std::string_view("W", 1),
     std::string_view(
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaa",
         500),
     std::string_view(
         "DurableClock/"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
         "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303"
         "\251\303\251\303\251\303\251\303\251\303\251\303\251",
         213)},
    {std::string_view("WyJ0YWJcdCIsIm51bFx1MDAwMCIsIn_CgMKfIl0", 39), true,
     false, std::string_view("tab\011", 4), std::string_view("nul\000", 4),
     std::string_view("\177\302\200\302\237", 5)},
    {std::string_view("WyJhIiwiYiJd", 12), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiLCJkIl0", 23), false, false, {}, {}, {}},
    {std::string_view("WzEsImIiLCJjIl0", 15), false, false, {}, {}, {}},
    {std::string_view("WyJhIixudWxsLCJjIl0", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsWyJjIl1d", 20), false, false, {}, {}, {}},
    {std::string_view("eyIwIjoiYSIsIjEiOiJiIiwiMiI6ImMifQ", 34),
     false,
     false,
     {},
     {},
     {}},
    {std::string_view("ImFiYyI", 7), false, false, {}, {}, {}},
    {std::string_view("bnVsbA", 6), false, false, {}, {}, {}},
    {std::string_view("W10", 3), false, false, {}, {}, {}},
    {std::string_view("", 0), false, false, {}, {}, {}},
    {std::string_view("bm90IGpzb24", 11), false, false, {}, {}, {}},
    {std::string_view("IAkKDVsiYSIsImIiLCJjIl0gCg", 26), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhIiwiYiIsImMiXXg", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXSw", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiLF0", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwsImMiXQ", 14), false, false, {}, {}, {}},
    {std::string_view("WydhJywnYicsJ2MnXQ", 18), false, false, {}, {}, {}},
    {std::string_view("WyJhXHUwMDAwIiwiYlwvIiwiXHUwMGU5XHVkODNkXHVkZTAwIl0",
                      51),
     true, false, std::string_view("a\000", 2), std::string_view("b/", 2),
     std::string_view("\303\251\360\237\230\200", 6)},
    {std::string_view("WyJcdWQ4MDAiLCJiIiwiYyJd", 24), true, true, {}, {}, {}},
    {std::string_view("WyJcdWRjMDB4IiwiYiIsImMiXQ", 26),
     true,
     true,
     {},
     {},
     {}},
    {std::string_view("WyJhCWIiLCJiIiwiYyJd", 20), false, false, {}, {}, {}},
    {std::string_view("WyJhCmIiLCJiIiwiYyJd", 20), false, false, {}, {}, {}},
    {std::string_view("WyJceDQxIiwiYiIsImMiXQ", 22), false, false, {}, {}, {}},
    {std::string_view("WyJcdTAwRzAiLCJiIiwiYyJd", 24),
     false,
     false,
     {},
     {},
     {}},
    {std::string_view("WyJhIiwiYiIsImMi", 16), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXV0", 19), false, false, {}, {}, {}},
    {std::string_view("77u_WyJhIiwiYiIsImMiXQ", 22), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyAiYSIgLCAiYiIgLCAiYyIgXQ", 26), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhIiwiYiIsImMiXcKg", 20), false, false, {}, {}, {}},
    {std::string_view("wqBbImEiLCJiIiwiYyJd", 20), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXSAvKiAqLw", 26),
     false,
     false,
     {},
     {},
     {}},
    {std::string_view("WyLigKgiLCJiIiwiYyJd", 20), true, false,
     std::string_view("\342\200\250", 3), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WzFlOTk5LCJiIiwiYyJd", 20), false, false, {}, {}, {}},
    {std::string_view("WyJh_8Mo4oLwn5giLCJiIiwiYyJd", 28), true, false,
     std::string_view("a\357\277\275\357\277\275(\357\277\275\357\277\275", 14),
     std::string_view("b", 1), std::string_view("c", 1)},
    {std::string_view("WyLtoIDAr_SQgIAiLCJiIiwiYyJd", 28), true, false,
     std::string_view("\357\277\275\357\277\275\357\277\275\357\277\275\357\277"
                      "\275\357\277\275\357\277\275\357\277\275\357\277\275",
                      27),
     std::string_view("b", 1), std::string_view("c", 1)},
    {std::string_view("77u_77u_WyJhIiwiYiIsImMiXQ", 26),
     false,
     false,
     {},
     {},
     {}},
    {std::string_view("", 0), false, false, {}, {}, {}},
    {std::string_view("A", 1), false, false, {}, {}, {}},
    {std::string_view("AA", 2), false, false, {}, {}, {}},
    {std::string_view("AAA", 3), false, false, {}, {}, {}},
    {std::string_view("AAAA", 4), false, false, {}, {}, {}},
    {std::string_view("AAAAA", 5), false, false, {}, {}, {}},
    {std::string_view("=", 1), false, false, {}, {}, {}},
    {std::string_view("==", 2), false, false, {}, {}, {}},
    {std::string_view("AA==", 4), false, false, {}, {}, {}},
    {std::string_view("AA=", 3), false, false, {}, {}, {}},
    {std::string_view("AAA=", 4), false, false, {}, {}, {}},
    {std::string_view("AA=A", 4), false, false, {}, {}, {}},
    {std::string_view("A===", 4), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXQ", 18), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhIiwiYiIsImMiXQ==", 20), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhIiwiYiIsImMiXQ=", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXR", 18), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhIiwiYiIsImMiXQ\012", 19), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("Wy\015\012JhIiwiYiIsImMiXQ", 20), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJh IiwiYiIsImMiXQ", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXQ!", 19), false, false, {}, {}, {}},
    {std::string_view("wYJHiIWIyiiSiMMIxq", 18), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXQ+/", 20), false, false, {}, {}, {}},
    {std::string_view("WyI_PiIsImIiLCJjIl0", 19), true, false,
     std::string_view("\077>", 2), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyI/PiIsImIiLCJjIl0=", 20), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXQ==\012", 21), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("\012", 1), false, false, {}, {}, {}},
    {std::string_view("\015\012\015\012", 4), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXQ=\012=", 21), true, false,
     std::string_view("a", 1), std::string_view("b", 1),
     std::string_view("c", 1)},
    {std::string_view("WyJhIiwiYiIsImMiXQ\011", 19), false, false, {}, {}, {}},
    {std::string_view("WyJhIiwiYiIsImMiXQ\303\251", 20),
     false,
     false,
     {},
     {},
     {}},
};

}  // namespace clustersim::testing

#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_TEST_VECTORS_H_
