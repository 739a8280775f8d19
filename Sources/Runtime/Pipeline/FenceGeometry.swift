import GeoCore
import Operators
import Wire

/// Turns GeoJSON-style coordinates (from a fence file, or written inline in a pipeline file) into a
/// validated `FenceShape`. Every failure is a message a user can act on; the caller adds where.
enum FenceGeometry {
    struct Problem: Error {
        var message: String
    }

    /// A GeoJSON geometry object: Polygon, MultiPolygon, or Point with a radius (a circle).
    static func shape(geometry: JSONValue, radius: Double?) throws(Problem) -> FenceShape {
        guard case let .object(object) = geometry else { throw Problem(message: "geometry must be a GeoJSON object") }
        guard case let .string(type)? = object["type"] else { throw Problem(message: "geometry has no \"type\"") }
        guard let coordinates = object["coordinates"] else { throw Problem(message: "\(type) has no \"coordinates\"") }
        switch type {
        case "Polygon":
            return .polygon(try polygon(coordinates))
        case "MultiPolygon":
            return .multiPolygon(try multiPolygon(coordinates))
        case "Point":
            guard let radius else {
                throw Problem(message: "a Point fence needs properties.radius (metres) to be a circle")
            }
            return try circle(center: position(coordinates), radius: radius)
        default:
            throw Problem(message: "geometry type '\(type)' cannot be a fence (Polygon, MultiPolygon, or Point with properties.radius)")
        }
    }

    static func circle(center: Point, radius: Double) throws(Problem) -> FenceShape {
        guard radius.isFinite, radius > 0 else { throw Problem(message: "radius must be a positive distance, got \(radius)") }
        return .circle(center: center, radiusMetres: radius)
    }

    static func rect(_ values: [Double]) throws(Problem) -> FenceShape {
        guard values.count == 4 else { throw Problem(message: "a rect is [minLon, minLat, maxLon, maxLat], got \(values.count) numbers") }
        _ = try checked(Point(lon: values[0], lat: values[1]))
        _ = try checked(Point(lon: values[2], lat: values[3]))
        guard values[0] <= values[2], values[1] <= values[3] else {
            throw Problem(message: "a rect needs minLon <= maxLon and minLat <= maxLat, got \(values)")
        }
        return .rect(Rect(minX: values[0], minY: values[1], maxX: values[2], maxY: values[3]))
    }

    static func polygon(_ coordinates: JSONValue) throws(Problem) -> Polygon {
        let rings = try self.rings(coordinates, what: "Polygon coordinates")
        guard let exterior = rings.first else { throw Problem(message: "a Polygon needs at least its outer ring") }
        do {
            return try Polygon(exterior: exterior, holes: Array(rings.dropFirst()))
        } catch {
            throw Problem(message: error.description)
        }
    }

    static func multiPolygon(_ coordinates: JSONValue) throws(Problem) -> MultiPolygon {
        guard case let .array(parts) = coordinates, !parts.isEmpty else {
            throw Problem(message: "MultiPolygon coordinates must be a non-empty list of polygons")
        }
        var validated: [(exterior: [Point], holes: [[Point]])] = []
        for (index, part) in parts.enumerated() {
            let rings = try self.rings(part, what: "MultiPolygon part \(index)")
            guard let exterior = rings.first else { throw Problem(message: "MultiPolygon part \(index) has no outer ring") }
            validated.append((exterior, Array(rings.dropFirst())))
        }
        do {
            return try MultiPolygon(validating: validated)
        } catch {
            throw Problem(message: error.description)
        }
    }

    private static func rings(_ value: JSONValue, what: String) throws(Problem) -> [[Point]] {
        guard case let .array(rings) = value else { throw Problem(message: "\(what) must be a list of rings") }
        var result: [[Point]] = []
        for (index, ring) in rings.enumerated() {
            guard case let .array(positions) = ring else { throw Problem(message: "\(what): ring \(index) must be a list of positions") }
            var points: [Point] = []
            points.reserveCapacity(positions.count)
            for position in positions { points.append(try self.position(position)) }
            result.append(points)
        }
        return result
    }

    static func position(_ value: JSONValue) throws(Problem) -> Point {
        guard case let .array(numbers) = value, numbers.count >= 2,
              let lon = number(numbers[0]), let lat = number(numbers[1]) else {
            throw Problem(message: "a position must be [lon, lat], got \(value)")
        }
        return try checked(Point(lon: lon, lat: lat))
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case let .integer(number): Double(number)
        case let .double(number): number
        default: nil
        }
    }

    private static func checked(_ point: Point) throws(Problem) -> Point {
        guard point.lon.isFinite, point.lat.isFinite else { throw Problem(message: "coordinates must be finite numbers") }
        guard abs(point.lon) <= 180 else { throw Problem(message: "lon \(point.lon) is outside [-180, 180]") }
        guard abs(point.lat) <= 90 else { throw Problem(message: "lat \(point.lat) is outside [-90, 90]") }
        return point
    }
}
