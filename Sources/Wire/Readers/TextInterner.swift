import Foundation

/// Makes each distinct short text into a String once: ids repeat on every record of a stream.
///
/// Valid UTF-8 only (as `UTF8Text.string`; nil otherwise). Bounded: at most `capacity` texts of up to
/// `maxBytes` bytes are kept; beyond that, Strings are simply made each time, so a stream with
/// millions of distinct ids costs one failed lookup per record and no growth.
struct TextInterner {
    private struct Entry {
        var start: Int32
        var count: Int32
        var hash: UInt32
        var string: String
    }

    static let capacity = 4096
    static let maxBytes = 64
    /// Open addressing, twice the capacity, power of two; -1 is empty.
    private var slots = [Int32](repeating: -1, count: 2 * TextInterner.capacity)
    private var entries: [Entry] = []
    /// The key bytes of every entry, end to end.
    private var keys: [UInt8] = []

    mutating func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        let count = bytes.count
        guard count <= Self.maxBytes, count > 0 else { return UTF8Text.string(bytes) }
        let base = bytes.baseAddress!
        // 8 bytes a step (the codec's hash), not one: ids are hashed once per record.
        let hash = UInt32(truncatingIfNeeded: ByteHash.hash(bytes))
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            let found: String? = entries.withUnsafeBufferPointer { entries in
                let entry = entries[index]
                guard entry.hash == hash, Int(entry.count) == count,
                      keys.withUnsafeBytes({ memcmp($0.baseAddress! + Int(entry.start), base, count) == 0 }) else { return nil }
                return entry.string
            }
            if let found { return found }
            slot = (slot + 1) & mask
        }
        guard let string = UTF8Text.string(bytes) else { return nil }
        if entries.count < Self.capacity {
            slots[slot] = Int32(entries.count)
            entries.append(Entry(start: Int32(keys.count), count: Int32(count), hash: hash, string: string))
            keys.append(contentsOf: bytes)
        }
        return string
    }
}
