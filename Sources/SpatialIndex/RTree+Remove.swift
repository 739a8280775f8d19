public import GeoCore

extension RTree {
    /// Removes ONE entry whose bounds equal `bounds` and whose payload satisfies `matches`; returns
    /// its payload, or nil (and changes nothing) when there is none.
    ///
    /// Guttman's CondenseTree: an underfull node on the path is dissolved and its entries are
    /// reinserted at their own level; a root left with one child is replaced by that child.
    /// Among several matching entries, which one goes is unspecified.
    @inlinable @discardableResult
    public mutating func remove(bounds: Rect, where matches: (Payload) -> Bool) -> Payload? {
        guard height > 0 else { return nil }
        var orphans: [PendingEntry] = []
        guard let removed = removeDescending(node: rootNode, level: height - 1, bounds,
                                             matches, &orphans) else { return nil }
        entryCount -= 1
        if entryCount == 0 {
            removeAll()
            return removed
        }
        let edges = exactBounds
        let onEdge = bounds.minX == edges.minX || bounds.minY == edges.minY
            || bounds.maxX == edges.maxX || bounds.maxY == edges.maxY
        for orphan in orphans {
            insertSettlingReinsertions(orphan.rect, orphan.item, level: orphan.level)
        }
        while height > 1 && innerCounts[rootNode] == 1 {
            let oldRoot = rootNode
            rootNode = Int(innerChildren[oldRoot * maxEntries])
            freeNode(oldRoot, level: height - 1, filler: nil)
            height -= 1
        }
        if onEdge {
            var exact = Rect.empty
            exactNodeBounds(rootNode, level: height - 1, into: &exact)
            exactBounds = exact
        }
        return removed
    }

    /// Removes a matching entry below `node`, dissolving children that fall below m entries into
    /// `orphans`; the caller fixes this node's own entry in its parent.
    @inlinable
    mutating func removeDescending(node: Int, level: Int, _ rect: Rect,
                                   _ matches: (Payload) -> Bool,
                                   _ orphans: inout [PendingEntry]) -> Payload? {
        let base = node * maxEntries
        if level == 0 {
            let count = Int(leafCounts[node])
            for slot in base..<(base + count) where leafRects[slot] == rect && matches(leafPayloads[slot]) {
                let removed = leafPayloads[slot]
                let last = base + count - 1
                leafRects[slot] = leafRects[last]
                leafPayloads[slot] = leafPayloads[last]
                leafPayloads[last] = leafPayloads[base]
                leafRects[last] = .empty
                leafCounts[node] -= 1
                return removed
            }
            return nil
        }
        for slot in base..<(base + Int(innerCounts[node])) where innerRect(node, slot - base).contains(rect) {
            let child = Int(innerChildren[slot])
            guard let removed = removeDescending(node: child, level: level - 1, rect, matches, &orphans)
            else { continue }
            if nodeCount(child, level: level - 1) < minEntries {
                dissolve(child, level: level - 1, into: &orphans)
                let last = base + Int(innerCounts[node]) - 1
                moveInnerRect(node, from: last - base, to: slot - base)
                innerChildren[slot] = innerChildren[last]
                innerCounts[node] -= 1
            } else {
                setInnerRect(node, slot - base, nodeBounds(child, level: level - 1))
            }
            return removed
        }
        return nil
    }

    /// Moves every entry of `node` to `orphans` (to be reinserted at `level`) and frees the node.
    @inlinable
    mutating func dissolve(_ node: Int, level: Int, into orphans: inout [PendingEntry]) {
        let base = node * maxEntries
        var filler: Payload?
        for slot in base..<(base + nodeCount(node, level: level)) {
            if level == 0 {
                let payload = leafPayloads[slot]
                if filler == nil { filler = payload }
                orphans.append(PendingEntry(rect: leafRects[slot], level: 0, item: .payload(payload)))
            } else {
                orphans.append(PendingEntry(rect: innerRect(node, slot - base), level: level,
                                            item: .child(Int(innerChildren[slot]))))
            }
        }
        freeNode(node, level: level, filler: filler)
    }
}

extension RTree where Payload: Equatable {
    /// Removes one entry equal to `payload` at exactly `bounds`; false if there is none.
    @inlinable @discardableResult
    public mutating func remove(_ payload: Payload, bounds: Rect) -> Bool {
        remove(bounds: bounds, where: { $0 == payload }) != nil
    }

    /// Moves an entry: remove at `oldBounds`, insert at `newBounds`. Returns false (and changes
    /// nothing) if absent.
    @inlinable @discardableResult
    public mutating func update(_ payload: Payload, from oldBounds: Rect, to newBounds: Rect) -> Bool {
        precondition(newBounds.minX <= newBounds.maxX && newBounds.minY <= newBounds.maxY,
                     "RTree.update: bounds must be a non-empty rect without NaN, got \(newBounds)")
        guard let removed = remove(bounds: oldBounds, where: { $0 == payload }) else { return false }
        insert(removed, bounds: newBounds)
        return true
    }
}
