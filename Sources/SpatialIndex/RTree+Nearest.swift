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

/// The k best candidates of a planar nearest query: a max-heap on squared distance in a
/// fixed-capacity buffer, so its top is the current k-th distance and a query allocates nothing
/// for it.
@usableFromInline
struct RTreeKBest {
    @usableFromInline let distances: UnsafeMutablePointer<Double>
    @usableFromInline let slots: UnsafeMutablePointer<Int>
    @usableFromInline let capacity: Int
    @usableFromInline var count = 0

    @inlinable
    init(distances: UnsafeMutablePointer<Double>, slots: UnsafeMutablePointer<Int>, capacity: Int) {
        self.distances = distances
        self.slots = slots
        self.capacity = capacity
    }

    @inlinable var isFull: Bool { count == capacity }
    /// The largest squared distance held (only meaningful when not empty).
    @inlinable var worst: Double { distances[0] }

    @inlinable
    mutating func push(_ distance: Double, _ slot: Int) {
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) >> 1
            if distances[parent] >= distance { break }
            distances[child] = distances[parent]
            slots[child] = slots[parent]
            child = parent
        }
        distances[child] = distance
        slots[child] = slot
    }

    /// Replaces the current worst with a closer candidate.
    @inlinable
    mutating func replaceWorst(_ distance: Double, _ slot: Int) {
        siftDown(distance, slot, limit: count)
    }

    @inlinable
    mutating func siftDown(_ distance: Double, _ slot: Int, limit: Int) {
        var parent = 0
        while true {
            var child = 2 * parent + 1
            if child >= limit { break }
            if child + 1 < limit && distances[child + 1] > distances[child] { child += 1 }
            if distances[child] <= distance { break }
            distances[parent] = distances[child]
            slots[parent] = slots[child]
            parent = child
        }
        distances[parent] = distance
        slots[parent] = slot
    }

    /// Sorts the held candidates nearest first, in place (heapsort: the heap is already built).
    @inlinable
    mutating func sortAscending() {
        var end = count
        while end > 1 {
            end -= 1
            let distance = distances[end], slot = slots[end]
            distances[end] = distances[0]
            slots[end] = slots[0]
            siftDown(distance, slot, limit: end)
        }
    }
}

extension RTree {
    /// The `k` entries nearest to `point` by planar distance to their bounds (0 inside), nearest
    /// first, none farther than `maxDistance`.
    ///
    /// Depth-first branch and bound: at each inner node the children that can still hold one of
    /// the k best are stacked with the nearest on top, so the first path is a greedy dive to the
    /// leaf nearest the point, whose entries give a k-th distance that prunes most of the rest;
    /// each stacked child is checked against the k-th distance again when it is popped. Node
    /// distances come from the Float32 rects (rounded outward, so never more than the distance to
    /// any entry below), entries are measured on their exact rects. Among entries tied at the k-th
    /// distance an arbitrary subset is returned. `k <= 0` returns nothing.
    @inlinable
    public func nearest(to point: Point, k: Int, maxDistance: Double = .infinity) -> [Neighbor<Payload>] {
        guard k > 0, height > 0, !(maxDistance < 0) else { return [] }
        // Squared bound for pruning, loosened by one ulp so rounding never prunes an entry whose
        // exact `sqrt` distance equals `maxDistance`; the exact test happens per entry.
        let squaredLimit = maxDistance == .infinity ? Double.infinity : (maxDistance * maxDistance).nextUp
        let capacity = Swift.min(k, entryCount)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: capacity) { distances in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { slots in
                var best = RTreeKBest(distances: distances.baseAddress!, slots: slots.baseAddress!,
                                      capacity: capacity)
                nearestSearch(point, squaredLimit: squaredLimit, maxDistance: maxDistance, &best)
                best.sortAscending()
                var result: [Neighbor<Payload>] = []
                result.reserveCapacity(best.count)
                for index in 0..<best.count {
                    result.append(Neighbor(payload: leafPayloads[slots[index]], bounds: leafRects[slots[index]],
                                           distance: distances[index].squareRoot()))
                }
                return result
            }
        }
    }

    /// Fills `best` with the nearest entries (see `nearest(to:k:maxDistance:)`).
    @inlinable
    func nearestSearch(_ point: Point, squaredLimit: Double, maxDistance: Double, _ best: inout RTreeKBest) {
        let stackCapacity = height * maxEntries + 1
        withNodeView { view in
            // Stacked children: (squared lower bound, node, level); the top is popped first.
            withUnsafeTemporaryAllocation(of: RTreeQueueItem.self, capacity: stackCapacity) { stack in
                let maxEntries = view.maxEntries
                stack[0] = RTreeQueueItem(key: 0, ref: rootNode, level: height - 1)
                var top = 1
                while top > 0 {
                    top -= 1
                    let item = stack[top]
                    let bound = best.isFull ? best.worst : squaredLimit
                    if item.key > bound || (best.isFull && item.key == bound) { continue }
                    let node = item.ref
                    let base = node * maxEntries
                    if item.level == 0 {
                        let rects = view.leafRects.baseAddress!
                        for slot in base..<(base &+ Int(view.leafCounts[node])) {
                            // Rect.squaredDistance without branches: the same subtractions, so
                            // the same values.
                            let rect = rects[slot]
                            let dx = Swift.max(Swift.max(rect.minX - point.x, point.x - rect.maxX), 0)
                            let dy = Swift.max(Swift.max(rect.minY - point.y, point.y - rect.maxY), 0)
                            let distance = dx * dx + dy * dy
                            if best.isFull {
                                if distance < best.worst { best.replaceWorst(distance, slot) }
                            } else if distance <= squaredLimit
                                        && (maxDistance == .infinity || distance.squareRoot() <= maxDistance) {
                                best.push(distance, slot)
                            }
                        }
                        continue
                    }
                    let count = Int(view.innerCounts[node])
                    let first = top
                    var nearest = top
                    let limit = best.isFull ? best.worst : squaredLimit
                    var slot = base
                    while slot < base &+ count {
                        // max(minX - x, x - maxX, 0) in Double on the Float32 rect: rounding is
                        // monotone, so this never exceeds the same expression on an exact rect below.
                        let child = view.innerFloats(slot)
                        let dx = Swift.max(Double(child[0]) - point.x, point.x - Double(child[2]), 0)
                        let dy = Swift.max(Double(child[1]) - point.y, point.y - Double(child[3]), 0)
                        let distance = dx * dx + dy * dy
                        if distance < limit || (!best.isFull && distance == limit) {
                            stack[top] = RTreeQueueItem(key: distance, ref: Int(view.innerChildren[slot]),
                                                        level: item.level &- 1)
                            if distance < stack[nearest].key { nearest = top }
                            top &+= 1
                        }
                        slot &+= 1
                    }
                    // The nearest child goes on top, so it is explored first.
                    if top > first && nearest != top - 1 { stack.swapAt(nearest, top - 1) }
                }
            }
        }
    }

    /// Delivers entries to `visit` in non-decreasing `distance`, exploring nodes best-first by
    /// `lowerBound`; stops when `visit` returns false.
    ///
    /// `lowerBound(rect)` must never exceed `distance(rect, payload)` for any entry under a node with
    /// bounds `rect` (an entry lies under its own rect too), or the order is wrong. Node rects are
    /// passed rounded outward to Float32 (slightly larger than tight), so `lowerBound` must also be
    /// monotone: a rect covering another never gets a larger bound (true of any distance to a rect). Entries are queued
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
                    for offset in 0..<Int(view.innerCounts[item.ref]) {
                        queue.push(RTreeQueueItem(key: lowerBound(view.innerRect(item.ref, offset)),
                                                  ref: Int(view.innerChildren[base + offset]),
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
