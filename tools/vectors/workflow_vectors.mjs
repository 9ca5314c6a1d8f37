// Prints core/workflow/workflow_ids_test_vectors.h: golden execution ids,
// activity idempotency keys and durable deferred tokens computed by Effect
// 4.1.0's own dist/workflow JavaScript.
//
//   cd /tmp && npm pack effect@4.1.0 && tar xzf effect-4.1.0.tgz
//   node tools/vectors/workflow_vectors.mjs /tmp/package \
//     > core/workflow/workflow_ids_test_vectors.h
//   clang-format -i core/workflow/workflow_ids_test_vectors.h
import { pathToFileURL } from "node:url"
import path from "node:path"

const pkg = process.argv[2]
if (!pkg) {
  console.error("usage: node workflow_vectors.mjs PATH/TO/effect/package")
  process.exit(2)
}
const load = (p) => import(pathToFileURL(path.join(pkg, "dist", p)).href)
const Effect = await load("Effect.js")
const Schema = await load("Schema.js")
const Workflow = await load("workflow/Workflow.js")
const Activity = await load("workflow/Activity.js")
const DurableDeferred = await load("workflow/DurableDeferred.js")
const WorkflowEngine = await load("workflow/WorkflowEngine.js")
const { makeHashDigest } = await load("workflow/internal/crypto.js")

// --- C++ literals ------------------------------------------------------------

// std::string_view of the UTF-8 bytes; bytes outside printable ASCII as octal
// escapes (never more than three digits, so no escape runs into the next
// character).
const u8 = (s) => {
  const bytes = Buffer.from(s, "utf8")
  let out = '"'
  for (const b of bytes) {
    const c = String.fromCharCode(b)
    if (c === '"' || c === "\\") out += "\\" + c
    else if (b >= 0x20 && b < 0x7f && c !== "?") out += c
    else out += "\\" + b.toString(8).padStart(3, "0")
  }
  return `std::string_view(${out}", ${bytes.length})`
}

// std::u16string_view of the UTF-16 code units; units outside printable ASCII
// as \x escapes, each closing its literal so a following hex digit is not
// read as part of it.
const u16 = (s) => {
  let out = 'u"'
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    const c = s[i]
    if (c === '"' || c === "\\") out += "\\" + c
    else if (unit >= 0x20 && unit < 0x7f && c !== "?") out += c
    else out += `\\x${unit.toString(16).toUpperCase()}" u"`
  }
  return `std::u16string_view(${out}", ${s.length})`
}

// The UTF-8 form where the string has one (no lone surrogates).
const maybeU8 = (s) => (s.isWellFormed() ? `${u8(s)}, true` : `{}, false`)

// --- inputs --------------------------------------------------------------------

const control = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join("") + "\x7f"
const strings = [
  "", "a", "EmailWorkflow", "test-email-1", "Wf/é😀", "k\ud800", "\ud800", "\udfff", "\udc00x",
  "x\ud83d", "\ud83d\ude00", "\ude00\ud83d", "na\"me/é", "back\\slash", "quote\"", control,
  "\u2028\u2029", "\ufeffbom", "\ufffd", "日本語のタグ", "مرحبا", "👨‍👩‍👧", "a".repeat(1000),
  "é".repeat(300) + "\ud800", "tab\tnew\nline\r", "nul\u0000nul", "1:a:b", "-1-", "%s{}[]<>", "?",
]

const digestInputs = strings.concat(["6:Wf/é😀:k\ud800", "13:EmailWorkflow:test-email-1"])

const executionIdInputs = [
  ["EmailWorkflow", "test-email-1"], ["EmailWorkflow", ""], ["Wf/é😀", "k\ud800"], ["", ""],
  ["", "key"], ["a:b", "c"], ["a", "b:c"], ["😀😀", "😀"], ["\ud800", "\udc00"], ["tag", control],
  ["Workflow", "a".repeat(2000)], ["日本語のタグ", "ключ"], ["q\"uote", "back\\slash"],
]

const activityInputs = []
for (const id of ["8f86cb6dac9f9bc041a2165d105c1362", "", "01134ae7ac4e2cd1cebd87f80e8efe9a"]) {
  for (const name of ["SendEmail", "", "1-x", "x", "é😀", "n\ud800", "DurableQueue/q/key", control]) {
    for (const attempt of [undefined, 1, 3, 0, 12345678]) activityInputs.push([id, name, attempt])
  }
}

const tokenInputs = [
  ["EmailWorkflow", "8f86cb6dac9f9bc041a2165d105c1362", "EmailTrigger"],
  ["Wf/é😀", "01134ae7ac4e2cd1cebd87f80e8efe9a", "na\"me/é"],
  ["", "", ""], ["a", "b", "c"], ["ab", "c", ""], ["abc", "d", "ef"],
  [control, "\u2028\u2029", "\ufeff"], ["\ud800", "x\udc00", "\udbff\udfff"],
  ["back\\slash", "quote\"", "/solidus/"], ["\ud83d\ude00", "日本語", "Workflow/InterruptSignal"],
  ["W", "a".repeat(500), "DurableClock/" + "é".repeat(100)], ["tab\t", "nul\u0000", "\x7f\x80\x9f"],
]

// Raw texts and malformed tokens for the parser. Each text is turned into a
// token; the raw strings are tried as tokens as they are.
const b64 = (bytes) => Buffer.from(bytes).toString("base64url")
const text = (s) => b64(Buffer.from(s, "utf8"))
const parseInputs = [
  ...tokenInputs.map(([w, e, d]) => text(JSON.stringify([w, e, d]))),
  text('["a","b"]'), text('["a","b","c","d"]'), text('[1,"b","c"]'), text('["a",null,"c"]'),
  text('["a","b",["c"]]'), text('{"0":"a","1":"b","2":"c"}'), text('"abc"'), text("null"),
  text("[]"), text(""), text("not json"), text(' \t\n\r["a","b","c"] \n'), text('["a","b","c"]x'),
  text('["a","b","c"],'), text('["a","b","c",]'), text('["a",,"c"]'), text("['a','b','c']"),
  text('["a\\u0000","b\\/","\\u00e9\\ud83d\\ude00"]'), text('["\\ud800","b","c"]'),
  text('["\\udc00x","b","c"]'), text('["a\tb","b","c"]'), text('["a\nb","b","c"]'),
  text('["\\x41","b","c"]'), text('["\\u00G0","b","c"]'), text('["a","b","c"'),
  text('["a","b","c"]]'), text("\ufeff[\"a\",\"b\",\"c\"]"), text('[ "a" , "b" , "c" ]'),
  text('["a","b","c"]\u00a0'), text('\u00a0["a","b","c"]'), text('["a","b","c"] /* */'),
  text('["\u2028","b","c"]'), text('[1e999,"b","c"]'),
  b64(Buffer.concat([Buffer.from('["a'), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82, 0xf0, 0x9f, 0x98]), Buffer.from('","b","c"]')])),
  b64(Buffer.concat([Buffer.from('["'), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf4, 0x90, 0x80, 0x80]), Buffer.from('","b","c"]')])),
  b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from('["a","b","c"]')])),
  // Base64url shapes.
  "", "A", "AA", "AAA", "AAAA", "AAAAA", "=", "==", "AA==", "AA=", "AAA=", "AA=A", "A===",
  "WyJhIiwiYiIsImMiXQ", "WyJhIiwiYiIsImMiXQ==", "WyJhIiwiYiIsImMiXQ=", "WyJhIiwiYiIsImMiXR",
  "WyJhIiwiYiIsImMiXQ\n", "Wy\r\nJhIiwiYiIsImMiXQ", "WyJh IiwiYiIsImMiXQ", "WyJhIiwiYiIsImMiXQ!",
  "wYJHiIWIyiiSiMMIxq", "WyJhIiwiYiIsImMiXQ+/", text('["?>","b","c"]'),
  Buffer.from('["?>","b","c"]').toString("base64"), "WyJhIiwiYiIsImMiXQ==\n", "\n", "\r\n\r\n",
  "WyJhIiwiYiIsImMiXQ=\n=", "WyJhIiwiYiIsImMiXQ\t", "WyJhIiwiYiIsImMiXQ\u00e9",
]

// --- Effect ----------------------------------------------------------------------

const run = (effect) => Effect.runPromise(effect)
const digest = (s) => run(makeHashDigest(s))

const executionId = (tag, key) => {
  const wf = Workflow.make(tag, { payload: { key: Schema.String }, idempotencyKey: (p) => p.key })
  return run(wf.executionId({ key }))
}

const activityKey = async (id, name, attempt) => {
  const wf = Workflow.make("W", { payload: {}, idempotencyKey: () => "" })
  let effect = Activity.idempotencyKey(name, { includeAttempt: attempt !== undefined })
  effect = Effect.provideService(effect, WorkflowEngine.WorkflowInstance,
    WorkflowEngine.WorkflowInstance.initial(wf, id))
  if (attempt !== undefined) effect = Effect.provideService(effect, Activity.CurrentAttempt, attempt)
  return run(effect)
}

const token = (w, e, d) =>
  DurableDeferred.tokenFromExecutionId(DurableDeferred.make(d), { workflow: { _tag: w }, executionId: e })

const parse = (t) => {
  try {
    const p = DurableDeferred.TokenParsed.fromString(t)
    return [p.workflowName, p.executionId, p.deferredName]
  } catch {
    return undefined
  }
}

// --- output ----------------------------------------------------------------------

const lines = []
const out = (s) => lines.push(s)

out("// Golden workflow identity vectors computed by Effect 4.1.0 (dist/workflow")
out("// under node) by tools/vectors/workflow_vectors.mjs. Facts, not code:")
out("// regenerate rather than edit. JavaScript strings appear as UTF-16 code")
out("// units and, where they have one (no lone surrogates), as UTF-8.")
out("#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_TEST_VECTORS_H_")
out("#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_TEST_VECTORS_H_")
out("")
out("#include <cstdint>")
out("#include <string_view>")
out("")
out("namespace clustersim::testing {")
out("")
out("// makeHashDigest(input).")
out("struct HashDigestVector {")
out("  std::u16string_view input;")
out("  std::string_view digest;")
out("};")
out("")
out("inline constexpr HashDigestVector kHashDigestVectors[] = {")
for (const s of digestInputs) out(`  {${u16(s)}, "${await digest(s)}"},`)
out("};")
out("")
out("// Workflow.make(tag, {idempotencyKey: () => key}).executionId(payload).")
out("struct ExecutionIdVector {")
out("  std::u16string_view tag_utf16;")
out("  std::u16string_view key_utf16;")
out("  std::string_view tag;")
out("  bool has_tag;")
out("  std::string_view key;")
out("  bool has_key;")
out("  std::string_view execution_id;")
out("};")
out("")
out("inline constexpr ExecutionIdVector kExecutionIdVectors[] = {")
for (const [tag, key] of executionIdInputs) {
  out(`  {${u16(tag)}, ${u16(key)}, ${maybeU8(tag)}, ${maybeU8(key)}, "${await executionId(tag, key)}"},`)
}
out("};")
out("")
out("// Activity.idempotencyKey(name, {includeAttempt}) in an instance of")
out("// execution_id, with CurrentAttempt = attempt when attempt >= 0.")
out("struct ActivityKeyVector {")
out("  std::string_view execution_id;")
out("  std::u16string_view name_utf16;")
out("  std::string_view name;")
out("  bool has_name;")
out("  int32_t attempt;  // -1: includeAttempt false")
out("  std::string_view key;")
out("};")
out("")
out("inline constexpr ActivityKeyVector kActivityKeyVectors[] = {")
for (const [id, name, attempt] of activityInputs) {
  const key = await activityKey(id, name, attempt)
  out(`  {"${id}", ${u16(name)}, ${maybeU8(name)}, ${attempt ?? -1}, "${key}"},`)
}
out("};")
out("")
out("// DurableDeferred.tokenFromExecutionId; TokenParsed.fromString gives the")
out("// strings back for every one of them.")
out("struct TokenVector {")
out("  std::u16string_view workflow_name_utf16;")
out("  std::u16string_view execution_id_utf16;")
out("  std::u16string_view deferred_name_utf16;")
out("  bool well_formed;  // all three have a UTF-8 form")
out("  std::string_view workflow_name;")
out("  std::string_view execution_id;")
out("  std::string_view deferred_name;")
out("  std::string_view token;")
out("};")
out("")
out("inline constexpr TokenVector kTokenVectors[] = {")
for (const [w, e, d] of tokenInputs) {
  const t = token(w, e, d)
  const back = parse(t)
  if (!back || back[0] !== w || back[1] !== e || back[2] !== d) throw new Error(`no round trip: ${t}`)
  const wellFormed = [w, e, d].every((s) => s.isWellFormed())
  const utf8 = wellFormed ? `${u8(w)}, ${u8(e)}, ${u8(d)}` : "{}, {}, {}"
  out(`  {${u16(w)}, ${u16(e)}, ${u16(d)}, ${wellFormed}, ${utf8}, "${t}"},`)
}
out("};")
out("")
out("// TokenParsed.fromString(token): accepted (the three strings) or rejected.")
out("struct TokenParseVector {")
out("  std::string_view token;")
out("  bool accepted;")
out("  // Accepted with a lone surrogate in a name, which UTF-8 cannot hold.")
out("  bool lone_surrogate;")
out("  std::string_view workflow_name;")
out("  std::string_view execution_id;")
out("  std::string_view deferred_name;")
out("};")
out("")
out("inline constexpr TokenParseVector kTokenParseVectors[] = {")
for (const t of parseInputs) {
  const p = parse(t)
  if (!p) out(`  {${u8(t)}, false, false, {}, {}, {}},`)
  else if (!p.every((s) => s.isWellFormed())) out(`  {${u8(t)}, true, true, {}, {}, {}},`)
  else out(`  {${u8(t)}, true, false, ${p.map(u8).join(", ")}},`)
}
out("};")
out("")
out("}  // namespace clustersim::testing")
out("")
out("#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_TEST_VECTORS_H_")
console.log(lines.join("\n"))
