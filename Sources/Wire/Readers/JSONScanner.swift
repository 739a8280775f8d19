import Foundation

/// Why JSON text could not be read: what was expected and the byte offset (from the start of the text).
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// Limits that keep hostile JSON from exhausting the stack or memory.
public struct JSONLimits: Hashable, Sendable {
    public var maxDepth: Int
    public var maxStringBytes: Int

    public init(maxDepth: Int = 64, maxStringBytes: Int = 64 << 10) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }
}

/// A strict RFC 8259 parser over one complete JSON text in memory (one Feature, one line).
///
/// Streaming across chunks is the job of `JSONValueFramer`, which finds where a value ends; this
/// scanner then reads it with no copying except for the strings it returns. Numbers without
/// fraction or exponent that fit Int64 stay `.integer`; numbers that overflow Double are errors.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    let limits: JSONLimits

    init(_ bytes: UnsafeRawBufferPointer, limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(message: message, offset: offset ?? index)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(JSONSyntaxError) {
        // Compact JSON puts the byte right here: no whitespace loop, no call.
        if index < bytes.count, bytes[index] == byte {
            index += 1
            return
        }
        try expectAfterWhitespace(byte)
    }

    private mutating func expectAfterWhitespace(_ byte: UInt8) throws(JSONSyntaxError) {
        guard peek() == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))', found \(describeHere())") }
        index += 1
    }

    /// Fails unless only whitespace remains.
    mutating func expectEnd() throws(JSONSyntaxError) {
        guard peek() == nil else { throw error("unexpected \(describeHere()) after the JSON value") }
    }

    func describeHere() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    // MARK: Objects and arrays, member by member

    /// Consumes `{`, then yields each key with the scanner placed at its value; `body` must consume the value.
    mutating func readObject(depth: Int, _ body: (inout JSONScanner, String) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try readObjectKeys(depth: depth) { (scanner, key) throws(JSONSyntaxError) in try body(&scanner, key.string) }
    }

    /// `readObject` with keys left as bytes where possible, so matching a known key builds no String.
    mutating func readObjectKeys(depth: Int, _ body: (inout JSONScanner, JSONKey) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard depth <= limits.maxDepth else { throw error("nesting deeper than \(limits.maxDepth)") }
        try expect(UInt8(ascii: "{"))
        if peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a key string, found \(describeHere())") }
            let key = try readKey()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw error("expected ',' or '}' in an object, found \(describeHere())")
            }
        }
    }

    /// A key at the scanner (at its opening quote): printable ASCII without escapes stays bytes
    /// (valid by construction, so no error `readString` would give is skipped); anything else is decoded.
    private mutating func readKey() throws(JSONSyntaxError) -> JSONKey {
        let start = index + 1
        var k = start
        if let base = bytes.baseAddress {
            // 8 bytes at a time up to the first byte that is not plain printable ASCII.
            while k + 8 <= bytes.count {
                let word = SWAR.load(base, k)
                let special = SWAR.bytesEqual(word, UInt8(ascii: "\"")) | SWAR.bytesEqual(word, UInt8(ascii: "\\"))
                    | SWAR.bytesEqual(word, 0x7F) | SWAR.bytesBelow(word, 0x20) | (word & 0x8080_8080_8080_8080)
                if special == 0 { k += 8 } else { k += SWAR.firstByteIndex(special); break }
            }
        }
        while k < bytes.count {
            let byte = bytes[k]
            if byte == UInt8(ascii: "\"") {
                guard k - start <= limits.maxStringBytes else { break }
                index = k + 1
                return JSONKey(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<k]), decoded: nil)
            }
            if byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\\") { break }
            k += 1
        }
        return JSONKey(bytes: UnsafeRawBufferPointer(start: nil, count: 0), decoded: try readString())
    }

    /// Consumes `[`, then calls `body` with the scanner at each element; `body` must consume it.
    mutating func readArray(depth: Int, _ body: (inout JSONScanner) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard depth <= limits.maxDepth else { throw error("nesting deeper than \(limits.maxDepth)") }
        try expect(UInt8(ascii: "["))
        if peek() == UInt8(ascii: "]") { index += 1; return }
        while true {
            try body(&self)
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw error("expected ',' or ']' in an array, found \(describeHere())")
            }
        }
    }

    // MARK: Values

    mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = peek() else { throw error("expected a value, found end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            var object = JSONObject()
            try readObject(depth: depth + 1) { (scanner, key) throws(JSONSyntaxError) in
                object.members.append(JSONMember(key, try scanner.readValue(depth: depth + 1)))
            }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try readArray(depth: depth + 1) { (scanner) throws(JSONSyntaxError) in
                array.append(try scanner.readValue(depth: depth + 1))
            }
            return .array(array)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        default:
            switch try readNumber() {
            case .integer(let value): return .integer(value)
            case .double(let value): return .double(value)
            default: fatalError("readNumber returns only numbers")
            }
        }
    }

    private mutating func readLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
              memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0 else {
            throw error("expected \(word), found \(describeHere())")
        }
        index += count
    }

    /// A number per JSON grammar, as `.integer` or a finite `.double`.
    mutating func readNumber() throws(JSONSyntaxError) -> ParsedNumber {
        skipWhitespace()
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard NumberParsing.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") else { break }
            index += 1
        }
        guard index > start else { throw error("expected a value, found \(describeHere())") }
        // Plain integers of up to 18 digits (times, numeric ids) cannot overflow and need no general grammar.
        let negative = bytes[start] == UInt8(ascii: "-")
        let digitsStart = negative ? start + 1 : start
        if index > digitsStart, index - digitsStart <= 18, bytes[digitsStart] != UInt8(ascii: "0") || index - digitsStart == 1 {
            var value: Int64 = 0
            var k = digitsStart
            while k < index, NumberParsing.isDigit(bytes[k]) {
                value = value &* 10 &+ Int64(bytes[k] &- UInt8(ascii: "0"))
                k += 1
            }
            if k == index { return .integer(negative ? -value : value) }
        }
        let parsed = NumberParsing.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), strict: true)
        switch parsed {
        case .integer, .double: return parsed
        case .nonFinite: throw error("number is too large for a double", at: start)
        case .invalid:
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<min(index, start + 40)]), as: UTF8.self)
            throw error("malformed number '\(text)'", at: start)
        }
    }

    /// The raw bytes of a string with no escapes or control characters (UTF-8 not yet checked), consumed;
    /// nil, consuming nothing, for any other string, which `readString` then reads and judges.
    mutating func readPlainStringBytes() -> UnsafeRawBufferPointer? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var k = start
        if let base = bytes.baseAddress {
            // 8 bytes at a time up to the first quote, backslash or control byte.
            while k + 8 <= bytes.count {
                let word = SWAR.load(base, k)
                let special = SWAR.bytesEqual(word, UInt8(ascii: "\"")) | SWAR.bytesEqual(word, UInt8(ascii: "\\"))
                    | SWAR.bytesBelow(word, 0x20)
                if special == 0 { k += 8 } else { k += SWAR.firstByteIndex(special); break }
            }
        }
        while k < bytes.count {
            let byte = bytes[k]
            if byte == UInt8(ascii: "\"") {
                guard k - start <= limits.maxStringBytes else { return nil }
                index = k + 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<k])
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            k += 1
        }
        return nil
    }

    /// A number as a Double (integers converted), as `readNumber` gives it; plain decimals (the usual
    /// coordinate) take `NumberParsing.plainDecimal`, everything else the general path.
    mutating func readDouble() throws(JSONSyntaxError) -> Double {
        skipWhitespace()
        let start = index
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            guard NumberParsing.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { break }
            end += 1
        }
        let token = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        let digits = token.first == UInt8(ascii: "-") ? 1 : 0
        // JSON forbids leading zeros ("01"), which `plainDecimal` accepts; an exponent or '+' stops the
        // token early, and then the byte after it is not a delimiter: both go the general way.
        let leadingZero = token.count > digits + 1 && token[digits] == UInt8(ascii: "0") && NumberParsing.isDigit(token[digits + 1])
        let next = end < bytes.count ? bytes[end] | 0x20 : 0
        if !leadingZero, next != UInt8(ascii: "e"), next != UInt8(ascii: "+") | 0x20, let value = NumberParsing.plainDecimal(token) {
            index = end
            return value
        }
        switch try readNumber() {
        case .integer(let number): return Double(number)
        case .double(let number): return number
        default: fatalError("readNumber returns only numbers")
        }
    }

    /// A string value; the scanner must be at its opening quote (after whitespace).
    mutating func readString() throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard index - start <= limits.maxStringBytes else {
                    throw error("string longer than \(limits.maxStringBytes) bytes", at: start - 1)
                }
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let text = UTF8Text.string(raw) else {
                    throw error("string is not valid UTF-8", at: start - 1)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if byte < 0x20 { throw error("control character in a string (escape it)") }
            index += 1
        }
        throw error("unterminated string", at: start - 1)
    }

    private mutating func readEscapedString(from start: Int) throws(JSONSyntaxError) -> String {
        var decoded = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if decoded.count > limits.maxStringBytes {
                throw error("string longer than \(limits.maxStringBytes) bytes", at: start - 1)
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = UTF8Text.string(decoded) else {
                    throw error("string is not valid UTF-8", at: start - 1)
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        // A high surrogate must be followed by an escaped low one.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate \\u\(String(scalar, radix: 16))")
                        }
                        index += 2
                        let low = try readHex4()
                        guard low >= 0xDC00, low < 0xE000 else { throw error("unpaired surrogate \\u\(String(scalar, radix: 16))") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00, scalar < 0xE000 {
                        throw error("unpaired surrogate \\u\(String(scalar, radix: 16))")
                    }
                    decoded.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'", at: index - 2)
                }
            default:
                if byte < 0x20 { throw error("control character in a string (escape it)") }
                decoded.append(byte)
                index += 1
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

/// An object key as read: raw bytes of plain ASCII keys, or the decoded text of any other.
struct JSONKey {
    let bytes: UnsafeRawBufferPointer
    let decoded: String?

    var string: String { decoded ?? String(decoding: bytes, as: UTF8.self) }

    /// Equal to `text` (plain ASCII), without building a String for byte keys.
    @inline(__always)
    func matches(_ text: StaticString) -> Bool {
        if let decoded { return decoded == text.description }
        let count = text.utf8CodeUnitCount
        return bytes.count == count && (count == 0 || memcmp(bytes.baseAddress!, text.utf8Start, count) == 0)
    }
}

extension JSONValue {
    /// Parses one complete JSON text (RFC 8259; surrounding whitespace allowed).
    public init(parsing bytes: UnsafeRawBufferPointer, limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError) {
        var scanner = JSONScanner(bytes, limits: limits)
        let value = try scanner.readValue(depth: 0)
        try scanner.expectEnd()
        self = value
    }

    public init(parsing text: String, limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError) {
        var copy = text
        let result: Result<JSONValue, JSONSyntaxError> = copy.withUTF8 { utf8 in
            do throws(JSONSyntaxError) {
                return .success(try JSONValue(parsing: UnsafeRawBufferPointer(utf8), limits: limits))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }
}
