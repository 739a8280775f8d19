public import GeoCore

/// A node or entry waiting in a best-first search queue.
///
/// `level >= 0` names the node `ref` at that level; `level == -1` names the leaf slot `ref`.
@usableFromInline
struct RTreeQueueItem {
    @usableFromInline var key: Double
    @usableFromInline var ref: Int
    @usableFromInline var level: Int

    @inlinable
    init(key: Double, ref: Int, level: Int) {
        self.key = key
        self.ref = ref
        self.level = level
    }
}

/// A binary min-heap on `key` in a plain array. The k-best list of `nearest` stores negated
/// distances, so its top is the current k-th distance.
@usableFromInline
struct RTreeQueue {
    @usableFromInline var items: [RTreeQueueItem] = []

    @inlinable
    init(capacity: Int) {
        items.reserveCapacity(capacity)
    }

    @inlinable var count: Int { items.count }
    @inlinable var isEmpty: Bool { items.isEmpty }
    @inlinable var top: RTreeQueueItem { items[0] }

    @inlinable
    func precedes(_ a: RTreeQueueItem, _ b: RTreeQueueItem) -> Bool {
        a.key < b.key
    }

    @inlinable
    mutating func push(_ item: RTreeQueueItem) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !precedes(item, items[parent]) { break }
            items[child] = items[parent]
            child = parent
        }
        items[child] = item
    }

    @inlinable
    mutating func pop() -> RTreeQueueItem {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty { siftDown(last) }
        return top
    }

    /// Replaces the top with `item` (cheaper than pop + push).
    @inlinable
    mutating func replaceTop(_ item: RTreeQueueItem) {
        siftDown(item)
    }

    @inlinable
    mutating func siftDown(_ item: RTreeQueueItem) {
        let count = items.count
        var parent = 0
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count, precedes(items[child + 1], items[child]) { child += 1 }
            if !precedes(items[child], item) { break }
            items[parent] = items[child]
            parent = child
        }
        items[parent] = item
    }
}

extension RTree {
    /// The `k` entries nearest to `point` by planar distance to their bounds (0 inside), nearest
    /// first, none farther than `maxDistance`.
    ///
    /// Best-first search (Hjaltason & Samet 1999) pruned by the current k-th distance. Among entries
    /// tied at the k-th distance an arbitrary subset is returned. `k <= 0` returns nothing.
    @inlinable
    public func nearest(to point: Point, k: Int, maxDistance: Double = .infinity) -> [Neighbor<Payload>] {
        guard k > 0, height > 0, !(maxDistance < 0) else { return [] }
        // Squared bound for pruning, loosened by one ulp so rounding never prunes an entry whose
        // exact `sqrt` distance equals `maxDistance`; the exact test happens per entry.
        let squaredLimit = maxDistance == .infinity ? Double.infinity : (maxDistance * maxDistance).nextUp
        let best: [RTreeQueueItem] = withNodeView { view in
            var best = RTreeQueue(capacity: k)
            let maxEntries = view.maxEntries

            /// Offers every entry of `leaf` to the k-best list.
            func scanLeaf(_ leaf: Int) {
                let base = leaf * maxEntries
                for slot in base..<(base + Int(view.leafCounts[leaf])) {
                    let distance = view.leafRects[slot].squaredDistance(to: point)
                    if best.count < k {
                        if distance <= squaredLimit
                            && (maxDistance == .infinity || distance.squareRoot() <= maxDistance) {
                            best.push(RTreeQueueItem(key: -distance, ref: slot, level: -1))
                        }
                    } else if distance < -best.top.key {
                        best.replaceTop(RTreeQueueItem(key: -distance, ref: slot, level: -1))
                    }
                }
            }

            // Dive greedily to the leaf nearest the point first: its entries give a k-th distance
            // before the best-first search starts, so most siblings are never queued at all.
            var dived = rootNode
            var diveLevel = height - 1
            while diveLevel > 0 {
                let base = dived * maxEntries
                var nearestChild = Int(view.innerChildren[base])
                var nearestDistance = Double.infinity
                for slot in base..<(base + Int(view.innerCounts[dived])) {
                    let distance = view.innerRects[slot].squaredDistance(to: point)
                    if distance < nearestDistance {
                        nearestDistance = distance
                        nearestChild = Int(view.innerChildren[slot])
                    }
                }
                dived = nearestChild
                diveLevel -= 1
            }
            scanLeaf(dived)

            var queue = RTreeQueue(capacity: 64)
            queue.push(RTreeQueueItem(key: 0, ref: rootNode, level: height - 1))
            while !queue.isEmpty {
                let item = queue.pop()
                let bound = best.count == k ? -best.top.key : squaredLimit
                if item.key > bound || (best.count == k && item.key == bound) { break }
                if item.level == 0 {
                    if item.ref != dived { scanLeaf(item.ref) }
                } else {
                    let base = item.ref * maxEntries
                    let childLevel = item.level - 1
                    for slot in base..<(base + Int(view.innerCounts[item.ref])) {
                        let distance = view.innerRects[slot].squaredDistance(to: point)
                        let limit = best.count == k ? -best.top.key : squaredLimit
                        if distance < limit || (best.count < k && distance == limit) {
                            queue.push(RTreeQueueItem(
                                key: distance, ref: Int(view.innerChildren[slot]), level: childLevel))
                        }
                    }
                }
            }
            return best.items
        }
        return best.sorted { $0.key > $1.key }.map { item in
            Neighbor(payload: leafPayloads[item.ref], bounds: leafRects[item.ref],
                     distance: (-item.key).squareRoot())
        }
    }

    /// Delivers entries to `visit` in non-decreasing `distance`, exploring nodes best-first by
    /// `lowerBound`; stops when `visit` returns false.
    ///
    /// `lowerBound(rect)` must never exceed `distance(rect, payload)` for any entry under a node with
    /// bounds `rect` (an entry lies under its own rect too), or the order is wrong. Entries are queued
    /// by their lower bound and measured exactly only when they reach the front (lazy refinement), so
    /// an expensive `distance` runs only for entries that can still be among the nearest. `point` is
    /// the query point the two functions measure from; it only documents intent.
    @inlinable
    public func forEachNearest(to point: Point,
                               lowerBound: (Rect) -> Double,
                               distance: (Rect, Payload) -> Double,
                               _ visit: (Neighbor<Payload>) throws -> Bool) rethrows {
        guard height > 0 else { return }
        // Levels: >= 0 a node, -1 an entry with its exact distance, -2 an entry keyed by its bound.
        let measured = -1, unmeasured = -2
        try withNodeView { view in
            var queue = RTreeQueue(capacity: 64)
            let maxEntries = view.maxEntries
            queue.push(RTreeQueueItem(key: -.infinity, ref: rootNode, level: height - 1))
            while !queue.isEmpty {
                let item = queue.pop()
                if item.level == measured {
                    let neighbor = Neighbor(payload: view.leafPayloads[item.ref],
                                            bounds: view.leafRects[item.ref], distance: item.key)
                    if try !visit(neighbor) { return }
                    continue
                }
                if item.level == unmeasured {
                    let exact = distance(view.leafRects[item.ref], view.leafPayloads[item.ref])
                    queue.push(RTreeQueueItem(key: exact, ref: item.ref, level: measured))
                    continue
                }
                let base = item.ref * maxEntries
                if item.level == 0 {
                    for slot in base..<(base + Int(view.leafCounts[item.ref])) {
                        queue.push(RTreeQueueItem(key: lowerBound(view.leafRects[slot]), ref: slot, level: unmeasured))
                    }
                } else {
                    for slot in base..<(base + Int(view.innerCounts[item.ref])) {
                        queue.push(RTreeQueueItem(key: lowerBound(view.innerRects[slot]),
                                                  ref: Int(view.innerChildren[slot]),
                                                  level: item.level - 1))
                    }
                }
            }
        }
    }

    /// The `k` entries nearest under a custom metric, nearest first, none farther than `maxDistance`.
    ///
    /// Same contract for `lowerBound` and `distance` as `forEachNearest`.
    @inlinable
    public func nearest(to point: Point, k: Int, maxDistance: Double = .infinity,
                        lowerBound: (Rect) -> Double,
                        distance: (Rect, Payload) -> Double) -> [Neighbor<Payload>] {
        guard k > 0 else { return [] }
        var found: [Neighbor<Payload>] = []
        forEachNearest(to: point, lowerBound: lowerBound, distance: distance) { neighbor in
            guard neighbor.distance <= maxDistance else { return false }
            found.append(neighbor)
            return found.count < k
        }
        return found
    }
}
