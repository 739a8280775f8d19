public import GeoCore

/// Builds one operator result as compact JSON text, appending UTF-8 bytes to a buffer.
///
/// Operators cannot import Runtime's `JSONWriter`, and they emit results by the hundred thousand
/// (a heatmap publishes every non-empty cell of every window), so this writes bytes into one
/// reserved buffer instead of concatenating `String`s, which costs an allocation and a uniqueness
/// check per piece. It is the subset operators need: keys and punctuation written by the caller in
/// the order the topic's schema fixes, integers, doubles, escaped strings, GeoJSON polygons.
/// Doubles print in Swift's shortest round-tripping form, so a reader gets back the same bits;
/// non-finite doubles (no valid geometry holds one) print as `null`, as JSON has no literal for them.
public struct JSONText {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The text so far (always valid UTF-8: every piece appended is).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Punctuation and keys, copied as they are (the caller writes valid JSON).
    public mutating func appendRaw(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func appendInteger(_ number: Int) {
        appendInteger(Int64(number))
    }

    public mutating func appendInteger(_ number: Int64) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        // Digits come out last first: write them into a small stack buffer, then copy in order.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    public mutating func appendDouble(_ number: Double) {
        guard number.isFinite else {
            appendRaw("null")
            return
        }
        // `description` is the shortest text reading back to the same bits, and valid JSON
        // ("3.0", "1e-05", "1e+16"); the ".0" keeps a double a double for typed readers.
        bytes.append(contentsOf: number.description.utf8)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, other text as is
    /// (UTF-8 passes through: JSON needs no other escape).
    public mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): appendRaw("\\\"")
            case UInt8(ascii: "\\"): appendRaw("\\\\")
            case UInt8(ascii: "\n"): appendRaw("\\n")
            case UInt8(ascii: "\r"): appendRaw("\\r")
            case UInt8(ascii: "\t"): appendRaw("\\t")
            case 0..<0x20:
                appendRaw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes the caller knows need no escaping (an id made of ASCII digits and punctuation).
    mutating func appendUnescaped(_ utf8: some Sequence<UInt8>) {
        bytes.append(contentsOf: utf8)
    }

    /// `[lon,lat]`
    public mutating func appendPosition(_ point: Point) {
        bytes.append(UInt8(ascii: "["))
        appendDouble(point.lon)
        bytes.append(UInt8(ascii: ","))
        appendDouble(point.lat)
        bytes.append(UInt8(ascii: "]"))
    }

    /// `[lon,lat]` from numbers formatted earlier with `formatted(_:)`.
    public mutating func appendPosition(_ lon: [UInt8], _ lat: [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        bytes.append(contentsOf: lon)
        bytes.append(UInt8(ascii: ","))
        bytes.append(contentsOf: lat)
        bytes.append(UInt8(ascii: "]"))
    }

    /// What `appendDouble` appends, as bytes to reuse: for numbers that recur in many results.
    public static func formatted(_ number: Double) -> [UInt8] {
        var json = JSONText(reservingCapacity: 24)
        json.appendDouble(number)
        return json.bytes
    }

    /// A GeoJSON Polygon object with the rings exactly as stored (closed; winding untouched).
    public mutating func appendGeoJSON(_ polygon: Polygon) {
        appendRaw("{\"type\":\"Polygon\",\"coordinates\":[")
        for (ringIndex, ring) in ([polygon.exterior] + polygon.holes).enumerated() {
            if ringIndex > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "["))
            for (index, point) in ring.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendPosition(point)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        appendRaw("]}")
    }

    /// A GeoJSON Polygon object whose only ring is `rect`'s outline: `counterClockwiseRing(outlining:)`.
    public mutating func appendGeoJSONPolygon(outlining rect: Rect) {
        let west = Self.formatted(rect.minX), south = Self.formatted(rect.minY)
        let east = Self.formatted(rect.maxX), north = Self.formatted(rect.maxY)
        appendRaw("{\"type\":\"Polygon\",\"coordinates\":[[")
        appendPosition(west, south)
        appendRaw(",")
        appendPosition(east, south)
        appendRaw(",")
        appendPosition(east, north)
        appendRaw(",")
        appendPosition(west, north)
        appendRaw(",")
        appendPosition(west, south)
        appendRaw("]]}")
    }

    /// The closed counter-clockwise ring (5 positions) around `rect`, starting at its south-west
    /// corner, as RFC 7946 asks of exterior rings.
    public static func counterClockwiseRing(outlining rect: Rect) -> [Point] {
        [
            Point(lon: rect.minX, lat: rect.minY),
            Point(lon: rect.maxX, lat: rect.minY),
            Point(lon: rect.maxX, lat: rect.maxY),
            Point(lon: rect.minX, lat: rect.maxY),
            Point(lon: rect.minX, lat: rect.minY),
        ]
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
