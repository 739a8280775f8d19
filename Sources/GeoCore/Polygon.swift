/// A polygon with one exterior ring and any number of holes, each ring closed (first == last).
///
/// Coordinates are lon/lat degrees for geographic data or plain x/y for planar data; predicates are
/// planar either way (edges are straight in lon/lat). Winding order is not significant: both
/// clockwise and counter-clockwise rings are accepted and behave the same. Equality and hashing use
/// the rings only, never the derived edge index.
public struct Polygon: Hashable, Sendable {
    /// Ring 0 is the exterior, ring k the hole k - 1; each carries its own edge index.
    let rings: [IndexedRing]
    public let bounds: Rect

    /// Validating init for lon/lat data.
    ///
    /// Rings must be closed, have >= 4 positions, finite coordinates, lon in [-180, 180] and lat in
    /// [-90, 90] (both with a tolerance of `Polygon.coordinateTolerance` degrees, so float noise such
    /// as 180.00000000000006 in Natural Earth passes), and be simple: consecutive duplicate vertices
    /// are tolerated, but touching itself at a vertex or backtracking along itself is
    /// `selfIntersection`. Holes must lie inside the shell and not inside each other; rings may touch
    /// each other at points but not cross or share an edge. Neither winding is required.
    public init(exterior: [Point], holes: [[Point]] = []) throws(GeometryError) {
        try Self.validate([exterior] + holes, geographic: true)
        self.init(uncheckedExterior: exterior, holes: holes)
    }

    /// The same validation as `init(exterior:holes:)` without the lon/lat range check, for planar data.
    public init(planarExterior: [Point], holes: [[Point]]) throws(GeometryError) {
        try Self.validate([planarExterior] + holes, geographic: false)
        self.init(uncheckedExterior: planarExterior, holes: holes)
    }

    /// Trusted input: no checks at all. Predicates on an invalid polygon give unspecified (but safe) answers.
    public init(uncheckedExterior: [Point], holes: [[Point]] = []) {
        var rings = [IndexedRing(uncheckedExterior)]
        for hole in holes { rings.append(IndexedRing(hole)) }
        self.rings = rings
        self.bounds = rings[0].bounds
    }

    /// Degrees by which lon/lat may exceed their range and still validate: absorbs float noise only.
    public static let coordinateTolerance = 1e-9

    public var exterior: [Point] { rings[0].points }
    /// Computed on each access (the rings are stored with their indexes).
    public var holes: [[Point]] { rings.dropFirst().map(\.points) }
    /// Positions in all rings, closing positions included.
    public var vertexCount: Int { rings.reduce(0) { $0 + $1.points.count } }

    public static func == (lhs: Polygon, rhs: Polygon) -> Bool {
        lhs.rings.count == rhs.rings.count
            && zip(lhs.rings, rhs.rings).allSatisfy { $0.points == $1.points }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rings.count)
        for ring in rings { hasher.combine(ring.points) }
    }

    /// True when `point` is inside or on the boundary (hole boundaries included); hole interiors excluded.
    @inline(__always)
    public func contains(_ point: Point) -> Bool {
        location(of: point) != .outside
    }

    /// Inside, on any ring, or outside the polygon's area.
    ///
    /// Reads the rings in place through the array's buffer: taking an `IndexedRing` out of `rings`
    /// copies it, retaining and releasing each of its arrays, which cost as much as the test itself.
    @inline(__always)
    func location(of point: Point) -> RingLocation {
        guard bounds.contains(point) else { return .outside }
        return rings.withUnsafeBufferPointer { rings -> RingLocation in
            switch rings[0].locate(point) {
            case .outside: return .outside
            case .boundary: return .boundary
            case .inside:
                for index in 1..<rings.count where rings[index].bounds.contains(point) {
                    switch rings[index].locate(point) {
                    case .inside: return .outside
                    case .boundary: return .boundary
                    case .outside: continue
                    }
                }
                return .inside
            }
        }
    }

    /// Calls `body` for every edge of every ring whose y-range meets `[lo, hi]`; stops at the first true.
    func firstEdge(overlappingY lo: Double, _ hi: Double, where body: (Point, Point) -> Bool) -> Bool {
        for ring in rings where ring.firstEdge(overlappingY: lo, hi, where: body) { return true }
        return false
    }
}
