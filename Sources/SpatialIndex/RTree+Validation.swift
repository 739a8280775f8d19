import GeoCore

extension RTree {
    /// Checks every structural invariant; throws the first violation found.
    ///
    /// Checked: each parent rect equals the tight MBR of its child rounded outward to Float32, and
    /// `bounds` equals the exact MBR of every entry; non-root nodes hold m...M
    /// entries, an inner root at least 2; every leaf sits at level 0 (equal depth) and every node is
    /// reachable exactly once from the root or on a free list, never both; entry rects are valid;
    /// the entry count matches. O(n).
    public func validate() throws(RTreeInvariantViolation) {
        let stride = maxEntries
        guard leafRects.count == leafCounts.count * stride, leafPayloads.count == leafRects.count,
              innerBounds.count == innerCounts.count * stride * 4,
              innerChildren.count == innerCounts.count * stride
        else { throw RTreeInvariantViolation(message: "arena arrays disagree on the node count") }
        guard height > 0 else {
            guard entryCount == 0, leafCounts.isEmpty, innerCounts.isEmpty else {
                throw RTreeInvariantViolation(message: "empty tree (height 0) still holds entries or nodes")
            }
            return
        }
        var seenLeaves = [Bool](repeating: false, count: leafCounts.count)
        var seenInners = [Bool](repeating: false, count: innerCounts.count)
        for leaf in freeLeaves { seenLeaves[Int(leaf)] = true }
        for node in freeInners { seenInners[Int(node)] = true }
        var path: [Int] = []
        let (rootBounds, entries) = try validateNode(rootNode, level: height - 1, path: &path,
                                            seenLeaves: &seenLeaves, seenInners: &seenInners)
        guard exactBounds == rootBounds else {
            throw RTreeInvariantViolation(message: "bounds is \(exactBounds) but the entries span \(rootBounds)")
        }
        guard entries == entryCount else {
            throw RTreeInvariantViolation(message: "count is \(entryCount) but the leaves hold \(entries) entries")
        }
        guard seenLeaves.allSatisfy({ $0 }), seenInners.allSatisfy({ $0 }) else {
            throw RTreeInvariantViolation(message: "a node is neither reachable nor on a free list (leaked)")
        }
    }

    /// Returns the node's exact (Double) MBR and the number of entries below it.
    func validateNode(_ node: Int, level: Int, path: inout [Int],
                      seenLeaves: inout [Bool], seenInners: inout [Bool])
        throws(RTreeInvariantViolation) -> (Rect, Int) {
        let isRoot = path.isEmpty
        if level == 0 {
            guard node >= 0 && node < seenLeaves.count && !seenLeaves[node] else {
                throw RTreeInvariantViolation(
                    message: "leaf \(node) is out of range, free, or reached twice", nodePath: path)
            }
            seenLeaves[node] = true
        } else {
            guard node >= 0 && node < seenInners.count && !seenInners[node] else {
                throw RTreeInvariantViolation(
                    message: "inner node \(node) at level \(level) is out of range, free, or reached twice",
                    nodePath: path)
            }
            seenInners[node] = true
        }
        let count = nodeCount(node, level: level)
        let minimum = isRoot ? (level == 0 ? 1 : 2) : minEntries
        guard count >= minimum && count <= maxEntries else {
            throw RTreeInvariantViolation(
                message: "node at level \(level) holds \(count) entries, outside \(minimum)...\(maxEntries)",
                nodePath: path)
        }
        let base = node * maxEntries
        var bounds = Rect.empty
        if level == 0 {
            for slot in base..<(base + count) {
                let rect = leafRects[slot]
                guard rect.minX <= rect.maxX && rect.minY <= rect.maxY else {
                    throw RTreeInvariantViolation(message: "entry \(slot - base) has invalid bounds \(rect)",
                                                  nodePath: path)
                }
                bounds = bounds.union(rect)
            }
            return (bounds, count)
        }
        var entries = 0
        for slot in base..<(base + count) {
            path.append(slot - base)
            let (childBounds, childEntries) = try validateNode(
                Int(innerChildren[slot]), level: level - 1, path: &path,
                seenLeaves: &seenLeaves, seenInners: &seenInners)
            let stored = innerRect(node, slot - base)
            let tight = Rect(minX: Double(OutwardRounding.down(childBounds.minX)),
                             minY: Double(OutwardRounding.down(childBounds.minY)),
                             maxX: Double(OutwardRounding.up(childBounds.maxX)),
                             maxY: Double(OutwardRounding.up(childBounds.maxY)))
            guard stored == tight else {
                throw RTreeInvariantViolation(
                    message: "stored rect \(stored) is not the child's tight MBR \(childBounds) rounded outward to Float32 (\(tight))",
                    nodePath: path)
            }
            path.removeLast()
            bounds = bounds.union(childBounds)
            entries += childEntries
        }
        return (bounds, entries)
    }

    /// Height, node counts and fill, by walking the tree (O(nodes)).
    public var statistics: RTreeStatistics {
        guard height > 0 else {
            return RTreeStatistics(height: 0, nodeCount: 0, leafCount: 0, entryCount: 0,
                                   averageFill: 0, minimumFill: 0, maximumFill: 0)
        }
        var nodes = 0, leaves = 0, fillSum = 0
        var minimumFill = Int.max, maximumFill = 0
        func walk(_ node: Int, level: Int, isRoot: Bool) {
            let count = nodeCount(node, level: level)
            nodes += 1
            fillSum += count
            if !isRoot {
                minimumFill = Swift.min(minimumFill, count)
                maximumFill = Swift.max(maximumFill, count)
            }
            if level == 0 {
                leaves += 1
                return
            }
            let base = node * maxEntries
            for slot in base..<(base + count) { walk(Int(innerChildren[slot]), level: level - 1, isRoot: false) }
        }
        walk(rootNode, level: height - 1, isRoot: true)
        if nodes == 1 {
            minimumFill = fillSum
            maximumFill = fillSum
        }
        return RTreeStatistics(height: height, nodeCount: nodes, leafCount: leaves, entryCount: entryCount,
                               averageFill: Double(fillSum) / Double(nodes * maxEntries),
                               minimumFill: minimumFill, maximumFill: maximumFill)
    }
}
