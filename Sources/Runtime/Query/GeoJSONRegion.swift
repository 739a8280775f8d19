public import GeoCore
public import Wire

/// The region of a `within` query from GeoJSON: a Polygon or MultiPolygon geometry, a Feature holding
/// one, or a FeatureCollection (its polygonal features together, as one MultiPolygon).
///
/// Rings are validated like input polygons (closed, >= 4 positions, simple, lon/lat in range), so a
/// query never runs against a shape the predicates cannot answer for.
public enum GeoJSONRegion {
    public static func geometry(from value: JSONValue) throws(QueryError) -> Geometry {
        let polygons = try polygons(in: value, depth: 0)
        guard !polygons.isEmpty else { throw QueryError("the within region holds no Polygon or MultiPolygon") }
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(MultiPolygon(polygons))
    }

    private static func polygons(in value: JSONValue, depth: Int) throws(QueryError) -> [Polygon] {
        guard depth < 3, case let .object(object) = value, case let .string(type)? = object["type"] else {
            throw QueryError("the within region must be a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection")
        }
        switch type {
        case "Polygon":
            return [try polygon(object["coordinates"])]
        case "MultiPolygon":
            guard case let .array(parts)? = object["coordinates"] else { throw QueryError("MultiPolygon needs coordinates") }
            return try parts.map { part throws(QueryError) in try polygon(part) }
        case "Feature":
            guard let geometry = object["geometry"], geometry != .null else { return [] }
            return try polygons(in: geometry, depth: depth + 1)
        case "FeatureCollection":
            guard case let .array(features)? = object["features"] else { throw QueryError("FeatureCollection needs features") }
            var all: [Polygon] = []
            for feature in features {
                // Points and lines in a collection carry no area: they cannot contain anything.
                if case let .object(member) = feature, case let .object(geometry)? = member["geometry"],
                   case let .string(kind)? = geometry["type"], kind != "Polygon" && kind != "MultiPolygon" {
                    continue
                }
                all += try polygons(in: feature, depth: depth + 1)
            }
            return all
        default:
            throw QueryError("the within region is a \(type); it must be a Polygon or MultiPolygon (or a Feature/FeatureCollection of them)")
        }
    }

    private static func polygon(_ value: JSONValue?) throws(QueryError) -> Polygon {
        guard case let .array(rings)? = value, !rings.isEmpty else { throw QueryError("Polygon needs coordinates: an array of rings") }
        var points: [[Point]] = []
        for ring in rings {
            guard case let .array(positions) = ring else { throw QueryError("a Polygon ring must be an array of positions") }
            var ringPoints: [Point] = []
            for position in positions {
                guard case let .array(pair) = position, pair.count >= 2,
                      let lon = number(pair[0]), let lat = number(pair[1]) else {
                    throw QueryError("a Polygon position must be [lon, lat]")
                }
                ringPoints.append(Point(lon: lon, lat: lat))
            }
            points.append(ringPoints)
        }
        do {
            return try Polygon(exterior: points[0], holes: Array(points.dropFirst()))
        } catch {
            throw QueryError("invalid within region: \(error)")
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case let .integer(number): Double(number)
        case let .double(number): number
        default: nil
        }
    }
}
