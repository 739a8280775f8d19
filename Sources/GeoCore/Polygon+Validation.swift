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

/// Finds any forbidden contact between ring segments in roughly O(n) for well-spread data.
///
/// Segments go into a uniform grid (coarsened until each segment covers few cells on average); inside
/// each cell a sweep over segments sorted by min x keeps an active list, so only x-overlapping pairs
/// are tested, and each pair is tested only in the cell holding the low corner of the two boxes'
/// overlap. Rules: within one ring, neighbouring segments may share only their common vertex (no
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

    init(rings: [SimplifiedRing]) {
        self.rings = rings
        for (r, ring) in rings.enumerated() {
            for i in 0..<(ring.points.count - 1) {
                entries.append(Entry(ring: Int32(r), index: Int32(i),
                                     box: Rect(point: ring.points[i]).union(ring.points[i + 1])))
            }
        }
    }

    func firstViolation() -> GeometryError? {
        let n = entries.count
        guard n > 1 else { return nil }
        var total = Rect.empty
        for e in entries { total = total.union(e.box) }

        var side = Swift.max(1, Int((Double(n) / 2).squareRoot()))
        func cellRange(_ lo: Double, _ hi: Double, _ min: Double, _ extent: Double, _ cells: Int) -> ClosedRange<Int> {
            guard extent > 0 else { return 0...0 }
            func cell(_ v: Double) -> Int {
                let t = (v - min) / extent * Double(cells)
                if !(t > 0) { return 0 }
                if t >= Double(cells) { return cells - 1 }
                return Int(t)
            }
            return cell(lo)...cell(hi)
        }
        func coverage(_ cells: Int) -> Int {
            var sum = 0
            for e in entries {
                sum += cellRange(e.box.minX, e.box.maxX, total.minX, total.width, cells).count
                    * cellRange(e.box.minY, e.box.maxY, total.minY, total.height, cells).count
            }
            return sum
        }
        var covered = coverage(side)
        while side > 1 && covered > 4 * n + 16 {
            side = Swift.max(1, side / 2)
            covered = coverage(side)
        }

        var starts = [Int](repeating: 0, count: side * side + 1)
        for e in entries {
            for cy in cellRange(e.box.minY, e.box.maxY, total.minY, total.height, side) {
                for cx in cellRange(e.box.minX, e.box.maxX, total.minX, total.width, side) {
                    starts[cy * side + cx + 1] += 1
                }
            }
        }
        for c in 0..<(side * side) { starts[c + 1] += starts[c] }
        var fill = Array(starts[0..<(side * side)])
        var cellEntries = [Int32](repeating: 0, count: starts[side * side])
        for (k, e) in entries.enumerated() {
            for cy in cellRange(e.box.minY, e.box.maxY, total.minY, total.height, side) {
                for cx in cellRange(e.box.minX, e.box.maxX, total.minX, total.width, side) {
                    cellEntries[fill[cy * side + cx]] = Int32(k)
                    fill[cy * side + cx] += 1
                }
            }
        }

        var best: (key: (Int32, Int32, Int32, Int32), error: GeometryError)?
        var active: [Int] = []
        for cy in 0..<side {
            for cx in 0..<side {
                let c = cy * side + cx
                var members = cellEntries[starts[c]..<starts[c + 1]].map(Int.init)
                guard members.count > 1 else { continue }
                members.sort { entries[$0].box.minX < entries[$1].box.minX }
                active.removeAll(keepingCapacity: true)
                for k in members {
                    let box = entries[k].box
                    active.removeAll { entries[$0].box.maxX < box.minX }
                    for j in active {
                        let other = entries[j].box
                        guard other.minY <= box.maxY, box.minY <= other.maxY else { continue }
                        // Test the pair only in the cell holding the low corner of the boxes' overlap.
                        let lowX = Swift.max(box.minX, other.minX), lowY = Swift.max(box.minY, other.minY)
                        guard cellRange(lowX, lowX, total.minX, total.width, side).lowerBound == cx,
                              cellRange(lowY, lowY, total.minY, total.height, side).lowerBound == cy
                        else { continue }
                        var (first, second) = (entries[j], entries[k])
                        if (second.ring, second.index) < (first.ring, first.index) { swap(&first, &second) }
                        let key = (first.ring, first.index, second.ring, second.index)
                        if let current = best, !(key < current.key) { continue }
                        if let error = violation(first, second) { best = (key, error) }
                    }
                    active.append(k)
                }
            }
        }
        return best?.error
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
