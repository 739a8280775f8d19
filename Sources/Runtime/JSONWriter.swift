public import GeoCore
public import Wire

/// Renders events, rejections and geometries as compact JSON text, one object per call.
///
/// Members keep the order they were given in (props stay in input order), integers stay exact, and
/// doubles print in Swift's shortest round-tripping form, so `JSONValue(parsing:)` reads back the
/// same values. Non-finite doubles (which no reader produces) print as `null`: JSON has no literal
/// for them.
public enum JSONWriter {
    /// `{"id":..,"t":..,"lon":..,"lat":..,"props":{..}}`
    public static func render(_ event: PointEvent) -> String {
        var out = "{\"id\":"
        appendString(event.id, to: &out)
        out += ",\"t\":\(event.t),\"lon\":"
        appendDouble(event.point.lon, to: &out)
        out += ",\"lat\":"
        appendDouble(event.point.lat, to: &out)
        out += ",\"props\":"
        append(.object(event.props), to: &out)
        out += "}"
        return out
    }

    /// `{"id":..,"t":..,"role":..,"geometry":<GeoJSON or null>,"props":{..}}`
    public static func render(_ event: PolygonEvent) -> String {
        var out = "{\"id\":"
        appendString(event.id, to: &out)
        out += ",\"t\":\(event.t),\"role\":\"\(event.role.rawValue)\",\"geometry\":"
        if let geometry = event.geometry { appendGeoJSON(geometry, to: &out) } else { out += "null" }
        out += ",\"props\":"
        append(.object(event.props), to: &out)
        out += "}"
        return out
    }

    /// `{"source":..,"line":..,"offset":..,"reason":..,"raw":..}`; `line`/`offset` are null when unknown.
    public static func render(_ rejection: Rejection) -> String {
        var out = "{\"source\":"
        appendString(rejection.source, to: &out)
        out += ",\"line\":" + (rejection.line.map(String.init) ?? "null")
        out += ",\"offset\":" + (rejection.offset.map(String.init) ?? "null")
        out += ",\"reason\":"
        appendString(rejection.reason, to: &out)
        out += ",\"raw\":"
        appendString(rejection.raw, to: &out)
        out += "}"
        return out
    }

    public static func render(_ value: JSONValue) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }

    /// A GeoJSON geometry object: Point, Polygon or MultiPolygon, rings as stored (closed).
    public static func renderGeoJSON(_ geometry: Geometry) -> String {
        var out = ""
        appendGeoJSON(geometry, to: &out)
        return out
    }

    public static func append(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .integer(number): out += String(number)
        case let .double(number): appendDouble(number, to: &out)
        case let .string(text): appendString(text, to: &out)
        case let .array(items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                append(item, to: &out)
            }
            out += "]"
        case let .object(object):
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                appendString(member.key, to: &out)
                out += ":"
                append(member.value, to: &out)
            }
            out += "}"
        }
    }

    public static func appendDouble(_ number: Double, to out: inout String) {
        guard number.isFinite else {
            out += "null"
            return
        }
        // Swift's description is the shortest text that reads back the same bits and is valid JSON
        // ("3.0", "1e+16"); keeping the ".0" makes a double read back as a double, not an integer.
        out += number.description
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, other text as is.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var plainStart = text.unicodeScalars.startIndex
        var index = plainStart
        let scalars = text.unicodeScalars
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

    static func appendGeoJSON(_ geometry: Geometry, to out: inout String) {
        switch geometry {
        case let .point(point):
            out += "{\"type\":\"Point\",\"coordinates\":"
            appendPosition(point, to: &out)
            out += "}"
        case let .polygon(polygon):
            out += "{\"type\":\"Polygon\",\"coordinates\":"
            appendRings(polygon, to: &out)
            out += "}"
        case let .multiPolygon(multiPolygon):
            out += "{\"type\":\"MultiPolygon\",\"coordinates\":["
            for (index, polygon) in multiPolygon.polygons.enumerated() {
                if index > 0 { out += "," }
                appendRings(polygon, to: &out)
            }
            out += "]}"
        }
    }

    private static func appendRings(_ polygon: Polygon, to out: inout String) {
        out += "["
        for (ringIndex, ring) in ([polygon.exterior] + polygon.holes).enumerated() {
            if ringIndex > 0 { out += "," }
            out += "["
            for (index, point) in ring.enumerated() {
                if index > 0 { out += "," }
                appendPosition(point, to: &out)
            }
            out += "]"
        }
        out += "]"
    }

    private static func appendPosition(_ point: Point, to out: inout String) {
        out += "["
        appendDouble(point.lon, to: &out)
        out += ","
        appendDouble(point.lat, to: &out)
        out += "]"
    }
}
