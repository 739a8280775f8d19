public import GeoCore

extension SpacePartitionMap {
    /// The most workers a map serves (a serialized map with more is rejected).
    public static let maxWorkers = 4_096
    /// The most slots a map may have (a serialized map with more is rejected).
    public static let maxSlotLimit = 1 << 20

    /// Builds the map for `workers` workers from the first events of the stream.
    ///
    /// Rules (deterministic: the same inputs give the same map, and the same `version`, everywhere):
    /// 1. Only sample points inside the bbox count. Let N be their number and
    ///    `threshold = N / (workers × 16)`.
    /// 2. If N < workers × 16 (too few to say where the load is), the slots are a uniform level:
    ///    the smallest with at least workers × 16 cells, lowered while it exceeds the slot cap.
    /// 3. Otherwise start from the smallest uniform level with at least `workers` cells and split the
    ///    cell with the most samples (ties: lowest Hilbert key) into its four children while it holds
    ///    more than `threshold`, is above level 16, and the split keeps the slot count within the cap.
    /// 4. Each slot weighs its sample count plus a share, by grid area, of `workers × 16` pseudo-events
    ///    (one per cell of rule 2's grid), so empty slots still spread in proportion to their size and an
    ///    empty sample gives an even split by area.
    /// 5. Walking slots in Hilbert order, a slot goes to worker ⌊(weight before it + half its own) /
    ///    total × workers⌋; then each worker's run is widened to at least one slot.
    ///
    /// The slot cap is `maxSlots`, raised to the smallest power of 4 ≥ `workers` when lower, and
    /// lowered to `maxSlotLimit`.
    /// - Precondition: the bbox is finite with `minX < maxX` and `minY < maxY`;
    ///   `workers` in 1...`maxWorkers`.
    public init(bbox: Rect, workers: Int, sample: [Point], maxSlots: Int = 1024) {
        precondition(Self.isUsable(bbox), "a partition map needs a finite bbox with min < max on both axes, got \(bbox)")
        precondition((1...Self.maxWorkers).contains(workers),
                     "a partition map serves 1...\(Self.maxWorkers) workers, got \(workers)")
        let grid = SlotGrid(bbox)
        let keys = sample.compactMap { bbox.contains($0) ? grid.hilbertKey(of: $0) : nil }.sorted()
        let fewestLevel = Self.smallestLevel(withAtLeast: workers)
        let slotCap = Swift.min(Self.maxSlotLimit, Swift.max(maxSlots, 1 << (2 * Int(fewestLevel))))
        let pseudoEvents = workers * 16

        var cells: [SampledCell]
        if keys.count < pseudoEvents {
            var level = Self.smallestLevel(withAtLeast: pseudoEvents)
            while level > fewestLevel && 1 << (2 * Int(level)) > slotCap { level -= 1 }
            cells = SampledCell.uniform(level: level, keys: keys)
        } else {
            cells = SampledCell.uniform(level: fewestLevel, keys: keys)
            SampledCell.splitDense(&cells, keys: keys, threshold: Double(keys.count) / Double(pseudoEvents), cap: slotCap)
        }

        let weights = cells.map { cell in
            Double(cell.count) + Double(pseudoEvents) * Double(QuadNode.curveLength(atLevel: cell.level))
                / Double(SlotGrid.curveLength)
        }
        let owners = Self.assign(weights: weights, workers: workers)
        self.init(checkedBBox: bbox, workerCount: workers, overflowWorker: 0,
                  levels: cells.map(\.level), owners: owners,
                  sampleCounts: cells.map { Swift.min($0.count, Int(UInt32.max)) })
    }

    static func isUsable(_ bbox: Rect) -> Bool {
        bbox.minX.isFinite && bbox.minY.isFinite && bbox.maxX.isFinite && bbox.maxY.isFinite
            && bbox.minX < bbox.maxX && bbox.minY < bbox.maxY
    }

    /// The smallest quadtree level with at least `count` cells (at most 16).
    static func smallestLevel(withAtLeast count: Int) -> UInt8 {
        var level: UInt8 = 0
        while level < 16 && 1 << (2 * Int(level)) < count { level += 1 }
        return level
    }

    /// Contiguous runs of slots per worker, balancing `weights` (rule 5); every worker gets a slot.
    static func assign(weights: [Double], workers: Int) -> [Int] {
        let total = weights.reduce(0, +)
        var firstSlot = Array(repeating: weights.count, count: workers + 1)  // of each worker
        firstSlot[0] = 0
        var before = 0.0
        var previous = 0
        for (i, weight) in weights.enumerated() {
            let share = total > 0 ? (before + weight / 2) / total : 0
            let worker = Swift.max(previous, Swift.min(workers - 1, Int(share * Double(workers))))
            for w in (previous + 1)..<(worker + 1) { firstSlot[w] = i }
            previous = worker
            before += weight
        }
        // Widen empty runs: forward so each starts after its predecessor, backward so each leaves
        // room for its successors. Possible because there are at least as many slots as workers.
        for w in 1..<workers { firstSlot[w] = Swift.max(firstSlot[w], firstSlot[w - 1] + 1) }
        for w in stride(from: workers - 1, through: 1, by: -1) {
            firstSlot[w] = Swift.min(firstSlot[w], weights.count - (workers - w))
        }
        var owners = Array(repeating: 0, count: weights.count)
        for w in 0..<workers {
            for i in firstSlot[w]..<firstSlot[w + 1] { owners[i] = w }
        }
        return owners
    }
}

/// A quadtree cell while the map is built, with the number of sample keys it holds.
struct SampledCell {
    var start: UInt64
    var level: UInt8
    var count: Int

    var end: UInt64 { start + QuadNode.curveLength(atLevel: level) }

    /// Every cell of one level, in Hilbert order.
    static func uniform(level: UInt8, keys: [UInt64]) -> [SampledCell] {
        let length = QuadNode.curveLength(atLevel: level)
        return (0..<(UInt64(1) << UInt64(2 * Int(level)))).map { i in
            let start = i * length
            return SampledCell(start: start, level: level,
                               count: lowerBound(start + length, in: keys) - lowerBound(start, in: keys))
        }
    }

    /// Rule 3: split the densest cell over `threshold` while the cap allows.
    static func splitDense(_ cells: inout [SampledCell], keys: [UInt64], threshold: Double, cap: Int) {
        while cells.count + 3 <= cap {
            var densest: Int?
            for i in cells.indices where cells[i].level < 16 && Double(cells[i].count) > threshold {
                if densest == nil || cells[i].count > cells[densest!].count { densest = i }
            }
            guard let index = densest else { return }
            let parent = cells[index]
            let quarter = QuadNode.curveLength(atLevel: parent.level + 1)
            let children = (0..<UInt64(4)).map { k in
                let start = parent.start + k * quarter
                return SampledCell(start: start, level: parent.level + 1,
                                   count: lowerBound(start + quarter, in: keys) - lowerBound(start, in: keys))
            }
            cells.replaceSubrange(index...index, with: children)
        }
    }

    /// The index of the first key ≥ `value`.
    static func lowerBound(_ value: UInt64, in keys: [UInt64]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) >> 1
            if keys[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
