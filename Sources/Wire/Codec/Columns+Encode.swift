import GeoCore

/// The columns every payload shares: a string dictionary with per-record indexes, event times,
/// and coordinates. Layouts are specified in docs/wire-format.md; the readers are in
/// `Columns+Decode.swift` and must stay in step with these writers.
enum Columns {
    /// Coordinate mode byte for raw IEEE-754 bits (XOR with the reference); 0...7 mean fixed point
    /// at 10^mode.
    static let rawCoordinateMode: UInt8 = 8
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7]
    /// Time unit byte: 0 = milliseconds, 1 = whole seconds (every t divisible by 1000).
    static let millisecondsPerSecond: Int64 = 1000

    // MARK: Dictionary

    /// A dictionary entry header: `(value << 1) | 1` for a canonical decimal id such as an MMSI
    /// (no sign, no leading zero, at most 18 digits), else `length << 1` followed by the UTF-8 bytes.
    /// The interner worked out every header already; the column takes one buffer reservation.
    static func writeDictionary(_ interner: StringInterner, into writer: inout ByteWriter) {
        let count = interner.strings.count
        writer.appendVarint(UInt64(count))
        interner.headers.withUnsafeBufferPointer { headers in
            interner.strings.withUnsafeBufferPointer { strings in
                writer.write(reserving: count * Varint.maxBytes + interner.textBytes) { p in
                    var n = 0
                    for i in 0..<count {
                        let header = headers[i]
                        n += Varint.put(header, at: p + n)
                        if header & 1 == 0 {
                            n += copyUTF8(of: strings[i], to: p + n)
                        }
                    }
                    return n
                }
            }
        }
    }

    /// Copies the string's UTF-8 bytes to `p`, returning how many.
    @inline(__always)
    private static func copyUTF8(of string: String, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if let copied = string.utf8.withContiguousStorageIfAvailable({ utf8 -> Int in
            if let base = utf8.baseAddress { p.update(from: base, count: utf8.count) }
            return utf8.count
        }) {
            return copied
        }
        var n = 0
        for byte in string.utf8 {
            p[n] = byte
            n += 1
        }
        return n
    }

    /// The value of a string that is exactly how `String(UInt64)` would print it, if at most 18 digits.
    static func canonicalDecimal(_ string: String) -> UInt64? {
        var string = string
        return string.withUTF8 { canonicalDecimal($0) }
    }

    /// The value of UTF-8 digits that are exactly how `String(UInt64)` would print it, if at most
    /// 18 digits (so the value never overflows and fits a varint header with a tag bit).
    @inline(__always)
    static func canonicalDecimal(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
        let count = digits.count
        guard count >= 1, count <= 18, let p = digits.baseAddress else { return nil }
        if count > 1 && p[0] == UInt8(ascii: "0") { return nil }
        var value: UInt64 = 0
        for i in 0..<count {
            let d = p[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            value = value &* 10 &+ UInt64(d)
        }
        return value
    }

    /// Dictionaries of at most 2^14 entries (every batch of up to 16,384 records) have indexes of
    /// one or two varint bytes, written by `putOneOrTwoBytes`; larger ones by `Varint.put`.
    static func writeIndexes(_ indexes: UnsafeBufferPointer<Int32>, dictionaryCount: Int, into writer: inout ByteWriter) {
        guard dictionaryCount <= 1 << 14 else { return writeIndexes(indexes, into: &writer) }
        // `putOneOrTwoBytes` stores two bytes: room for the last one's spare byte.
        writer.write(reserving: indexes.count * 2 + 2) { p in
            var n = 0
            for index in indexes { n += putOneOrTwoBytes(UInt32(bitPattern: index), at: p + n) }
            return n
        }
    }

    /// `Varint.put` for values below 2^14, without branches or the leading-zero count: an index
    /// is one byte or two in no predictable order. Stores two bytes (the second is garbage when
    /// the varint is one byte long).
    @inline(__always)
    private static func putOneOrTwoBytes(_ value: UInt32, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let twoBytes = value >> 7 != 0 ? 1 : 0
        let word = (value & 0x7F) | UInt32(twoBytes << 7) | (value >> 7) << 8
        UnsafeMutableRawPointer(p).storeBytes(of: UInt16(truncatingIfNeeded: word).littleEndian, as: UInt16.self)
        return 1 + twoBytes
    }

    static func writeIndexes(_ indexes: UnsafeBufferPointer<Int32>, into writer: inout ByteWriter) {
        // `Varint.put` stores a whole word: room for the last one's spare bytes.
        writer.write(reserving: indexes.count * 5 + Varint.maxBytes) { p in
            var n = 0
            for index in indexes { n += Varint.put(UInt64(UInt32(bitPattern: index)), at: p + n) }
            return n
        }
    }

    /// For each record, the record whose coordinates it is delta-coded against: the previous record
    /// of the same dictionary entry, else the record before it (-1: the origin 0).
    static func references(for indexes: UnsafeBufferPointer<Int32>, dictionaryCount: Int, into references: UnsafeMutableBufferPointer<Int32>, last: inout [Int32]) {
        last.removeAll(keepingCapacity: true)
        last.append(contentsOf: repeatElement(-1, count: dictionaryCount))
        last.withUnsafeMutableBufferPointer { last in
            for i in 0..<indexes.count {
                let entry = Int(indexes[i])
                let previous = last[entry]
                references[i] = previous >= 0 ? previous : Int32(i) - 1
                last[entry] = Int32(i)
            }
        }
    }

    // MARK: Time

    /// A unit byte, then each time (divided by the unit) as a zigzag varint delta from the previous
    /// record's, the first from 0. Deltas wrap, so Int64.min and Int64.max next to each other work.
    static func writeTimes(_ times: UnsafeBufferPointer<Int64>, into writer: inout ByteWriter) {
        let unitPosition = writer.count
        // Optimistically in whole seconds (the usual case), checked as it goes; the first time
        // that is not rewrites the column in milliseconds.
        writer.append(1)
        var wholeSeconds = true
        writer.write(reserving: times.count * Varint.maxBytes) { p in
            var n = 0
            var previous: Int64 = 0
            for t in times {
                let (value, remainder) = t.quotientAndRemainder(dividingBy: millisecondsPerSecond)
                if remainder != 0 {
                    wholeSeconds = false
                    return n
                }
                n += putMostlyOneByte(Zigzag.encode(value &- previous), at: p + n)
                previous = value
            }
            return n
        }
        if wholeSeconds { return }
        writer.truncate(to: unitPosition)
        writer.append(0)
        writer.write(reserving: times.count * Varint.maxBytes) { p in
            var n = 0
            var previous: Int64 = 0
            for t in times {
                n += Varint.put(Zigzag.encode(t &- previous), at: p + n)
                previous = t
            }
            return n
        }
    }

    /// `Varint.put` with a branch for one-byte values first: time deltas of a time-ordered stream
    /// are almost all one byte (0 or a few seconds), so the branch is predictable there and skips
    /// the word-spreading arithmetic (about 20 instructions). Same bytes as `Varint.put`.
    @inline(__always)
    static func putMostlyOneByte(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        if value < 0x80 {
            p.pointee = UInt8(truncatingIfNeeded: value)
            return 1
        }
        return Varint.put(value, at: p)
    }

    // MARK: Coordinates

    /// `value` as an integer at `scale` when dividing that integer by `scale` gives back exactly
    /// the same bits (so -0.0, NaN, infinities and values finer than the scale are refused).
    @inline(__always)
    static func fixedPoint(_ value: Double, scale: Double) -> Int64? {
        let scaled = value * scale
        guard scaled.magnitude < 0x1p51 else { return nil }
        // Round to nearest with the 1.5 * 2^52 trick: cheaper than `rounded()`'s libm call. The
        // sum lies in [2^52, 2^53), where the ulp is 1, so its low 52 mantissa bits are the
        // rounded integer plus 2^51 (read without Int64(Double)'s range checks), and the
        // difference is that integer as a Double, exactly.
        let biased = scaled + 0x1.8p52
        let rounded = biased - 0x1.8p52
        guard (rounded / scale).bitPattern == value.bitPattern else { return nil }
        return Int64(bitPattern: biased.bitPattern & 0x000F_FFFF_FFFF_FFFF) &- 0x0008_0000_0000_0000
    }

    /// The smallest decimal exponent 0...7 at which every coordinate is fixed-point exact, or nil.
    static func decimalExponent(_ points: UnsafeBufferPointer<Point>) -> Int? {
        var exponent = 0
        for point in points {
            while !isFixedPoint(point, exponent: exponent) {
                exponent += 1
                guard exponent < powersOfTen.count else { return nil }
            }
        }
        return exponent
    }

    @inline(__always)
    static func isFixedPoint(_ point: Point, exponent: Int) -> Bool {
        fixedPoint(point.x, scale: powersOfTen[exponent]) != nil && fixedPoint(point.y, scale: powersOfTen[exponent]) != nil
    }

    /// A mode byte, then per point x and y: zigzag varint deltas of the fixed-point integers from
    /// the reference point's (`references[i]`, or the previous point when nil; -1 is the origin),
    /// or in raw mode the IEEE bits XOR the reference's, 8 bytes little-endian each.
    ///
    /// One pass at the current decimal exponent, starting at 0; a point that is not exact at it
    /// raises the exponent to the first that fits that point and the column is rewritten from the
    /// start, so every written value was checked at the exponent finally used.
    static func writeCoordinates(
        _ points: UnsafeBufferPointer<Point>, references: UnsafeBufferPointer<Int32>?,
        fixed: inout [Int64], into writer: inout ByteWriter
    ) {
        let count = points.count
        let columnStart = writer.count
        if fixed.count < 2 * count { fixed.append(contentsOf: repeatElement(0, count: 2 * count - fixed.count)) }
        let wroteFixedPoint = fixed.withUnsafeMutableBufferPointer { fixed -> Bool in
            var exponent = 0
            while true {
                let scale = powersOfTen[exponent]
                var failed = -1
                writer.truncate(to: columnStart)
                writer.append(UInt8(exponent))
                writer.write(reserving: count * 2 * Varint.maxBytes) { p in
                    var n = 0
                    for i in 0..<count {
                        guard let x = fixedPoint(points[i].x, scale: scale), let y = fixedPoint(points[i].y, scale: scale) else {
                            failed = i
                            return n
                        }
                        fixed[2 * i] = x
                        fixed[2 * i + 1] = y
                        let reference = references.map { Int($0[i]) } ?? i - 1
                        var rx: Int64 = 0
                        var ry: Int64 = 0
                        if reference >= 0 {
                            rx = fixed[2 * reference]
                            ry = fixed[2 * reference + 1]
                        }
                        n += Varint.put(Zigzag.encode(x &- rx), at: p + n)
                        n += Varint.put(Zigzag.encode(y &- ry), at: p + n)
                    }
                    return n
                }
                if failed < 0 { return true }
                repeat {
                    exponent += 1
                    if exponent == powersOfTen.count { return false }
                } while !isFixedPoint(points[failed], exponent: exponent)
            }
        }
        if wroteFixedPoint { return }
        writer.truncate(to: columnStart)
        writer.append(rawCoordinateMode)
        writer.write(reserving: count * 16) { p in
            let raw = UnsafeMutableRawPointer(p)
            for i in 0..<count {
                let reference = references.map { Int($0[i]) } ?? i - 1
                let (rx, ry) = reference >= 0 ? (points[reference].x.bitPattern, points[reference].y.bitPattern) : (0, 0)
                raw.storeBytes(of: (points[i].x.bitPattern ^ rx).littleEndian, toByteOffset: 16 * i, as: UInt64.self)
                raw.storeBytes(of: (points[i].y.bitPattern ^ ry).littleEndian, toByteOffset: 16 * i + 8, as: UInt64.self)
            }
            return count * 16
        }
    }
}
