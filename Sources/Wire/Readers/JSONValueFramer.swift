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
        while i < count {
            let byte = chunk[i]
            i += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return i }
                }
                continue
            }
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
