public import GeoCore

/// The insertion path for the splits that never reinsert (linear, quadratic, axis): one iterative
/// descent that grows each chosen child's rect in place, then, only if the leaf is full, splits
/// walking back up the recorded path.
///
/// Growing on the way down is exact: after a child splits, its two halves together cover exactly
/// the grown rect, and the parent's entry for the child is recomputed from the child anyway.
/// The arena is made unique once per insertion (one copy-on-write check), not once per write.
extension RTree {
    @inlinable
    mutating func insertDirect(_ rect: Rect, _ payload: Payload) {
        let maxEntries = self.maxEntries
        let levels = height
        let firstContaining = _configuration.split == .axis
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(levels, 1)) { pathSlots in
            // pathSlots[level] = arena slot chosen in the inner node at `level` (1...levels-1).
            var node = rootNode
            var level = levels - 1
            if level > 0 {
                innerRects.withUnsafeMutableBufferPointer { rects in
                    innerChildren.withUnsafeBufferPointer { children in
                        innerCounts.withUnsafeBufferPointer { counts in
                            while level > 0 {
                                let base = node * maxEntries
                                let slot = base + Self.chooseLeastEnlargement(
                                    UnsafeBufferPointer(rebasing: rects[base..<(base + Int(counts[node]))]), for: rect,
                                    firstContaining: firstContaining)
                                let grown = rects[slot]
                                rects[slot] = Rect(minX: Swift.min(grown.minX, rect.minX), minY: Swift.min(grown.minY, rect.minY),
                                                   maxX: Swift.max(grown.maxX, rect.maxX), maxY: Swift.max(grown.maxY, rect.maxY))
                                pathSlots[level] = slot
                                node = Int(children[slot])
                                level -= 1
                            }
                        }
                    }
                }
            }
            let count = Int(leafCounts[node])
            if count < maxEntries {
                let slot = node * maxEntries + count
                leafRects[slot] = rect
                leafPayloads[slot] = payload
                leafCounts[node] = Int32(count + 1)
                return
            }
            splitUpwards(from: node, pathSlots: pathSlots, rect, payload)
        }
    }

    /// Splits the full leaf `leaf` to make room for the new entry, then carries each new sibling up
    /// the path until a parent has room, growing a new root if the old one splits.
    @inlinable
    mutating func splitUpwards(from leaf: Int, pathSlots: UnsafeMutableBufferPointer<Int>,
                               _ rect: Rect, _ payload: Payload) {
        var context = InsertContext()
        var node = leaf
        var outcome = overflow(node: leaf, level: 0, rect, .payload(payload), &context)
        var level = 0
        while case let .split(first, second, sibling) = outcome {
            if level == height - 1 {
                growRoot(first, second, sibling: sibling)
                return
            }
            level += 1
            let parentSlot = pathSlots[level]
            node = parentSlot / maxEntries
            innerRects[parentSlot] = first
            outcome = addEntry(node: node, level: level, second, .child(sibling), &context)
        }
    }

    /// Offset of the child needing least area enlargement to cover `rect`; ties go to the smaller
    /// child.
    ///
    /// With `firstContaining` (the `axis` strategy, as in tidwall/rtree.c) the first child that
    /// already covers `rect` is taken without weighing the others: the edge-snap split leaves
    /// siblings with little overlap, so the first container is nearly always the best one, and the
    /// scan usually stops halfway. Guttman's splits leave overlapping siblings, where this shortcut
    /// measurably degrades the tree, so they keep the full least-enlargement choice.
    @inlinable
    static func chooseLeastEnlargement(_ rects: UnsafeBufferPointer<Rect>, for rect: Rect,
                                       firstContaining: Bool) -> Int {
        if firstContaining {
            for offset in 0..<rects.count {
                let candidate = rects[offset]
                if candidate.minX <= rect.minX && candidate.minY <= rect.minY
                    && rect.maxX <= candidate.maxX && rect.maxY <= candidate.maxY { return offset }
            }
        }
        var best = 0
        var bestGrowth = Double.infinity, bestArea = Double.infinity
        for offset in 0..<rects.count {
            let candidate = rects[offset]
            let width = candidate.maxX - candidate.minX, height = candidate.maxY - candidate.minY
            let area = width * height
            let grownWidth = Swift.max(candidate.maxX, rect.maxX) - Swift.min(candidate.minX, rect.minX)
            let grownHeight = Swift.max(candidate.maxY, rect.maxY) - Swift.min(candidate.minY, rect.minY)
            let growth = grownWidth * grownHeight - area
            if growth < bestGrowth || (growth == bestGrowth && area < bestArea) {
                best = offset
                bestGrowth = growth
                bestArea = area
            }
        }
        return best
    }
}
