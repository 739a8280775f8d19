extension Polygon {
    /// Checks every rule of `init(exterior:holes:)`; `rings[0]` is the exterior.
    static func validate(_ rings: [[Point]], geographic: Bool) throws(GeometryError) {
        var simplified: [SimplifiedRing] = []
        for (r, ring) in rings.enumerated() {
            try checkPositions(ring, ring: r, geographic: geographic)
            let simple = SimplifiedRing(ring)
            if simple.points.count < 4 {
                throw GeometryError(
                    code: .tooFewPositions,
                    message: "\(GeometryError.ringName(r)) has only \(simple.points.count) positions after "
                        + "dropping repeated consecutive ones; a ring needs at least 4 (3 distinct + closing)",
                    ring: r)
            }
            simplified.append(simple)
        }
        if let error = SegmentCrossingFinder(rings: simplified).firstViolation() { throw error }
        try checkHoles(rings)
    }

    private static func checkPositions(_ ring: [Point], ring r: Int, geographic: Bool) throws(GeometryError) {
        let name = GeometryError.ringName(r)
        for (i, p) in ring.enumerated() {
            guard p.x.isFinite, p.y.isFinite else {
                throw GeometryError(code: .nonFiniteCoordinate,
                                    message: "\(name) position \(i) has a non-finite coordinate \(p)",
                                    ring: r, position: i)
            }
            guard geographic else { continue }
            if abs(p.x) > 180 + coordinateTolerance {
                throw GeometryError(code: .longitudeOutOfRange,
                                    message: "\(name) position \(i) \(p): longitude \(p.x) is outside [-180, 180]",
                                    ring: r, position: i)
            }
            if abs(p.y) > 90 + coordinateTolerance {
                throw GeometryError(code: .latitudeOutOfRange,
                                    message: "\(name) position \(i) \(p): latitude \(p.y) is outside [-90, 90]",
                                    ring: r, position: i)
            }
        }
        guard ring.count >= 4 else {
            throw GeometryError(code: .tooFewPositions,
                                message: "\(name) has \(ring.count) positions; a ring needs at least 4 (3 distinct + closing)",
                                ring: r)
        }
        guard ring[0] == ring[ring.count - 1] else {
            throw GeometryError(code: .ringNotClosed,
                                message: "\(name) is not closed: first \(ring[0]) != last \(ring[ring.count - 1])",
                                ring: r, position: ring.count - 1)
        }
    }

    /// Holes inside the shell and not inside each other. Runs after the crossing check, so rings
    /// meet at most at isolated points and one vertex off the other ring decides the side.
    private static func checkHoles(_ rings: [[Point]]) throws(GeometryError) {
        guard rings.count > 1 else { return }
        let indexed = rings.map(IndexedRing.init)
        let shell = indexed[0]
        for h in 1..<indexed.count {
            for (i, p) in rings[h].enumerated() where shell.locate(p) == .outside {
                throw GeometryError(code: .holeOutsideShell,
                                    message: "\(GeometryError.ringName(h)) position \(i) \(p) lies outside the exterior ring",
                                    ring: h, position: i)
            }
        }
        for h in 1..<indexed.count {
            for k in 1..<indexed.count where k != h && indexed[k].bounds.contains(indexed[h].bounds) {
                // Is hole h inside hole k? Decide with h's first vertex that is not on k's ring.
                for p in rings[h] {
                    let where_ = indexed[k].locate(p)
                    if where_ == .boundary { continue }
                    if where_ == .inside {
                        throw GeometryError(
                            code: .nestedHoles,
                            message: "\(GeometryError.ringName(h)) lies inside \(GeometryError.ringName(k))",
                            ring: h)
                    }
                    break
                }
            }
        }
    }
}

/// A ring with repeated consecutive positions removed, remembering each kept position's original index.
struct SimplifiedRing {
    var points: [Point] = []
    var original: [Int] = []

    init(_ ring: [Point]) {
        points.reserveCapacity(ring.count)
        original.reserveCapacity(ring.count)
        for (i, p) in ring.enumerated() where points.last != p {
            points.append(p)
            original.append(i)
        }
    }
}

/// Finds any forbidden contact between ring segments in about O(n log n) for real-world rings.
///
/// Segment boxes go into an adaptive quadtree (a cell splits while splitting separates its segments,
/// so a long thin ring and a dense cluster both end in small leaves); each leaf is swept by min x with
/// an active list, so only boxes that overlap are tested, and each pair only in the leaf holding the
/// low corner of the two boxes' overlap. Rules: within one ring, neighbouring segments may share only their common vertex (no
/// backtracking); any other contact is `selfIntersection`. Between rings, a proper crossing or a
/// collinear overlap of positive length is `ringsCross`; touching at a point is allowed.
/// The reported violation is the lexicographically smallest (ring, segment, ring, segment) pair.
struct SegmentCrossingFinder {
    private struct Entry {
        var ring: Int32
        var index: Int32
        var box: Rect
    }

    private let rings: [SimplifiedRing]
    private var entries: [Entry] = []
    private var rootBounds = Rect.empty
    private var minX: [Double] = [], minY: [Double] = [], maxX: [Double] = [], maxY: [Double] = []

    init(rings: [SimplifiedRing]) {
        self.rings = rings
        for (r, ring) in rings.enumerated() {
            for i in 0..<(ring.points.count - 1) {
                entries.append(Entry(ring: Int32(r), index: Int32(i),
                                     box: Rect(point: ring.points[i]).union(ring.points[i + 1])))
            }
        }
        for e in entries {
            rootBounds = rootBounds.union(e.box)
            minX.append(e.box.minX)
            minY.append(e.box.minY)
            maxX.append(e.box.maxX)
            maxY.append(e.box.maxY)
        }
    }

    func firstViolation() -> GeometryError? {
        guard entries.count > 1 else { return nil }
        let total = rootBounds
        var best: (key: (Int32, Int32, Int32, Int32), error: GeometryError)?
        search(Array(0..<Int32(entries.count)), in: total, depth: 0, best: &best)
        return best?.error
    }

    /// Splits `cell` into quadrants while that separates its segments; sweeps the leaves.
    private func search(_ members: [Int32], in cell: Rect, depth: Int,
                        best: inout (key: (Int32, Int32, Int32, Int32), error: GeometryError)?) {
        guard members.count > 1 else { return }
        if members.count > Self.leafSize && depth < Self.maxDepth {
            let midX = (cell.minX + cell.maxX) / 2, midY = (cell.minY + cell.maxY) / 2
            var low: [Int32] = [], high: [Int32] = []  // by x, then each split by y below
            low.reserveCapacity(members.count)
            high.reserveCapacity(members.count)
            for k in members {
                if minX[Int(k)] < midX { low.append(k) }
                if maxX[Int(k)] >= midX { high.append(k) }
            }
            var children: [[Int32]] = []
            for half in [low, high] {
                var bottom: [Int32] = [], top: [Int32] = []
                for k in half {
                    if minY[Int(k)] < midY { bottom.append(k) }
                    if maxY[Int(k)] >= midY { top.append(k) }
                }
                children.append(bottom)
                children.append(top)
            }
            // Split only while it separates: long segments spanning every quadrant would just be copied.
            if children.reduce(0, { $0 + $1.count }) <= members.count * 2,
               children.allSatisfy({ $0.count < members.count }) {
                let cells = [
                    Rect(minX: cell.minX, minY: cell.minY, maxX: midX, maxY: midY),
                    Rect(minX: cell.minX, minY: midY, maxX: midX, maxY: cell.maxY),
                    Rect(minX: midX, minY: cell.minY, maxX: cell.maxX, maxY: midY),
                    Rect(minX: midX, minY: midY, maxX: cell.maxX, maxY: cell.maxY),
                ]
                for q in 0..<4 { search(children[q], in: cells[q], depth: depth + 1, best: &best) }
                return
            }
        }
        sweep(members, in: cell, best: &best)
    }

    private static let leafSize = 24
    private static let maxDepth = 40

    /// Plane sweep by min x over one leaf. A pair is tested only in the leaf holding the low corner of
    /// the two boxes' overlap, so a pair copied into several leaves is tested once. Quadrants split at
    /// the midpoint with x < mid going low and x >= mid high, so every corner has exactly one leaf.
    private func sweep(_ members: [Int32], in cell: Rect,
                       best: inout (key: (Int32, Int32, Int32, Int32), error: GeometryError)?) {
        let sorted = members.sorted { minX[Int($0)] < minX[Int($1)] }
        var active: [Int] = []
        for k32 in sorted {
            let k = Int(k32)
            var kept = 0
            for j in active where maxX[j] >= minX[k] {
                active[kept] = j
                kept += 1
            }
            active.removeLast(active.count - kept)
            for j in active {
                guard minY[j] <= maxY[k], minY[k] <= maxY[j] else { continue }
                let corner = Point(x: Swift.max(minX[k], minX[j]), y: Swift.max(minY[k], minY[j]))
                guard ownsCorner(corner, cell: cell) else { continue }
                var (first, second) = (entries[j], entries[k])
                if (second.ring, second.index) < (first.ring, first.index) { swap(&first, &second) }
                let key = (first.ring, first.index, second.ring, second.index)
                if let current = best, !(key < current.key) { continue }
                if let error = violation(first, second) { best = (key, error) }
            }
            active.append(k)
        }
    }

    /// True when `corner` falls in `cell` under the quadrant rule (low side half-open, root closed).
    private func ownsCorner(_ corner: Point, cell: Rect) -> Bool {
        // Leaves tile the root with half-open upper edges, except where the upper edge is the root's.
        let xOK = cell.minX <= corner.x && (corner.x < cell.maxX || cell.maxX >= rootBounds.maxX)
        let yOK = cell.minY <= corner.y && (corner.y < cell.maxY || cell.maxY >= rootBounds.maxY)
        return xOK && yOK
    }

    private func violation(_ s: Entry, _ t: Entry) -> GeometryError? {
        let ringS = rings[Int(s.ring)], ringT = rings[Int(t.ring)]
        let i = Int(s.index), j = Int(t.index)
        let p = ringS.points[i], q = ringS.points[i + 1]
        let r = ringT.points[j], u = ringT.points[j + 1]
        func describe(_ ring: SimplifiedRing, _ k: Int) -> String {
            "segment \(ring.original[k])-\(ring.original[k + 1]) \(ring.points[k])->\(ring.points[k + 1])"
        }
        if s.ring == t.ring {
            let segments = ringS.points.count - 1
            let adjacent = j == i + 1 || (i == 0 && j == segments - 1)
            if adjacent {
                // Shared vertex: the one both segments have. Backtracking = collinear and folding over.
                let (a, shared, c) = j == i + 1 ? (p, q, u) : (q, p, r)
                guard orientationSign(a, shared, c) == 0, isInBox(a, shared, c) || isInBox(shared, c, a) else {
                    return nil
                }
            } else if !segmentsIntersect(p, q, r, u) {
                return nil
            }
            return GeometryError(
                code: .selfIntersection,
                message: "\(GeometryError.ringName(Int(s.ring))) intersects itself: \(describe(ringS, i)) "
                    + "meets \(describe(ringT, j))",
                ring: Int(s.ring), position: ringS.original[i])
        }
        let o1 = orientationSign(p, q, r), o2 = orientationSign(p, q, u)
        var crosses = false
        if o1 * o2 < 0 {
            let o3 = orientationSign(r, u, p), o4 = orientationSign(r, u, q)
            crosses = o3 * o4 < 0
        } else if o1 == 0 && o2 == 0 {
            // Collinear: overlap of positive length along the dominant axis.
            let useX = Swift.max(p.x, q.x) - Swift.min(p.x, q.x) >= Swift.max(p.y, q.y) - Swift.min(p.y, q.y)
            let (a0, a1, b0, b1) = useX ? (p.x, q.x, r.x, u.x) : (p.y, q.y, r.y, u.y)
            crosses = Swift.max(Swift.min(a0, a1), Swift.min(b0, b1)) < Swift.min(Swift.max(a0, a1), Swift.max(b0, b1))
        }
        guard crosses else { return nil }
        return GeometryError(
            code: .ringsCross,
            message: "\(GeometryError.ringName(Int(s.ring))) and \(GeometryError.ringName(Int(t.ring))) cross: "
                + "\(describe(ringS, i)) meets \(describe(ringT, j))",
            ring: Int(t.ring), position: ringT.original[j])
    }
}
