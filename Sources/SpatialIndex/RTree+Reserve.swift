extension RTree {
    /// The share of leaf slots assumed filled when turning an entry count into a node count.
    ///
    /// Inserting 1,000,000 uniform points one by one with the default configuration fills leaves
    /// to 0.69 of M (`rtree_insert_leaf_fill` in the benchmark); 0.6 leaves a margin for data that
    /// packs less well, because guessing too high costs a 1.5x growth (a copy, and a third of the
    /// arena spare) while guessing too low only leaves the margin unused. A split keeps every node
    /// between m and M, so fills stay in that neighbourhood for any data.
    static var typicalInsertFill: Double { 0.6 }

    /// Reserves arena capacity for about `entryCount` entries in total, so that inserting them
    /// never copies the arena to grow it.
    ///
    /// Why: without a hint the arena grows by 1.5x, and each growth copies every node built so far;
    /// for a million inserts those copies are most of the cache misses an insert causes. The node
    /// count is estimated from `typicalInsertFill`; if the tree ends up needing more (unusual data,
    /// removals and reinserts), the arena grows as it would have without the hint. Reserving less
    /// than the arena already holds does nothing; the reserved capacity counts in
    /// `allocatedByteCount`. Copy-on-write: on a shared tree this makes the copy now.
    public mutating func reserveCapacity(forEntries entryCount: Int) {
        precondition(entryCount >= 0, "RTree.reserveCapacity: entryCount must not be negative, got \(entryCount)")
        guard entryCount > 0 else { return }
        let perNode = Swift.max(1.0, Double(maxEntries) * Self.typicalInsertFill)
        let leaves = Int((Double(entryCount) / perNode).rounded(.up))
        // Every level above holds about leaves / perNode^k nodes: the geometric sum, plus the root.
        var inners = 0
        var level = Double(leaves)
        while level > 1 {
            level = (level / perNode).rounded(.up)
            inners += Int(level)
        }
        let leafSlots = leaves * maxEntries
        if leafSlots > leafRects.capacity {
            leafRects.reserveCapacity(leafSlots)
            leafPayloads.reserveCapacity(leafSlots)
            leafCounts.reserveCapacity(leaves)
        }
        let innerSlots = inners * maxEntries
        if innerSlots > innerChildren.capacity {
            innerBounds.reserveCapacity(innerSlots * 4)
            innerChildren.reserveCapacity(innerSlots)
            innerCounts.reserveCapacity(inners)
        }
    }
}
