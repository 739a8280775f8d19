/// Finds where one JSON value ends in a stream of chunks, without parsing or buffering it.
///
/// Tracks only string/escape state and bracket depth (both kinds counted together: mismatches are
/// the parser's to report), so it runs in constant memory on any input. A scalar (number, literal)
/// ends before the first delimiter or whitespace, which is left unconsumed.
struct JSONValueFramer {
    private var started = false
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var scalar = false

    /// True while a number or literal is being framed: it also ends at the end of input.
    var isInScalar: Bool { scalar }

    /// Scans from `start` (the value's first byte, or where the previous chunk left off); returns the
    /// index just past the value's end, or nil when the chunk ends first.
    mutating func scan(_ chunk: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        let count = chunk.count
        if !started, i < count {
            started = true
            switch chunk[i] {
            case UInt8(ascii: "\""): inString = true; i += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth = 1; i += 1
            default: scalar = true
            }
        }
        if scalar {
            while i < count {
                switch chunk[i] {
                case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x0A, 0x0D, 0x09: return i
                default: i += 1
                }
            }
            return nil
        }
        guard let base = chunk.baseAddress else { return nil }
        while i < count {
            if inString {
                if escaped {
                    escaped = false
                    i += 1
                    continue
                }
                // Plain string bytes go 8 at a time: only a quote or a backslash matters here.
                while i + 8 <= count {
                    let word = SWAR.load(base, i)
                    let special = SWAR.bytesEqual(word, UInt8(ascii: "\"")) | SWAR.bytesEqual(word, UInt8(ascii: "\\"))
                    if special == 0 { i += 8 } else { i += SWAR.firstByteIndex(special); break }
                }
                guard i < count else { return nil }
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i += 1
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return i }
                }
                continue
            }
            // Outside strings only quotes and brackets matter; `| 0x20` folds '[' into '{' and ']' into '}'
            // (and a few control bytes into '"': false candidates, checked exactly below).
            while i + 8 <= count {
                let folded = SWAR.load(base, i) | 0x2020_2020_2020_2020
                let special = SWAR.bytesEqual(folded, UInt8(ascii: "{")) | SWAR.bytesEqual(folded, UInt8(ascii: "}"))
                    | SWAR.bytesEqual(folded, UInt8(ascii: "\""))
                if special == 0 { i += 8 } else { i += SWAR.firstByteIndex(special); break }
            }
            guard i < count else { return nil }
            let byte = base.load(fromByteOffset: i, as: UInt8.self)
            i += 1
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return i }
            default: break
            }
        }
        return nil
    }
}

/// Byte tests on 8 bytes at once (little-endian words), for skipping runs of uninteresting bytes.
enum SWAR {
    @inline(__always)
    static func load(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// High bit set in each byte equal to `byte`. Exact for the lowest such byte; bytes above it may
    /// be false candidates (borrow), so only `firstByteIndex` of the result is meaningful.
    @inline(__always)
    static func bytesEqual(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// High bit set in each byte below `limit` (at most 0x80); exact for the lowest such byte, as `bytesEqual`.
    @inline(__always)
    static func bytesBelow(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- 0x0101_0101_0101_0101 &* UInt64(limit)) & ~word & 0x8080_8080_8080_8080
    }

    @inline(__always)
    static func firstByteIndex(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }
}
