// Golden hash-ring scenarios computed by Effect 4.1.0 (dist/HashRing.js with
// dist/cluster/RunnerAddress.js, run under node). Each scenario replays
// operations on a ring of RunnerAddresses and records getShards(count) as one
// letter per shard ('a' = runners[0], ...), the total weight, the number of
// virtual nodes and get(input) results. The "Random" scenarios were drawn by
// a seeded generator. Facts, not code: regenerate rather than edit.
#ifndef CLUSTERSIM_CORE_CLUSTER_HASH_RING_TEST_VECTORS_H_
#define CLUSTERSIM_CORE_CLUSTER_HASH_RING_TEST_VECTORS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clustersim::testing {

struct RingOp {
  enum Kind { kAdd, kRemove };
  Kind kind;
  std::vector<int> runners;  // indexes into RingScenario::runners
  double weight;             // for kAdd
};

struct RingScenario {
  std::string name;
  double base_weight;
  std::vector<std::pair<std::string, int32_t>> runners;  // host, port
  std::vector<RingOp> ops;
  int32_t count;
  std::optional<std::string> shards;  // nullopt: Effect returned undefined
  double total_weight;
  size_t virtual_nodes;
  std::vector<std::pair<std::string, std::string>> gets;  // input, owner
};

inline std::vector<RingScenario> GoldenRingScenarios() {
  return {
      {"TwoRunners", 128.0, {{"localhost", 1234}, {"localhost", 1235}}, {{RingOp::kAdd, {0, 1}, 1.0}}, 300, "baaabaaababbbbaabaaababaaababbaababbabaaaaaabbaaabbabababbaa"
"babbbbbbbabbababbaaaababbabaaabbbbaababbaabbaabbbabbabaaabbb"
"abbabbbbaabaaaaaaaaaabaaaaaababbbabaaaaaaabbaaaabbbaaabbbbbb"
"aababbbbbbaabaaabbbabbbbbbbabbaaababbbbabaabbabbaabaababbbaa"
"bbbbbaaabbaabbaaabaaaabbbabbabaabbbbababbaabbaabbbaaaabaabab", 2.0, 256, {{"", "a"}, {"1", "a"}, {"user-42", "a"}, {"\xF0\x9F\x98\x80", "a"}, {"shard-0", "b"}, {"zzz", "b"}}},
      {"ThreeRunners", 128.0, {{"localhost", 1234}, {"localhost", 1235}, {"localhost", 1236}}, {{RingOp::kAdd, {0, 1, 2}, 1.0}}, 300, "caaabacacccbbcaabccacabacabcbbaccabbabaaccaabbacccbacabaccac"
"babbbbbbbcbcccacbcaacbabbacacccbbcaababbaaccaabccabcccaaccbc"
"abbacbbbabbaacaacaaaabcacaaababccaccaaccaabbacacbbbbaccbbcbb"
"cababcbbccacccaabbccbcbbbcbaccacabcbbbcacaacccbbcbccbbabcbaa"
"bbbcbcaacbacccaaabaacaccbabbacacbbbccbabbaabbaabbbaacaccabab", 3.0, 384, {{"", "c"}, {"1", "c"}, {"user-42", "c"}, {"\xF0\x9F\x98\x80", "a"}, {"shard-0", "c"}, {"zzz", "b"}}},
      {"ThreeRunnersReverseOrder", 128.0, {{"localhost", 1234}, {"localhost", 1235}, {"localhost", 1236}}, {{RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {0}, 1.0}}, 300, "caaabacacccbbcaabccacabacabcbbaccabbabaaccaabbacccbacabaccac"
"babbbbbbbcbcccacbcaacbabbacacccbbcaababbaaccaabccabcccaaccbc"
"abbacbbbabbaacaacaaaabcacaaababccaccaaccaabbacacbbbbaccbbcbb"
"cababcbbccacccaabbccbcbbbcbaccacabcbbbcacaacccbbcbccbbabcbaa"
"bbbcbcaacbacccaaabaacaccbabbacacbbbccbabbaabbaabbbaacaccabab", 3.0, 384, {}},
      {"WeightedOneTwo", 128.0, {{"localhost", 1234}, {"localhost", 1235}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 2.0}}, 300, "bbaabaaababbbbbabbaababababbbbabaabbabaaabbabbababbababbbbbb"
"babbbbbbbbbabbabbbaabbbbbabababbbbaabbbaaabbaabbbabbababbbbb"
"bbbabbbbabbaaaababbbabbabababbbbbabbbaaaabbbababbbbbbbbbbbbb"
"abbabbbbbbaabababbbabbbbbbbabbabababbbbabbabbabbbababbabbbbb"
"bbbbbaaabbababbbabbbbaabbabbabaabbbbabbbbaabbabbabaaaabbabab", 3.0, 384, {{"", "a"}, {"1", "a"}, {"user-42", "b"}, {"\xF0\x9F\x98\x80", "a"}, {"shard-0", "b"}, {"zzz", "b"}}},
      {"FourShards", 128.0, {{"localhost", 1234}, {"localhost", 5678}}, {{RingOp::kAdd, {0, 1}, 1.0}}, 4, "bbaa", 2.0, 256, {}},
      {"OneShard", 128.0, {{"localhost", 1234}, {"localhost", 5678}}, {{RingOp::kAdd, {0, 1}, 1.0}}, 1, "a", 2.0, 256, {}},
      {"OneRunner", 128.0, {{"localhost", 1234}}, {{RingOp::kAdd, {0}, 1.0}}, 300, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1.0, 128, {}},
      {"ZeroShards", 128.0, {{"localhost", 1234}}, {{RingOp::kAdd, {0}, 1.0}}, 0, "", 1.0, 128, {}},
      {"NegativeShards", 128.0, {{"localhost", 1234}}, {{RingOp::kAdd, {0}, 1.0}}, -3, "", 1.0, 128, {}},
      {"Empty", 128.0, {{"localhost", 1234}}, {}, 10, std::nullopt, 0.0, 0, {{"x", ""}}},
      {"RemovedAll", 128.0, {{"localhost", 1234}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kRemove, {0}, 0}}, 10, std::nullopt, 0.0, 0, {{"x", ""}}},
      {"RemoveMiddle", 128.0, {{"localhost", 1}, {"localhost", 2}, {"localhost", 3}}, {{RingOp::kAdd, {0, 1, 2}, 1.0}, {RingOp::kRemove, {1}, 0}}, 300, "ccaaaaaaaccccaacacaccacacaaaaccacaaaaaacccccaacaccacaaccccca"
"aaccccaccaacaacccaccacccacacaaacccaacacaacacaaaaaacccccacaaa"
"acacccacaacccaccacccccaacacacaaccccccaaaccaaccaccccaaaccccca"
"aaccacccccacccaccacaaacccacaaccaaaaccccaaaacaaccaaccaaacaaca"
"caacaacaaaacaaaccccacaacaccaacaacaaaacccaaaccaaaacaaaccaacac", 2.0, 256, {}},
      {"Reweight", 128.0, {{"localhost", 1}, {"localhost", 2}}, {{RingOp::kAdd, {0, 1}, 1.0}, {RingOp::kAdd, {1}, 3.0}, {RingOp::kAdd, {0}, 1.0}}, 300, "bbaaabbbbbabbabbababbababbbbabbabbbbbbabbbbbbababbbbababbbba"
"babbbbabbbbbaabababbabbbbbbabbabbbabbbbbabababbaabbbbbbbbaba"
"bbbbbbabbbabbabbbbbbbbbbbbbbbaabbbbbbababbabbbabbbbababbbbbb"
"bbbbbbbbbbbbbbabbbbbaabbbabaabbabbbabbbbaaababbbbabbaaababbb"
"babbbbbbabbbababbbbabbbbbbbbbbabbabbbbbbbbaabaaabbbbbbbbabbb", 4.0, 512, {}},
      {"ReweightDown", 128.0, {{"localhost", 1}, {"localhost", 2}, {"localhost", 3}}, {{RingOp::kAdd, {0, 1, 2}, 2.0}, {RingOp::kAdd, {1}, 0.5}}, 100, "baaaabaaaccccaacacabcaccbabcaccaabcabbabccaacacaccccaccccaca"
"aacacaacacbcaaaccaccacccacacabaacccaaaac", 4.5, 576, {}},
      {"ClampedWeights", 128.0, {{"localhost", 1}, {"localhost", 2}, {"localhost", 3}}, {{RingOp::kAdd, {0}, 0.0}, {RingOp::kAdd, {1}, -4.0}, {RingOp::kAdd, {2}, 0.05}}, 50, "bcaaaccbccaccabaaabcbbaabcbbbababcacbbcabcbaabcbcc", 0.30000000000000004, 39, {}},
      {"BaseOneZeroVirtualNodes", 1.0, {{"localhost", 1}, {"localhost", 2}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 1.0}}, 10, "bbbbbbbbbb", 1.1, 1, {}},
      {"BaseOneOnlyZeroVirtualNodes", 1.0, {{"localhost", 1}}, {{RingOp::kAdd, {0}, 0.1}}, 10, std::nullopt, 0.1, 0, {{"x", ""}}},
      {"BaseBelowOneClamped", 0.25, {{"localhost", 1}, {"localhost", 2}}, {{RingOp::kAdd, {0, 1}, 1.0}}, 20, "abbbbaaabbaaaabbbaba", 2.0, 2, {}},
      {"FractionalBase", 7.5, {{"localhost", 1}, {"localhost", 2}}, {{RingOp::kAdd, {0}, 1.3}, {RingOp::kAdd, {1}, 0.7}}, 50, "baaaaaabaaaaaabaaaaabbaaaabbbabaaaaabbbababaabbbaa", 2.0, 15, {{"a", "b"}, {"b", "b"}, {"c", "b"}, {"d", "b"}}},
      {"HalfRounding", 5.0, {{"localhost", 1}, {"localhost", 2}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 0.3}}, 20, "babbbaabaaaaaaabbaba", 0.8, 5, {}},
      {"NonAsciiHosts", 128.0, {{"\xC3\xA9", 1}, {"\xF0\x9F\x98\x80", 1}, {"\xEF\xBC\xA1", 1}, {"a", 1}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 0.2}, {RingOp::kAdd, {2}, 0.3}, {RingOp::kAdd, {3}, 0.7}}, 30, "dcdddccdbcbcaadbddddddcbdbdddb", 1.3, 167, {}},
      {"TenMixedWeights", 128.0, {{"runner-0.cluster.local", 34431}, {"runner-1.cluster.local", 34431}, {"runner-2.cluster.local", 34431}, {"runner-3.cluster.local", 34431}, {"runner-4.cluster.local", 34431}, {"runner-5.cluster.local", 34431}, {"runner-6.cluster.local", 34431}, {"runner-7.cluster.local", 34431}, {"runner-8.cluster.local", 34431}, {"runner-9.cluster.local", 34431}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kAdd, {2}, 2.0}, {RingOp::kAdd, {3}, 3.7}, {RingOp::kAdd, {4}, 0.1}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.25}, {RingOp::kAdd, {7}, 2.0}, {RingOp::kAdd, {8}, 0.3}, {RingOp::kAdd, {9}, 1.0}}, 1000, "dadhddjdacdahdfgfhfaddgahdhhhdgjfacdggccahjidadjfhaghhcgcdhd"
"hbaihhbfgfdhdhjdghcccjcdddahhbhhcgibdaghhddchacccacafhadjdfj"
"ccdddfgcecachdddadfddafbfdcddccgahhjdbbgcejdddfghjchhcacddcg"
"adcddhjfbbcdcddcdahjhcacgicchgghhacdfachaaccbhdcaggdhhjdhddf"
"daaejhcdhdcihcfddgdggjhdcdjgcccgddhghddagcfhjhdghjcdjcdjgdhd"
"gdbddddffddhgcddhdfiadhbhgdddacgaahgcgdddjdghddjacihhdfhcjch"
"hhacjbbjddgdcghhchgdcagjcdddghbfffdjcfcdjaijiagdcbdafdjbccdj"
"ccddjhdafiahdhddcdddghhddjcddhfhddgcghcdhdabddcdddgchcdhdfcc"
"dddachdhghdfddccgdgdcbddddcdagjjffifdchdddcdfgdfacdddajahddh"
"acghdggjfddfigacajgfjcchhdadgjfbdfjdahdcgjghchfdeaajgdhfhfda"
"dgdhcciddhhffgcgacidcbdgdfdcidchbhdhbdddejdjdaddccgdhcddgdcc"
"ghjhjdjcajjddchachdfdiddgfcaadfajdjhchjddcdccfhdffjadcfdjida"
"dcbjcajfcdhghchhggdhhijbdjiddcdcigdddchddhhhdhdfdgdbcgdddidc"
"bdadhhcbdhhdhagdjgfbhggjajddcjdddhjgdddgbcgjeabcdajddcdgdcgh"
"dajjfchddddcghcdfchdddddcdchghfhddgcbfdcadddhgdhdddhafcehcah"
"gcbhbdhdhfdgfdcfbdjcjhibafcjhfdhgfcfddcghjddhdfhdddjghfbhjgb"
"dgdachhgfcfcicccchdddfhcdfjhjiffefhddccg", 12.850000000000001, 1645, {{"", "c"}, {"1", "c"}, {"user-42", "d"}, {"\xF0\x9F\x98\x80", "h"}, {"shard-0", "d"}, {"zzz", "a"}}},
      {"TwentyRunners3000Shards", 128.0, {{"10.0.0.0", 8080}, {"10.0.0.1", 8080}, {"10.0.0.2", 8080}, {"10.0.0.3", 8080}, {"10.0.0.4", 8080}, {"10.0.0.5", 8080}, {"10.0.0.6", 8080}, {"10.0.0.7", 8080}, {"10.0.0.8", 8080}, {"10.0.0.9", 8080}, {"10.0.0.10", 8080}, {"10.0.0.11", 8080}, {"10.0.0.12", 8080}, {"10.0.0.13", 8080}, {"10.0.0.14", 8080}, {"10.0.0.15", 8080}, {"10.0.0.16", 8080}, {"10.0.0.17", 8080}, {"10.0.0.18", 8080}, {"10.0.0.19", 8080}}, {{RingOp::kAdd, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 1.0}}, 3000, "tsjdkmgioaiklojngrjrlttlcntcocgeffiadmihqhckllrmifoclemsjafc"
"ppaiktmfjonhoaqftncmkahttrlqbnhimtecjjmfdbnomfnrroknbgolscks"
"reqngktpsbhgddteqebscthbjmhrtmabbmgsjmnbbqaljqhtcrheigidgfbt"
"gmnjqghjtgoiinqsofpspbmjaqlbpojoarmmbrolqrfbrenqgkhtejsgfcls"
"ltpeabsikmossmrfdohfotldtjnailflfrcclhtpbhhnmqsjfkkagcacpmdj"
"sqoptokhcogtjprdoatpstbhsfsjorcsrdmmosncridreimbcejqkldttoah"
"eeqjgmmshrcglbhijshdrrcelcbthnmodhrgbcosghqdmjmgcmrrqqmrijjd"
"ilnpkperlaclhkptrfjkhfdajopgopilfdapjlialoolsqfgbbshfkndmocb"
"gqcnqrqjhmnnnsrsarcskfqrpkbcssjekhfjmcmhdnjkomipajqajogpdapi"
"jhkifddpoglfstocpmtnoljcndsihppcklcbckdttchoadlabhaphpldrkbi"
"ngkpgsbtcetjteaioppetoboelolplpmqsbglltheecaqrhafpjpqlrjmist"
"mniqsmtjqomlkgleeofeljremreiqiamktectdrnhlrqpoegtlofsokjmjso"
"nhdofqhafepejjiacgqicqtkbnesimsodeenjfshkfkilfpoppisjoidfjfj"
"ctiepjhrniffokkahfirkjihnsgnjqfikshanongqjmnstdnhageaidltmbd"
"koitbmnabkaltiiirqqtrjihbefqdmeoloielhfcqickkscctbscmrisebff"
"ggmqhjtnetrqpfreharapmdaqtbaidhnqahimfsbpsodltfelfdnqndhgael"
"mtdtarkernboifgciiafksphnjmhsaeiitdhoahodbkedmdqbfcstolechpf"
"hlhshpnntctefclohjlrqnjripltkdjrrnfflmtsnrhbhnaqngaksmrbtckn"
"alepcrmcqqckomtaoiodhrfjneokpphajlflqdmbbbepessospgqrjieokrp"
"hshjfaifabdajtfmdqpadcflrhnfnqsqbkpamrplsfgkcoiqpiplremqmptf"
"okbektqjpmmaoonmarckqqhkfemtsotlfoeqsskotspkhcmggrfjeqcrkodm"
"pigrnbrcblbrorbcfrjakdbdffdrifamkennbqtbdnteqmfodthrgkbqftha"
"lkrnekjargisohaiigkolbdkhdebacmelgaseflbltljmjkarnierpoqbljb"
"gmddrclskfedhokhkkhkklclehgchqplnggjdotfdttlaqkkfdlndbnlhdae"
"bhclmiodacricqpmrbljrepsentckhgsfmolmipppdihrdfacqpdeqspkhmr"
"gehqdadtkbabbrepbddqhgrrpdsbaoeqnmesletbejemtfgfqgkeirqdkjnc"
"heemalrsggjsspapctnmqmcmdbecpapenbeliegdkdbfmpabspgjsodorlds"
"rdemoacjcbsognfnajqieahtsafcsplpjajfkcmdksneffndaectnrbjnehd"
"fbsttpgchfmsamdfaikocgonlctldapsqpnfbttfdaihsdacjoidpjddtinl"
"tqgsjpclkqgpiiqklrpbjrierctfgebsiglqfmgdssscpalhnmcmtkrjsesb"
"lhkmqcktmcopgaplafomcsjsnpqjqmplpoacnqsnimcmeifeniigrhpkhqhi"
"nnabidskgmiafmeihoekkapsioclhcioagtdgaocpildejkjopijmfqsibpl"
"erkaoagsdbingjnhdmhlhdldabaqffdlbdselioheiqngbhafgakdobenfka"
"jlnrqhjghjblbcsfcnpponaqclscieccgbpgjhjeefhbanlrpnmkaacltibf"
"tdofeojmmgcehrarrimahhsbpjqklpfsglinlikbejpccofqrefrkcbmmknb"
"lctkcrmddjbmaslfrlnsmiqsfkacqelcabnbkadhpnatnfstmnetqpjetbpk"
"rfeibhqcsfgjkholnnkeaggojesiekarmhbqgpbpshrqtfsgbskdabkhibhd"
"jqsrfhtdqpcmhjpnrtajtcbcjekqtheoahsqpghnhdqjmlmmmthgqjphbmpj"
"tnrodqtbdqsililksmojofellbbgraaisjfeedgiorhcseimhcjplgdhsmjj"
"tsqippkmiqqlnlfetlttipskqcqqeqnpjjfggmcfibscirdihsqgjkgdndbl"
"dpajkrdbtqjeiogaihtnhdnbbkbqccpdcbiiaohjdgsmaookdhqmlacptcln"
"oigpgtbditarrklrscolbcfndnlplfmtbgaqdkgnqepotmercggcgtjgqtgc"
"fmrqgqfcgbogfgnnesmnrfbphjcmjrnjsnbpigpsqmcfqmqodijhqtprhhlk"
"bceboieqlmfcjgekmcfedolkriqjrkjicnmifkngqksotegkoaqgggodqtnj"
"rlctebdptjroridgejfitobickqktjnnlickaqbcdgfgiifoqnogbqnsngec"
"fmssjkaddokgdmeljqtmrbscbrnitesqpngirokpsekgqagnodkaenrsrnht"
"bihdrcqilnhloqharhjpcngfgjrpobbrjatkntltpnipcmbhtddhktkgmejr"
"rgpjggcseoqfhomaktilfipbjfprebasbhgprikeoonkdsrsgonjspbgtqlk"
"nskrktfofjltnmdamgtlafafgjnbagdhlppnfoglggbjgplgraegsdqhfpfn"
"nfjtoekabatplaindksgfkjcarretrgokmtodrkotbgriqnmidbfpidqsoqe", 20.0, 2560, {}},
      {"Random0", 128.0, {{"localhost", 20408}, {"localhost", 43887}, {"localhost", 13549}, {"h", 60516}, {"runner-4", 59019}, {"10.1.2.3", 32690}, {"10.1.2.3", 57973}, {"10.1.2.3", 55614}, {"localhost", 25959}, {"h", 27612}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 4.0}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 4.0}, {RingOp::kAdd, {7}, 0.5}, {RingOp::kAdd, {8}, 1.0}, {RingOp::kAdd, {9}, 1.0}, {RingOp::kAdd, {6}, 0.5}}, 301, "cffddbadegeiidjdaiajbdddfdeddbeedeedieecjedjhiddeedgededfddd"
"deedgefjcfdddeecedjbdajcdddehfeeddeefeedjgcijgdidifbdaieeadb"
"egcfcedfdbddadieedcdhehijbeeedeibeacdjfeiejaeieedgeceehddcge"
"eeajeaeededeadjjdeedadddgdcdcdjeeedfgeeiideceefeieedfddcdeid"
"cadeeejeaejdbieeadjeedhecddeehiecehdjaddfcdehjfdddcdaceffahf"
"a", 14.5, 1856, {}},
      {"Random1", 50.0, {{"10.1.2.3", 58087}, {"10.1.2.3", 55908}, {"h", 59808}}, {{RingOp::kAdd, {0}, 4.0}, {RingOp::kAdd, {1}, 3.0}, {RingOp::kAdd, {2}, 0.25}}, 100, "abaaabbaaacabbaaaababbabbbababaababbabaaabbbabaababaabaababa"
"abaabbababbaabbcaabaaacbabbbabaabaabaaaa", 7.25, 363, {}},
      {"Random2", 50.0, {{"localhost", 45280}, {"runner-1", 58385}, {"localhost", 59363}, {"h", 34918}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 4.0}, {RingOp::kAdd, {2}, 4.0}, {RingOp::kAdd, {3}, 4.0}}, 64, "ddccbcabcbbbdccbddacdcbbbbbabdcbdccdbccdabbdbdddbbdcdccccbdd"
"bbdc", 13.0, 650, {}},
      {"Random3", 128.0, {{"localhost", 3946}, {"10.1.2.3", 9079}, {"10.1.2.3", 35604}, {"h", 53015}, {"10.1.2.3", 25683}, {"h", 25776}, {"10.1.2.3", 15096}, {"runner-7", 12896}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 0.25}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 2.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 3.0}, {RingOp::kAdd, {7}, 3.0}}, 500, "chaaaebahghbfeefeeaaghegaeeaedhgggahgheahaahahdfchhgaghhecga"
"agghgacfhhgaeghdffbeheeagaacgegfgadaeheeegfahggfghcahghehghb"
"adfhfhgheeahhaagfgaghcggheeefeaebahhchhgaehffecefahahgfchfgh"
"fahgafgcaeghhgghheaehggfgaehagaagahchcagehaghafgaaggacfgehhh"
"agaehhhcghehgacaggaeghgfcghbeahhhdgcaeaeegaagecgegchfgghhagh"
"hgghaeahefgcgehgeahfgcgaaaehhfhhgagehcfaheafdahafggeghfaghge"
"aehgehgaadahbehagahhhaeacdaaggheaabhbdaafeagggdhhhahchaddecg"
"ahggghceafdcheaahdaadgaaghhacgeahcecgacaeeaehaggdgghecdeahgg"
"gcaagccafggegfaggedh", 13.75, 1760, {}},
      {"Random4", 128.0, {{"h", 15418}, {"h", 12220}, {"10.1.2.3", 30642}, {"10.1.2.3", 45870}, {"localhost", 47796}, {"runner-5", 46592}, {"runner-6", 39921}, {"localhost", 45237}, {"h", 5784}, {"runner-9", 55274}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 1.5}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 1.5}, {RingOp::kAdd, {5}, 0.5}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 1.0}, {RingOp::kAdd, {8}, 1.5}, {RingOp::kAdd, {9}, 1.0}}, 64, "eeheihiaicbcefbhbibjgagbaheiijjfajbcbhbdagcijeeajbdggegciihf"
"cfed", 10.5, 1344, {}},
      {"Random5", 4.0, {{"h", 38072}, {"10.1.2.3", 58319}, {"10.1.2.3", 30304}, {"localhost", 4408}, {"runner-4", 46986}, {"localhost", 60029}, {"localhost", 13992}, {"h", 22632}, {"runner-8", 54329}, {"10.1.2.3", 59598}, {"10.1.2.3", 28121}, {"10.1.2.3", 4569}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 0.5}, {RingOp::kAdd, {5}, 0.1}, {RingOp::kAdd, {6}, 0.25}, {RingOp::kAdd, {7}, 1.0}, {RingOp::kAdd, {8}, 0.1}, {RingOp::kAdd, {9}, 2.0}, {RingOp::kAdd, {10}, 1.0}, {RingOp::kAdd, {11}, 0.25}}, 2, "cj", 10.7, 42, {}},
      {"Random6", 128.0, {{"10.1.2.3", 35462}, {"10.1.2.3", 42928}, {"localhost", 33371}, {"localhost", 15843}}, {{RingOp::kAdd, {0}, 0.25}, {RingOp::kAdd, {1}, 1.5}, {RingOp::kAdd, {2}, 0.5}, {RingOp::kAdd, {3}, 2.0}, {RingOp::kRemove, {1}, 0}}, 7, "ddcddad", 2.75, 352, {}},
      {"Random7", 50.0, {{"localhost", 11177}, {"10.1.2.3", 49123}, {"localhost", 55717}, {"h", 54526}, {"localhost", 60516}, {"10.1.2.3", 50964}, {"runner-6", 3468}, {"h", 37117}, {"h", 1086}, {"h", 59996}, {"10.1.2.3", 39091}, {"localhost", 14679}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 2.0}, {RingOp::kAdd, {3}, 1.5}, {RingOp::kAdd, {4}, 0.25}, {RingOp::kAdd, {5}, 0.5}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 1.0}, {RingOp::kAdd, {8}, 1.5}, {RingOp::kAdd, {9}, 0.5}, {RingOp::kAdd, {10}, 0.25}, {RingOp::kAdd, {11}, 4.0}}, 301, "dlilllhjilgchcdcillllldhclkilhcalacddcggdllfihcclldlglidilll"
"lfilbldciclcllagcilclhchidlliliagclfaggdlelddailddgllcddcich"
"jfciaaiklicggchjijiilcdcclcdhhfllgfcllljlcikddelfhllliidiiad"
"illeejlllllljiblhlcclllgallgccjllcclcehchlficallhgfhllclljfl"
"gildjdlfigggddgdlcciggdkijklglcldlkhdlllldiglllldcclhcclhhdc"
"h", 13.1, 656, {}},
      {"Random8", 128.0, {{"localhost", 37397}, {"runner-1", 43922}, {"localhost", 5251}, {"10.1.2.3", 43444}, {"localhost", 2030}, {"h", 44133}, {"10.1.2.3", 3510}, {"runner-7", 53037}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 1.5}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.5}, {RingOp::kAdd, {7}, 1.0}}, 2, "da", 8.5, 1088, {}},
      {"Random9", 128.0, {{"10.1.2.3", 26740}, {"localhost", 46062}, {"10.1.2.3", 14577}, {"localhost", 15135}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 1.5}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 1.5}}, 1, "c", 6.1, 781, {}},
      {"Random10", 50.0, {{"localhost", 56769}, {"h", 46785}, {"h", 23311}, {"10.1.2.3", 20432}, {"10.1.2.3", 42462}, {"localhost", 42209}, {"runner-6", 37238}, {"h", 21487}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 3.0}, {RingOp::kAdd, {5}, 0.25}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 0.5}, {RingOp::kAdd, {1}, 1.0}}, 500, "eabceeaaaaacagdhdeeafbdeeeeebeaadeacfaeaeebddeegegcaceeagdge"
"aecbgebbhdeeebgcaagdeacacacabadedbeeacagcgceceeeaeebheecagee"
"gacaeagehecgefagehefcbcgaeccaeeebeeaecabdgeabceeeabdggggefah"
"egeeeeeaceebgdfdgababbaahbaeabdeebecedbaecheeeebgcebdgfddfeb"
"cadbgadcgccgaeeeebbaddaeeeeeefebedfbcgdddbdadceggaecaadgaacd"
"acgeagceedeheaaeedaahagfbeahhbcabeeabbcheeedeaedegaageaegghc"
"daageeafecababccahcdbaadcaheaeeeaheecdagaebgeaeeeaeebdgaageg"
"edebhecbaeaeedeaadheheaeeheadcehadeegceedbddgeebehbedgdegcaa"
"becbbeeeageacacaheha", 9.75, 488, {}},
      {"Random11", 128.0, {{"runner-0", 38666}, {"runner-1", 55012}, {"localhost", 23844}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 0.5}, {RingOp::kAdd, {0}, 0.5}}, 500, "ccaaaabcbcaacaaaacabcbaabacbcccaaaccbacaccaccccabbcccccccaac"
"aaccccacaccacccacaaccccaaacaacacaccaabacaacaaaaacbbcccbbcaca"
"caaacaacacccaaacaaaacacacacbcacacaccacccaaaaacacaccaccbaabba"
"accaccccacacccaaaabaaccaaccaaacbabcaaacaaaacaaacaacaacacaccc"
"ababcbacabaccacaaacaccccacabccaacabaacaaaacccaccccaabcbabcaa"
"bacabaacaccccccabcaacabacacaaaaacccaccccacacccacccaacaccaaac"
"caccccabaacaaaacaacacccacccacaccacccaaacbccaccacaacaaaacacaa"
"accaccbacaccccaaacaaaaacccbacabaaacbccccccabcaaaacccbaaccccb"
"ccacaccaccaaccbbaaac", 1.1, 141, {}},
      {"Random12", 128.0, {{"h", 17970}, {"localhost", 1148}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 0.25}}, 301, "bbaaabaaabaaaabaaaabbbbabbaaaaaaaaaabaababaaabbaaaabaaaaaaaa"
"babaabaaabaaabaababaaabbabaabbaaaaaaabbaaaabaaababaaaaaababb"
"ababbbaaaabbaaabaaaaaaaabbbbbbabaaabaabaaabaaaaaaaabaaaabaaa"
"aaababaaabaaaaaabaaaabaaabaaaabbabbaaaaaaaaaabaabaabbabaaabb"
"aabaabaaabbbbbbaaabbaababbababaaaababaaabaabbabaabbabbaabbaa"
"b", 0.75, 96, {}},
      {"Random13", 1.0, {{"runner-0", 59252}, {"h", 16224}, {"runner-2", 11733}, {"runner-3", 50490}, {"10.1.2.3", 11772}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 1.5}, {RingOp::kAdd, {4}, 0.1}}, 500, "ddaaacddddcddcdaadadddcaccdddddaadcdddccdddcadcdcddccdaddadc"
"aacdddacdcaddcdccdcdcdcddcdaccaddcdaadcdaddcaddccddacddcdddc"
"dcdcdcdddacdadddacdcdddadcccdcdcaccddacdddcdcdaccddcdddaddda"
"addccdddaddddddddddcdcdadcdcdadcdddaddddaaddacddccddccccaacc"
"cdcdadddadddccccaaccdccacdaccdddddddcddddcdcdaccdcddddddddda"
"dadadccadcccaccdccadddcdcdaccddcdddcdddaadcdcdadcddddddcdddc"
"cadcdccddcccaaddccddcccadccccccdccadcacdccccdddadddaccccdddc"
"dcccadddcdccaaadccaaacddccdccdccccccccdddddcdcccccddcccccccc"
"cdcadcdccddaddccccaa", 3.2, 4, {}},
      {"Random14", 4.0, {{"10.1.2.3", 52433}, {"runner-1", 54634}, {"h", 37563}, {"localhost", 10974}, {"10.1.2.3", 22924}, {"runner-5", 53715}, {"runner-6", 44407}, {"runner-7", 4335}}, {{RingOp::kAdd, {0}, 0.25}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 0.5}, {RingOp::kAdd, {3}, 4.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 4.0}, {RingOp::kRemove, {4}, 0}}, 301, "hdhffbddddhhdhhfhhgdfhhfgbchchhfhdddhddghdddfhdhdddhhhhhdhhd"
"gaddddgffhhhhbdhbddbdhddghdhdbhhhfdafhgdfddcadhchhdgchhbhhhh"
"dggbhghghhbfhddfhdhchdhghbdbhbdcgdbhhfbchhhcfdfdfdddhddgdddg"
"hdddhhhhadhhdbhdhddbhbhfbbhddadbhhdghdhghhhdhddddddhfgbdgfbd"
"ddhdghddghhfhbdchadcbdhhdfhhdfdhfhhhcddhdhdgdadgdbdgdhdgdhgg"
"d", 11.75, 47, {}},
      {"Random15", 50.0, {{"10.1.2.3", 28149}, {"runner-1", 58591}, {"localhost", 35262}, {"localhost", 2726}, {"runner-4", 41924}, {"localhost", 49557}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 3.0}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 4.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 4.0}}, 1, "d", 15.1, 755, {}},
      {"Random16", 50.0, {{"localhost", 15531}}, {{RingOp::kAdd, {0}, 1.0}}, 16, "aaaaaaaaaaaaaaaa", 1.0, 50, {}},
      {"Random17", 16.0, {{"10.1.2.3", 1898}, {"h", 43199}, {"runner-2", 17915}}, {{RingOp::kAdd, {0}, 1.5}, {RingOp::kAdd, {1}, 2.0}, {RingOp::kAdd, {2}, 1.5}}, 7, "bbacabc", 5.0, 80, {}},
      {"Random18", 4.0, {{"localhost", 23161}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {0}, 1.0}}, 2, "aa", 1.0, 4, {}},
      {"Random19", 4.0, {{"10.1.2.3", 42563}, {"h", 36388}, {"h", 39990}, {"h", 19491}, {"10.1.2.3", 37483}, {"runner-5", 37232}, {"localhost", 21051}, {"h", 23968}, {"h", 27909}}, {{RingOp::kAdd, {0}, 4.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 4.0}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 0.5}, {RingOp::kAdd, {6}, 0.25}, {RingOp::kAdd, {7}, 3.0}, {RingOp::kAdd, {8}, 1.0}, {RingOp::kRemove, {1}, 0}, {RingOp::kAdd, {1}, 0.5}}, 301, "hbahhhdcccaaihehacadchhhahcccccaabcdhaiacagcffceicdiacaccaca"
"aecacbahchecchiaeeaeafcdehcaahacbhcehhaihbchhbahhgcdccghfchh"
"aaehhaehceecaaicacaccaiaihchchihdahfhdhfacichiachcaacacaiaba"
"aaacchafeachaiccadaachfachfacechchcaaaehaaciaaaaaaiaaahcadhc"
"achddhccdhfchhccaechcdhaicaiicbhcchehcgadhaachcadebcdcacdcca"
"d", 15.25, 61, {}},
      {"Random20", 128.0, {{"10.1.2.3", 16316}, {"localhost", 32800}, {"localhost", 56348}, {"runner-3", 11492}, {"h", 13577}, {"localhost", 11608}, {"runner-6", 1224}, {"runner-7", 31809}, {"runner-8", 8365}, {"10.1.2.3", 18235}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 4.0}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 0.25}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 1.5}, {RingOp::kAdd, {8}, 0.25}, {RingOp::kAdd, {9}, 0.25}}, 16, "acafcdgdiadjhecc", 14.35, 1837, {}},
      {"Random21", 128.0, {{"runner-0", 40848}, {"10.1.2.3", 11412}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 4.0}, {RingOp::kAdd, {1}, 1.0}}, 64, "abbaabbbbaaabbbaaabbaabababbbbababaababaababbaabbbabaaabaaab"
"aabb", 2.0, 256, {}},
      {"Random22", 16.0, {{"10.1.2.3", 44157}, {"runner-1", 57236}, {"h", 14137}, {"runner-3", 39643}, {"h", 37555}, {"10.1.2.3", 55081}, {"10.1.2.3", 8886}, {"runner-7", 19426}}, {{RingOp::kAdd, {0}, 4.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 0.25}, {RingOp::kAdd, {3}, 1.5}, {RingOp::kAdd, {4}, 3.0}, {RingOp::kAdd, {5}, 0.5}, {RingOp::kAdd, {6}, 3.0}, {RingOp::kAdd, {7}, 4.0}, {RingOp::kAdd, {7}, 1.0}}, 16, "ebdaaeegcaggfeah", 14.25, 228, {}},
      {"Random23", 128.0, {{"10.1.2.3", 4638}, {"h", 46557}, {"runner-2", 30761}, {"10.1.2.3", 45111}}, {{RingOp::kAdd, {0}, 4.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 0.1}, {RingOp::kAdd, {3}, 1.0}}, 500, "aabbbabaddaaaabdbacaaaaadabbaacaaaadadaabaaaaaaaaaabaaaababd"
"aabaaaaaaaabdaaaaaaaddabaadaaaaaadbaddabbdaadababaaaababadaa"
"daabadaaaadaaaaaabaaadbaaabbaaaaabdaaaadabaaaaaadaaaabaaadaa"
"adaabaaaaaaaaaaaaaaaaaabaaaaaabaabdabaaaabadaaaadaababaaaabd"
"ddaaacabdaaacaaaaaabadcdaddbaaaaabdddbdabdaaaddbbaadbaadaaba"
"aaaadadaadbaaaaabaaaabdaaaaabaddddaadaaaaaaaacaabaaaadaadbaa"
"aaabdbadbaabbadaaabadaaabbaadbbaadcaaaddbdadbaaaaddaaddaabad"
"bbbaaaaaddbdaabaaaabbdaabbadabaaadaabadaadaadababbaabaaaaaaa"
"daaaaaaaaaaaaaacaaaa", 6.1, 781, {}},
      {"Random24", 128.0, {{"localhost", 54321}, {"localhost", 36290}, {"runner-2", 33655}, {"h", 11260}, {"10.1.2.3", 36735}, {"h", 13062}, {"h", 33484}, {"runner-7", 17432}, {"h", 14572}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 3.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 3.0}, {RingOp::kAdd, {8}, 0.5}}, 100, "feececggcbehfeihchebahhiecaghhegaefhhfgheeiebfiehhhhbhccfceh"
"befeaghgdaebehahhbgedhededabheahehehfhee", 12.0, 1536, {}},
      {"Random25", 128.0, {{"10.1.2.3", 8085}, {"localhost", 11056}, {"h", 45033}, {"h", 36527}, {"runner-4", 8369}, {"localhost", 24758}, {"h", 54765}, {"10.1.2.3", 7655}, {"10.1.2.3", 30818}, {"10.1.2.3", 1107}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 0.1}, {RingOp::kAdd, {7}, 0.25}, {RingOp::kAdd, {8}, 2.0}, {RingOp::kAdd, {9}, 4.0}}, 1, "j", 17.95, 2298, {}},
      {"Random26", 1.0, {{"localhost", 40682}, {"10.1.2.3", 54452}, {"runner-2", 43035}, {"10.1.2.3", 36137}, {"h", 56526}, {"h", 32861}, {"runner-6", 55032}}, {{RingOp::kAdd, {0}, 1.5}, {RingOp::kAdd, {1}, 4.0}, {RingOp::kAdd, {2}, 0.5}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 0.1}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 0.1}}, 2, "ad", 10.2, 11, {}},
      {"Random27", 128.0, {{"h", 16332}, {"h", 12222}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kRemove, {0}, 0}}, 7, "bbbbbbb", 1.0, 128, {}},
      {"Random28", 16.0, {{"runner-0", 5914}, {"localhost", 43585}, {"10.1.2.3", 41097}, {"localhost", 50861}, {"localhost", 52529}, {"localhost", 13727}, {"localhost", 42504}, {"h", 12739}, {"10.1.2.3", 25587}, {"10.1.2.3", 16476}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 0.25}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 2.0}, {RingOp::kAdd, {7}, 1.0}, {RingOp::kAdd, {8}, 3.0}, {RingOp::kAdd, {9}, 1.5}}, 301, "adiijjgaibcifaiaiedcgccaajjcjihbaiaicgaahcbaidcjceidbaidiabb"
"hgdchddggicceacbgghibdiciicihajichagjccciichiichdciiacicicic"
"aciifciaacgiggjajgfccgiddjfcfjfhibjicfaifbcaacaighacacijgjih"
"jaagffadgaaiggacgbafgabbiadajgacabaaijgaggacgiichhjjccjegfaj"
"cicifbcjhcfaiajfggjcgaiacagcaggiagciaabbhbjchijccggdgdjdfddi"
"f", 16.75, 268, {}},
      {"Random29", 128.0, {{"localhost", 29262}, {"10.1.2.3", 43319}, {"runner-2", 37803}, {"10.1.2.3", 35535}, {"h", 25885}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 3.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 1.0}}, 1, "e", 7.5, 960, {}},
      {"Random30", 4.0, {{"10.1.2.3", 13890}}, {{RingOp::kAdd, {0}, 1.0}}, 500, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"aaaaaaaaaaaaaaaaaaaa", 1.0, 4, {}},
      {"Random31", 128.0, {{"runner-0", 41530}, {"localhost", 59962}, {"10.1.2.3", 1626}, {"runner-3", 16050}, {"runner-4", 41216}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 0.25}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kRemove, {3}, 0}}, 7, "aceaabe", 4.25, 544, {}},
      {"Random32", 128.0, {{"localhost", 22012}, {"runner-1", 1875}, {"localhost", 9516}, {"localhost", 6129}, {"h", 9853}, {"localhost", 34662}, {"h", 32388}, {"runner-7", 14047}, {"h", 38831}, {"10.1.2.3", 17856}, {"localhost", 42077}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 0.5}, {RingOp::kAdd, {7}, 0.25}, {RingOp::kAdd, {8}, 1.5}, {RingOp::kAdd, {9}, 1.0}, {RingOp::kAdd, {10}, 3.0}, {RingOp::kRemove, {4}, 0}}, 64, "kkcdihckdddccaakdcjajkiaaiddckiabdcjkcdcbkkaagbfdcfkdaaagckk"
"fkji", 17.25, 2208, {}},
      {"Random33", 128.0, {{"runner-0", 16404}, {"10.1.2.3", 52980}, {"runner-2", 25859}, {"runner-3", 2232}, {"localhost", 57360}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 0.25}, {RingOp::kAdd, {2}, 0.25}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {0}, 1.0}}, 7, "deebaee", 6.0, 768, {}},
      {"Random34", 128.0, {{"10.1.2.3", 22185}, {"runner-1", 22350}, {"localhost", 22264}, {"runner-3", 46414}, {"10.1.2.3", 41574}, {"h", 40290}, {"10.1.2.3", 19277}, {"localhost", 25687}, {"h", 55155}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 0.25}, {RingOp::kAdd, {2}, 0.5}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 2.0}, {RingOp::kAdd, {6}, 0.5}, {RingOp::kAdd, {7}, 0.5}, {RingOp::kAdd, {8}, 0.1}, {RingOp::kAdd, {3}, 2.0}}, 1, "c", 8.85, 1133, {}},
      {"Random35", 50.0, {{"h", 38002}, {"localhost", 16989}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kRemove, {0}, 0}, {RingOp::kAdd, {1}, 0.5}}, 64, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
"bbbb", 0.5, 25, {}},
      {"Random36", 128.0, {{"h", 57244}, {"10.1.2.3", 39738}, {"localhost", 37551}, {"localhost", 52000}, {"h", 11365}, {"runner-5", 51445}, {"localhost", 55158}, {"runner-7", 4870}}, {{RingOp::kAdd, {0}, 0.25}, {RingOp::kAdd, {1}, 0.25}, {RingOp::kAdd, {2}, 2.0}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 1.5}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 0.5}, {RingOp::kAdd, {7}, 0.5}, {RingOp::kAdd, {3}, 0.5}}, 2, "ca", 6.5, 832, {}},
      {"Random37", 1.0, {{"10.1.2.3", 59417}, {"10.1.2.3", 33432}, {"localhost", 51923}}, {{RingOp::kAdd, {0}, 0.1}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kAdd, {2}, 0.1}, {RingOp::kAdd, {2}, 0.5}}, 2, "cb", 1.1, 2, {}},
      {"Random38", 4.0, {{"localhost", 8554}, {"localhost", 36787}, {"runner-2", 17448}, {"localhost", 52150}, {"localhost", 45270}, {"localhost", 47267}, {"localhost", 44655}, {"10.1.2.3", 18980}, {"10.1.2.3", 29094}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 4.0}, {RingOp::kAdd, {2}, 4.0}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 4.0}, {RingOp::kAdd, {8}, 0.5}, {RingOp::kRemove, {2}, 0}, {RingOp::kAdd, {0}, 2.0}}, 301, "dhahhbebhebafahhgebebgdhdbgdeehbfhbegieahedbeefhehebbbgddfdb"
"hdfabhhbibihebebhehdbhefedeabbgeabbdhgaehheahheaaghidhebgbdd"
"haeddaeidiheaeeeghfddihhhbebehbaebbgdbbgfdbefhhdbhabbehefahe"
"ghadedahfedeeddeebahdbhadbhbdfdbbdddahhdhhbdhbaabhdhbbhfhbbe"
"bhdebddbbdheabeddfeadeaghbgbebhebhgeebdebfeabheaehhhehaheehh"
"e", 19.5, 78, {}},
      {"Random39", 4.0, {{"10.1.2.3", 5023}, {"h", 2724}, {"h", 33945}, {"runner-3", 57025}, {"10.1.2.3", 39640}, {"localhost", 11061}, {"h", 52315}, {"10.1.2.3", 3620}, {"localhost", 44033}, {"localhost", 11004}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 0.25}, {RingOp::kAdd, {3}, 2.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 3.0}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 0.5}, {RingOp::kAdd, {8}, 1.0}, {RingOp::kAdd, {9}, 1.0}}, 1, "j", 11.75, 47, {}},
      {"Random40", 4.0, {{"localhost", 51773}, {"localhost", 12737}, {"h", 32986}}, {{RingOp::kAdd, {0}, 1.5}, {RingOp::kAdd, {1}, 1.5}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {2}, 0.5}}, 7, "bbbcaaa", 3.5, 14, {}},
      {"Random41", 4.0, {{"h", 23803}, {"10.1.2.3", 55135}, {"runner-2", 47214}, {"localhost", 24233}, {"runner-4", 6774}, {"10.1.2.3", 38983}, {"h", 35208}, {"runner-7", 28217}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 1.5}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 1.5}, {RingOp::kAdd, {5}, 0.1}, {RingOp::kAdd, {6}, 4.0}, {RingOp::kAdd, {7}, 1.0}}, 7, "begdagc", 12.1, 48, {}},
      {"Random42", 50.0, {{"h", 53359}, {"runner-1", 59576}, {"h", 19332}, {"h", 40147}, {"10.1.2.3", 49606}, {"10.1.2.3", 17902}, {"runner-6", 38817}}, {{RingOp::kAdd, {0}, 1.5}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 2.0}, {RingOp::kAdd, {6}, 3.0}}, 64, "acgaafgcfgbcagbagbggagggdffbafecgfaegfgaedgfcfcdgfegbegfggef"
"bgaa", 10.0, 500, {}},
      {"Random43", 1.0, {{"runner-0", 53445}, {"localhost", 44088}, {"runner-2", 38128}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 2.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kRemove, {0}, 0}}, 500, "cbbbbcbbbbcbbcbbbbbbbccbccbcbbbbbbcbcbbcbbccbbbbbbbccbbccbbc"
"bbbbbbbcbcbbbcbccccbcbbbbcbbccbbbcbbbccbbbbbbbcbccbbbbccbbcc"
"bcbcccbbcbcbbbbbbbbbcbbbbcbcbcbbbccbcbcbbbcbcbbbcbccbbbbbcbb"
"bbcbcccbbbccbbcbbbccbcbbbcbcbbbcbcbbbbcbbbbbbcbbccbbcccbbbcb"
"cbcbbcbbbcbbccbbbbbbbbcbbbbcbbbcbbccbbccbcbcbbbcbcbbbbcbbbbb"
"bbbbbcbbbccbbccbccbbbbcbbbbbbbbcbbccbcbbbbcbcbbbccbcbbbbbbbb"
"bbbbccbcccbbbbbbccbbbcbbbcbcbccbccbbcbcbbbccbbbbbbbbbbccbccc"
"cbbbbbccbcccbbbbccbbbccbcbcbcbbbccbbccbbbbbbbbccbbccbbbbbbbb"
"bbcbbbbcbbcbbbccbcbb", 3.0, 3, {}},
      {"Random44", 16.0, {{"h", 41055}, {"h", 7478}, {"localhost", 47508}, {"10.1.2.3", 48674}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 2.0}, {RingOp::kRemove, {2}, 0}, {RingOp::kAdd, {2}, 2.0}}, 100, "cdcccadcccdccadcddddcaacdacacdacddddaaddadccccdddadcdcacadcc"
"cdccddcccdcadacdcaccdccddadcdadddcbddadd", 5.1, 82, {}},
      {"Random45", 4.0, {{"h", 41199}, {"localhost", 36527}, {"runner-2", 40556}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kRemove, {0}, 0}}, 2, "cb", 4.0, 16, {}},
      {"Random46", 1.0, {{"10.1.2.3", 44682}, {"10.1.2.3", 56155}, {"runner-2", 44752}, {"runner-3", 44898}, {"runner-4", 43883}, {"localhost", 22334}, {"runner-6", 3275}}, {{RingOp::kAdd, {0}, 0.25}, {RingOp::kAdd, {1}, 0.5}, {RingOp::kAdd, {2}, 3.0}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {5}, 1.0}, {RingOp::kAdd, {6}, 1.0}}, 7, "cfebged", 12.75, 13, {}},
      {"Random47", 128.0, {{"h", 13948}}, {{RingOp::kAdd, {0}, 4.0}}, 1, "a", 4.0, 512, {}},
      {"Random48", 50.0, {{"runner-0", 30704}, {"h", 28389}, {"runner-2", 58440}, {"h", 36731}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 1.5}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.25}, {RingOp::kAdd, {0}, 1.0}}, 7, "dbcbbac", 3.75, 188, {}},
      {"Random49", 128.0, {{"h", 49631}, {"h", 19158}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 4.0}}, 1, "b", 4.5, 576, {}},
      {"Random50", 16.0, {{"h", 11407}, {"h", 21737}, {"runner-2", 43258}, {"runner-3", 28345}, {"10.1.2.3", 46119}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 4.0}, {RingOp::kAdd, {3}, 4.0}, {RingOp::kAdd, {4}, 1.0}}, 1, "c", 10.1, 162, {}},
      {"Random51", 128.0, {{"10.1.2.3", 47061}, {"localhost", 16391}, {"h", 36472}}, {{RingOp::kAdd, {0}, 4.0}, {RingOp::kAdd, {1}, 0.1}, {RingOp::kAdd, {2}, 3.0}}, 301, "aacaaaacaaccccaccaaaaaaccaaaaaaacccaaccaaccaaaccccccaacaacca"
"aaaccacaaaaaccacacaaacacccacaacaacaacacaabaacccccaacbcacaaac"
"acaaaccaaaaaaaaacbaaaaaacacaccaccacaacaaacccaacacaaaaaaacaca"
"cacacaccaacacaaacccaacaccccccaaaaacccaccaaacaaccaacaaacaaccc"
"caacccaacaaaccaaaaacaccccacaccacaaccacaaaaacaacccabcacacaaca"
"b", 7.1, 909, {}},
      {"Random52", 4.0, {{"runner-0", 50623}, {"localhost", 35837}, {"localhost", 58042}, {"localhost", 22597}, {"localhost", 30661}, {"10.1.2.3", 8203}, {"h", 42402}, {"10.1.2.3", 31237}, {"localhost", 19367}, {"localhost", 12006}, {"runner-10", 24770}, {"runner-11", 53648}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 3.0}, {RingOp::kAdd, {2}, 4.0}, {RingOp::kAdd, {3}, 3.0}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {5}, 0.25}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 3.0}, {RingOp::kAdd, {8}, 1.0}, {RingOp::kAdd, {9}, 4.0}, {RingOp::kAdd, {10}, 0.5}, {RingOp::kAdd, {11}, 4.0}}, 500, "clicehbhchbeleleccallabdjhklkecaclehajhlllajicjghchhblcclcej"
"fejedleddhbllhjbgahjjljlghbiehcledbeeaehclbdcljdlaccjlahllcb"
"clghcegelbgcijlcikcjcjbeehjhegldcjhdblhdcebkjiijdibelhcclbcf"
"ccbjecbbblljdjlblcbhhhbdlhdjlhjhlajceejeddledeeeejlleehjcchj"
"jcbdccjgbabclhjjihjjjhhcclijhlljllacdgaccjdeccjehgldbebdbedd"
"beccbeecgheddhedeeijdlljdgckkgdljdjejcbbddecdhccbleadelljdll"
"bilhdbcbabjedhbieebijjjdghjeejbcddicdildbdhebbdlgjedlleeglbe"
"jjcccebbhdhdlieljhdeebacblaehdhjbjjhebeckkjbdkjjjjcbheledhec"
"jcjcgkceeljfjjhellfc", 28.75, 115, {}},
      {"Random53", 128.0, {{"localhost", 46628}, {"h", 20864}, {"10.1.2.3", 19712}, {"h", 35408}, {"h", 55959}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 4.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 0.5}, {RingOp::kAdd, {4}, 3.0}}, 64, "bcbebaeabeaaeceeebabebabceebbaabbaaecbbaaabebadbbaeceaaedaba"
"bbbe", 11.5, 1472, {}},
      {"Random54", 128.0, {{"runner-0", 24741}, {"h", 21204}, {"h", 12325}, {"h", 43927}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 1.5}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 3.0}}, 500, "dcddbbdbddddbdcdddcdbddacbdbddddbdbbcdacddbbddbcabbddcbbbbdb"
"ccbbdccbdcdbbaaddcdcbabdddddbbdddbadbdcaddcddddcdcddbcccdddd"
"dcdddddddadddcbcbcadcbdddcbbdbdddcddbdddbddabaddbdbcadcdbddc"
"bdbddddbdcbacddbcddcdadadbacbddbcddddbdddbdddbbdadaccdbddddb"
"dddddbbaddcbddcaddddbddddbdbabddbdcdbdcdddbcdddcdcbddddbddcd"
"ddbdddcdcdddbddddcabddbcbcbddbdddbdddbcbbdcadbddcbabddbcbccb"
"cddddcdbcddaccdabddcdbdbadcbbbcacbaabbdcdbbaaddbccddddabdbba"
"ddaddddcbadbddbbcbdbdbdddbbdbaadddddddbdcbcdcdbddabbdbdddbbc"
"ddddccdbbcacddbddccb", 6.0, 768, {}},
      {"Random55", 128.0, {{"runner-0", 1637}, {"h", 59522}, {"10.1.2.3", 56907}, {"runner-3", 18711}, {"runner-4", 6237}, {"10.1.2.3", 28280}, {"localhost", 1790}}, {{RingOp::kAdd, {0}, 2.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 0.25}, {RingOp::kAdd, {3}, 2.0}, {RingOp::kAdd, {4}, 0.25}, {RingOp::kAdd, {5}, 0.25}, {RingOp::kAdd, {6}, 1.5}}, 2, "ba", 7.25, 928, {}},
      {"Random56", 4.0, {{"10.1.2.3", 44920}, {"10.1.2.3", 17527}, {"10.1.2.3", 39638}, {"localhost", 11085}, {"runner-4", 6910}, {"runner-5", 14773}}, {{RingOp::kAdd, {0}, 1.0}, {RingOp::kAdd, {1}, 1.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 1.0}, {RingOp::kAdd, {4}, 1.5}, {RingOp::kAdd, {5}, 1.0}}, 2, "be", 6.5, 26, {}},
      {"Random57", 4.0, {{"10.1.2.3", 33766}, {"runner-1", 38839}, {"localhost", 29360}, {"localhost", 5820}}, {{RingOp::kAdd, {0}, 3.0}, {RingOp::kAdd, {1}, 2.0}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 1.0}}, 500, "abbaabdabbaddcaabbcdbaaabbbabbacaaadabdaaaaabbbbdadaaabaaada"
"bacddabcbccaabdabaadabbdbaabcabadcaaaaadaaacaaaccaabcaaabaaa"
"aabaaabbacbbbbbbbbacabbbdbbaabbcbacbacabadabcdaccaacaaabdaab"
"baaccaabaaaabdaabdaaabbadbbadaaaaaabdaabaaadacddcaabcabbbccb"
"aaadcaaacabbcbbcbabcddcadbbadbaabaaabdaadcbadabadbabddabdabb"
"dabcdcbcbccbcacbbabbbdabbbcbbbbadaaadaacbacaaabdaadaddaadbaa"
"abaaaadaaacdcabaacbadacaaaccdcaaaabaabcbdbbcabbcbbbaddcabaac"
"aaaabbaaaaaccbabacbaaaaaaaabcbddaccdaababbbbbbccccaadddddddd"
"dacbbbacdbabdaabddbc", 7.0, 28, {}},
      {"Random58", 1.0, {{"10.1.2.3", 43725}, {"runner-1", 41264}, {"10.1.2.3", 59363}, {"h", 34431}, {"runner-4", 42256}, {"runner-5", 4768}, {"h", 37420}}, {{RingOp::kAdd, {0}, 0.5}, {RingOp::kAdd, {1}, 2.0}, {RingOp::kAdd, {2}, 1.5}, {RingOp::kAdd, {3}, 0.25}, {RingOp::kAdd, {4}, 4.0}, {RingOp::kAdd, {5}, 0.1}, {RingOp::kAdd, {6}, 4.0}, {RingOp::kRemove, {5}, 0}}, 301, "cegggceceebeeegggeaebggggcbgbebagebeggebbegbagcgeeebbgggggeb"
"ggceeegeebebecebcggbbgceggeggcgeeeggggbegeeegegebgegcbgggbgg"
"ebgggbgggecbgggbgcgcggggeccgecgegbeggecbgebbebacebgggeegegeg"
"gegcbggggegggbgegegebcaaecabegeeeeegeeegcceeceeeeegaebccgecc"
"beaeeaebaabbbcccggccbebgebgbebebbbbbeebbecgbegcbeceeeebeeeeg"
"e", 12.25, 13, {}},
      {"Random59", 1.0, {{"10.1.2.3", 44433}, {"h", 49830}, {"10.1.2.3", 1901}, {"localhost", 13130}, {"10.1.2.3", 28797}, {"localhost", 52299}, {"10.1.2.3", 53380}, {"localhost", 29247}, {"runner-8", 60335}, {"localhost", 4586}, {"localhost", 2493}}, {{RingOp::kAdd, {0}, 4.0}, {RingOp::kAdd, {1}, 0.25}, {RingOp::kAdd, {2}, 1.0}, {RingOp::kAdd, {3}, 2.0}, {RingOp::kAdd, {4}, 1.0}, {RingOp::kAdd, {5}, 0.1}, {RingOp::kAdd, {6}, 1.0}, {RingOp::kAdd, {7}, 1.0}, {RingOp::kAdd, {8}, 1.0}, {RingOp::kAdd, {9}, 1.0}, {RingOp::kAdd, {10}, 1.0}, {RingOp::kRemove, {5}, 0}, {RingOp::kAdd, {9}, 2.0}}, 64, "dgcjcdaegijaacaehhaakhdiddkikhaajgdadjadaiddjkeaagacjdjddjaj"
"ajea", 14.25, 14, {}},
  };
}

}  // namespace clustersim::testing

#endif  // CLUSTERSIM_CORE_CLUSTER_HASH_RING_TEST_VECTORS_H_
