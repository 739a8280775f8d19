/// A closed straight segment between two points, in planar coordinates (lon/lat treated as x/y).
///
/// Predicates are exact (see `Orientation`). A zero-length segment (`a == b`) behaves as a point.
public struct Segment: Hashable, Sendable {
    public var a: Point, b: Point

    @inlinable
    public init(_ a: Point, _ b: Point) {
        self.a = a
        self.b = b
    }

    public var bounds: Rect { Rect(point: a).union(b) }

    /// True when the closed segments share at least one point: touching at an endpoint, one endpoint
    /// on the other segment, and collinear overlap all count.
    @inlinable
    public func intersects(_ other: Segment) -> Bool {
        segmentsIntersect(a, b, other.a, other.b)
    }

    /// True when the segments cross at a single point interior to both (no touching, no collinearity).
    @inlinable
    public func properlyIntersects(_ other: Segment) -> Bool {
        let o1 = orientationSign(a, b, other.a), o2 = orientationSign(a, b, other.b)
        guard o1 * o2 < 0 else { return false }
        let o3 = orientationSign(other.a, other.b, a), o4 = orientationSign(other.a, other.b, b)
        return o3 * o4 < 0
    }

    /// Planar squared distance from `p` to the nearest point of the segment.
    public func squaredDistance(to p: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        var t = 0.0
        if lengthSquared > 0 {
            t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared
            t = Swift.min(1, Swift.max(0, t))
        }
        let ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y
        return ex * ex + ey * ey
    }
}

/// Exact closed-segment intersection test `pq` vs `rs`, shared by `Segment` and the ring code.
@inlinable
func segmentsIntersect(_ p: Point, _ q: Point, _ r: Point, _ s: Point) -> Bool {
    if Swift.max(p.x, q.x) < Swift.min(r.x, s.x) || Swift.max(r.x, s.x) < Swift.min(p.x, q.x)
        || Swift.max(p.y, q.y) < Swift.min(r.y, s.y) || Swift.max(r.y, s.y) < Swift.min(p.y, q.y) {
        return false
    }
    let o1 = orientationSign(p, q, r), o2 = orientationSign(p, q, s)
    let o3 = orientationSign(r, s, p), o4 = orientationSign(r, s, q)
    if o1 * o2 < 0 && o3 * o4 < 0 { return true }
    if o1 == 0 && isInBox(p, q, r) { return true }
    if o2 == 0 && isInBox(p, q, s) { return true }
    if o3 == 0 && isInBox(r, s, p) { return true }
    if o4 == 0 && isInBox(r, s, q) { return true }
    return false
}

/// Exact test of a closed segment against a closed rect.
@inlinable
func segmentIntersectsRect(_ p: Point, _ q: Point, _ rect: Rect) -> Bool {
    if rect.contains(p) || rect.contains(q) { return true }
    if Swift.max(p.x, q.x) < rect.minX || Swift.min(p.x, q.x) > rect.maxX
        || Swift.max(p.y, q.y) < rect.minY || Swift.min(p.y, q.y) > rect.maxY || rect.isEmpty {
        return false
    }
    let c00 = Point(x: rect.minX, y: rect.minY), c10 = Point(x: rect.maxX, y: rect.minY)
    let c11 = Point(x: rect.maxX, y: rect.maxY), c01 = Point(x: rect.minX, y: rect.maxY)
    return segmentsIntersect(p, q, c00, c10) || segmentsIntersect(p, q, c10, c11)
        || segmentsIntersect(p, q, c11, c01) || segmentsIntersect(p, q, c01, c00)
}
