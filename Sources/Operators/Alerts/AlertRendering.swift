import GeoCore
import Wire

/// The JSON text of one `alerts` result (ARCHITECTURE §8), keys always in this order:
/// `{"kind","fence","object","lon","lat","props"}`, then `"geometry"` (GeoJSON) for polygon objects.
///
/// Numbers use JSONText's shortest round-trip form and props keep their members in input order, so
/// the same alert renders to the same bytes on every worker and every run.
enum AlertRendering {
    static func render(kind: AlertKind, fence: String, object: String, position: Point,
                       geometry: Geometry?, props: JSONObject) -> String {
        var json = JSONText(reservingCapacity: 96 + 16 * props.count)
        json.appendRaw("{\"kind\":")
        json.appendString(kind.rawValue)
        json.appendRaw(",\"fence\":")
        json.appendString(fence)
        json.appendRaw(",\"object\":")
        json.appendString(object)
        json.appendRaw(",\"lon\":")
        json.appendDouble(position.lon)
        json.appendRaw(",\"lat\":")
        json.appendDouble(position.lat)
        json.appendRaw(",\"props\":")
        json.appendObject(props)
        if let geometry {
            json.appendRaw(",\"geometry\":")
            json.appendGeoJSON(geometry)
        }
        json.appendRaw("}")
        return json.text
    }
}

extension JSONText {
    /// A props value as read: integers exact, doubles shortest round-trip, members in input order.
    mutating func appendValue(_ value: JSONValue) {
        switch value {
        case .null: appendRaw("null")
        case let .bool(flag): if flag { appendRaw("true") } else { appendRaw("false") }
        case let .integer(number): appendInteger(number)
        case let .double(number): appendDouble(number)
        case let .string(text): appendString(text)
        case let .array(items):
            appendRaw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { appendRaw(",") }
                appendValue(item)
            }
            appendRaw("]")
        case let .object(object): appendObject(object)
        }
    }

    mutating func appendObject(_ object: JSONObject) {
        appendRaw("{")
        for (index, member) in object.members.enumerated() {
            if index > 0 { appendRaw(",") }
            appendString(member.key)
            appendRaw(":")
            appendValue(member.value)
        }
        appendRaw("}")
    }

    /// A GeoJSON Point, Polygon or MultiPolygon object, rings as stored.
    mutating func appendGeoJSON(_ geometry: Geometry) {
        switch geometry {
        case let .point(point):
            appendRaw("{\"type\":\"Point\",\"coordinates\":")
            appendPosition(point)
            appendRaw("}")
        case let .polygon(polygon):
            appendGeoJSON(polygon)
        case let .multiPolygon(multi):
            appendRaw("{\"type\":\"MultiPolygon\",\"coordinates\":[")
            for (partIndex, part) in multi.polygons.enumerated() {
                if partIndex > 0 { appendRaw(",") }
                appendRaw("[")
                for (ringIndex, ring) in ([part.exterior] + part.holes).enumerated() {
                    if ringIndex > 0 { appendRaw(",") }
                    appendRaw("[")
                    for (index, point) in ring.enumerated() {
                        if index > 0 { appendRaw(",") }
                        appendPosition(point)
                    }
                    appendRaw("]")
                }
                appendRaw("]")
            }
            appendRaw("]}")
        }
    }
}
