// jemalloc's options for the clustersim and bench binaries. jemalloc reads
// this string at start-up; the MALLOC_CONF environment variable, read after
// it, still overrides any option (the determinism tests rely on that).
//
// Transparent huge pages for the heap and for jemalloc's own metadata: a
// benchmark's heap grows to 50-300 MiB within a second, and on the virtual
// machines we measure on every first touch of a 4 KiB page is an expensive
// fault (14% of `bench workflow`'s cycles). With 2 MiB pages, the same
// workloads ran 10-40% faster (README, Performance). The host's
// transparent_hugepage setting "madvise" (Debian's default) is enough.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "thp:always,metadata_thp:always";
}
