public import GeoCore

/// Appends operator results to a `String` as compact JSON text, one piece at a time.
///
/// Operators cannot import Runtime's `JSONWriter`, and they build each result in one pass without
/// an intermediate `JSONValue` tree, so this is the small subset they need: keys written by the
/// caller in the order the topic's schema fixes, numbers, escaped strings, and GeoJSON polygons.
/// Doubles print in Swift's shortest round-tripping form, so a reader gets back the same bits;
/// non-finite doubles (no valid geometry holds one) print as `null`, as JSON has no literal for them.
public enum JSONText {
    public static func appendDouble(_ number: Double, to out: inout String) {
        guard number.isFinite else {
            out += "null"
            return
        }
        // `description` is the shortest text reading back to the same bits, and valid JSON
        // ("3.0", "1e-05", "1e+16"); the ".0" keeps a double a double for typed readers.
        out += number.description
    }

    public static func appendInteger(_ number: some BinaryInteger, to out: inout String) {
        out += String(number)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, other text as is.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        let scalars = text.unicodeScalars
        var plainStart = scalars.startIndex
        var index = plainStart
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out += "\""
    }

    /// `[lon,lat]`
    public static func appendPosition(_ point: Point, to out: inout String) {
        out += "["
        appendDouble(point.lon, to: &out)
        out += ","
        appendDouble(point.lat, to: &out)
        out += "]"
    }

    /// A GeoJSON Polygon object with the rings exactly as stored (closed; winding untouched).
    public static func appendGeoJSON(_ polygon: Polygon, to out: inout String) {
        appendGeoJSONPolygon(rings: [polygon.exterior] + polygon.holes, to: &out)
    }

    /// A GeoJSON Polygon object whose only ring is `rect`'s outline, counter-clockwise from the
    /// south-west corner and closed, as RFC 7946 asks of exterior rings.
    public static func appendGeoJSONPolygon(outlining rect: Rect, to out: inout String) {
        appendGeoJSONPolygon(rings: [counterClockwiseRing(outlining: rect)], to: &out)
    }

    /// The closed counter-clockwise ring (5 positions) around `rect`, starting at its south-west corner.
    public static func counterClockwiseRing(outlining rect: Rect) -> [Point] {
        [
            Point(lon: rect.minX, lat: rect.minY),
            Point(lon: rect.maxX, lat: rect.minY),
            Point(lon: rect.maxX, lat: rect.maxY),
            Point(lon: rect.minX, lat: rect.maxY),
            Point(lon: rect.minX, lat: rect.minY),
        ]
    }

    private static func appendGeoJSONPolygon(rings: [[Point]], to out: inout String) {
        out += "{\"type\":\"Polygon\",\"coordinates\":["
        for (ringIndex, ring) in rings.enumerated() {
            if ringIndex > 0 { out += "," }
            out += "["
            for (index, point) in ring.enumerated() {
                if index > 0 { out += "," }
                appendPosition(point, to: &out)
            }
            out += "]"
        }
        out += "]}"
    }
}
