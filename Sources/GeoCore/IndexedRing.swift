/// Where a point lies relative to one closed ring.
enum RingLocation: Sendable {
    case outside, boundary, inside
}

/// A closed ring plus a y-band edge index, so point-in-ring visits only the edges whose y-range
/// spans the query y instead of all of them.
///
/// Rings with at most `IndexedRing.linearScanLimit` edges are scanned linearly (the index would cost
/// more than it saves). The band count is chosen so the index holds about three entries per edge even
/// for zig-zag rings whose edges span much of the height. Value semantics: plain arrays, no classes.
struct IndexedRing: Sendable {
    static let linearScanLimit = 32

    let points: [Point]
    let bounds: Rect
    private let bandCount: Int
    private let bandScale: Double
    /// `bandStarts[b]..<bandStarts[b+1]` are the entries of band `b` in `bandEdges`.
    private let bandStarts: [Int32]
    private let bandEdges: [Int32]

    var edgeCount: Int { Swift.max(0, points.count - 1) }

    init(_ points: [Point]) {
        self.points = points
        let bounds = Rect.bounding(points)
        self.bounds = bounds
        let edges = Swift.max(0, points.count - 1)
        let height = bounds.height
        // Unchecked rings may hold NaN or infinities (`Polygon(uncheckedExterior:)` promises not to
        // trap): they get no index, and the linear scan answers (meaninglessly but safely).
        guard edges > Self.linearScanLimit, height > 0, height.isFinite,
              points.allSatisfy({ $0.y.isFinite }) else {
            bandCount = 0
            bandScale = 0
            bandStarts = []
            bandEdges = []
            return
        }
        var spanned = 0.0  // total |dy| in units of the ring height; >= 2 for any closed ring
        for i in 0..<edges { spanned += abs(points[i + 1].y - points[i].y) }
        spanned /= height
        let count = Swift.max(1, Swift.min(edges, Int(2.0 * Double(edges) / Swift.max(spanned, 1.0))))
        let scale = Double(count) / height
        bandCount = count
        bandScale = scale

        func band(_ y: Double) -> Int {
            let v = (y - bounds.minY) * scale
            if !(v > 0) { return 0 }
            if v >= Double(count) { return count - 1 }
            return Int(v)
        }
        var starts = [Int32](repeating: 0, count: count + 1)
        for i in 0..<edges {
            let y0 = points[i].y, y1 = points[i + 1].y
            for b in band(Swift.min(y0, y1))...band(Swift.max(y0, y1)) { starts[b + 1] += 1 }
        }
        for b in 0..<count { starts[b + 1] += starts[b] }
        var fill = Array(starts[0..<count])
        var entries = [Int32](repeating: 0, count: Int(starts[count]))
        for i in 0..<edges {
            let y0 = points[i].y, y1 = points[i + 1].y
            for b in band(Swift.min(y0, y1))...band(Swift.max(y0, y1)) {
                entries[Int(fill[b])] = Int32(i)
                fill[b] += 1
            }
        }
        bandStarts = starts
        bandEdges = entries
    }

    @inline(__always)
    private func band(of y: Double) -> Int {
        let v = (y - bounds.minY) * bandScale
        if !(v > 0) { return 0 }
        if v >= Double(bandCount) { return bandCount - 1 }
        return Int(v)
    }

    /// Ray casting to +x with the half-open rule (an edge counts when exactly one endpoint is above
    /// the ray), so vertices on the ray and horizontal edges are counted once or not at all. A point
    /// on any edge (exact orientation 0 and inside the edge's box) is `.boundary`.
    ///
    /// The closures below capture only locals and buffers, never `self`: capturing `self` copied
    /// the ring (retaining its three arrays) on every call.
    @inline(__always)
    func locate(_ p: Point) -> RingLocation {
        guard bounds.contains(p) else { return .outside }
        let points = self.points
        if bandCount == 0 {
            return points.withUnsafeBufferPointer { pts in
                Self.locate(p, pts, edgeCount: pts.count - 1) { $0 }
            }
        }
        let b = band(of: p.y)
        let range = Int(bandStarts[b])..<Int(bandStarts[b + 1])
        let bandEdges = self.bandEdges
        return points.withUnsafeBufferPointer { pts in
            bandEdges.withUnsafeBufferPointer { edges in
                let first = range.lowerBound
                return Self.locate(p, pts, edgeCount: range.count) { Int(edges[first + $0]) }
            }
        }
    }

    /// The ray-casting walk over `edgeCount` edges, the k-th being `pts[edge(k)]...pts[edge(k) + 1]`.
    @inline(__always)
    private static func locate(_ p: Point, _ pts: UnsafeBufferPointer<Point>, edgeCount: Int,
                               edge: (Int) -> Int) -> RingLocation {
        var inside = false
        var k = 0
        while k < edgeCount {
            let i = edge(k)
            k += 1
            let a = pts[i], b = pts[i + 1]
            if (a.y < p.y && b.y < p.y) || (a.y > p.y && b.y > p.y) { continue }
            if a.x < p.x && b.x < p.x { continue }
            let upward = a.y <= p.y && p.y < b.y
            let downward = b.y <= p.y && p.y < a.y
            if a.x > p.x && b.x > p.x {
                if upward || downward { inside.toggle() }
                continue
            }
            let o = orientationSign(a, b, p)
            if o == 0 {
                // Collinear with y in range: on the edge unless a horizontal edge ends short of p.
                if Swift.min(a.x, b.x) <= p.x && p.x <= Swift.max(a.x, b.x) { return .boundary }
                continue
            }
            if (upward && o > 0) || (downward && o < 0) { inside.toggle() }
        }
        return inside ? .inside : .outside
    }

    /// Calls `body` once for each edge whose closed y-range meets `[lo, hi]`; stops when it returns true.
    /// Returns whether `body` stopped the walk.
    func firstEdge(overlappingY lo: Double, _ hi: Double, where body: (Point, Point) -> Bool) -> Bool {
        guard lo <= bounds.maxY, hi >= bounds.minY else { return false }
        let pts = points
        if bandCount == 0 {
            for i in 0..<edgeCount {
                let a = pts[i], b = pts[i + 1]
                if Swift.max(a.y, b.y) < lo || Swift.min(a.y, b.y) > hi { continue }
                if body(a, b) { return true }
            }
            return false
        }
        let firstBand = band(of: Swift.max(lo, bounds.minY)), lastBand = band(of: Swift.min(hi, bounds.maxY))
        for b in firstBand...lastBand {
            for k in Int(bandStarts[b])..<Int(bandStarts[b + 1]) {
                let i = Int(bandEdges[k])
                let p = pts[i], q = pts[i + 1]
                let low = Swift.min(p.y, q.y)
                // Visit each edge only in the first band it shares with the query range.
                if Swift.max(band(of: low), firstBand) != b { continue }
                if Swift.max(p.y, q.y) < lo || low > hi { continue }
                if body(p, q) { return true }
            }
        }
        return false
    }

    /// A point strictly inside the ring (for a simple ring), or nil when the ring has no area.
    ///
    /// Casts a horizontal line through the middle of the widest gap between vertex y values (so it
    /// meets no vertex) and returns the middle of the widest inside interval along it.
    func interiorPoint() -> Point? {
        var ys = points.map(\.y)
        ys.sort()
        var bestGap = 0.0, lineY = Double.nan
        for i in 1..<Swift.max(1, ys.count) where ys[i] - ys[i - 1] > bestGap {
            bestGap = ys[i] - ys[i - 1]
            lineY = (ys[i] + ys[i - 1]) / 2
        }
        guard bestGap > 0 else { return nil }
        var xs: [Double] = []
        for i in 0..<edgeCount {
            let a = points[i], b = points[i + 1]
            if (a.y < lineY) != (b.y < lineY) {
                xs.append(a.x + (lineY - a.y) * (b.x - a.x) / (b.y - a.y))
            }
        }
        xs.sort()
        var best: Point?
        var widest = -1.0
        var k = 0
        while k + 1 < xs.count {
            if xs[k + 1] - xs[k] > widest {
                widest = xs[k + 1] - xs[k]
                best = Point(x: (xs[k] + xs[k + 1]) / 2, y: lineY)
            }
            k += 2
        }
        return best
    }
}
