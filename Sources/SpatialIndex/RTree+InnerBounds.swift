public import GeoCore

/// Double to Float32 conversions that never move a bound inwards.
///
/// Inner nodes keep their child rects as Float32 (half the bytes: the inner levels of a
/// million-point tree fit in L2). A stored rect is the exact MBR rounded outward, minimum sides down and maximum sides
/// up, so it always covers the exact MBR: a query that misses it misses every entry below, and a
/// distance to it never exceeds the distance to any entry below. Leaves keep Double, so every
/// answer is still decided on exact coordinates. Rounding is monotone, so rounding commutes with
/// min and max: the union of rounded rects is the rounded union, and a parent stays the exact
/// outward rounding of its subtree however it was built.
@usableFromInline
enum OutwardRounding {
    /// The largest Float32 not above `value` (-inf below Float's range).
    @inlinable @inline(__always)
    static func down(_ value: Double) -> Float {
        let rounded = Float(value)
        return Double(rounded) > value ? rounded.nextDown : rounded
    }

    /// The smallest Float32 not below `value` (+inf above Float's range).
    @inlinable @inline(__always)
    static func up(_ value: Double) -> Float {
        let rounded = Float(value)
        return Double(rounded) < value ? rounded.nextUp : rounded
    }
}

/// A rect rounded outward to Float32, for comparing with stored child rects.
@usableFromInline
struct RTreeFloatRect {
    @usableFromInline let minX: Float
    @usableFromInline let minY: Float
    @usableFromInline let maxX: Float
    @usableFromInline let maxY: Float

    @inlinable @inline(__always)
    init(outward rect: Rect) {
        minX = OutwardRounding.down(rect.minX)
        minY = OutwardRounding.down(rect.minY)
        maxX = OutwardRounding.up(rect.maxX)
        maxY = OutwardRounding.up(rect.maxY)
    }

    /// Whether the stored child rect at `floats` (minX, minY, maxX, maxY) intersects this one.
    @inlinable @inline(__always)
    func intersects(_ floats: UnsafePointer<Float>) -> Bool {
        floats[0] <= maxX && minX <= floats[2] && floats[1] <= maxY && minY <= floats[3]
    }
}

extension RTree {
    /// The stored (outward-rounded) rect of the child in `offset` of inner node `node`, widened back
    /// to Double exactly.
    @inlinable
    func innerRect(_ node: Int, _ offset: Int) -> Rect {
        let index = (node * maxEntries + offset) * 4
        return Rect(minX: Double(innerBounds[index]), minY: Double(innerBounds[index + 1]),
                    maxX: Double(innerBounds[index + 2]), maxY: Double(innerBounds[index + 3]))
    }

    /// Stores `rect` rounded outward as the child rect in `offset` of inner node `node`.
    @inlinable
    mutating func setInnerRect(_ node: Int, _ offset: Int, _ rect: Rect) {
        let index = (node * maxEntries + offset) * 4
        innerBounds[index] = OutwardRounding.down(rect.minX)
        innerBounds[index + 1] = OutwardRounding.down(rect.minY)
        innerBounds[index + 2] = OutwardRounding.up(rect.maxX)
        innerBounds[index + 3] = OutwardRounding.up(rect.maxY)
    }

    /// Copies the child rect in `from` to `to` within inner node `node` (already rounded: no rounding).
    @inlinable
    mutating func moveInnerRect(_ node: Int, from: Int, to: Int) {
        let source = (node * maxEntries + from) * 4, target = (node * maxEntries + to) * 4
        for component in 0..<4 { innerBounds[target + component] = innerBounds[source + component] }
    }

    /// Appends one inner node's worth of child rects, every one the empty rect.
    @inlinable
    mutating func appendEmptyInnerBounds() {
        for _ in 0..<maxEntries {
            innerBounds.append(contentsOf: [Float.infinity, .infinity, -.infinity, -.infinity])
        }
    }

    /// The offset of the child of the inner node whose rects start at `bounds` to descend into for
    /// `query`: least area enlargement, ties by least area, on the Float32 rects (any choice keeps
    /// the tree correct; this one only decides its shape).
    ///
    /// With `firstContaining` (the `axis` strategy, as in tidwall/rtree.c) the first child that
    /// already covers `query` is taken without weighing the others: the edge-snap split leaves
    /// siblings with little overlap, so the first container is nearly always the best one, and the
    /// scan usually stops halfway. Guttman's splits leave overlapping siblings, where this shortcut
    /// measurably degrades the tree, so they keep the full least-enlargement choice.
    @inlinable @inline(__always)
    static func chooseLeastEnlargement(_ bounds: UnsafePointer<Float>, count: Int,
                                       for query: RTreeFloatRect, firstContaining: Bool) -> Int {
        if firstContaining {
            var offset = 0
            while offset < count {
                let child = bounds + offset &* 4
                if child[0] <= query.minX && child[1] <= query.minY
                    && query.maxX <= child[2] && query.maxY <= child[3] { return offset }
                offset &+= 1
            }
        }
        var best = 0
        var bestGrowth = Float.infinity, bestArea = Float.infinity
        var offset = 0
        while offset < count {
            let child = bounds + offset &* 4
            let minX = child[0], minY = child[1], maxX = child[2], maxY = child[3]
            let area = (maxX - minX) * (maxY - minY)
            let growth = (Swift.max(maxX, query.maxX) - Swift.min(minX, query.minX))
                * (Swift.max(maxY, query.maxY) - Swift.min(minY, query.minY)) - area
            if growth < bestGrowth || (growth == bestGrowth && area < bestArea) {
                best = offset
                bestGrowth = growth
                bestArea = area
            }
            offset &+= 1
        }
        return best
    }

    /// Grows the stored child rect at `child` to cover `query`.
    @inlinable @inline(__always)
    static func grow(_ child: UnsafeMutablePointer<Float>, by query: RTreeFloatRect) {
        child[0] = Swift.min(child[0], query.minX)
        child[1] = Swift.min(child[1], query.minY)
        child[2] = Swift.max(child[2], query.maxX)
        child[3] = Swift.max(child[3], query.maxY)
    }

    /// The exact (Double) MBR of the entries below `node`, walking only into children whose stored
    /// rect could still widen the answer.
    ///
    /// Used after a removal took an entry on the edge of the tree's bounds; a stored rect lies
    /// inside the answer so far is skipped, since the exact MBR it covers lies inside too.
    @inlinable
    func exactNodeBounds(_ node: Int, level: Int, into result: inout Rect) {
        if level == 0 {
            result = result.union(nodeBounds(node, level: 0))
            return
        }
        for offset in 0..<Int(innerCounts[node]) where !result.contains(innerRect(node, offset)) {
            exactNodeBounds(Int(innerChildren[node * maxEntries + offset]), level: level - 1, into: &result)
        }
    }
}
