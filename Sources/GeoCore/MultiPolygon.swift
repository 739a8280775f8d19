/// Several polygons treated as one area, e.g. a country with islands.
///
/// The parts are assumed to have disjoint interiors (touching at points is fine), as a valid
/// MultiPolygon has; the plain init does not check that. `contains(Polygon)`/`contains(Rect)` ask
/// whether one part holds the whole shape, which is exact under that assumption (a connected
/// interior cannot spread over parts that meet only at points); parts sharing edges are not merged.
public struct MultiPolygon: Hashable, Sendable {
    public var polygons: [Polygon] {
        didSet { bounds = Self.bounds(of: polygons) }
    }
    public private(set) var bounds: Rect

    public init(_ polygons: [Polygon]) {
        self.polygons = polygons
        self.bounds = Self.bounds(of: polygons)
    }

    /// Validates each part as `Polygon(exterior:holes:)` does; a failure carries the part's index in `polygon`.
    public init(validating parts: [(exterior: [Point], holes: [[Point]])]) throws(GeometryError) {
        var polygons: [Polygon] = []
        polygons.reserveCapacity(parts.count)
        for (index, part) in parts.enumerated() {
            do {
                polygons.append(try Polygon(exterior: part.exterior, holes: part.holes))
            } catch {
                var located = error
                located.polygon = index
                throw located
            }
        }
        self.init(polygons)
    }

    private static func bounds(of polygons: [Polygon]) -> Rect {
        polygons.reduce(Rect.empty) { $0.union($1.bounds) }
    }

    public static func == (lhs: MultiPolygon, rhs: MultiPolygon) -> Bool { lhs.polygons == rhs.polygons }
    public func hash(into hasher: inout Hasher) { hasher.combine(polygons) }

    public var vertexCount: Int { polygons.reduce(0) { $0 + $1.vertexCount } }

    /// Reads the parts in place (iterating the array would copy each part, retaining its rings).
    public func contains(_ point: Point) -> Bool {
        guard bounds.contains(point) else { return false }
        return polygons.withUnsafeBufferPointer { parts in
            for index in parts.indices where parts[index].contains(point) { return true }
            return false
        }
    }

    public func contains(_ rect: Rect) -> Bool {
        bounds.contains(rect) && polygons.contains { $0.contains(rect) }
    }

    public func contains(_ polygon: Polygon) -> Bool {
        bounds.contains(polygon.bounds) && polygons.contains { $0.contains(polygon) }
    }

    public func intersects(_ rect: Rect) -> Bool {
        bounds.intersects(rect) && polygons.contains { $0.intersects(rect) }
    }

    public func intersects(_ polygon: Polygon) -> Bool {
        bounds.intersects(polygon.bounds) && polygons.contains { $0.intersects(polygon) }
    }

    public func intersects(_ other: MultiPolygon) -> Bool {
        bounds.intersects(other.bounds) && polygons.contains { other.intersects($0) }
    }

    public func intersects(_ segment: Segment) -> Bool {
        bounds.intersects(segment.bounds) && polygons.contains { $0.intersects(segment) }
    }
}
