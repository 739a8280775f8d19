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
            if levels > 1 {
                let root = rootNode
                node = innerBounds.withUnsafeMutableBufferPointer { bounds in
                    innerChildren.withUnsafeBufferPointer { children in
                        innerCounts.withUnsafeBufferPointer { counts in
                            Self.descend(from: root, levels: levels, to: RTreeFloatRect(outward: rect),
                                         bounds: bounds.baseAddress!, children: children.baseAddress!,
                                         counts: counts.baseAddress!, maxEntries: maxEntries,
                                         firstContaining: firstContaining, pathSlots: pathSlots)
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

    /// Walks from the root to the leaf that receives `query`, growing each chosen child's rect and
    /// recording its slot in `pathSlots[level]`; returns the leaf. Plain values and pointers in, a
    /// value out, so the loop keeps its state in registers.
    @inlinable @inline(__always)
    static func descend(from root: Int, levels: Int, to query: RTreeFloatRect,
                        bounds: UnsafeMutablePointer<Float>, children: UnsafePointer<Int32>,
                        counts: UnsafePointer<Int32>, maxEntries: Int,
                        firstContaining: Bool, pathSlots: UnsafeMutableBufferPointer<Int>) -> Int {
        var node = root
        var level = levels &- 1
        while level > 0 {
            let first = node &* maxEntries
            let offset = chooseLeastEnlargement(bounds + first &* 4, count: Int(counts[node]), for: query,
                                                firstContaining: firstContaining)
            let slot = first &+ offset
            grow(bounds + slot &* 4, by: query)
            pathSlots[level] = slot
            node = Int(children[slot])
            level &-= 1
        }
        return node
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
            setInnerRect(node, parentSlot - node * maxEntries, first)
            outcome = addEntry(node: node, level: level, second, .child(sibling), &context)
        }
    }
}
