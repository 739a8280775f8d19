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
///
/// A final class: the index hands a fence to the exact test by reference, so a query costs no copy
/// of the shape (copying a struct holding polygons retains each of their arrays).
public final class PreparedFence: Sendable {
    enum Kind: UInt8, Sendable { case rect, circle, polygon, multiPolygon }

    // What the point test reads comes first: stored properties are laid out in declaration order,
    // so `kind` and `area` share the object's first cache line (they were two lines apart).
    let kind: Kind
    /// The polygon (as a one-part multipolygon) or the multipolygon, stored unwrapped so the point
    /// test borrows it in place: unwrapping an optional stored shape copied it, retaining its rings.
    private let area: MultiPolygon
    public let id: String
    public let shape: FenceShape
    public let bounds: Rect
    // The shape's payload unpacked, so a test reads it in place instead of binding the enum's payload.
    private let rect: Rect
    private let center: Point
    private let radius: Double
    private let polygon: Polygon?
    private let multiPolygon: MultiPolygon?
    /// Projection at a circle's centre (unused for other shapes).
    private let projection: LocalProjection
    private let radiusSquared: Double

    public init(_ definition: FenceDefinition) {
        id = definition.id
        shape = definition.shape
        bounds = definition.shape.bounds
        var rect = Rect.empty, center = Point(x: 0, y: 0), radius = 0.0
        var polygon: Polygon?, multiPolygon: MultiPolygon?
        switch definition.shape {
        case let .rect(shape):
            kind = .rect
            rect = shape
        case let .circle(centre, metres):
            kind = .circle
            center = centre
            radius = metres
        case let .polygon(shape):
            kind = .polygon
            polygon = shape
        case let .multiPolygon(shape):
            kind = .multiPolygon
            multiPolygon = shape
        }
        self.rect = rect
        self.center = center
        self.radius = radius
        self.polygon = polygon
        self.multiPolygon = multiPolygon
        area = multiPolygon ?? MultiPolygon(polygon.map { [$0] } ?? [])
        projection = LocalProjection(origin: center)
        radiusSquared = radius * radius
    }

    /// Position inside or on the fence.
    @inline(__always)
    public func contains(_ point: Point) -> Bool {
        switch kind {
        case .rect: return rect.contains(point)
        case .circle: return Geodesy.distance(center, point) <= radius
        case .polygon, .multiPolygon: return area.contains(point)
        }
    }

    /// The closed segment shares a point with the fence.
    public func intersects(_ segment: Segment) -> Bool {
        switch kind {
        case .rect:
            guard rect.intersects(segment.bounds) else { return false }
            if rect.contains(segment.a) || rect.contains(segment.b) { return true }
            // Neither end inside the closed rect: the segment meets the rect only through its outline.
            let corners = (Point(x: rect.minX, y: rect.minY), Point(x: rect.maxX, y: rect.minY),
                           Point(x: rect.maxX, y: rect.maxY), Point(x: rect.minX, y: rect.maxY))
            return segment.intersects(Segment(corners.0, corners.1)) || segment.intersects(Segment(corners.1, corners.2))
                || segment.intersects(Segment(corners.2, corners.3)) || segment.intersects(Segment(corners.3, corners.0))
        case .circle:
            return projectedSegmentWithinRadius(segment.a, segment.b)
        case .polygon:
            return polygon.unsafelyUnwrapped.intersects(segment)
        case .multiPolygon:
            return multiPolygon.unsafelyUnwrapped.intersects(segment)
        }
    }

    /// The area (polygon or multipolygon; a point geometry is tested as a position) shares a point
    /// with the fence.
    public func intersects(_ geometry: Geometry) -> Bool {
        guard bounds.intersects(geometry.bounds) else { return false }
        switch kind {
        case .rect: return geometry.intersects(rect)
        case .circle:
            switch geometry {
            case let .point(point): return contains(point)
            case let .polygon(polygon): return circleIntersects(polygon)
            case let .multiPolygon(multi): return multi.polygons.contains { circleIntersects($0) }
            }
        case .polygon: return geometry.intersects(.polygon(polygon.unsafelyUnwrapped))
        case .multiPolygon: return geometry.intersects(.multiPolygon(multiPolygon.unsafelyUnwrapped))
        }
    }

    /// A polygon meets the circle when it holds the centre or one of its edges comes within the
    /// radius (which also covers a polygon wholly inside the circle).
    private func circleIntersects(_ polygon: Polygon) -> Bool {
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
