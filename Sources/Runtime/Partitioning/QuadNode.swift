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

extension SpacePartitionMap {
    /// Calls `body` with the index of every slot sharing a cell with `cells`, in ascending order.
    func forEachSlot(touching cells: CellRange, _ body: (Int) -> Void) {
        visit(0, cells, body)
    }

    private func visit(_ index: Int, _ cells: CellRange, _ body: (Int) -> Void) {
        let node = tree[index]
        guard cells.intersects(x: node.x, y: node.y, side: node.side) else { return }
        if node.child < 0 {
            body(Int(~node.child))
            return
        }
        let first = Int(node.child)
        for k in first..<(first + 4) { visit(k, cells, body) }
    }
}
