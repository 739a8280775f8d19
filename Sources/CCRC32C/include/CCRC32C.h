#ifndef GEOSTREAM_CCRC32C_H
#define GEOSTREAM_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) with the CPU's own instruction: SSE4.2 `crc32` on x86-64, the ARMv8 CRC
/// extension on arm64. Wire's `CRC32C` calls it when `ccrc32c_hardware_available()` says the CPU
/// has the instruction and keeps its portable table code otherwise, so every machine computes the
/// same checksum.

/// 1 when this CPU has a CRC-32C instruction (checked once with cpuid / the auxiliary vector), else 0.
int ccrc32c_hardware_available(void);

/// The CRC-32C of `count` bytes at `bytes`, continuing from `seed` (the checksum of the bytes
/// before; 0 to start), so `extend(extend(0, a), b) == extend(0, a + b)`.
/// Only call it when `ccrc32c_hardware_available()` returned 1: on another CPU it traps.
uint32_t ccrc32c_hardware_extend(uint32_t seed, const void *bytes, size_t count);

#endif
