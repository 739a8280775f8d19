public import GeoCore

/// Double to Float32 conversions that never move a bound inwards.
///
/// Inner nodes keep their child rects as Float32 (half the bytes, eight children per SIMD
/// operation). A stored rect is the exact MBR rounded outward, minimum sides down and maximum sides
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
struct RTreeLaneRect {
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

    @inlinable var minX4: SIMD4<Float> { SIMD4(repeating: minX) }
    @inlinable var minY4: SIMD4<Float> { SIMD4(repeating: minY) }
    @inlinable var maxX4: SIMD4<Float> { SIMD4(repeating: maxX) }
    @inlinable var maxY4: SIMD4<Float> { SIMD4(repeating: maxY) }
}

/// Four lanes at a time with the SIMD4 operations this toolchain lowers to single SSE
/// instructions (loads, + - *, `replacing(with:where:)` on one comparison). Used only for
/// choosing a subtree, which may be approximate: a NaN (from inf - inf, coordinates beyond Float's
/// range) only makes a choice worse, never wrong.
@usableFromInline
enum RTreeQuad {
    @inlinable @inline(__always)
    static func load(_ floats: UnsafePointer<Float>, _ index: Int) -> SIMD4<Float> {
        UnsafeRawPointer(floats + index).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inlinable @inline(__always)
    static func min(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .< a) }

    @inlinable @inline(__always)
    static func max(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .> a) }

    /// Area enlargement and area of lanes `first..<first + 4` of a group for covering `query`;
    /// lanes at or past `lanes` get growth +inf so they never win.
    @inlinable @inline(__always)
    static func growth(_ floats: UnsafePointer<Float>, _ first: Int, _ query: RTreeLaneRect,
                       lanes: Int) -> (SIMD4<Float>, SIMD4<Float>) {
        let minX = load(floats, first), minY = load(floats, 8 &+ first)
        let maxX = load(floats, 16 &+ first), maxY = load(floats, 24 &+ first)
        let area = (maxX - minX) * (maxY - minY)
        let grown = (max(maxX, query.maxX4) - min(minX, query.minX4)) * (max(maxY, query.maxY4) - min(minY, query.minY4))
        let index = SIMD4<Int32>(0, 1, 2, 3) &+ Int32(truncatingIfNeeded: first)
        let growth = (grown - area).replacing(with: .infinity, where: index .>= SIMD4(repeating: Int32(truncatingIfNeeded: lanes)))
        return (growth, area)
    }
}

/// Tests on one group of eight child rects, as bit masks so a loop visits only the lanes that
/// passed. A group is 32 Floats: minX of lanes 0...7, then minY, maxX, maxY. The loops are
/// branch-free over a fixed eight lanes (Swift's generic SIMD types were not lowered to vector
/// code in this toolchain; plain loops are).
@usableFromInline
enum RTreeLanes {
    /// Floats per group of eight lanes.
    @usableFromInline static let groupStride = 32

    /// Bits of the lanes of group `group` that hold one of `count` children.
    @inlinable @inline(__always)
    static func occupied(group: Int, count: Int) -> UInt32 {
        let lanes = count - group * 8
        return lanes >= 8 ? 0xFF : (UInt32(1) << UInt32(truncatingIfNeeded: lanes)) &- 1
    }

    /// Lanes whose child rect intersects `query` (edges touching count).
    @inlinable @inline(__always)
    static func intersecting(_ group: UnsafePointer<Float>, _ query: RTreeLaneRect) -> UInt32 {
        var bits: UInt32 = 0
        for lane in 0..<8 {
            let hit = (group[lane] <= query.maxX ? 1 : 0) & (query.minX <= group[16 + lane] ? 1 : 0)
                & (group[8 + lane] <= query.maxY ? 1 : 0) & (query.minY <= group[24 + lane] ? 1 : 0)
            bits |= UInt32(hit) << UInt32(lane)
        }
        return bits
    }

    /// Lanes whose child rect covers `query`.
    @inlinable @inline(__always)
    static func covering(_ group: UnsafePointer<Float>, _ query: RTreeLaneRect) -> UInt32 {
        var bits: UInt32 = 0
        for lane in 0..<8 {
            let hit = (group[lane] <= query.minX ? 1 : 0) & (group[8 + lane] <= query.minY ? 1 : 0)
                & (query.maxX <= group[16 + lane] ? 1 : 0) & (query.maxY <= group[24 + lane] ? 1 : 0)
            bits |= UInt32(hit) << UInt32(lane)
        }
        return bits
    }
}

extension RTree {
    /// Index in `innerBounds` of lane 0's minX in `group` of inner node `node`.
    @inlinable @inline(__always)
    func boundsIndex(_ node: Int, group: Int) -> Int {
        (node * laneGroups + group) * RTreeLanes.groupStride
    }

    /// The stored (outward-rounded) rect of the child in `offset` of inner node `node`, widened back
    /// to Double exactly.
    @inlinable
    func innerRect(_ node: Int, _ offset: Int) -> Rect {
        let index = boundsIndex(node, group: offset >> 3) + offset & 7
        return Rect(minX: Double(innerBounds[index]), minY: Double(innerBounds[index + 8]),
                    maxX: Double(innerBounds[index + 16]), maxY: Double(innerBounds[index + 24]))
    }

    /// Stores `rect` rounded outward as the child rect in `offset` of inner node `node`.
    @inlinable
    mutating func setInnerRect(_ node: Int, _ offset: Int, _ rect: Rect) {
        let index = boundsIndex(node, group: offset >> 3) + offset & 7
        innerBounds[index] = OutwardRounding.down(rect.minX)
        innerBounds[index + 8] = OutwardRounding.down(rect.minY)
        innerBounds[index + 16] = OutwardRounding.up(rect.maxX)
        innerBounds[index + 24] = OutwardRounding.up(rect.maxY)
    }

    /// Copies the child rect in `from` to `to` within inner node `node` (already rounded: no rounding).
    @inlinable
    mutating func moveInnerRect(_ node: Int, from: Int, to: Int) {
        let source = boundsIndex(node, group: from >> 3) + from & 7
        let target = boundsIndex(node, group: to >> 3) + to & 7
        for component in stride(from: 0, to: RTreeLanes.groupStride, by: 8) {
            innerBounds[target + component] = innerBounds[source + component]
        }
    }

    /// Appends one inner node's worth of lanes, every lane the empty rect.
    @inlinable
    mutating func appendEmptyInnerBounds() {
        for _ in 0..<laneGroups {
            innerBounds.append(contentsOf: repeatElement(Float.infinity, count: 16))
            innerBounds.append(contentsOf: repeatElement(-Float.infinity, count: 16))
        }
    }

    /// The offset of the child of inner node `node` to descend into for `rect`: least area
    /// enlargement, ties by least area, on the Float32 rects (any choice keeps the tree correct;
    /// this one only decides its shape).
    ///
    /// With `firstContaining` (the `axis` strategy, as in tidwall/rtree.c) the first child that
    /// already covers `rect` is taken without weighing the others: the edge-snap split leaves
    /// siblings with little overlap, so the first container is nearly always the best one, and
    /// eight children are tested per step. Guttman's splits leave overlapping siblings, where this
    /// shortcut measurably degrades the tree, so they keep the full least-enlargement choice.
    @inlinable @inline(__always)
    static func chooseLeastEnlargement(_ bounds: UnsafePointer<Float>, count: Int,
                                       for query: RTreeLaneRect, firstContaining: Bool) -> Int {
        let groupCount = (count &+ 7) >> 3
        if firstContaining {
            // Scalar with early exit: most children fail on their first side, so this beats
            // testing eight lanes at once (measured with callgrind).
            var group = 0
            while group < groupCount {
                let floats = bounds + group &* RTreeLanes.groupStride
                let lanes = Swift.min(8, count &- group &* 8)
                var lane = 0
                while lane < lanes {
                    if floats[lane] <= query.minX && floats[lane &+ 8] <= query.minY
                        && query.maxX <= floats[lane &+ 16] && query.maxY <= floats[lane &+ 24] {
                        return group &* 8 &+ lane
                    }
                    lane &+= 1
                }
                group &+= 1
            }
        }
        var best = 0
        var bestGrowth = Float.infinity, bestArea = Float.infinity
        var group = 0
        while group < groupCount {
            let floats = bounds + group &* RTreeLanes.groupStride
            let lanes = Swift.min(8, count &- group &* 8)
            let (growthLow, areaLow) = RTreeQuad.growth(floats, 0, query, lanes: lanes)
            let (growthHigh, areaHigh) = RTreeQuad.growth(floats, 4, query, lanes: lanes)
            let smallest = RTreeQuad.min(growthLow, growthHigh)
            // Most groups cannot beat the best so far: skip their lane-by-lane pick.
            if Swift.min(Swift.min(smallest[0], smallest[1]), Swift.min(smallest[2], smallest[3])) <= bestGrowth {
                for lane in 0..<lanes {
                    let growth = lane < 4 ? growthLow[lane] : growthHigh[lane &- 4]
                    let area = lane < 4 ? areaLow[lane] : areaHigh[lane &- 4]
                    if growth < bestGrowth || (growth == bestGrowth && area < bestArea) {
                        best = group &* 8 &+ lane
                        bestGrowth = growth
                        bestArea = area
                    }
                }
            }
            group &+= 1
        }
        return best
    }

    /// Grows the child rect at `index` (its minX; see `boundsIndex`) to cover `query`.
    @inlinable @inline(__always)
    static func grow(_ bounds: UnsafeMutablePointer<Float>, at index: Int, by query: RTreeLaneRect) {
        bounds[index] = Swift.min(bounds[index], query.minX)
        bounds[index &+ 8] = Swift.min(bounds[index &+ 8], query.minY)
        bounds[index &+ 16] = Swift.max(bounds[index &+ 16], query.maxX)
        bounds[index &+ 24] = Swift.max(bounds[index &+ 24], query.maxY)
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
