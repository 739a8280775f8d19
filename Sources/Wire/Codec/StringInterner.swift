/// Numbers strings in first-appearance order for a batch's id (or topic) dictionary, and keeps
/// each entry's dictionary header (`Columns.writeDictionary`) so the column is written without
/// looking at the strings again.
///
/// An open-addressing table keyed by the entry header and a cheap hash: a canonical decimal id
/// (an MMSI) is parsed to its number once and keyed by it, so equal numeric ids need no string
/// comparison; other strings hash their UTF-8 bytes (the standard library's seeded SipHash costs
/// more than the rest of encoding an event).
///
/// In front of it, a direct-mapped cache keyed by a String value's 16 raw bytes that outlives the
/// batch: each entry holds a copy of its String, so the storage those bytes point to stays alive
/// and identical bits keep meaning the same text (the same inline small string, or the same
/// storage object) for as long as the entry lives. A hit gives the header and hash without
/// parsing or hashing; if the string already has an index in this batch, that too. A miss falls
/// back to the table, so equal strings in different storage still share an index. The cache keeps
/// at most `Tables.cacheSize` Strings alive between batches.
///
/// Slots and cache indexes carry the batch's generation number, so `reset` clears nothing.
/// Tables live in raw memory owned by a class (no uniqueness or bounds checks in the hot loop);
/// `reset` gives a copy of the interner its own tables, so copies never share state while encoding.
struct StringInterner {
    private(set) var strings: [String] = []
    /// Per entry: `value << 1 | 1` for a canonical decimal, else `utf8Length << 1`.
    private(set) var headers: [UInt64] = []
    /// UTF-8 bytes of all non-numeric entries.
    private(set) var textBytes = 0
    private var tables = Tables(slotCount: 64)
    /// Tags slots and cache entries of the current batch (never 0, the tag of untouched memory).
    private var generation: UInt64 = 1

    /// Empties the dictionary, sized for about `expected` distinct strings.
    mutating func reset(expected: Int) {
        strings.removeAll(keepingCapacity: true)
        headers.removeAll(keepingCapacity: true)
        textBytes = 0
        var size = 64
        while size < expected * 2 { size *= 2 }
        generation &+= 1
        if !isKnownUniquelyReferenced(&tables) || tables.slotCount < size || generation >> 31 != 0 {
            tables = Tables(slotCount: size)
            generation = 1
        }
    }

    /// The index of the String stored at `pointer` (a field of an array element), read without
    /// copying it unless it misses the cache.
    @inline(__always)
    mutating func index(ofStringAt pointer: UnsafeRawPointer) -> Int {
        let low = pointer.loadUnaligned(as: UInt64.self)
        let high = pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let slot = Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> (64 - Tables.cacheBits))
        let cachedBits = UnsafeRawPointer(tables.cacheStrings + slot)
        if cachedBits.load(as: UInt64.self) == low && cachedBits.load(fromByteOffset: 8, as: UInt64.self) == high {
            let cached = tables.cacheIndexes[slot]
            if cached >> 32 == generation { return Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: cached)) }
            let index = insert(tables.cacheStrings[slot], header: tables.cacheHeaders[slot], hash: tables.cacheHashes[slot])
            tables.cacheIndexes[slot] = generation << 32 | UInt64(index)
            return index
        }
        let string = pointer.load(as: String.self)
        let (header, hash) = Self.key(of: string)
        let index = insert(string, header: header, hash: hash)
        tables.cacheStrings[slot] = string
        tables.cacheHeaders[slot] = header
        tables.cacheHashes[slot] = hash
        tables.cacheIndexes[slot] = generation << 32 | UInt64(index)
        return index
    }

    /// The dictionary index of `string`, adding it if new.
    mutating func index(of string: String) -> Int {
        let (header, hash) = Self.key(of: string)
        return insert(string, header: header, hash: hash)
    }

    /// The index of `string` (whose `key(of:)` is header and hash), adding it if new.
    @inline(__always)
    private mutating func insert(_ string: String, header: UInt64, hash: UInt64) -> Int {
        let mask = tables.slotCount - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = tables.slots[slot]
            if entry >> 32 != generation { break }
            let index = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry))
            if tables.slotHashes[slot] == hash && headers[index] == header && (header & 1 == 1 || strings[index] == string) {
                return index
            }
            slot = (slot + 1) & mask
        }
        let index = strings.count
        strings.append(string)
        headers.append(header)
        if header & 1 == 0 { textBytes += Int(header >> 1) }
        tables.slots[slot] = generation << 32 | UInt64(index)
        tables.slotHashes[slot] = hash
        if strings.count * 2 > tables.slotCount { rehash() }
        return index
    }

    private mutating func rehash() {
        let grown = Tables(slotCount: tables.slotCount * 2)
        // The cache maps string bits to keys and indexes, which stay valid: carry it over.
        grown.cacheStrings.update(from: tables.cacheStrings, count: Tables.cacheSize)
        grown.cacheHeaders.update(from: tables.cacheHeaders, count: Tables.cacheSize)
        grown.cacheHashes.update(from: tables.cacheHashes, count: Tables.cacheSize)
        grown.cacheIndexes.update(from: tables.cacheIndexes, count: Tables.cacheSize)
        let mask = grown.slotCount - 1
        for (index, string) in strings.enumerated() {
            let hash = Self.key(of: string).hash
            var slot = Int(truncatingIfNeeded: hash) & mask
            while grown.slots[slot] >> 32 == generation { slot = (slot + 1) & mask }
            grown.slots[slot] = generation << 32 | UInt64(index)
            grown.slotHashes[slot] = hash
        }
        tables = grown
    }

    /// The dictionary header of `string` and its table hash.
    @inline(__always)
    static func key(of string: String) -> (header: UInt64, hash: UInt64) {
        let key = string.utf8.withContiguousStorageIfAvailable { bytes -> (header: UInt64, hash: UInt64) in
            if let value = Columns.canonicalDecimal(bytes) {
                let header = value << 1 | 1
                let h = header &* 0xFF51_AFD7_ED55_8CCD
                return (header, h ^ (h >> 29))
            }
            return (UInt64(bytes.count) << 1, ByteHash.hash(UnsafeRawBufferPointer(bytes)))
        }
        if let key { return key }
        var contiguous = string
        contiguous.makeContiguousUTF8()
        return self.key(of: contiguous)
    }


    /// The hash table (`slots`: generation << 32 | index into `strings`; `slotHashes`) and the
    /// raw-bits cache (`cacheStrings`, whose bits are the key, with their headers, hashes and
    /// generation << 32 | index in the batch of that generation).
    final class Tables {
        static let cacheBits = 12
        static let cacheSize = 1 << cacheBits
        let slotCount: Int
        let slots: UnsafeMutablePointer<UInt64>
        let slotHashes: UnsafeMutablePointer<UInt64>
        let cacheStrings: UnsafeMutablePointer<String>
        let cacheHeaders: UnsafeMutablePointer<UInt64>
        let cacheHashes: UnsafeMutablePointer<UInt64>
        let cacheIndexes: UnsafeMutablePointer<UInt64>

        init(slotCount: Int) {
            self.slotCount = slotCount
            slots = .allocate(capacity: slotCount)
            slots.initialize(repeating: 0, count: slotCount)
            slotHashes = .allocate(capacity: slotCount)
            slotHashes.initialize(repeating: 0, count: slotCount)
            // Empty strings: their bits match an empty id, whose header (0) and hash are filled in.
            cacheStrings = .allocate(capacity: Self.cacheSize)
            cacheStrings.initialize(repeating: "", count: Self.cacheSize)
            cacheHeaders = .allocate(capacity: Self.cacheSize)
            cacheHeaders.initialize(repeating: 0, count: Self.cacheSize)
            cacheHashes = .allocate(capacity: Self.cacheSize)
            cacheHashes.initialize(repeating: StringInterner.key(of: "").hash, count: Self.cacheSize)
            cacheIndexes = .allocate(capacity: Self.cacheSize)
            cacheIndexes.initialize(repeating: 0, count: Self.cacheSize)
        }

        deinit {
            slots.deallocate()
            slotHashes.deallocate()
            cacheStrings.deinitialize(count: Self.cacheSize)
            cacheStrings.deallocate()
            cacheHeaders.deallocate()
            cacheHashes.deallocate()
            cacheIndexes.deallocate()
        }
    }
}
