public import GeoCore

extension RTree {
    /// What an entry slot holds: a payload in a leaf, a child node index in an inner node.
    @usableFromInline
    enum EntryItem {
        case payload(Payload)
        case child(Int)
    }

    /// An entry waiting to be (re)inserted at `level`: evicted by R*'s forced reinsertion or
    /// orphaned by an underfull node during removal.
    @usableFromInline
    struct PendingEntry {
        @usableFromInline var rect: Rect
        @usableFromInline var level: Int
        @usableFromInline var item: EntryItem

        @inlinable
        init(rect: Rect, level: Int, item: EntryItem) {
            self.rect = rect
            self.level = level
            self.item = item
        }
    }

    /// State of one top-level insertion: R* reinserts at most once per level per insertion.
    @usableFromInline
    struct InsertContext {
        @usableFromInline var reinsertedLevels: UInt64 = 0
        @usableFromInline var pending: [PendingEntry] = []

        @inlinable init() {}
    }

    /// How a subtree changed, so the parent can fix its entry for it without rescanning.
    @usableFromInline
    enum InsertOutcome {
        /// The subtree's MBR grew by exactly the inserted rect.
        case grown
        /// Entries left the subtree (forced reinsertion); this is its new MBR.
        case recomputed(Rect)
        /// The subtree's root split: its new MBR, and the new sibling's MBR and index.
        case split(Rect, Rect, Int)
    }

    /// Adds an entry; duplicates (same bounds, even same payload) are kept as separate entries.
    ///
    /// `bounds` must be a non-empty rect without NaN (a point is a zero-size rect); anything else
    /// traps, since it could never be found again.
    @inlinable
    public mutating func insert(_ payload: Payload, bounds: Rect) {
        precondition(bounds.minX <= bounds.maxX && bounds.minY <= bounds.maxY,
                     "RTree.insert: bounds must be a non-empty rect without NaN, got \(bounds)")
        if height == 0 {
            rootNode = allocateLeaf(filler: payload)
            height = 1
        }
        if _configuration.split == .rstar {
            insertSettlingReinsertions(bounds, .payload(payload), level: 0)
        } else {
            insertDirect(bounds, payload)
        }
        entryCount += 1
        exactBounds = exactBounds.union(bounds)
    }

    /// Inserts one entry, then every entry R* evicted on the way (closest first), each of which may
    /// evict more at levels not yet reinserted.
    @inlinable
    mutating func insertSettlingReinsertions(_ rect: Rect, _ item: EntryItem, level: Int) {
        var context = InsertContext()
        insertEntry(rect, item, level: level, &context)
        var next = 0
        while next < context.pending.count {
            let entry = context.pending[next]
            next += 1
            insertEntry(entry.rect, entry.item, level: entry.level, &context)
        }
    }

    @inlinable
    mutating func insertEntry(_ rect: Rect, _ item: EntryItem, level: Int,
                              _ context: inout InsertContext) {
        let outcome = insertDescending(node: rootNode, nodeLevel: height - 1, rect, item,
                                       targetLevel: level, &context)
        if case let .split(first, second, sibling) = outcome {
            growRoot(first, second, sibling: sibling)
        }
    }

    /// The root split into itself (bounds `first`) and `sibling` (bounds `second`): a new root above
    /// both makes the tree one level taller, the only way an R-tree grows.
    @inlinable
    mutating func growRoot(_ first: Rect, _ second: Rect, sibling: Int) {
        let newRoot = allocateInner()
        let base = newRoot * maxEntries
        setInnerRect(newRoot, 0, first)
        innerChildren[base] = Int32(rootNode)
        setInnerRect(newRoot, 1, second)
        innerChildren[base + 1] = Int32(sibling)
        innerCounts[newRoot] = 2
        rootNode = newRoot
        height += 1
    }

    @inlinable
    mutating func insertDescending(node: Int, nodeLevel: Int, _ rect: Rect, _ item: EntryItem,
                                   targetLevel: Int, _ context: inout InsertContext) -> InsertOutcome {
        if nodeLevel == targetLevel {
            return addEntry(node: node, level: nodeLevel, rect, item, &context)
        }
        let offset = chooseSubtree(node: node, level: nodeLevel, for: rect)
        let child = Int(innerChildren[node * maxEntries + offset])
        switch insertDescending(node: child, nodeLevel: nodeLevel - 1, rect, item,
                                targetLevel: targetLevel, &context) {
        case .grown:
            setInnerRect(node, offset, innerRect(node, offset).union(rect))
            return .grown
        case .recomputed(let childBounds):
            setInnerRect(node, offset, childBounds)
            return .recomputed(nodeBounds(node, level: nodeLevel))
        case .split(let first, let second, let sibling):
            setInnerRect(node, offset, first)
            // This node's MBR is still old ∪ rect, so `.grown` stays exact unless it overflows too.
            return addEntry(node: node, level: nodeLevel, second, .child(sibling), &context)
        }
    }

    /// The slot offset of the child to descend into: least area enlargement, ties by least area;
    /// R* uses least overlap enlargement when the children are leaves.
    @inlinable
    func chooseSubtree(node: Int, level: Int, for rect: Rect) -> Int {
        let count = Int(innerCounts[node])
        if _configuration.split == .rstar && level == 1 {
            let rects = (0..<count).map { innerRect(node, $0) }
            return rects.withUnsafeBufferPointer { Self.leastOverlapEnlargement($0, base: 0, count: count, for: rect) }
        }
        let first = node * maxEntries * 4
        return innerBounds.withUnsafeBufferPointer { bounds in
            Self.chooseLeastEnlargement(bounds.baseAddress! + first, count: count,
                                        for: RTreeFloatRect(outward: rect), firstContaining: _configuration.split == .axis)
        }
    }

    /// R*'s leaf-parent choice: least overlap enlargement with the siblings, ties by area enlargement
    /// then area; only the 32 least-enlarging candidates are weighed (the R* paper's shortcut).
    @inlinable
    static func leastOverlapEnlargement(_ rects: UnsafeBufferPointer<Rect>, base: Int, count: Int,
                                        for rect: Rect) -> Int {
        var growths = [Double](repeating: 0, count: count)
        var best = 0
        var bestArea = Double.infinity
        var containing = false
        for offset in 0..<count {
            let candidate = rects[base + offset]
            let growth = candidate.union(rect).area - candidate.area
            growths[offset] = growth
            if growth == 0 && candidate.area < bestArea {
                best = offset
                bestArea = candidate.area
                containing = true
            }
        }
        // A child that grows by no area cannot gain overlap either: it is optimal.
        if containing { return best }
        var candidates = Array(0..<count)
        if count > 32 {
            candidates.sort { growths[$0] < growths[$1] }
            candidates.removeSubrange(32...)
        }
        var bestOverlap = Double.infinity, bestGrowth = Double.infinity
        bestArea = .infinity
        for offset in candidates {
            let candidate = rects[base + offset]
            let enlarged = candidate.union(rect)
            var overlapGrowth = 0.0
            for other in 0..<count where other != offset {
                let sibling = rects[base + other]
                overlapGrowth += RTreeSplitter.intersectionArea(enlarged, sibling)
                    - RTreeSplitter.intersectionArea(candidate, sibling)
            }
            let area = candidate.area
            if overlapGrowth < bestOverlap
                || (overlapGrowth == bestOverlap && (growths[offset] < bestGrowth
                    || (growths[offset] == bestGrowth && area < bestArea))) {
                best = offset
                bestOverlap = overlapGrowth
                bestGrowth = growths[offset]
                bestArea = area
            }
        }
        return best
    }

    @inlinable
    mutating func addEntry(node: Int, level: Int, _ rect: Rect, _ item: EntryItem,
                           _ context: inout InsertContext) -> InsertOutcome {
        let count = nodeCount(node, level: level)
        guard count == maxEntries else {
            let slot = node * maxEntries + count
            switch item {
            case .payload(let payload):
                leafRects[slot] = rect
                leafPayloads[slot] = payload
                leafCounts[node] += 1
            case .child(let child):
                setInnerRect(node, count, rect)
                innerChildren[slot] = Int32(child)
                innerCounts[node] += 1
            }
            return .grown
        }
        return overflow(node: node, level: level, rect, item, &context)
    }

    /// R*'s OverflowTreatment: forced reinsertion the first time a non-root level overflows during
    /// one insertion; a split otherwise (and always for linear and quadratic).
    @inlinable
    mutating func overflow(node: Int, level: Int, _ rect: Rect, _ item: EntryItem,
                           _ context: inout InsertContext) -> InsertOutcome {
        let base = node * maxEntries
        let end = base + maxEntries
        var rects = level == 0 ? Array(leafRects[base..<end]) : (0..<maxEntries).map { innerRect(node, $0) }
        rects.append(rect)
        var items: [EntryItem]
        if level == 0 {
            items = leafPayloads[base..<end].map { .payload($0) }
        } else {
            items = innerChildren[base..<end].map { .child(Int($0)) }
        }
        items.append(item)

        let levelBit: UInt64 = level < 64 ? 1 << UInt64(level) : 0
        if _configuration.split == .rstar && level < height - 1
            && context.reinsertedLevels & levelBit == 0 {
            context.reinsertedLevels |= levelBit
            let order = Self.farthestFromCentre(rects)
            let evicted = Swift.max(1, rects.count * 3 / 10)
            // Close reinsert: the nearest of the evicted go back first.
            for index in order[..<evicted].reversed() {
                context.pending.append(PendingEntry(rect: rects[index], level: level, item: items[index]))
            }
            let kept = writeNode(node, level: level, order[evicted...], rects, items)
            return .recomputed(kept)
        }

        let plan = RTreeSplitter.plan(rects, minEntries: minEntries, strategy: _configuration.split)
        let firstBounds = writeNode(node, level: level, plan.order[..<plan.firstCount], rects, items)
        let sibling: Int
        if level == 0, case .payload(let filler) = items[0] {
            sibling = allocateLeaf(filler: filler)
        } else {
            sibling = allocateInner()
        }
        let secondBounds = writeNode(sibling, level: level, plan.order[plan.firstCount...], rects, items)
        return .split(firstBounds, secondBounds, sibling)
    }

    /// Entry indices sorted by the distance of their centre from the centre of all, farthest first.
    @inlinable
    static func farthestFromCentre(_ rects: [Rect]) -> [Int] {
        var all = Rect.empty
        for rect in rects { all = all.union(rect) }
        let centre = all.center
        let distances = rects.map { rect -> Double in
            let c = rect.center
            return (c.x - centre.x) * (c.x - centre.x) + (c.y - centre.y) * (c.y - centre.y)
        }
        return rects.indices.sorted { distances[$0] > distances[$1] }
    }

    /// Overwrites `node` with the entries `selection` picks from `rects`/`items`; returns its MBR.
    ///
    /// Leaf slots past the new count get a live payload, so a vacated slot never keeps a payload
    /// alive that left the node.
    @inlinable
    mutating func writeNode(_ node: Int, level: Int, _ selection: ArraySlice<Int>,
                            _ rects: [Rect], _ items: [EntryItem]) -> Rect {
        let base = node * maxEntries
        var slot = base
        var bounds = Rect.empty
        var filler: Payload?
        for index in selection {
            bounds = bounds.union(rects[index])
            switch items[index] {
            case .payload(let payload):
                leafRects[slot] = rects[index]
                leafPayloads[slot] = payload
                if filler == nil { filler = payload }
            case .child(let child):
                setInnerRect(node, slot - base, rects[index])
                innerChildren[slot] = Int32(child)
            }
            slot += 1
        }
        if level == 0 {
            leafCounts[node] = Int32(selection.count)
            if let filler {
                for stale in slot..<((node + 1) * maxEntries) { leafPayloads[stale] = filler }
            }
        } else {
            innerCounts[node] = Int32(selection.count)
        }
        return bounds
    }
}
