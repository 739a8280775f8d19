/// Numbers strings in first-appearance order for a batch's id (or topic) dictionary.
///
/// An open-addressing table over a cheap hash of the UTF-8 bytes: hashing ids with the standard
/// library's seeded SipHash costs more than the rest of encoding an event. Reused across batches.
struct StringInterner {
    private(set) var strings: [String] = []
    /// Index into `strings`, or -1 for an empty slot; the count is a power of two.
    private var slots: [Int32] = []
    private var slotHashes: [UInt64] = []
    private var mask = 0
    /// Direct-mapped cache from a String value's 16 raw bytes to its index: identical bits mean the
    /// same string (the same inline small string, or the same storage object, which `strings` keeps
    /// alive for the batch), so a hit skips hashing; a miss falls back to the table.
    private var cacheBits: [UInt64] = []
    private var cacheIndexes: [Int32] = []
    private static let cacheSize = 1024

    /// Empties the dictionary, sized for about `expected` distinct strings.
    mutating func reset(expected: Int) {
        strings.removeAll(keepingCapacity: true)
        var size = 64
        while size < expected * 2 { size *= 2 }
        if slots.count != size {
            slots = [Int32](repeating: -1, count: size)
            slotHashes = [UInt64](repeating: 0, count: size)
        } else {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
        mask = size - 1
        if cacheIndexes.isEmpty {
            cacheBits = [UInt64](repeating: 0, count: 2 * Self.cacheSize)
            cacheIndexes = [Int32](repeating: -1, count: Self.cacheSize)
        } else {
            cacheIndexes.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
    }

    /// The index of the String stored at `pointer` (for example a field of an array element),
    /// read without copying it unless it is not in the cache.
    @inline(__always)
    mutating func index(ofStringAt pointer: UnsafeRawPointer) -> Int {
        let low = pointer.loadUnaligned(as: UInt64.self)
        let high = pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let slot = Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> 54)
        if cacheIndexes[slot] >= 0 && cacheBits[2 * slot] == low && cacheBits[2 * slot + 1] == high {
            return Int(cacheIndexes[slot])
        }
        let index = self.index(of: pointer.load(as: String.self))
        cacheIndexes[slot] = Int32(truncatingIfNeeded: index)
        cacheBits[2 * slot] = low
        cacheBits[2 * slot + 1] = high
        return index
    }

    /// The dictionary index of `string`, adding it if new.
    @inline(__always)
    mutating func index(of string: String) -> Int {
        let hash = Self.hash(string)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if slotHashes[slot] == hash && strings[Int(entry)] == string { return Int(entry) }
            slot = (slot + 1) & mask
        }
        let index = strings.count
        strings.append(string)
        slots[slot] = Int32(index)
        slotHashes[slot] = hash
        if strings.count * 2 > slots.count { rehash() }
        return index
    }

    private mutating func rehash() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        slotHashes = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for (index, string) in strings.enumerated() {
            let hash = Self.hash(string)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
            slotHashes[slot] = hash
        }
    }

    /// A multiply-xorshift hash of the UTF-8 bytes, 8 at a time; not seeded (the table is per
    /// batch and sized for it, and ids come from our own readers).
    @inline(__always)
    static func hash(_ string: String) -> UInt64 {
        let hash = string.utf8.withContiguousStorageIfAvailable { bytes -> UInt64 in
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            let raw = UnsafeRawBufferPointer(bytes)
            var i = 0
            while i + 8 <= raw.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < raw.count {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 29)
        }
        if let hash { return hash }
        var hasher = Hasher()
        hasher.combine(string)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
