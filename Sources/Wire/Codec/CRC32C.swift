import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every wire frame and
/// checkpoint file: it catches the burst errors of disks and networks better than CRC-32 (IEEE).
///
/// The CPU's CRC-32C instruction (SSE4.2 or ARMv8 CRC, through the `CCRC32C` target) when it has
/// one: a frame's checksum then costs a few cycles per event instead of ~35 instructions. Otherwise
/// slicing-by-8 in plain Swift (8 KiB of tables, built once). Both compute the same function, so
/// frames move between machines of either kind. Chaining: `checksum(b, seed: checksum(a))` equals
/// `checksum(a + b)`, so a frame's header and payload are checked without copying them together.
public enum CRC32C {
    /// True when `checksum` runs on the CPU's CRC-32C instruction (for benchmark reports).
    public static let usesHardware = ccrc32c_hardware_available() != 0

    /// The checksum of `bytes`, continuing from `seed` (the checksum of what came before; 0 to start).
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        if usesHardware { return ccrc32c_hardware_extend(seed, base, bytes.count) }
        return portableChecksum(bytes, seed: seed)
    }

    /// The table-driven checksum, used where the CPU has no CRC-32C instruction; public so tests can
    /// hold both paths to the same answers on any machine.
    public static func portableChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        var p = base.assumingMemoryBound(to: UInt8.self)
        var remaining = bytes.count
        tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            // Bytes one at a time until the pointer is 8-aligned, so the wide loads below are aligned.
            while remaining > 0 && UInt(bitPattern: p) & 7 != 0 {
                crc = t[Int((crc ^ UInt32(p.pointee)) & 0xFF)] ^ (crc >> 8)
                p += 1
                remaining -= 1
            }
            while remaining >= 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(p).load(as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word >> 32)
                crc = t[7 * 256 + Int(low & 0xFF)]
                    ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)]
                    ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)]
                    ^ t[Int(high >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                crc = t[Int((crc ^ UInt32(p.pointee)) & 0xFF)] ^ (crc >> 8)
                p += 1
                remaining -= 1
            }
        }
        return ~crc
    }

    /// The checksum of a byte array (a convenience for tests and small inputs).
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    /// `tables[k * 256 + b]`: the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        let polynomial: UInt32 = 0x82F6_3B78
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            table[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = table[(k - 1) * 256 + byte]
                table[k * 256 + byte] = table[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return table
    }()
}
