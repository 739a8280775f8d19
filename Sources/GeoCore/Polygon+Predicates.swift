extension Polygon {
    /// True when the closed rect lies inside the polygon (its edges may touch the polygon's boundary).
    ///
    /// A degenerate rect (a point or a line) is tested as that point or segment; an empty rect gives false.
    public func contains(_ rect: Rect) -> Bool {
        guard !rect.isEmpty, bounds.contains(rect) else { return false }
        let low = Point(x: rect.minX, y: rect.minY), high = Point(x: rect.maxX, y: rect.maxY)
        if rect.width == 0 || rect.height == 0 {
            return pathSamples([low, high], cutBy: rings) { location(of: $0) != .outside }
        }
        let corners = [low, Point(x: rect.maxX, y: rect.minY), high, Point(x: rect.minX, y: rect.maxY), low]
        return contains(Polygon(uncheckedExterior: corners))
    }

    /// True when `other` lies within this polygon; boundaries may touch.
    ///
    /// Method: every vertex of `other`'s exterior, and the middle of every piece its edges are cut
    /// into by this polygon's rings, must be inside or on this polygon; then no hole of this polygon
    /// may reach into `other`'s interior (tested on the hole's cut boundary and one interior point).
    /// Known limit: if a hole of `self` has exactly `other`'s exterior as its ring, the answer depends
    /// on whether that interior point falls in one of `other`'s holes.
    public func contains(_ other: Polygon) -> Bool {
        guard bounds.contains(other.bounds), !other.rings[0].points.isEmpty else { return false }
        let edgesInside = pathSamples(other.rings[0].points, cutBy: rings) { location(of: $0) != .outside }
        guard edgesInside else { return false }
        for hole in rings.dropFirst() where hole.bounds.intersects(other.bounds) {
            let holeClear = pathSamples(hole.points, cutBy: other.rings) { other.location(of: $0) != .inside }
            guard holeClear else { return false }
            if let inner = hole.interiorPoint(), other.location(of: inner) == .inside { return false }
        }
        return true
    }

    /// True when the polygon (boundary included) and the closed rect share a point.
    public func intersects(_ rect: Rect) -> Bool {
        guard !rect.isEmpty, bounds.intersects(rect) else { return false }
        if firstEdge(overlappingY: rect.minY, rect.maxY, where: { segmentIntersectsRect($0, $1, rect) }) {
            return true
        }
        // No boundary contact: either the rect is inside the area, the polygon inside the rect, or apart.
        return contains(Point(x: rect.minX, y: rect.minY)) || rect.contains(rings[0].points[0])
    }

    /// True when the two polygons (boundaries included) share a point.
    public func intersects(_ other: Polygon) -> Bool {
        guard bounds.intersects(other.bounds), !rings[0].points.isEmpty, !other.rings[0].points.isEmpty else {
            return false
        }
        let (small, large) = other.vertexCount <= vertexCount ? (other, self) : (self, other)
        for ring in small.rings {
            let pts = ring.points
            for i in 0..<ring.edgeCount {
                let p = pts[i], q = pts[i + 1]
                if Swift.max(p.x, q.x) < large.bounds.minX || Swift.min(p.x, q.x) > large.bounds.maxX { continue }
                let hit = large.firstEdge(overlappingY: Swift.min(p.y, q.y), Swift.max(p.y, q.y)) {
                    segmentsIntersect(p, q, $0, $1)
                }
                if hit { return true }
            }
        }
        return contains(other.rings[0].points[0]) || other.contains(rings[0].points[0])
    }

    /// True when the closed segment touches the polygon (boundary included).
    public func intersects(_ segment: Segment) -> Bool {
        guard bounds.intersects(segment.bounds), !rings[0].points.isEmpty else { return false }
        if contains(segment.a) { return true }
        let (p, q) = (segment.a, segment.b)
        return firstEdge(overlappingY: Swift.min(p.y, q.y), Swift.max(p.y, q.y)) { segmentsIntersect(p, q, $0, $1) }
    }
}

/// Visits every vertex of `path` and the middle of every piece its edges are cut into by `rings`,
/// stopping (and returning false) at the first sample `accept` rejects.
///
/// Each piece crosses no ring edge, so its middle stands for the whole piece.
func pathSamples(_ path: [Point], cutBy rings: [IndexedRing], _ accept: (Point) -> Bool) -> Bool {
    guard let first = path.first else { return true }
    if !accept(first) { return false }
    var cuts: [Double] = []
    for k in 0..<Swift.max(0, path.count - 1) {
        let p = path[k], q = path[k + 1]
        if !accept(q) { return false }
        let dx = q.x - p.x, dy = q.y - p.y
        let lengthSquared = dx * dx + dy * dy
        guard lengthSquared > 0 else { continue }
        cuts.removeAll(keepingCapacity: true)
        cuts.append(0)
        cuts.append(1)
        func parameter(_ a: Point) -> Double {
            Swift.min(1, Swift.max(0, ((a.x - p.x) * dx + (a.y - p.y) * dy) / lengthSquared))
        }
        let minX = Swift.min(p.x, q.x), maxX = Swift.max(p.x, q.x)
        for ring in rings {
            _ = ring.firstEdge(overlappingY: Swift.min(p.y, q.y), Swift.max(p.y, q.y)) { a, b in
                if Swift.max(a.x, b.x) < minX || Swift.min(a.x, b.x) > maxX { return false }
                guard segmentsIntersect(p, q, a, b) else { return false }
                let oa = orientationSign(p, q, a), ob = orientationSign(p, q, b)
                if oa == 0 { cuts.append(parameter(a)) }
                if ob == 0 { cuts.append(parameter(b)) }
                if oa != 0 && ob != 0 {
                    // Crossing (or touching at p/q): parameter where the lines meet.
                    let ex = b.x - a.x, ey = b.y - a.y
                    let denominator = dx * ey - dy * ex
                    if denominator != 0 {
                        let t = ((a.x - p.x) * ey - (a.y - p.y) * ex) / denominator
                        cuts.append(Swift.min(1, Swift.max(0, t)))
                    }
                }
                return false
            }
        }
        cuts.sort()
        for c in 1..<cuts.count where cuts[c] > cuts[c - 1] {
            let t = (cuts[c] + cuts[c - 1]) / 2
            if !accept(Point(x: p.x + t * dx, y: p.y + t * dy)) { return false }
        }
    }
    return true
}
