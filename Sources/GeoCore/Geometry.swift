/// What an index entry or a query region can be.
///
/// All predicates are planar in lon/lat and treat boundaries as part of the shape.
public enum Geometry: Hashable, Sendable {
    case point(Point)
    case polygon(Polygon)
    case multiPolygon(MultiPolygon)

    public var bounds: Rect {
        switch self {
        case .point(let p): return Rect(point: p)
        case .polygon(let p): return p.bounds
        case .multiPolygon(let m): return m.bounds
        }
    }

    public func intersects(_ rect: Rect) -> Bool {
        switch self {
        case .point(let p): return rect.contains(p)
        case .polygon(let p): return p.intersects(rect)
        case .multiPolygon(let m): return m.intersects(rect)
        }
    }

    public func intersects(_ other: Geometry) -> Bool {
        switch (self, other) {
        case (.point(let a), .point(let b)): return a == b
        case (.point(let a), _): return other.contains(a)
        case (_, .point(let b)): return contains(b)
        case (.polygon(let a), .polygon(let b)): return a.intersects(b)
        case (.polygon(let a), .multiPolygon(let b)): return b.intersects(a)
        case (.multiPolygon(let a), .polygon(let b)): return a.intersects(b)
        case (.multiPolygon(let a), .multiPolygon(let b)): return a.intersects(b)
        }
    }

    /// Point in the shape, boundary included; for `.point`, equality.
    public func contains(_ point: Point) -> Bool {
        switch self {
        case .point(let p): return p == point
        case .polygon(let p): return p.contains(point)
        case .multiPolygon(let m): return m.contains(point)
        }
    }

    /// True when this shape lies inside `container` (boundaries may touch).
    ///
    /// An area is never within a point; an empty MultiPolygon is within nothing.
    public func isWithin(_ container: Geometry) -> Bool {
        switch (self, container) {
        case (.point(let p), _): return container.contains(p)
        case (_, .point): return false
        case (.polygon(let p), .polygon(let c)): return c.contains(p)
        case (.polygon(let p), .multiPolygon(let c)): return c.contains(p)
        case (.multiPolygon(let m), _):
            return !m.polygons.isEmpty && m.polygons.allSatisfy { Geometry.polygon($0).isWithin(container) }
        }
    }
}
