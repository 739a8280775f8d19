public import GeoCore

/// Routes events of a `by: space` stage to workers: the bbox cut into Hilbert-ordered slots, and
/// contiguous runs of slots assigned to workers so that neighbours stay together (ARCHITECTURE §5,
/// GSHR-Tree style). `docs/partitioning.md` states every rule.
///
/// Slots are cells of a quadtree over the order-16 grid on the bbox; a cell at level L covers an
/// aligned run of 4^(16 − L) consecutive keys of the order-16 Hilbert curve, so a point's slot is a
/// Hilbert key and a binary search away. Cells split where the sample is dense. Points outside the
/// bbox, and NaN, belong to the overflow slot of `overflowWorker` (worker 0).
///
/// Edges: slots own their west and south edges, and the slots along the bbox's east and north edges
/// also own those (see `SlotGrid`). `PartitionSlot.bounds` is closed, so two slots' bounds share
/// their common edge while only one of them owns it.
///
/// The map is a value: built once from the first events of the stream, then stored (by `version`)
/// with checkpoints; `serialized()` and `init(serialized:)` carry it between processes. Copies share
/// their immutable tables.
public struct SpacePartitionMap: Hashable, Sendable {
    public let bbox: Rect
    public let workerCount: Int
    /// The worker owning everything outside the bbox (and NaN positions).
    public let overflowWorker: Int
    /// A stable content hash of the map: FNV-1a over `serialized()` without its trailer. The same
    /// inputs give the same version on every machine; checkpoints store it to detect a map change.
    public let version: UInt64
    let tables: PartitionTables

    /// The slots in Hilbert order; their ranges tile the whole order-16 curve.
    public var slots: [PartitionSlot] { tables.slots }

    /// Assembles a map from slot levels and owners already known to be valid (built or checked).
    init(checkedBBox bbox: Rect, workerCount: Int, overflowWorker: Int,
         levels: [UInt8], owners: [Int], sampleCounts: [Int]) {
        let grid = SlotGrid(bbox)
        var slots: [PartitionSlot] = []
        slots.reserveCapacity(levels.count)
        var start: UInt64 = 0
        for i in levels.indices {
            let length = QuadNode.curveLength(atLevel: levels[i])
            let corner = SpaceFillingCurve.hilbertCell(of: start, order: SlotGrid.order)
            let side = QuadNode.side(atLevel: levels[i])
            let bounds = grid.bounds(x: corner.x & ~(side - 1), y: corner.y & ~(side - 1), sideCells: side)
            slots.append(PartitionSlot(hilbertRange: start..<(start + length), bounds: bounds,
                                       worker: owners[i], sampleCount: sampleCounts[i]))
            start += length
        }
        self.bbox = bbox
        self.workerCount = workerCount
        self.overflowWorker = overflowWorker
        self.tables = PartitionTables(grid: grid, slots: slots, levels: levels)
        self.version = StableHash.fnv1a(Self.serializedBody(bbox: bbox, workerCount: workerCount,
                                                            overflowWorker: overflowWorker, slots: slots))
    }

    /// The worker owning the point's slot, or `overflowWorker` outside the bbox or for NaN.
    ///
    /// Cost: two boundary checks per axis, a table-driven Hilbert key and a binary search over the
    /// workers' run starts (~100 instructions).
    @inline(__always)
    public func worker(for point: Point) -> Int {
        guard bbox.contains(point) else { return overflowWorker }
        return Self.lastIndex(atMost: tables.grid.hilbertKey(of: point), in: tables.workerStarts)
    }

    /// Index in `slots` of the slot owning the point; nil outside the bbox or for NaN.
    public func slotIndex(for point: Point) -> Int? {
        guard bbox.contains(point) else { return nil }
        return Self.lastIndex(atMost: tables.grid.hilbertKey(of: point), in: tables.slotStarts)
    }

    /// The last index whose value is ≤ `key`, in ascending `starts` whose first value is 0.
    @inline(__always)
    static func lastIndex(atMost key: UInt64, in starts: [UInt64]) -> Int {
        starts.withUnsafeBufferPointer { starts in
            var low = 0, high = starts.count
            while high - low > 1 {
                let middle = (low + high) >> 1
                if starts[middle] <= key { low = middle } else { high = middle }
            }
            return low
        }
    }

    public static func == (a: SpacePartitionMap, b: SpacePartitionMap) -> Bool {
        a.version == b.version && a.workerCount == b.workerCount && a.overflowWorker == b.overflowWorker
            && a.bbox.minX.bitPattern == b.bbox.minX.bitPattern && a.bbox.minY.bitPattern == b.bbox.minY.bitPattern
            && a.bbox.maxX.bitPattern == b.bbox.maxX.bitPattern && a.bbox.maxY.bitPattern == b.bbox.maxY.bitPattern
            && (a.tables === b.tables || a.slots == b.slots)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(version)
    }
}

/// What a map derives from its slots, built once and shared by its copies.
final class PartitionTables: Sendable {
    let grid: SlotGrid
    let slots: [PartitionSlot]
    /// `slots[i].hilbertRange.lowerBound`, apart for a cache-friendly search.
    let slotStarts: [UInt64]
    /// The first Hilbert key of each worker's run; `workerStarts[0] == 0`, ascending.
    let workerStarts: [UInt64]
    /// The quadtree whose leaves are the slots, for rect and halo queries; node 0 is the root.
    let tree: [QuadNode]
    /// Each slot's square in grid cells (`child` unused).
    let slotSquares: [QuadNode]

    init(grid: SlotGrid, slots: [PartitionSlot], levels: [UInt8]) {
        self.grid = grid
        self.slots = slots
        slotStarts = slots.map(\.hilbertRange.lowerBound)
        workerStarts = slots.indices.filter { $0 == 0 || slots[$0].worker != slots[$0 - 1].worker }
            .map { slots[$0].hilbertRange.lowerBound }
        tree = QuadNode.tree(levels: levels)
        slotSquares = tree.filter { $0.child < 0 }.sorted { $0.child > $1.child }
    }
}

/// One slot of a `SpacePartitionMap`: a quadtree cell of the bbox's order-16 Hilbert grid.
public struct PartitionSlot: Hashable, Sendable {
    /// The order-16 Hilbert keys the slot covers: an aligned run of 4^(16 − level) keys.
    public var hilbertRange: Range<UInt64>
    /// Closed bounds in lon/lat; the slot owns its west and south edges, not its east and north ones
    /// (unless they are the bbox's).
    public var bounds: Rect
    public var worker: Int
    /// How many sample points fell in the slot when the map was built.
    public var sampleCount: Int

    public init(hilbertRange: Range<UInt64>, bounds: Rect, worker: Int, sampleCount: Int) {
        self.hilbertRange = hilbertRange
        self.bounds = bounds
        self.worker = worker
        self.sampleCount = sampleCount
    }

    /// Quadtree level: 0 is the whole bbox, 16 one grid cell.
    public var level: Int {
        (32 - (hilbertRange.upperBound - hilbertRange.lowerBound).trailingZeroBitCount) / 2
    }
}
