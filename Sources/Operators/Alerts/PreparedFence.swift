public import GeoCore

/// One fence with what its exact predicates need precomputed, so a query pays only for the test.
///
/// Every predicate counts the boundary as inside. Rects, polygons and multipolygons are planar in
/// lon/lat (edges straight in lon/lat, as everywhere in GeoCore). A circle's point test is the
/// haversine distance ≤ radius; its segment and polygon tests measure in a `LocalProjection` at the
/// centre, which is affine in lon/lat (a straight lon/lat segment stays straight), so only the
/// metric is approximated: a segment is taken to touch the circle when its projected distance from
/// the centre is ≤ radius, which is off from the haversine distance by at most the relative
/// `LocalProjection.relativeErrorBound(latitude: centre, extent: radius)` (about tan|φ|·r/R: 16 cm
/// for a 1 km circle at 45°). Circles reaching a pole or crossing the antimeridian give loose but
/// non-crashing answers there.
public struct PreparedFence: Sendable {
    public let id: String
    public let shape: FenceShape
    public let bounds: Rect
    /// Projection at a circle's centre (unused for other shapes).
    private let projection: LocalProjection
    private let radiusSquared: Double

    public init(_ definition: FenceDefinition) {
        id = definition.id
        shape = definition.shape
        bounds = definition.shape.bounds
        if case let .circle(center, radius) = definition.shape {
            projection = LocalProjection(origin: center)
            radiusSquared = radius * radius
        } else {
            projection = LocalProjection(origin: Point(x: 0, y: 0))
            radiusSquared = 0
        }
    }

    /// Position inside or on the fence.
    @inline(__always)
    public func contains(_ point: Point) -> Bool {
        switch shape {
        case let .rect(rect): return rect.contains(point)
        case let .circle(center, radius): return Geodesy.distance(center, point) <= radius
        case let .polygon(polygon): return polygon.contains(point)
        case let .multiPolygon(multi): return multi.contains(point)
        }
    }

    /// The closed segment shares a point with the fence.
    public func intersects(_ segment: Segment) -> Bool {
        switch shape {
        case let .rect(rect):
            guard rect.intersects(segment.bounds) else { return false }
            if rect.contains(segment.a) || rect.contains(segment.b) { return true }
            // Neither end inside the closed rect: the segment meets the rect only through its outline.
            let corners = (Point(x: rect.minX, y: rect.minY), Point(x: rect.maxX, y: rect.minY),
                           Point(x: rect.maxX, y: rect.maxY), Point(x: rect.minX, y: rect.maxY))
            return segment.intersects(Segment(corners.0, corners.1)) || segment.intersects(Segment(corners.1, corners.2))
                || segment.intersects(Segment(corners.2, corners.3)) || segment.intersects(Segment(corners.3, corners.0))
        case .circle:
            return projectedSegmentWithinRadius(segment.a, segment.b)
        case let .polygon(polygon):
            return polygon.intersects(segment)
        case let .multiPolygon(multi):
            return multi.intersects(segment)
        }
    }

    /// The area (polygon or multipolygon; a point geometry is tested as a position) shares a point
    /// with the fence.
    public func intersects(_ geometry: Geometry) -> Bool {
        guard bounds.intersects(geometry.bounds) else { return false }
        switch shape {
        case let .rect(rect): return geometry.intersects(rect)
        case .circle(let center, _):
            switch geometry {
            case let .point(point): return contains(point)
            case let .polygon(polygon): return circleIntersects(polygon, center: center)
            case let .multiPolygon(multi): return multi.polygons.contains { circleIntersects($0, center: center) }
            }
        case let .polygon(polygon): return geometry.intersects(.polygon(polygon))
        case let .multiPolygon(multi): return geometry.intersects(.multiPolygon(multi))
        }
    }

    /// A polygon meets the circle when it holds the centre or one of its edges comes within the
    /// radius (which also covers a polygon wholly inside the circle).
    private func circleIntersects(_ polygon: Polygon, center: Point) -> Bool {
        guard polygon.bounds.intersects(bounds) else { return false }
        if polygon.contains(center) { return true }
        for ring in [polygon.exterior] + polygon.holes where ring.count > 1 {
            for index in 0..<(ring.count - 1) where projectedSegmentWithinRadius(ring[index], ring[index + 1]) {
                return true
            }
        }
        return false
    }

    /// Distance from the centre (the projection's origin) to the projected segment ≤ radius.
    private func projectedSegmentWithinRadius(_ a: Point, _ b: Point) -> Bool {
        let p = projection.project(a), q = projection.project(b)
        let dx = q.x - p.x, dy = q.y - p.y
        let lengthSquared = dx * dx + dy * dy
        var t = 0.0
        if lengthSquared > 0 { t = Swift.min(1, Swift.max(0, -(p.x * dx + p.y * dy) / lengthSquared)) }
        let x = p.x + t * dx, y = p.y + t * dy
        return x * x + y * y <= radiusSquared
    }
}
