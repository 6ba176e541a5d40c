#pragma once
// Serial numbers in the AD CS shape, so an admin reads the request ID off a serial:
//   byte 0        random in 0x01–0x7F (always 19 bytes, always positive)
//   bytes 1–12    random, from the CSPRNG
//   bytes 13–14   the issuing CA's index in this home (big-endian)
//   bytes 15–18   the request ID (big-endian): serial mod 2^32 = request ID
// Unique per CA by construction (request IDs are never reused) and by a database constraint.

#include <cstdint>
#include <functional>
#include <string>

#include "bytes.h"

namespace pocketca {

inline constexpr size_t serial_size = 19;

// Fills `out` with `size` random bytes; RAND_bytes unless a test supplies its own.
using RandomSource = std::function<void(unsigned char* out, size_t size)>;
[[nodiscard]] RandomSource system_random();

[[nodiscard]] Bytes make_serial(uint32_t request_id, uint16_t ca_index, const RandomSource& random = system_random());

// Normalises what a user types ("4A:00:…", "4a 00 …", "004A00…") to the form the
// store keeps: lower-case hex, no separators, no leading zero bytes.
// Throws Error{invalid_input} when it is not hex.
[[nodiscard]] std::string normalize_serial(const std::string& typed);

// `typed` without what copying a serial or thumbprint out of Windows adds around it: the
// certificate dialog puts an invisible left-to-right mark (U+200E) before the value; also
// right-to-left marks, byte-order marks, no-break spaces and tabs.
[[nodiscard]] std::string without_copy_marks(const std::string& typed);

}  // namespace pocketca
