/// Numbers strings in first-appearance order for a batch's id (or topic) dictionary.
///
/// An open-addressing table over a cheap hash of the UTF-8 bytes (the standard library's seeded
/// SipHash costs more than the rest of encoding an event), behind a direct-mapped cache keyed by a
/// String value's 16 raw bytes: identical bits mean the same string (the same inline small string,
/// or the same storage object, alive for the whole batch), so repeated ids skip hashing and copying.
/// A cache miss falls back to the table, so equal strings in different storage still share an index.
/// Tables live in raw memory owned by a class (no uniqueness or bounds checks in the hot loop);
/// `reset` gives a copy of the interner its own tables, so copies never share state while encoding.
struct StringInterner {
    private(set) var strings: [String] = []
    private var tables = Tables(slotCount: 64)

    /// Empties the dictionary, sized for about `expected` distinct strings.
    mutating func reset(expected: Int) {
        strings.removeAll(keepingCapacity: true)
        var size = 64
        while size < expected * 2 { size *= 2 }
        if !isKnownUniquelyReferenced(&tables) || tables.slotCount != size {
            tables = Tables(slotCount: size)
        } else {
            tables.clear()
        }
    }

    /// The index of the String stored at `pointer` (a field of an array element), read without
    /// copying it unless it misses the cache.
    @inline(__always)
    mutating func index(ofStringAt pointer: UnsafeRawPointer) -> Int {
        let low = pointer.loadUnaligned(as: UInt64.self)
        let high = pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let slot = Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> 54)
        let cached = tables.cacheIndexes[slot]
        if cached >= 0 && tables.cacheBits[2 * slot] == low && tables.cacheBits[2 * slot + 1] == high {
            return Int(cached)
        }
        let index = self.index(of: pointer.load(as: String.self))
        tables.cacheIndexes[slot] = Int32(truncatingIfNeeded: index)
        tables.cacheBits[2 * slot] = low
        tables.cacheBits[2 * slot + 1] = high
        return index
    }

    /// The dictionary index of `string`, adding it if new.
    mutating func index(of string: String) -> Int {
        let hash = Self.hash(string)
        let mask = tables.slotCount - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = tables.slots[slot]
            if entry < 0 { break }
            if tables.slotHashes[slot] == hash && strings[Int(entry)] == string { return Int(entry) }
            slot = (slot + 1) & mask
        }
        let index = strings.count
        strings.append(string)
        tables.slots[slot] = Int32(index)
        tables.slotHashes[slot] = hash
        if strings.count * 2 > tables.slotCount { rehash() }
        return index
    }

    private mutating func rehash() {
        let grown = Tables(slotCount: tables.slotCount * 2)
        // The cache maps string bits to indexes, which stay valid: carry it over.
        grown.cacheIndexes.update(from: tables.cacheIndexes, count: Tables.cacheSize)
        grown.cacheBits.update(from: tables.cacheBits, count: 2 * Tables.cacheSize)
        let mask = grown.slotCount - 1
        for (index, string) in strings.enumerated() {
            let hash = Self.hash(string)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while grown.slots[slot] >= 0 { slot = (slot + 1) & mask }
            grown.slots[slot] = Int32(index)
            grown.slotHashes[slot] = hash
        }
        tables = grown
    }

    /// A multiply-xorshift hash of the UTF-8 bytes, 8 at a time; not seeded (the table is per
    /// batch and sized for it).
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

    /// The hash table (`slots`: index into `strings` or -1; `slotHashes`) and the raw-bits cache.
    final class Tables {
        static let cacheSize = 1024
        let slotCount: Int
        let slots: UnsafeMutablePointer<Int32>
        let slotHashes: UnsafeMutablePointer<UInt64>
        let cacheIndexes: UnsafeMutablePointer<Int32>
        let cacheBits: UnsafeMutablePointer<UInt64>

        init(slotCount: Int) {
            self.slotCount = slotCount
            slots = .allocate(capacity: slotCount)
            slotHashes = .allocate(capacity: slotCount)
            slotHashes.initialize(repeating: 0, count: slotCount)
            cacheIndexes = .allocate(capacity: Self.cacheSize)
            cacheBits = .allocate(capacity: 2 * Self.cacheSize)
            cacheBits.initialize(repeating: 0, count: 2 * Self.cacheSize)
            slots.initialize(repeating: -1, count: slotCount)
            cacheIndexes.initialize(repeating: -1, count: Self.cacheSize)
        }

        func clear() {
            slots.update(repeating: -1, count: slotCount)
            cacheIndexes.update(repeating: -1, count: Self.cacheSize)
        }

        deinit {
            slots.deallocate()
            slotHashes.deallocate()
            cacheIndexes.deallocate()
            cacheBits.deallocate()
        }
    }
}
