public import GeoCore
import SpatialIndex

/// The live geofences of one range-alert worker: an R-tree over fence bounds, then exact predicates.
///
/// Point location goes through a `FenceGrid` first: one cell lookup instead of an R-tree descent,
/// for the fences the grid holds; the rest (fences too large for the grid, and fences added or
/// reshaped since it was built) are found in a small second R-tree, `overflow`. The grid is
/// rebuilt over all fences when such changes reach a quarter of the fences. Segment and area
/// queries use the main R-tree, which always holds every fence.
///
/// Fences live in numbered slots. A slot is stable while its fence lives (replacing a fence's shape
/// keeps its slot, so objects inside it stay recorded there), and a removed fence's slot is reused
/// by the next new fence. Static fences are bulk-loaded (Sort-Tile-Recursive) at init; dynamic ones
/// are inserted and removed one by one. Among definitions sharing an id the last one wins, as a
/// dynamic replacement would. A fence whose bounds are not a finite rect (no valid geometry has
/// one) is not indexed and counted in `unindexable`: it could never be found again.
///
/// Every worker of a stage holds the same fences and applies the same updates in the same order,
/// so slot numbers agree across workers too (output never depends on them).
///
/// - Warning: a value type with no internal locking; one instance per worker thread.
public struct FenceIndex: Sendable {
    /// Index of a fence in `fence(at:)`.
    public typealias Slot = Int32

    private var fences: [PreparedFence?] = []
    /// The same fences without reference counting, for the exact tests of a query: reading a class
    /// reference out of an array retains and releases it, which cost more than a point-in-rect test.
    /// `fences` keeps every one of them alive.
    private var borrowed: [Unmanaged<PreparedFence>?] = []
    private var slotsByID: [String: Slot] = [:]
    private var freeSlots: [Slot] = []
    private var tree: RTree<Slot>
    /// Point location for most fences; the others are in `overflow`.
    private var grid: FenceGrid
    /// The fences `grid` does not hold.
    private var overflow: RTree<Slot>
    /// Fences put in `overflow` or taken out of `grid` since the grid was built.
    private var changesSinceGridBuild = 0
    /// Live fences.
    public private(set) var count = 0
    /// Fence definitions ignored because their bounds were empty or not finite.
    public private(set) var unindexable = 0

    public init(fences definitions: [FenceDefinition] = []) {
        for definition in definitions {
            let prepared = PreparedFence(definition)
            guard Self.isIndexable(prepared.bounds) else {
                unindexable += 1
                continue
            }
            if let slot = slotsByID[definition.id] {
                fences[Int(slot)] = prepared
            } else {
                slotsByID[definition.id] = Slot(fences.count)
                fences.append(prepared)
            }
        }
        count = fences.count
        borrowed = fences.map { $0.map(Unmanaged.passUnretained) }
        tree = RTree(bulkLoading: fences.enumerated().map { (bounds: $0.element!.bounds, payload: Slot($0.offset)) },
                     configuration: Self.treeConfiguration)
        grid = FenceGrid(bounds: [])
        overflow = RTree(configuration: Self.treeConfiguration)
        rebuildGrid()
    }

    /// Grids every live fence again and puts the ones the grid refuses in a fresh `overflow`.
    private mutating func rebuildGrid() {
        grid = FenceGrid(bounds: fences.map { $0?.bounds })
        var refused: [(bounds: Rect, payload: Slot)] = []
        for (slot, fence) in fences.enumerated() {
            if let fence, !grid.holds(Slot(slot)) { refused.append((fence.bounds, Slot(slot))) }
        }
        overflow = RTree(bulkLoading: refused, configuration: Self.treeConfiguration)
        changesSinceGridBuild = 0
    }

    /// Rebuilds the grid once changes outside it reach a quarter of the fences (at least 64), so
    /// point lookups stay mostly on the grid while the rebuilds cost O(1) amortized per change.
    private mutating func noteChangeOutsideGrid() {
        changesSinceGridBuild += 1
        if changesSinceGridBuild >= Swift.max(64, count / 4) { rebuildGrid() }
    }

    /// Fences on the grid and in the overflow tree, and the grid's size: for tests and tuning.
    public var gridStatistics: (gridded: Int, overflow: Int, cells: Int, entries: Int) {
        (grid.griddedCount, overflow.count, grid.columns * grid.rows, grid.entryCount)
    }

    /// The fence in `slot`, nil once removed (and until the slot is reused).
    @inline(__always)
    public func fence(at slot: Slot) -> PreparedFence? { fences[Int(slot)] }

    public func slot(of id: String) -> Slot? { slotsByID[id] }

    /// One past the highest slot ever used: slots are `0..<slotLimit`, some possibly empty.
    public var slotLimit: Int { fences.count }

    /// Adds the fence, or replaces the shape of the fence with the same id (keeping its slot).
    /// Returns the slot, or nil (changing nothing) when the shape has no finite bounds.
    @discardableResult
    public mutating func insertOrReplace(_ definition: FenceDefinition) -> Slot? {
        let prepared = PreparedFence(definition)
        guard Self.isIndexable(prepared.bounds) else {
            unindexable += 1
            return nil
        }
        if let slot = slotsByID[definition.id], let old = fences[Int(slot)] {
            tree.update(slot, from: old.bounds, to: prepared.bounds)
            fences[Int(slot)] = prepared
            borrowed[Int(slot)] = Unmanaged.passUnretained(prepared)
            if grid.remove(slot, bounds: old.bounds) {
                overflow.insert(slot, bounds: prepared.bounds)
            } else {
                overflow.update(slot, from: old.bounds, to: prepared.bounds)
            }
            noteChangeOutsideGrid()
            return slot
        }
        let slot: Slot
        if let free = freeSlots.popLast() {
            slot = free
            fences[Int(slot)] = prepared
            borrowed[Int(slot)] = Unmanaged.passUnretained(prepared)
        } else {
            slot = Slot(fences.count)
            fences.append(prepared)
            borrowed.append(Unmanaged.passUnretained(prepared))
        }
        slotsByID[definition.id] = slot
        tree.insert(slot, bounds: prepared.bounds)
        overflow.insert(slot, bounds: prepared.bounds)
        count += 1
        noteChangeOutsideGrid()
        return slot
    }

    /// Removes the fence with this id; returns its former slot, or nil when there was none.
    @discardableResult
    public mutating func remove(id: String) -> Slot? {
        guard let slot = slotsByID.removeValue(forKey: id), let old = fences[Int(slot)] else { return nil }
        tree.remove(slot, bounds: old.bounds)
        if !grid.remove(slot, bounds: old.bounds) { overflow.remove(slot, bounds: old.bounds) }
        borrowed[Int(slot)] = nil
        fences[Int(slot)] = nil
        freeSlots.append(slot)
        count -= 1
        noteChangeOutsideGrid()
        return slot
    }

    // MARK: - Queries (grid or R-tree on bounds, then the exact predicate)

    /// Calls `body` with the slot of every fence holding `point` (boundary included), in no
    /// particular order.
    @inline(__always)
    public func forEachSlot(containing point: Point, _ body: (Slot) -> Void) {
        borrowed.withUnsafeBufferPointer { fences in
            forEachSlot(withBoundsContaining: point) { slot in
                if fences[Int(slot)].unsafelyUnwrapped._withUnsafeGuaranteedRef({ $0.contains(point) }) { body(slot) }
            }
        }
    }

    /// Every fence whose bounds hold `point`: the grid's, then the overflow tree's.
    @inline(__always)
    private func forEachSlot(withBoundsContaining point: Point, _ body: (Slot) -> Void) {
        grid.forEachSlot(withBoundsContaining: point, body)
        if !overflow.isEmpty {
            overflow.forEach(containing: point) { _, slot in
                body(slot)
                return true
            }
        }
    }

    /// Calls `body` with the slot of every fence the closed segment touches.
    @inline(never)
    public func forEachSlot(touching segment: Segment, _ body: (Slot) -> Void) {
        tree.forEach(intersecting: segment.bounds) { _, slot in
            if fences[Int(slot)].unsafelyUnwrapped.intersects(segment) { body(slot) }
            return true
        }
    }

    /// Calls `body` with the slot of every fence sharing a point with `geometry`.
    @inline(never)
    public func forEachSlot(intersecting geometry: Geometry, _ body: (Slot) -> Void) {
        if case let .point(point) = geometry {
            forEachSlot(containing: point, body)
            return
        }
        tree.forEach(intersecting: geometry.bounds) { _, slot in
            if fences[Int(slot)].unsafelyUnwrapped.intersects(geometry) { body(slot) }
            return true
        }
    }

    /// Appends the slot of every fence holding `point` to `slots`.
    ///
    /// Not inlined on purpose: inlined into the operator's mutating code, the closure made the
    /// compiler copy the whole index (retaining each of its arrays) on every call.
    @inline(never)
    func appendSlots(containing point: Point, to slots: inout [Slot]) {
        borrowed.withUnsafeBufferPointer { fences in
            forEachSlot(withBoundsContaining: point) { slot in
                let inside = fences[Int(slot)].unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.contains(point) }
                if inside { slots.append(slot) }
            }
        }
    }

    /// Ids of the fences holding `point`, sorted: the convenient form for tests and tools.
    public func fenceIDs(containing point: Point) -> [String] {
        var ids: [String] = []
        forEachSlot(containing: point) { ids.append(fences[Int($0)].unsafelyUnwrapped.id) }
        return ids.sorted()
    }

    /// Ids of the fences the segment touches, sorted.
    public func fenceIDs(touching segment: Segment) -> [String] {
        var ids: [String] = []
        forEachSlot(touching: segment) { ids.append(fences[Int($0)].unsafelyUnwrapped.id) }
        return ids.sorted()
    }

    /// Ids of the fences sharing a point with `geometry`, sorted.
    public func fenceIDs(intersecting geometry: Geometry) -> [String] {
        var ids: [String] = []
        forEachSlot(intersecting: geometry) { ids.append(fences[Int($0)].unsafelyUnwrapped.id) }
        return ids.sorted()
    }

    static let treeConfiguration = RTreeConfiguration(maxEntries: 16)

    private static func isIndexable(_ bounds: Rect) -> Bool {
        bounds.minX <= bounds.maxX && bounds.minY <= bounds.maxY
            && bounds.minX.isFinite && bounds.maxX.isFinite && bounds.minY.isFinite && bounds.maxY.isFinite
    }
}
