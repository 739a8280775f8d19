import Foundation

/// The Strings a decoder built for dictionary entries, kept across frames and keyed by the entry's
/// wire bytes, so a stream that repeats its ids (AIS: ~400 distinct per 1,000-event frame, ~1,200 a
/// day) stops re-printing numbers, re-validating UTF-8 and re-allocating Strings for every frame.
///
/// Direct-mapped: a colliding entry replaces the older one, so memory stays at `slotCount` Strings
/// whatever the stream holds. A numeric entry is keyed by its header varint (odd); a text entry by
/// a hash of its bytes (even), and a hit is confirmed by comparing the bytes, so a hit always gives
/// exactly the String a miss would have built.
/// - Warning: Shared by copies of a `FrameDecoder`. `withLock` only try-locks: a second thread
///   decoding at the same moment gets nil and decodes without the cache (same result, slower).
final class DictionaryStringCache: @unchecked Sendable {
    /// 16,384 slots (256 KiB of Strings): a city fleet of 10,000 vehicles fits with few collisions.
    static let slotCount = 16_384
    private let lock = NSLock()
    private let keys: UnsafeMutablePointer<UInt64>
    private let strings: UnsafeMutablePointer<String>

    init() {
        keys = .allocate(capacity: Self.slotCount)
        // 0 is never a key: numeric keys are odd and text keys are hashes with the low bit forced to 0
        // and bit 1 forced to 1.
        keys.initialize(repeating: 0, count: Self.slotCount)
        strings = .allocate(capacity: Self.slotCount)
        strings.initialize(repeating: "", count: Self.slotCount)
    }

    deinit {
        strings.deinitialize(count: Self.slotCount)
        strings.deallocate()
        keys.deallocate()
    }

    /// Runs `body` with the cache if no other thread holds it, else with nil.
    func withLock<R>(_ body: (DictionaryStringCache?) throws(FrameError) -> R) throws(FrameError) -> R {
        guard lock.try() else { return try body(nil) }
        defer { lock.unlock() }
        return try body(self)
    }

    @inline(__always)
    private static func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 50)
    }

    /// The String for a numeric entry whose header varint is `header` (odd), printing it on a miss.
    @inline(__always)
    func numeric(header: UInt64) -> String {
        let slot = Self.slot(of: header)
        if keys[slot] == header { return strings[slot] }
        let string = Columns.decimalString(header >> 1)
        keys[slot] = header
        strings[slot] = string
        return string
    }

    /// The String for a text entry's UTF-8 `bytes`, or nil if they are not valid UTF-8.
    func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        let key = ByteHash.hash(bytes) & ~1 | 2
        let slot = Self.slot(of: key)
        if keys[slot] == key {
            let cached = strings[slot].utf8.withContiguousStorageIfAvailable { utf8 in
                utf8.count == bytes.count && (bytes.count == 0 || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            }
            if cached == true { return strings[slot] }
        }
        // ASCII (ids almost always are) needs no validation: String(decoding:) copies it as is,
        // where String(validating:) is a generic path costing hundreds of instructions per id.
        let string: String
        if Self.isASCII(bytes) {
            string = String(decoding: bytes, as: UTF8.self)
        } else {
            guard let validated = String(validating: bytes, as: UTF8.self) else { return nil }
            string = validated
        }
        keys[slot] = key
        strings[slot] = string
        return string
    }

    /// True when every byte is below 0x80, checked 8 bytes at a time.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
