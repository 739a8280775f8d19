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
