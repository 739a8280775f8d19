public import GeoCore

/// An entry's sort keys for Sort-Tile-Recursive packing: its centre, and where it came from.
@usableFromInline
struct RTreePackingKey {
    @usableFromInline var x: Double
    @usableFromInline var y: Double
    @usableFromInline var index: Int

    @inlinable
    init(x: Double, y: Double, index: Int) {
        self.x = x
        self.y = y
        self.index = index
    }
}

extension RTree {
    /// Sort-Tile-Recursive bulk load (Leutenegger et al. 1997): fully packed nodes.
    ///
    /// Per level: sort by centre x, cut into ⌈√(n/M)⌉ vertical slices, sort each by centre y, pack
    /// runs of M. Only the last node of a level may hold fewer than M; when it would hold fewer
    /// than m it takes entries from its neighbour, so the result satisfies every invariant and can
    /// be updated like any other tree. Every entry's bounds must be a non-empty rect without NaN.
    @inlinable
    public init(bulkLoading entries: [(bounds: Rect, payload: Payload)],
                configuration: RTreeConfiguration = .init()) {
        self.init(configuration: configuration)
        guard !entries.isEmpty else { return }
        for entry in entries {
            precondition(entry.bounds.minX <= entry.bounds.maxX && entry.bounds.minY <= entry.bounds.maxY,
                         "RTree(bulkLoading:): bounds must be a non-empty rect without NaN, got \(entry.bounds)")
        }
        let capacity = maxEntries
        entryCount = entries.count

        // Leaves.
        var order = Self.packingOrder(entries.count, capacity: capacity) { entries[$0].bounds }
        var groups = Self.packingGroups(entries.count, capacity: capacity, minimum: minEntries)
        leafRects.reserveCapacity(groups.count * capacity)
        leafPayloads.reserveCapacity(groups.count * capacity)
        leafCounts.reserveCapacity(groups.count)
        var levelRects: [Rect] = []
        levelRects.reserveCapacity(groups.count)
        var start = 0
        for size in groups {
            var bounds = Rect.empty
            for position in start..<(start + size) {
                let entry = entries[order[position]]
                bounds = bounds.union(entry.bounds)
                leafRects.append(entry.bounds)
                leafPayloads.append(entry.payload)
            }
            let filler = entries[order[start]].payload
            leafRects.append(contentsOf: repeatElement(Rect.empty, count: capacity - size))
            leafPayloads.append(contentsOf: repeatElement(filler, count: capacity - size))
            leafCounts.append(Int32(size))
            levelRects.append(bounds)
            exactBounds = exactBounds.union(bounds)
            start += size
        }
        height = 1
        rootNode = 0

        // Inner levels, until one node remains.
        var levelNodes = Array(0..<levelRects.count)
        if levelRects.count > 1 {
            let innerNodeCount = Self.innerNodeCount(above: levelRects.count, capacity: capacity)
            innerBounds.reserveCapacity(innerNodeCount * capacity * 4)
            innerChildren.reserveCapacity(innerNodeCount * capacity)
            innerCounts.reserveCapacity(innerNodeCount)
        }
        while levelRects.count > 1 {
            let rects = levelRects
            order = Self.packingOrder(rects.count, capacity: capacity) { rects[$0] }
            groups = Self.packingGroups(rects.count, capacity: capacity, minimum: minEntries)
            var nextRects: [Rect] = []
            var nextNodes: [Int] = []
            nextRects.reserveCapacity(groups.count)
            nextNodes.reserveCapacity(groups.count)
            start = 0
            for size in groups {
                let node = innerCounts.count
                var bounds = Rect.empty
                appendEmptyInnerBounds()
                for position in start..<(start + size) {
                    let index = order[position]
                    bounds = bounds.union(rects[index])
                    setInnerRect(node, position - start, rects[index])
                    innerChildren.append(Int32(levelNodes[index]))
                }
                innerChildren.append(contentsOf: repeatElement(-1, count: capacity - size))
                innerCounts.append(Int32(size))
                nextRects.append(bounds)
                nextNodes.append(node)
                start += size
            }
            levelRects = nextRects
            levelNodes = nextNodes
            height += 1
        }
        rootNode = levelNodes[0]
    }

    /// Inner nodes STR creates above `count` leaves: ⌈n/M⌉ per level until one remains.
    @inlinable
    static func innerNodeCount(above count: Int, capacity: Int) -> Int {
        var total = 0
        var level = count
        while level > 1 {
            level = (level + capacity - 1) / capacity
            total += level
        }
        return total
    }

    /// Node sizes for packing `count` entries: M each, except that the last two share the tail so
    /// that neither holds fewer than `minimum`.
    @inlinable
    static func packingGroups(_ count: Int, capacity: Int, minimum: Int) -> [Int] {
        let groupCount = (count + capacity - 1) / capacity
        var groups = [Int](repeating: capacity, count: groupCount)
        let tail = count - (groupCount - 1) * capacity
        groups[groupCount - 1] = tail
        if groupCount > 1 && tail < minimum {
            groups[groupCount - 1] = minimum
            groups[groupCount - 2] = capacity - (minimum - tail)
        }
        return groups
    }

    /// STR's entry order: slices along x of ⌈√P⌉·M entries (P = ⌈n/M⌉ nodes), each sorted along y.
    @inlinable
    static func packingOrder(_ count: Int, capacity: Int, bounds: (Int) -> Rect) -> [Int] {
        var keys = [RTreePackingKey]()
        keys.reserveCapacity(count)
        for index in 0..<count {
            let rect = bounds(index)
            keys.append(RTreePackingKey(x: (rect.minX + rect.maxX) * 0.5,
                                        y: (rect.minY + rect.maxY) * 0.5, index: index))
        }
        keys.withUnsafeMutableBufferPointer { RTreePackingSort.sort($0, byY: false) }
        let nodeCount = (count + capacity - 1) / capacity
        var sliceCount = 1
        while sliceCount * sliceCount < nodeCount { sliceCount += 1 }
        let sliceSize = sliceCount * capacity
        var sliceStart = 0
        while sliceStart < count {
            let sliceEnd = Swift.min(count, sliceStart + sliceSize)
            keys.withUnsafeMutableBufferPointer { all in
                RTreePackingSort.sort(UnsafeMutableBufferPointer(rebasing: all[sliceStart..<sliceEnd]), byY: true)
            }
            sliceStart = sliceEnd
        }
        return keys.map(\.index)
    }
}

/// An in-place unstable sort of packing keys by one coordinate: introsort (median-of-three
/// quicksort, insertion sort below 24 elements, heapsort past the depth limit).
///
/// STR only needs the order, not stability, and the generic stable sort with a closure was most of
/// a bulk load's time; the sliding window bulk-loads every pane, so this is on the ingest path.
@usableFromInline
enum RTreePackingSort {
    @inlinable
    static func sort(_ keys: UnsafeMutableBufferPointer<RTreePackingKey>, byY: Bool) {
        guard keys.count > 1 else { return }
        var depthLimit = 2
        var n = keys.count
        while n > 1 { depthLimit += 2; n >>= 1 }
        if byY {
            introsort(keys, 0, keys.count, depthLimit) { $0.y }
        } else {
            introsort(keys, 0, keys.count, depthLimit) { $0.x }
        }
    }

    @inlinable
    static func introsort(_ keys: UnsafeMutableBufferPointer<RTreePackingKey>, _ start: Int, _ end: Int,
                          _ depthLimit: Int, _ key: (RTreePackingKey) -> Double) {
        var start = start, end = end, depth = depthLimit
        while end - start > 24 {
            if depth == 0 {
                heapsort(keys, start, end, key)
                return
            }
            depth -= 1
            // Median of three to the middle, then Hoare partition around its value.
            let middle = start + (end - start) / 2
            if key(keys[middle]) < key(keys[start]) { keys.swapAt(middle, start) }
            if key(keys[end - 1]) < key(keys[start]) { keys.swapAt(end - 1, start) }
            if key(keys[end - 1]) < key(keys[middle]) { keys.swapAt(end - 1, middle) }
            let pivot = key(keys[middle])
            var low = start, high = end - 1
            while true {
                while key(keys[low]) < pivot { low += 1 }
                while pivot < key(keys[high]) { high -= 1 }
                if low >= high { break }
                keys.swapAt(low, high)
                low += 1
                high -= 1
            }
            // Recurse into the smaller side, loop on the larger: stack depth stays O(log n).
            let split = high + 1
            if split - start < end - split {
                introsort(keys, start, split, depth, key)
                start = split
            } else {
                introsort(keys, split, end, depth, key)
                end = split
            }
        }
        // Insertion sort for the short tail.
        if end - start > 1 {
            for index in (start + 1)..<end {
                let moving = keys[index]
                let value = key(moving)
                var position = index
                while position > start && value < key(keys[position - 1]) {
                    keys[position] = keys[position - 1]
                    position -= 1
                }
                keys[position] = moving
            }
        }
    }

    @inlinable
    static func heapsort(_ keys: UnsafeMutableBufferPointer<RTreePackingKey>, _ start: Int, _ end: Int,
                         _ key: (RTreePackingKey) -> Double) {
        let count = end - start
        func siftDown(_ root: Int, _ limit: Int) {
            var parent = root
            while true {
                var child = 2 * parent + 1
                if child >= limit { return }
                if child + 1 < limit && key(keys[start + child]) < key(keys[start + child + 1]) { child += 1 }
                if !(key(keys[start + parent]) < key(keys[start + child])) { return }
                keys.swapAt(start + parent, start + child)
                parent = child
            }
        }
        var root = count / 2 - 1
        while root >= 0 { siftDown(root, count); root -= 1 }
        var last = count - 1
        while last > 0 {
            keys.swapAt(start, start + last)
            siftDown(0, last)
            last -= 1
        }
    }
}
