import Foundation
import GeoCore
import TestSupport

/// Plain, slow reference geometry for property tests: written independently of GeoCore's algorithms.
enum Reference {
    /// Winding number of `ring` around `p` (Sunday's algorithm with a plain float cross product).
    static func windingNumber(_ p: Point, _ ring: [Point]) -> Int {
        var wn = 0
        for i in 0..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            let cross = (b.x - a.x) * (p.y - a.y) - (p.x - a.x) * (b.y - a.y)
            if a.y <= p.y {
                if b.y > p.y && cross > 0 { wn += 1 }
            } else if b.y <= p.y && cross < 0 {
                wn -= 1
            }
        }
        return wn
    }

    /// Inside the exterior and not inside any hole (boundary points must be excluded by the caller).
    static func inside(_ p: Point, exterior: [Point], holes: [[Point]]) -> Bool {
        windingNumber(p, exterior) != 0 && holes.allSatisfy { windingNumber(p, $0) == 0 }
    }

    static func distanceToSegment(_ p: Point, _ a: Point, _ b: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let l2 = dx * dx + dy * dy
        var t = l2 == 0 ? 0 : ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2
        t = max(0, min(1, t))
        return hypot(a.x + t * dx - p.x, a.y + t * dy - p.y)
    }

    static func distanceToRings(_ p: Point, _ rings: [[Point]]) -> Double {
        var best = Double.infinity
        for ring in rings {
            for i in 0..<(ring.count - 1) { best = min(best, distanceToSegment(p, ring[i], ring[i + 1])) }
        }
        return best
    }

    /// Segment intersection by solving p + t(q−p) = r + u(s−r) in exact integer arithmetic.
    /// Coordinates must be integers (small enough that products fit in Int).
    static func segmentsIntersect(_ p: Point, _ q: Point, _ r: Point, _ s: Point) -> (any: Bool, proper: Bool) {
        let (px, py, qx, qy) = (Int(p.x), Int(p.y), Int(q.x), Int(q.y))
        let (rx, ry, sx, sy) = (Int(r.x), Int(r.y), Int(s.x), Int(s.y))
        let dx1 = qx - px, dy1 = qy - py, dx2 = sx - rx, dy2 = sy - ry
        let denominator = dx1 * dy2 - dy1 * dx2
        let ex = rx - px, ey = ry - py
        if denominator != 0 {
            var tNum = ex * dy2 - ey * dx2, uNum = ex * dy1 - ey * dx1, d = denominator
            if d < 0 { tNum = -tNum; uNum = -uNum; d = -d }
            let any = 0 <= tNum && tNum <= d && 0 <= uNum && uNum <= d
            let proper = 0 < tNum && tNum < d && 0 < uNum && uNum < d
            return (any, proper)
        }
        // Parallel (or degenerate): they meet only if all four points are on one line; then compare
        // the 1-D intervals along an axis on which the points are not all equal.
        func onLine(_ ax: Int, _ ay: Int, _ bx: Int, _ by: Int, _ cx: Int, _ cy: Int) -> Bool {
            (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) == 0
        }
        let allSame1 = dx1 == 0 && dy1 == 0, allSame2 = dx2 == 0 && dy2 == 0
        if allSame1 && allSame2 { return (px == rx && py == ry, false) }
        let collinear = allSame1 ? onLine(rx, ry, sx, sy, px, py)
            : onLine(px, py, qx, qy, rx, ry) && onLine(px, py, qx, qy, sx, sy)
        guard collinear else { return (false, false) }
        let useX = max(px, qx, rx, sx) != min(px, qx, rx, sx)
        let (a0, a1, b0, b1) = useX ? (px, qx, rx, sx) : (py, qy, ry, sy)
        return (max(min(a0, a1), min(b0, b1)) <= min(max(a0, a1), max(b0, b1)), false)
    }

    /// Closed-segment intersection in plain floating point (for random, non-degenerate data).
    static func segmentsCross(_ p: Point, _ q: Point, _ r: Point, _ s: Point) -> Bool {
        let d = (q.x - p.x) * (s.y - r.y) - (q.y - p.y) * (s.x - r.x)
        if d == 0 { return false }
        let t = ((r.x - p.x) * (s.y - r.y) - (r.y - p.y) * (s.x - r.x)) / d
        let u = ((r.x - p.x) * (q.y - p.y) - (r.y - p.y) * (q.x - p.x)) / d
        return 0 <= t && t <= 1 && 0 <= u && u <= 1
    }

    static func rectEdges(_ r: Rect) -> [(Point, Point)] {
        let a = Point(x: r.minX, y: r.minY), b = Point(x: r.maxX, y: r.minY)
        let c = Point(x: r.maxX, y: r.maxY), d = Point(x: r.minX, y: r.maxY)
        return [(a, b), (b, c), (c, d), (d, a)]
    }

    static func edges(_ rings: [[Point]]) -> [(Point, Point)] {
        rings.flatMap { ring in (0..<(ring.count - 1)).map { (ring[$0], ring[$0 + 1]) } }
    }

    /// `n`×`n` grid of sample points over `r`, edges included.
    static func grid(_ r: Rect, _ n: Int) -> [Point] {
        var points: [Point] = []
        for i in 0..<n {
            for j in 0..<n {
                points.append(Point(x: r.minX + r.width * Double(i) / Double(n - 1),
                                    y: r.minY + r.height * Double(j) / Double(n - 1)))
            }
        }
        return points
    }
}

/// Seeded random shapes for property tests.
enum Shapes {
    /// A star-shaped ring around `center` (simple by construction), closed, counter-clockwise.
    static func star(center: Point, vertices: Int, radii: ClosedRange<Double>,
                     using rng: inout SeededGenerator) -> [Point] {
        var ring: [Point] = []
        for k in 0..<vertices {
            let angle = (Double(k) + rng.nextDouble(in: 0.1..<0.9)) / Double(vertices) * 2 * Double.pi
            let radius = rng.nextDouble(in: radii.lowerBound..<radii.upperBound)
            ring.append(Point(x: center.x + radius * cos(angle), y: center.y + radius * sin(angle)))
        }
        ring.append(ring[0])
        return ring
    }

    /// A star polygon with `holeCount` small star holes placed on a circle inside its inner radius.
    static func starWithHoles(center: Point, vertices: Int, radius: Double, holeCount: Int,
                              using rng: inout SeededGenerator) -> (exterior: [Point], holes: [[Point]]) {
        let exterior = star(center: center, vertices: vertices, radii: (radius * 0.6)...radius, using: &rng)
        // Holes must fit inside the largest circle the exterior's edges leave free around the centre.
        let inner = Reference.distanceToRings(center, [exterior])
        var holes: [[Point]] = []
        let orbit = inner * 0.55
        let holeRadius = holeCount == 1 ? inner * 0.4 : min(inner * 0.4, orbit * sin(Double.pi / Double(holeCount)) * 0.9)
        for h in 0..<holeCount {
            let angle = Double(h) / Double(holeCount) * 2 * Double.pi
            let holeCenter = holeCount == 1 ? center
                : Point(x: center.x + orbit * cos(angle), y: center.y + orbit * sin(angle))
            var hole = star(center: holeCenter, vertices: max(3, vertices / 4),
                            radii: (holeRadius * 0.5)...holeRadius, using: &rng)
            hole.reverse()
            holes.append(hole)
        }
        return (exterior, holes)
    }
}
