import Foundation

/// What a run of bytes holds when read as a number.
enum ParsedNumber: Equatable {
    /// No fraction, no exponent, fits Int64.
    case integer(Int64)
    case double(Double)
    /// Spelled as NaN/Infinity, or overflowed to infinity ("1e999").
    case nonFinite
    case invalid
}

/// Number parsing straight from bytes, so the hot path never builds a String per field.
///
/// Doubles are correctly rounded: the exact fast path (Clinger: <= 2^53 mantissa, |exp10| <= 22)
/// covers typical coordinates, anything else goes through `strtod`.
enum NumberParsing {
    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// Reads `bytes` as a number. `strict` applies JSON's grammar (no '+', no leading zeros, no bare
    /// '.'), used for props so that "007" stays text; coordinates accept the looser forms.
    static func parse(_ bytes: UnsafeRawBufferPointer, strict: Bool) -> ParsedNumber {
        let n = bytes.count
        guard n > 0 else { return .invalid }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            if strict { return .invalid }
            i = 1
        }
        guard i < n else { return .invalid }
        let first = bytes[i]
        if first < UInt8(ascii: "0") || first > UInt8(ascii: "9") {
            if first == UInt8(ascii: "."), !strict, i + 1 < n, isDigit(bytes[i + 1]) {
                // ".5" style: handled by the digit loop below.
            } else {
                return isNonFiniteSpelling(bytes, from: i) ? .nonFinite : .invalid
            }
        }
        if strict, first == UInt8(ascii: "0"), i + 1 < n, isDigit(bytes[i + 1]) { return .invalid }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = 0  // integer digits beyond 19, which scale by 10 each
        var exponent = 0
        var sawDigit = false
        while i < n, isDigit(bytes[i]) {
            sawDigit = true
            let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significantDigits += 1 }
            } else {
                droppedDigits += 1
            }
            i += 1
        }
        var isInteger = true
        if i < n, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            var fractionDigits = false
            while i < n, isDigit(bytes[i]) {
                fractionDigits = true
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- UInt8(ascii: "0"))
                    if mantissa != 0 { significantDigits += 1 }
                    exponent -= 1
                } else {
                    significantDigits += 1  // beyond 19 digits only strtod rounds correctly
                }
                i += 1
            }
            if !fractionDigits && (strict || !sawDigit) { return .invalid }
            sawDigit = sawDigit || fractionDigits
        }
        guard sawDigit else { return .invalid }
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(bytes[i]) else { return .invalid }
            var value = 0
            while i < n, isDigit(bytes[i]) {
                if value < 100_000 { value = value * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += expNegative ? -value : value
        }
        guard i == n else { return .invalid }

        if isInteger, droppedDigits == 0 {
            if negative {
                if mantissa <= UInt64(Int64.max) + 1 { return .integer(mantissa == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mantissa)) }
            } else if mantissa <= UInt64(Int64.max) {
                return .integer(Int64(mantissa))
            }
        }
        if significantDigits <= 19, droppedDigits == 0, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return .double(negative ? -value : value)
        }
        let value = slowDouble(bytes)
        return value.isFinite ? .double(value) : .nonFinite
    }

    /// `[-]digits[.digits]` with at most 19 digits, read exactly as `parse` would, or nil for any other
    /// text (which the caller sends through `parse`).
    ///
    /// The coordinate fast path: one loop, no strict/loose grammar branches. The result is bit-identical
    /// to `double(_:)`: an integer goes through Int64 first (so "-0" is +0.0, as there).
    @inline(__always)
    static func plainDecimal(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let n = bytes.count
        guard n > 0, n <= 21, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var i = 0
        let negative = base[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < n, isDigit(base[i]) {
            mantissa = mantissa &* 10 &+ UInt64(base[i] &- UInt8(ascii: "0"))
            i += 1
        }
        guard i > integerStart, i - integerStart <= 19 else { return nil }
        if i == n {
            guard mantissa <= 1 << 53 else { return nil }
            return negative ? Double(-Int64(mantissa)) : Double(mantissa)
        }
        guard base[i] == UInt8(ascii: ".") else { return nil }
        i += 1
        let fractionStart = i
        while i < n, isDigit(base[i]) {
            mantissa = mantissa &* 10 &+ UInt64(base[i] &- UInt8(ascii: "0"))
            i += 1
        }
        // At most 19 digits in all, so the mantissa cannot have wrapped.
        guard i == n, i > fractionStart, i - 1 - integerStart <= 19, mantissa <= 1 << 53 else { return nil }
        let value = Double(mantissa) / powersOfTen[i - fractionStart]
        return negative ? -value : value
    }

    /// `plainDecimal` for `[-]digits.digits` of at most 16 bytes with up to 8 digits each side,
    /// read as two 8-byte words (digit checks and conversion without a branch per digit), when
    /// `readableBytes` (the bytes that may be loaded from `bytes.baseAddress`, record and chunk
    /// after it included) is at least 24; anything else goes to `plainDecimal`. Same results, bit
    /// for bit: the same mantissa divided by the same power of ten.
    @inline(__always)
    static func plainDecimal(_ bytes: UnsafeRawBufferPointer, readableBytes: Int) -> Double? {
        let n = bytes.count
        guard n >= 3, n <= 16, readableBytes >= 24, let base = bytes.baseAddress else { return plainDecimal(bytes) }
        let zeros: UInt64 = 0x3030_3030_3030_3030
        let negative = base.load(as: UInt8.self) == UInt8(ascii: "-")
        let sign = negative ? 1 : 0
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: sign, as: UInt64.self))
        let dots = zeroBytes(word ^ 0x2E2E_2E2E_2E2E_2E2E)
        guard dots != 0 else { return plainDecimal(bytes) }
        let integerDigits = dots.trailingZeroBitCount >> 3
        let fractionDigits = n - sign - integerDigits - 1
        guard integerDigits >= 1, fractionDigits >= 1, fractionDigits <= 8 else { return plainDecimal(bytes) }
        let fraction = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: sign + integerDigits + 1, as: UInt64.self))
        // Each part moved to the top of its word, '0's shifted in below: leading zeros.
        let integerWord = (word << UInt64(8 * (8 - integerDigits))) | (zeros >> UInt64(8 * integerDigits))
        let fractionWord = (fraction << UInt64(8 * (8 - fractionDigits))) | (zeros >> UInt64(8 * fractionDigits))
        guard allDigits(integerWord), allDigits(fractionWord) else { return plainDecimal(bytes) }
        // At most 15 digits: below 2^53, so exact as a Double.
        let mantissa = eightDigits(integerWord) &* powersOfTenInteger[fractionDigits] &+ eightDigits(fractionWord)
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    /// The value of 9 to 16 ASCII digits and nothing else (epoch milliseconds have 13), read as two
    /// 8-byte words when `readableBytes` >= 16; nil otherwise, and for anything but digits (the
    /// caller then takes its byte loop, which gives the same value).
    @inline(__always)
    static func wordDigits(_ bytes: UnsafeRawBufferPointer, readableBytes: Int) -> Int64? {
        let n = bytes.count
        guard n >= 9, n <= 16, readableBytes >= 16, let base = bytes.baseAddress else { return nil }
        let zeros: UInt64 = 0x3030_3030_3030_3030
        let first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let rest = n - 8
        let second = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let secondWord = (second << UInt64(8 * (8 - rest))) | (zeros >> UInt64(8 * rest))
        guard allDigits(first), allDigits(secondWord) else { return nil }
        return Int64(eightDigits(first) &* powersOfTenInteger[rest] &+ eightDigits(secondWord))
    }

    private static let powersOfTenInteger: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Bytes of `word` that are 0 get their high bit set, the others 0 (exact per byte).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word) & 0x8080_8080_8080_8080
    }

    /// Every byte of `word` is an ASCII digit.
    @inline(__always)
    private static func allDigits(_ word: UInt64) -> Bool {
        // High nibbles all 3 (0x30...0x3F), and still 3 after adding 6 (so not 0x3A...0x3F); with the
        // first test true no byte can carry into the next.
        (word & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030
            && ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030
    }

    /// The value of 8 ASCII digits, the first (lowest-addressed) most significant.
    @inline(__always)
    private static func eightDigits(_ word: UInt64) -> UInt64 {
        var v = word &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        let pairsMask: UInt64 = 0x0000_00FF_0000_00FF
        let high: UInt64 = (v & pairsMask) &* (100 + (1_000_000 << 32))
        let low: UInt64 = ((v >> 16) & pairsMask) &* (1 + (10_000 << 32))
        return (high &+ low) >> 32
    }

    /// A finite Double, or nil for text, NaN and infinities (the caller words the rejection).
    static func double(_ bytes: UnsafeRawBufferPointer) -> ParsedNumber {
        switch parse(bytes, strict: false) {
        case .integer(let i): return .double(Double(i))
        case let other: return other
        }
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// "nan", "inf", "infinity" in any case (the sign was already consumed).
    private static func isNonFiniteSpelling(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        let word = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start...]), as: UTF8.self).lowercased()
        return word == "nan" || word == "inf" || word == "infinity"
    }

    /// strtod on a NUL-terminated copy: correct rounding for long mantissas and large exponents.
    private static func slowDouble(_ bytes: UnsafeRawBufferPointer) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for (k, byte) in bytes.enumerated() { buffer[k] = CChar(bitPattern: byte) }
            buffer[bytes.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes without leading and trailing ASCII spaces and tabs.
    func trimmingSpaces() -> UnsafeRawBufferPointer {
        var start = 0
        var end = count
        while start < end, self[start] == 0x20 || self[start] == 0x09 { start += 1 }
        while end > start, self[end - 1] == 0x20 || self[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: self[start..<end])
    }
}

/// Text from bytes that must be valid UTF-8, without the generic (slow) `String(validating:)` path.
enum UTF8Text {
    /// nil when `bytes` is not valid UTF-8.
    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        let buffer = UnsafeBufferPointer<UInt8>(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        var ascii = true
        for byte in buffer where byte & 0x80 != 0 {
            ascii = false
            break
        }
        let text = String(decoding: buffer, as: UTF8.self)
        if ascii { return text }
        // Decoding repairs invalid input with U+FFFD; any repair changes the bytes.
        return text.utf8.elementsEqual(buffer) ? text : nil
    }

    static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { string($0) }
    }
}
