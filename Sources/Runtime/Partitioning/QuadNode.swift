import GeoCore

/// A node of the quadtree whose leaves are a map's slots, in cell coordinates of the order-16 grid.
///
/// Rect and halo queries descend it instead of scanning every slot: a small halo touches a handful
/// of nodes whatever the slot count. Children are stored as four consecutive nodes in Hilbert order,
/// so a descent meets slots in ascending order (and so workers in ascending order).
struct QuadNode: Sendable {
    /// Min corner, in cells.
    var x: UInt32
    var y: UInt32
    /// Side, in cells: 2^(16 − level).
    var side: UInt32
    /// ≥ 0: index of the first of four children; < 0: a leaf holding slot `~child`.
    var child: Int32

    static func curveLength(atLevel level: UInt8) -> UInt64 { 1 << UInt64(2 * (SlotGrid.order - Int(level))) }
    static func side(atLevel level: UInt8) -> UInt32 { 1 << UInt32(SlotGrid.order - Int(level)) }

    /// The tree over slots given by their levels in Hilbert order (a valid tiling of the curve).
    static func tree(levels: [UInt8]) -> [QuadNode] {
        var nodes = [QuadNode(x: 0, y: 0, side: SlotGrid.side, child: 0)]
        nodes.reserveCapacity(levels.count * 4 / 3 + 1)
        var nextSlot = 0
        func fill(_ index: Int, level: UInt8, start: UInt64) {
            if levels[nextSlot] == level {
                nodes[index].child = ~Int32(nextSlot)
                nextSlot += 1
                return
            }
            let first = nodes.count
            nodes[index].child = Int32(first)
            let quarter = curveLength(atLevel: level + 1), side = side(atLevel: level + 1)
            for k in 0..<4 {
                let corner = SpaceFillingCurve.hilbertCell(of: start + UInt64(k) * quarter, order: SlotGrid.order)
                nodes.append(QuadNode(x: corner.x & ~(side - 1), y: corner.y & ~(side - 1), side: side, child: 0))
            }
            for k in 0..<4 { fill(first + k, level: level + 1, start: start + UInt64(k) * quarter) }
        }
        fill(0, level: 0, start: 0)
        return nodes
    }
}

extension PartitionTables {
    /// Calls `body` with the index of every slot sharing a cell with `cells`, in ascending order.
    ///
    /// A range inside one slot (most halos and small polygons) costs a key and a binary search; a
    /// larger one descends the tree, visiting only nodes that share a cell with it.
    /// `state` is threaded through explicitly rather than captured, which would cost a dynamic
    /// exclusivity check on every access.
    @inline(__always)
    func forEachSlot<State>(touching cells: CellRange, state: inout State, _ body: (inout State, Int) -> Void) {
        let first = SpacePartitionMap.lastIndex(atMost: HilbertKey.index(x: cells.minX, y: cells.minY), in: slotStarts)
        let square = slotSquares[first]
        if cells.maxX < square.x + square.side && cells.maxY < square.y + square.side {
            body(&state, first)  // the slot is a square holding both corners, so the whole range
            return
        }
        tree.withUnsafeBufferPointer { tree in
            // Depth-first, children pushed last-first so slots come out in Hilbert order. Each level
            // leaves at most 3 siblings waiting, so 16 levels need fewer than 64 entries.
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { stack in
                stack[0] = 0
                var top = 1
                while top > 0 {
                    top -= 1
                    let node = tree[Int(stack[top])]
                    if node.child < 0 {
                        body(&state, Int(~node.child))
                        continue
                    }
                    for k in stride(from: node.child + 3, through: node.child, by: -1) {
                        let child = tree[Int(k)]
                        if cells.intersects(x: child.x, y: child.y, side: child.side) {
                            stack[top] = k
                            top += 1
                        }
                    }
                }
            }
        }
    }
}
