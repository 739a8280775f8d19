/// Zigzag mapping of signed to unsigned integers, so small negative deltas stay short as varints.
enum Zigzag {
    @inline(__always)
    static func encode(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    static func decode(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}

/// LEB128 varints: 7 bits a byte, low bits first, high bit set on every byte but the last.
///
/// Coordinate and time deltas are 1 to 4 bytes long in no predictable order, so a byte-at-a-time
/// loop mispredicts its exit branch about once a value. Values below 2^56 (all but the rarest) are
/// written and read as one 8-byte word with shifts and masks instead, whatever their length.
enum Varint {
    static let maxBytes = 10

    /// Writes `value` at `p` and returns how many bytes it took (1...10).
    ///
    /// - Warning: Stores 4 or 8 bytes at `p` even for a shorter varint (the bytes past its end are
    ///   garbage for the next write to overwrite): `p` must have `maxBytes` writable bytes.
    @inline(__always)
    static func put(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        guard value < 1 << 28 else { return putWide(value, at: p) }
        // Up to 4 bytes, the deltas' usual size: 14-bit halves into 16-bit lanes, then 7-bit groups
        // into bytes; the length from the leading zero count (no branches).
        var x = (value & 0x3FFF) | ((value & 0x0FFF_C000) << 2)
        x = (x & 0x007F_007F) | ((x & 0x3F80_3F80) << 1)
        let length = (64 &- (value | 1).leadingZeroBitCount &+ 6) / 7
        // Continuation bits on every byte but the last (a shift by 24 leaves none for one byte).
        let continuation = UInt64(0x80_8080) >> UInt64(32 &- 8 &* length)
        UnsafeMutableRawPointer(p).storeBytes(of: UInt32(truncatingIfNeeded: x | continuation).littleEndian, as: UInt32.self)
        return length
    }

    /// 5 to 8 bytes through one word, longer through the byte loop.
    @inline(never)
    private static func putWide(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        guard value < 1 << 56 else { return putLong(value, at: p) }
        // Spread the 7-bit groups into byte lanes: 28-bit halves, then 14-bit quarters, then 7 bits.
        var x = value
        x = (x & 0x0FFF_FFFF) | ((x & 0x00FF_FFFF_F000_0000) << 4)
        x = (x & 0x0000_3FFF_0000_3FFF) | ((x & 0x0FFF_C000_0FFF_C000) << 2)
        x = (x & 0x007F_007F_007F_007F) | ((x & 0x3F80_3F80_3F80_3F80) << 1)
        let bits = 64 - value.leadingZeroBitCount
        let length = (bits + 6) / 7
        let continuation: UInt64 = 0x8080_8080_8080_8080 & ((1 << UInt64(8 * (length - 1))) &- 1)
        UnsafeMutableRawPointer(p).storeBytes(of: (x | continuation).littleEndian, as: UInt64.self)
        return length
    }

    /// The byte loop, for values of 57 bits or more (9 or 10 bytes).
    @inline(never)
    private static func putLong(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var value = value
        var i = 0
        while value >= 0x80 {
            p[i] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            i += 1
        }
        p[i] = UInt8(truncatingIfNeeded: value)
        return i + 1
    }

    /// Decodes the varint at `p` from one 8-byte load when it is at most 8 bytes long; nil for a
    /// longer one (the caller's byte loop handles it and its overflow check).
    ///
    /// - Warning: Reads 8 bytes at `p`: the caller must know that many are there.
    @inline(__always)
    static func getShort(at p: UnsafePointer<UInt8>) -> (value: UInt64, length: Int)? {
        let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let stops = ~word & 0x8080_8080_8080_8080
        guard stops != 0 else { return nil }
        // The lowest clear high bit ends the varint; keep the bytes up to and including it.
        let last = stops & (0 &- stops)
        var x = word & ((last << 1) &- 1) & 0x7F7F_7F7F_7F7F_7F7F
        x = (x & 0x007F_007F_007F_007F) | ((x & 0x7F00_7F00_7F00_7F00) >> 1)
        x = (x & 0x0000_3FFF_0000_3FFF) | ((x & 0x3FFF_0000_3FFF_0000) >> 2)
        x = (x & 0x0FFF_FFFF) | ((x & 0x0FFF_FFFF_0000_0000) >> 4)
        return (x, (last.trailingZeroBitCount >> 3) + 1)
    }
}

/// A growable byte buffer written through a raw pointer, kept by the encoder across frames so a
/// warmed-up encoder does not allocate.
///
/// `storage.count` is the capacity (zero-filled); `count` the bytes written so far.
struct ByteWriter {
    private(set) var storage: [UInt8] = []
    private(set) var count = 0

    mutating func removeAll() { count = 0 }

    /// Drops what was written after `length` bytes (to rewrite a column another way).
    mutating func truncate(to length: Int) { count = Swift.min(count, length) }

    /// Makes room for `maximum` more bytes and lets `body` write at most that many at the end;
    /// `body` returns how many it wrote.
    @inline(__always)
    mutating func write(reserving maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = count
        if storage.count < start + maximum || storage.isEmpty { grow(to: start + maximum) }
        let written = storage.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
        count = start + written
    }

    private mutating func grow(to needed: Int) {
        var size = Swift.max(storage.count * 2, 1024)
        while size < needed { size *= 2 }
        storage.append(contentsOf: repeatElement(0, count: size - storage.count))
    }

    mutating func append(_ byte: UInt8) {
        write(reserving: 1) { p in
            p.pointee = byte
            return 1
        }
    }

    mutating func appendVarint(_ value: UInt64) {
        write(reserving: Varint.maxBytes) { Varint.put(value, at: $0) }
    }

    mutating func appendUInt64(_ value: UInt64) {
        write(reserving: 8) { p in
            UnsafeMutableRawPointer(p).storeBytes(of: value.littleEndian, as: UInt64.self)
            return 8
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        write(reserving: bytes.count) { p in
            UnsafeMutableRawPointer(p).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            return bytes.count
        }
    }

    /// The string's UTF-8 length as a varint, then its bytes.
    mutating func appendString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            append(UnsafeRawBufferPointer(utf8))
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// Reads the raw payload with every read checked against the bytes remaining; a failed check
/// throws a `FrameError` naming the field, never reads out of bounds.
struct ByteReader {
    private let base: UnsafePointer<UInt8>?
    let count: Int
    private(set) var position = 0
    /// Added to `position` in error offsets (the header size, for the payload).
    let offsetBase: Int

    init(_ bytes: UnsafeRawBufferPointer, offsetBase: Int) {
        self.base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        self.count = bytes.count
        self.offsetBase = offsetBase
    }

    var remaining: Int { count - position }
    var isAtEnd: Bool { position == count }

    /// An error at the current position, or at `start` (a position) when given.
    func failure(_ code: FrameError.Code, _ message: String, at start: Int? = nil) -> FrameError {
        FrameError(code, message, offset: offsetBase + (start ?? position))
    }

    private func truncated(_ field: StaticString, needing bytes: Int) -> FrameError {
        failure(.malformedPayload, "\(field) needs \(bytes) bytes but the payload has \(remaining) left")
    }

    @inline(__always)
    mutating func readByte(_ field: StaticString) throws(FrameError) -> UInt8 {
        guard position < count, let base else { throw truncated(field, needing: 1) }
        let byte = base[position]
        position += 1
        return byte
    }

    /// Reads a varint; with 10 or more bytes left it runs without per-byte bounds checks.
    @inline(__always)
    mutating func readVarint(_ field: StaticString) throws(FrameError) -> UInt64 {
        guard count - position >= Varint.maxBytes, let base else { return try readVarintByteByByte(field) }
        if let (value, length) = Varint.getShort(at: base + position) {
            position += length
            return value
        }
        return try readVarintByteByByte(field)
    }

    /// Reads `n` varints in a row, handing each to `body` with its number and the frame offset it
    /// started at (for error messages). While 10 or more bytes remain it decodes through a raw
    /// pointer with no per-byte bounds checks; the last few go through `readVarint`.
    @inline(__always)
    mutating func readVarints(
        _ n: Int, _ field: StaticString, _ body: (_ number: Int, _ value: UInt64, _ offset: Int) throws(FrameError) -> Void
    ) throws(FrameError) {
        var i = 0
        if let base, count >= Varint.maxBytes {
            var p = base + position
            let fastEnd = base + (count - Varint.maxBytes)
            while i < n && p <= fastEnd {
                let start = p
                // One byte (most time deltas): no word needed. The test is predictable per column.
                if p.pointee < 0x80 {
                    p += 1
                    position = p - base
                    try body(i, UInt64(start.pointee), offsetBase + (start - base))
                    i += 1
                    continue
                }
                guard let (value, length) = Varint.getShort(at: p) else {
                    // 9 or 10 bytes: the checked loop below reads it (and its overflow).
                    position = p - base
                    let value = try readVarint(field)
                    p = base + position
                    try body(i, value, offsetBase + (start - base))
                    i += 1
                    continue
                }
                p += length
                position = p - base
                try body(i, value, offsetBase + (start - base))
                i += 1
            }
        }
        while i < n {
            let start = position
            let value = try readVarint(field)
            try body(i, value, offsetBase + start)
            i += 1
        }
    }

    private mutating func readVarintByteByByte(_ field: StaticString) throws(FrameError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < count, let base else { throw truncated(field, needing: 1) }
            let byte = base[position]
            if shift == 63 && byte > 1 {
                throw failure(.malformedPayload, "\(field) varint overflows 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            position += 1
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A varint that counts items each taking at least `minimumBytes`, checked against what is
    /// left and `limit` so the caller can reserve that many without risk.
    mutating func readCount(_ field: StaticString, minimumBytes: Int, limit: Int) throws(FrameError) -> Int {
        let raw = try readVarint(field)
        guard raw <= UInt64(limit) else {
            throw failure(.limitExceeded, "\(field) \(raw) exceeds the limit \(limit)")
        }
        let value = Int(raw)
        guard value <= remaining / Swift.max(minimumBytes, 1) else {
            throw failure(.malformedPayload, "\(field) \(value) cannot fit in the \(remaining) bytes left")
        }
        return value
    }

    mutating func readUInt64(_ field: StaticString) throws(FrameError) -> UInt64 {
        guard remaining >= 8, let base else { throw truncated(field, needing: 8) }
        let value = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    mutating func readBytes(_ length: Int, _ field: StaticString) throws(FrameError) -> UnsafeRawBufferPointer {
        guard length >= 0, length <= remaining else { throw truncated(field, needing: length) }
        let bytes = UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0 + position) }, count: length)
        position += length
        return bytes
    }

    /// A varint length, then that many bytes of valid UTF-8.
    mutating func readString(_ field: StaticString, limits: FrameLimits) throws(FrameError) -> String {
        let length = try readVarint(field)
        guard length <= UInt64(limits.maxStringBytes) else {
            throw failure(.limitExceeded, "\(field) of \(length) bytes exceeds maxStringBytes \(limits.maxStringBytes)")
        }
        let start = position
        let bytes = try readBytes(Int(length), field)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw FrameError(.invalidUTF8, "\(field) is not valid UTF-8", offset: offsetBase + start)
        }
        return string
    }
}
