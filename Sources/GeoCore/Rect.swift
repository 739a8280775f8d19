/// An axis-aligned rectangle, closed on every side: a point on an edge is inside.
///
/// Used as the bounding box of every geometry and as the key of every R-tree entry. A rect
/// with `minX > maxX` is never produced by this type's operations; `Rect.empty` is the
/// identity of `union` (it contains and intersects nothing).
public struct Rect: Hashable, Sendable, CustomStringConvertible {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    @inlinable
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The degenerate rect holding exactly one point.
    @inlinable
    public init(point: Point) {
        self.init(minX: point.x, minY: point.y, maxX: point.x, maxY: point.y)
    }

    /// The identity for `union`: contains nothing, intersects nothing.
    public static let empty = Rect(
        minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)

    @inlinable public var isEmpty: Bool { minX > maxX || minY > maxY }
    @inlinable public var width: Double { maxX - minX }
    @inlinable public var height: Double { maxY - minY }
    @inlinable public var area: Double { isEmpty ? 0 : (maxX - minX) * (maxY - minY) }
    /// Half the perimeter: the "margin" the R* split minimises.
    @inlinable public var margin: Double { isEmpty ? 0 : (maxX - minX) + (maxY - minY) }
    @inlinable public var center: Point { Point(x: (minX + maxX) * 0.5, y: (minY + maxY) * 0.5) }

    @inlinable
    public func intersects(_ other: Rect) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    @inlinable
    public func contains(_ point: Point) -> Bool {
        minX <= point.x && point.x <= maxX && minY <= point.y && point.y <= maxY
    }

    /// True when `other` lies inside this rect (edges may touch).
    @inlinable
    public func contains(_ other: Rect) -> Bool {
        minX <= other.minX && other.maxX <= maxX && minY <= other.minY && other.maxY <= maxY
    }

    @inlinable
    public func union(_ other: Rect) -> Rect {
        Rect(minX: Swift.min(minX, other.minX), minY: Swift.min(minY, other.minY),
             maxX: Swift.max(maxX, other.maxX), maxY: Swift.max(maxY, other.maxY))
    }

    @inlinable
    public func union(_ point: Point) -> Rect {
        Rect(minX: Swift.min(minX, point.x), minY: Swift.min(minY, point.y),
             maxX: Swift.max(maxX, point.x), maxY: Swift.max(maxY, point.y))
    }

    /// The overlap of two rects, or `.empty` when they do not intersect.
    @inlinable
    public func intersection(_ other: Rect) -> Rect {
        let r = Rect(minX: Swift.max(minX, other.minX), minY: Swift.max(minY, other.minY),
                     maxX: Swift.min(maxX, other.maxX), maxY: Swift.min(maxY, other.maxY))
        return r.isEmpty ? .empty : r
    }

    /// Area the rect would gain by growing to cover `other`: the R-tree's choose-subtree cost.
    @inlinable
    public func enlargement(toInclude other: Rect) -> Double {
        union(other).area - area
    }

    /// Planar squared distance from `point` to the nearest point of the rect (0 inside).
    @inlinable
    public func squaredDistance(to point: Point) -> Double {
        let dx = point.x < minX ? minX - point.x : (point.x > maxX ? point.x - maxX : 0)
        let dy = point.y < minY ? minY - point.y : (point.y > maxY ? point.y - maxY : 0)
        return dx * dx + dy * dy
    }

    /// The smallest rect holding every point, or `.empty` for none.
    @inlinable
    public static func bounding<S: Sequence>(_ points: S) -> Rect where S.Element == Point {
        var r = Rect.empty
        for p in points { r = r.union(p) }
        return r
    }

    public var description: String { "[\(minX), \(minY), \(maxX), \(maxY)]" }
}
