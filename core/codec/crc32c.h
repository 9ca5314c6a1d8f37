// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum frames
// carry so that corruption injected by the simulated network is detected. It
// detects every single-bit error and every burst of up to 32 bits. Pure
// function; the lookup table is built at compile time.
#ifndef CLUSTERSIM_CORE_CODEC_CRC32C_H_
#define CLUSTERSIM_CORE_CODEC_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace clustersim::codec {

// The standard CRC-32C of `data` (initial value and final xor 0xFFFFFFFF), as
// used by iSCSI and ext4: Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(std::string_view data);

}  // namespace clustersim::codec

#endif  // CLUSTERSIM_CORE_CODEC_CRC32C_H_
